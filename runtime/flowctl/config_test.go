package flowctl_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

// env is a fixed environment for [flowctl.FromEnv].
type env map[string]string

func (e env) lookup(key string) (string, bool) {
	v, ok := e[key]
	return v, ok
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     env
		want    flowctl.Config
		wantErr []string // substrings, each naming a variable
	}{
		{
			name: "nothing set",
			env:  env{},
			want: flowctl.Config{},
		},
		{
			name: "everything flowctl's orchestrator sets",
			env: env{
				"ENABLE_FLOWCTL":             "true",
				"FLOWCTL_ENDPOINT":           "flowctl.internal:8080",
				"FLOWCTL_SERVICE_ID":         "stellar-payments",
				"FLOWCTL_COMPONENT_ID":       "stellar-payments",
				"FLOWCTL_HEARTBEAT_INTERVAL": "10s",
			},
			want: flowctl.Config{
				Enabled:           true,
				Endpoint:          "flowctl.internal:8080",
				ComponentID:       "stellar-payments",
				HeartbeatInterval: 10 * time.Second,
			},
		},
		{
			name: "older names alone",
			env:  env{"FLOWCTL_COMPONENT_ID": "old-id", "HEARTBEAT_INTERVAL_SECONDS": "15"},
			want: flowctl.Config{ComponentID: "old-id", HeartbeatInterval: 15 * time.Second},
		},
		{
			name: "newer names win over older ones",
			env: env{
				"FLOWCTL_SERVICE_ID": "new-id", "FLOWCTL_COMPONENT_ID": "old-id",
				"FLOWCTL_HEARTBEAT_INTERVAL": "1s", "HEARTBEAT_INTERVAL_SECONDS": "30",
			},
			want: flowctl.Config{ComponentID: "new-id", HeartbeatInterval: time.Second},
		},
		{
			name: "a bad older name is ignored when the newer one is set",
			env:  env{"FLOWCTL_HEARTBEAT_INTERVAL": "2s", "HEARTBEAT_INTERVAL_SECONDS": "often"},
			want: flowctl.Config{HeartbeatInterval: 2 * time.Second},
		},
		{
			name: "interval forms",
			env:  env{"FLOWCTL_HEARTBEAT_INTERVAL": "1m30s"},
			want: flowctl.Config{HeartbeatInterval: 90 * time.Second},
		},
		{
			name: "bare number of seconds, fractional, and spaces",
			env:  env{"ENABLE_FLOWCTL": " 1 ", "FLOWCTL_HEARTBEAT_INTERVAL": "2.5"},
			want: flowctl.Config{Enabled: true, HeartbeatInterval: 2500 * time.Millisecond},
		},
		{
			name: "older interval name takes a duration too",
			env:  env{"HEARTBEAT_INTERVAL_SECONDS": "500ms"},
			want: flowctl.Config{HeartbeatInterval: 500 * time.Millisecond},
		},
		{
			name: "API",
			env:  env{"FLOWCTL_API": "V1"},
			want: flowctl.Config{API: flowctl.APIV1},
		},
		{
			name: "empty values count as unset",
			env:  env{"ENABLE_FLOWCTL": "", "FLOWCTL_ENDPOINT": "", "FLOWCTL_HEARTBEAT_INTERVAL": "", "FLOWCTL_SERVICE_ID": " ", "FLOWCTL_API": ""},
			want: flowctl.Config{},
		},
		{
			name: "gRPC target with a scheme",
			env:  env{"FLOWCTL_ENDPOINT": "dns:///flowctl:8080"},
			want: flowctl.Config{Endpoint: "dns:///flowctl:8080"},
		},
		{name: "enable not a boolean", env: env{"ENABLE_FLOWCTL": "yes please"}, wantErr: []string{`ENABLE_FLOWCTL="yes please": want true or false`}},
		{name: "interval not a duration", env: env{"FLOWCTL_HEARTBEAT_INTERVAL": "often"}, wantErr: []string{`FLOWCTL_HEARTBEAT_INTERVAL="often": want a duration such as 10s, or a number of seconds`}},
		{name: "older interval name named in its error", env: env{"HEARTBEAT_INTERVAL_SECONDS": "often"}, wantErr: []string{`HEARTBEAT_INTERVAL_SECONDS="often": want a duration`}},
		{name: "interval zero", env: env{"FLOWCTL_HEARTBEAT_INTERVAL": "0"}, wantErr: []string{`FLOWCTL_HEARTBEAT_INTERVAL="0": must be more than 0`}},
		{name: "interval negative", env: env{"FLOWCTL_HEARTBEAT_INTERVAL": "-5s"}, wantErr: []string{`FLOWCTL_HEARTBEAT_INTERVAL="-5s": must be more than 0`}},
		{name: "interval NaN", env: env{"FLOWCTL_HEARTBEAT_INTERVAL": "NaN"}, wantErr: []string{`FLOWCTL_HEARTBEAT_INTERVAL="NaN": want a duration`}},
		{name: "interval too long in seconds", env: env{"FLOWCTL_HEARTBEAT_INTERVAL": "1e12"}, wantErr: []string{`FLOWCTL_HEARTBEAT_INTERVAL="1e12": must be at most 24h0m0s`}},
		{name: "interval too long as a duration", env: env{"FLOWCTL_HEARTBEAT_INTERVAL": "25h"}, wantErr: []string{`FLOWCTL_HEARTBEAT_INTERVAL="25h": must be at most 24h0m0s`}},
		{name: "unknown API", env: env{"FLOWCTL_API": "v2"}, wantErr: []string{`FLOWCTL_API="v2": unknown API "v2"; did you mean "v1"? (valid: auto, legacy, v1)`}},
		{name: "endpoint without port", env: env{"FLOWCTL_ENDPOINT": "flowctl"}, wantErr: []string{`FLOWCTL_ENDPOINT: "flowctl" is not host:port`}},
		{
			name:    "every bad variable reported at once",
			env:     env{"ENABLE_FLOWCTL": "maybe", "FLOWCTL_HEARTBEAT_INTERVAL": "often", "FLOWCTL_API": "x"},
			wantErr: []string{"ENABLE_FLOWCTL=", "FLOWCTL_HEARTBEAT_INTERVAL=", "FLOWCTL_API="},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := flowctl.FromEnv(tc.env.lookup)
			if len(tc.wantErr) > 0 {
				require.Error(t, err)
				for _, want := range tc.wantErr {
					assert.Contains(t, err.Error(), want)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestEnvWarnings(t *testing.T) {
	tests := []struct {
		name string
		env  env
		want []string
	}{
		{"nothing set", env{}, nil},
		{"newer names only", env{"FLOWCTL_SERVICE_ID": "a", "FLOWCTL_HEARTBEAT_INTERVAL": "1s"}, nil},
		{"older names only", env{"FLOWCTL_COMPONENT_ID": "a", "HEARTBEAT_INTERVAL_SECONDS": "1"}, nil},
		{"both names, same value, as flowctl sets them", env{"FLOWCTL_SERVICE_ID": "a", "FLOWCTL_COMPONENT_ID": "a"}, nil},
		{"service IDs differ", env{"FLOWCTL_SERVICE_ID": "a", "FLOWCTL_COMPONENT_ID": "b"}, []string{
			`FLOWCTL_SERVICE_ID="a" and FLOWCTL_COMPONENT_ID="b" are both set; using FLOWCTL_SERVICE_ID (FLOWCTL_COMPONENT_ID is its older name)`,
		}},
		{"both pairs differ", env{
			"FLOWCTL_SERVICE_ID": "a", "FLOWCTL_COMPONENT_ID": "b",
			"FLOWCTL_HEARTBEAT_INTERVAL": "1s", "HEARTBEAT_INTERVAL_SECONDS": "30",
		}, []string{
			`FLOWCTL_SERVICE_ID="a" and FLOWCTL_COMPONENT_ID="b" are both set; using FLOWCTL_SERVICE_ID (FLOWCTL_COMPONENT_ID is its older name)`,
			`FLOWCTL_HEARTBEAT_INTERVAL="1s" and HEARTBEAT_INTERVAL_SECONDS="30" are both set; using FLOWCTL_HEARTBEAT_INTERVAL (HEARTBEAT_INTERVAL_SECONDS is its older name)`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, flowctl.EnvWarnings(tc.env.lookup))
		})
	}
}

func TestWithEnvOverridesConfigFile(t *testing.T) {
	file := flowctl.Config{Enabled: false, Endpoint: "from-file:1", API: flowctl.APIV1, HeartbeatInterval: time.Minute}
	got, err := file.WithEnv(env{"ENABLE_FLOWCTL": "true", "FLOWCTL_ENDPOINT": "from-env:2"}.lookup)
	require.NoError(t, err)
	assert.Equal(t, flowctl.Config{Enabled: true, Endpoint: "from-env:2", API: flowctl.APIV1, HeartbeatInterval: time.Minute}, got)
}

func TestFromEnvReadsProcessEnvironment(t *testing.T) {
	t.Setenv("ENABLE_FLOWCTL", "true")
	t.Setenv("FLOWCTL_SERVICE_ID", "from-process")
	got, err := flowctl.FromEnv(nil)
	require.NoError(t, err)
	assert.True(t, got.Enabled)
	assert.Equal(t, "from-process", got.ComponentID)
}

func TestConfigDefaults(t *testing.T) {
	got := flowctl.Config{}.WithDefaults()
	assert.Equal(t, flowctl.Config{
		Endpoint:          flowctl.DefaultEndpoint,
		HeartbeatInterval: 10 * time.Second,
		API:               flowctl.APIAuto,
		RPCTimeout:        flowctl.DefaultRPCTimeout,
		RetryInitial:      flowctl.DefaultRetryInitial,
		RetryMax:          flowctl.DefaultRetryMax,
	}, got)
	require.NoError(t, flowctl.Config{}.Validate())
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     flowctl.Config
		wantErr []string
	}{
		{"v1", flowctl.Config{API: flowctl.APIV1}, nil},
		{"legacy", flowctl.Config{API: flowctl.APILegacy}, nil},
		{"auto", flowctl.Config{API: flowctl.APIAuto}, nil},
		{"mutual TLS", flowctl.Config{TLS: flowctl.TLSConfig{Enabled: true, CertFile: "c", KeyFile: "k"}}, nil},
		{"unknown API", flowctl.Config{API: "grpc"}, []string{`flowctl.api: unknown API "grpc" (valid: auto, legacy, v1)`}},
		{"endpoint with spaces", flowctl.Config{Endpoint: "host :1"}, []string{"flowctl.endpoint:", "white space"}},
		{"endpoint without port", flowctl.Config{Endpoint: "host"}, []string{"flowctl.endpoint:", "not host:port"}},
		{"negative interval", flowctl.Config{HeartbeatInterval: -time.Second}, []string{"flowctl.heartbeat_interval: must not be negative"}},
		{"negative timeout", flowctl.Config{RPCTimeout: -1}, []string{"flowctl.rpc_timeout: must not be negative"}},
		{"retry max below initial", flowctl.Config{RetryInitial: time.Second, RetryMax: time.Millisecond}, []string{"flowctl.retry_max: 1ms is less than retry_initial 1s"}},
		{"TLS files without TLS", flowctl.Config{TLS: flowctl.TLSConfig{CAFile: "ca.pem"}}, []string{"flowctl.tls.ca_file: set while flowctl.tls.enabled is false"}},
		{"cert without key", flowctl.Config{TLS: flowctl.TLSConfig{Enabled: true, CertFile: "c"}}, []string{"flowctl.tls.key_file: required with flowctl.tls.cert_file"}},
		{"key without cert", flowctl.Config{TLS: flowctl.TLSConfig{Enabled: true, KeyFile: "k"}}, []string{"flowctl.tls.cert_file: required with flowctl.tls.key_file"}},
		{"several at once", flowctl.Config{API: "x", RPCTimeout: -1}, []string{"flowctl.api:", "flowctl.rpc_timeout:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if len(tc.wantErr) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, want := range tc.wantErr {
				assert.Contains(t, err.Error(), want)
			}
		})
	}
}
