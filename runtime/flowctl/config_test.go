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
			name: "everything flowctl sets",
			env: env{
				"ENABLE_FLOWCTL":             "true",
				"FLOWCTL_ENDPOINT":           "flowctl.internal:8080",
				"FLOWCTL_COMPONENT_ID":       "stellar-payments",
				"HEARTBEAT_INTERVAL_SECONDS": "15",
			},
			want: flowctl.Config{
				Enabled:           true,
				Endpoint:          "flowctl.internal:8080",
				ComponentID:       "stellar-payments",
				HeartbeatInterval: 15 * time.Second,
			},
		},
		{
			name: "fractional interval and spaces",
			env:  env{"ENABLE_FLOWCTL": " 1 ", "HEARTBEAT_INTERVAL_SECONDS": "2.5"},
			want: flowctl.Config{Enabled: true, HeartbeatInterval: 2500 * time.Millisecond},
		},
		{
			name: "empty values count as unset",
			env:  env{"ENABLE_FLOWCTL": "", "FLOWCTL_ENDPOINT": "", "HEARTBEAT_INTERVAL_SECONDS": ""},
			want: flowctl.Config{},
		},
		{
			name: "gRPC target with a scheme",
			env:  env{"FLOWCTL_ENDPOINT": "dns:///flowctl:8080"},
			want: flowctl.Config{Endpoint: "dns:///flowctl:8080"},
		},
		{name: "enable not a boolean", env: env{"ENABLE_FLOWCTL": "yes please"}, wantErr: []string{`ENABLE_FLOWCTL="yes please": want true or false`}},
		{name: "interval not a number", env: env{"HEARTBEAT_INTERVAL_SECONDS": "10s"}, wantErr: []string{`HEARTBEAT_INTERVAL_SECONDS="10s": want a number of seconds`}},
		{name: "interval zero", env: env{"HEARTBEAT_INTERVAL_SECONDS": "0"}, wantErr: []string{`HEARTBEAT_INTERVAL_SECONDS="0": must be more than 0`}},
		{name: "interval negative", env: env{"HEARTBEAT_INTERVAL_SECONDS": "-5"}, wantErr: []string{`HEARTBEAT_INTERVAL_SECONDS="-5": must be more than 0`}},
		{name: "interval NaN", env: env{"HEARTBEAT_INTERVAL_SECONDS": "NaN"}, wantErr: []string{`HEARTBEAT_INTERVAL_SECONDS="NaN": want a number`}},
		{name: "interval too long", env: env{"HEARTBEAT_INTERVAL_SECONDS": "1e12"}, wantErr: []string{`HEARTBEAT_INTERVAL_SECONDS="1e12": must be at most 86400 seconds`}},
		{name: "endpoint without port", env: env{"FLOWCTL_ENDPOINT": "flowctl"}, wantErr: []string{`FLOWCTL_ENDPOINT: "flowctl" is not host:port`}},
		{
			name:    "every bad variable reported at once",
			env:     env{"ENABLE_FLOWCTL": "maybe", "HEARTBEAT_INTERVAL_SECONDS": "often"},
			wantErr: []string{"ENABLE_FLOWCTL=", "HEARTBEAT_INTERVAL_SECONDS="},
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

func TestWithEnvOverridesConfigFile(t *testing.T) {
	file := flowctl.Config{Enabled: false, Endpoint: "from-file:1", API: flowctl.APIV1, HeartbeatInterval: time.Minute}
	got, err := file.WithEnv(env{"ENABLE_FLOWCTL": "true", "FLOWCTL_ENDPOINT": "from-env:2"}.lookup)
	require.NoError(t, err)
	assert.Equal(t, flowctl.Config{Enabled: true, Endpoint: "from-env:2", API: flowctl.APIV1, HeartbeatInterval: time.Minute}, got)
}

func TestFromEnvReadsProcessEnvironment(t *testing.T) {
	t.Setenv("ENABLE_FLOWCTL", "true")
	t.Setenv("FLOWCTL_COMPONENT_ID", "from-process")
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
		API:               flowctl.APILegacy,
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
		{"mutual TLS", flowctl.Config{TLS: flowctl.TLSConfig{Enabled: true, CertFile: "c", KeyFile: "k"}}, nil},
		{"unknown API", flowctl.Config{API: "grpc"}, []string{`flowctl.api: unknown API "grpc" (valid: legacy, v1)`}},
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
