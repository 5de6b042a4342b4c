package flowctl

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/cdpstats/cdpstats/internal/suggest"
)

// API names one of the control-plane APIs flowctl serves.
type API string

// The control-plane APIs a [Client] can speak.
const (
	// APIAuto, the default, tries [APIV1] and falls back to [APILegacy]
	// when the control plane does not serve v1. It probes again after
	// every new registration, since the control plane may have been
	// upgraded or downgraded meanwhile.
	APIAuto API = "auto"
	// APILegacy is the flowctl.ControlPlane service: Register and
	// Heartbeat, with metrics as a map of doubles.
	APILegacy API = "legacy"
	// APIV1 is the flowctl.v1.ControlPlaneService: RegisterComponent and
	// Heartbeat, with metrics as a map of decimal strings and a health
	// status.
	APIV1 API = "v1"
)

// ValidAPIs returns every valid value of [Config.API], default first.
func ValidAPIs() []API { return []API{APIAuto, APILegacy, APIV1} }

func (a API) valid() bool { return slices.Contains(ValidAPIs(), a) }

// unknownAPI is the message for an API that is not one of [ValidAPIs].
func unknownAPI(a API) string {
	valid := make([]string, 0, len(ValidAPIs()))
	for _, v := range ValidAPIs() {
		valid = append(valid, string(v))
	}
	return fmt.Sprintf("unknown API %q%s", a, suggest.Hint(string(a), valid))
}

// Defaults applied to the zero fields of a [Config].
const (
	DefaultEndpoint          = "localhost:8080" // where flowctl's control plane listens by default
	DefaultHeartbeatInterval = 10 * time.Second
	DefaultRPCTimeout        = 5 * time.Second
	DefaultRetryInitial      = 500 * time.Millisecond
	DefaultRetryMax          = 30 * time.Second
)

// Config configures a [Client]. Its yaml keys are the ones a pipeline
// config file uses under its flowctl section; [Config.WithEnv] overlays
// the environment variables flowctl sets for the processes it starts.
// Zero durations and an empty endpoint or API take the Default* values.
type Config struct {
	// Enabled says whether the pipeline reports to flowctl at all. The
	// client itself does not look at it: the runner decides whether to
	// start one.
	Enabled bool `yaml:"enabled"`
	// Endpoint is the control plane's gRPC address, host:port or any gRPC
	// target such as dns:///host:port.
	Endpoint string `yaml:"endpoint"`
	// ComponentID is the ID flowctl knows this process by: the component
	// ID from flowctl's pipeline YAML, which flowctl passes as
	// FLOWCTL_SERVICE_ID. When set it is the service ID the pipeline
	// registers under and is sent as the registration's component_id;
	// otherwise the pipeline ID is the service ID. Each component
	// registers as "<service ID>.<type>.<instance>".
	ComponentID string `yaml:"component_id"`
	// HeartbeatInterval is the time between heartbeats.
	HeartbeatInterval time.Duration `yaml:"heartbeat_interval"`
	// API picks the control-plane API: "auto" (the default), "legacy" or
	// "v1".
	API API `yaml:"api"`
	// RPCTimeout bounds every registration and heartbeat call, including
	// the final heartbeat sent while the pipeline shuts down.
	RPCTimeout time.Duration `yaml:"rpc_timeout"`
	// RetryInitial is the first delay of the exponential backoff between
	// registration attempts (and reconnection attempts) while the control
	// plane is unreachable.
	RetryInitial time.Duration `yaml:"retry_initial"`
	// RetryMax caps that backoff.
	RetryMax time.Duration `yaml:"retry_max"`
	// HealthEndpoint is sent with the registration as where the pipeline
	// exposes its health and metrics, such as the Prometheus endpoint.
	HealthEndpoint string `yaml:"health_endpoint"`
	// Metadata is sent with the registration. The client adds
	// "pipeline_id" unless it is set here.
	Metadata map[string]string `yaml:"metadata"`
	// TLS configures transport security; plaintext when not enabled.
	TLS TLSConfig `yaml:"tls"`
}

// TLSConfig configures TLS to the control plane. With CertFile and KeyFile
// the client also presents a certificate (mutual TLS).
type TLSConfig struct {
	// Enabled turns TLS on. The files below are refused without it, so
	// that a half-written config never falls back to plaintext.
	Enabled bool `yaml:"enabled"`
	// CAFile is a PEM bundle of the CAs that sign the control plane's
	// certificate; empty means the system roots.
	CAFile string `yaml:"ca_file"`
	// CertFile is the client's PEM certificate, for mutual TLS; set with
	// KeyFile or not at all.
	CertFile string `yaml:"cert_file"`
	// KeyFile is the PEM private key of CertFile.
	KeyFile string `yaml:"key_file"`
	// ServerName overrides the name the control plane's certificate is
	// checked against; empty means the endpoint's host.
	ServerName string `yaml:"server_name"`
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Endpoint == "" {
		c.Endpoint = DefaultEndpoint
	}
	if c.API == "" {
		c.API = APIAuto
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.RPCTimeout == 0 {
		c.RPCTimeout = DefaultRPCTimeout
	}
	if c.RetryInitial == 0 {
		c.RetryInitial = DefaultRetryInitial
	}
	if c.RetryMax == 0 {
		c.RetryMax = max(DefaultRetryMax, c.RetryInitial)
	}
	return c
}

// Validate reports every invalid field of c (after defaults), each error
// naming its config key as "flowctl.<key>".
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("flowctl.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if err := checkEndpoint(c.Endpoint); err != nil {
		bad("endpoint", "%v", err)
	}
	if !c.API.valid() {
		bad("api", "%s", unknownAPI(c.API))
	}
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"heartbeat_interval", c.HeartbeatInterval},
		{"rpc_timeout", c.RPCTimeout},
		{"retry_initial", c.RetryInitial},
		{"retry_max", c.RetryMax},
	} {
		if d.v < 0 {
			bad(d.key, "must not be negative, got %v", d.v)
		}
	}
	if c.RetryMax < c.RetryInitial {
		bad("retry_max", "%v is less than retry_initial %v", c.RetryMax, c.RetryInitial)
	}
	errs = append(errs, c.TLS.validate()...)
	return errors.Join(errs...)
}

func (t TLSConfig) validate() []error {
	var errs []error
	if !t.Enabled {
		for _, f := range []struct{ key, v string }{
			{"ca_file", t.CAFile}, {"cert_file", t.CertFile}, {"key_file", t.KeyFile}, {"server_name", t.ServerName},
		} {
			if f.v != "" {
				errs = append(errs, fmt.Errorf("flowctl.tls.%s: set while flowctl.tls.enabled is false", f.key))
			}
		}
		return errs
	}
	if t.CertFile != "" && t.KeyFile == "" {
		errs = append(errs, errors.New("flowctl.tls.key_file: required with flowctl.tls.cert_file"))
	}
	if t.KeyFile != "" && t.CertFile == "" {
		errs = append(errs, errors.New("flowctl.tls.cert_file: required with flowctl.tls.key_file"))
	}
	return errs
}

// checkEndpoint accepts host:port, or a gRPC target with a scheme, which
// gRPC's resolvers check themselves.
func checkEndpoint(ep string) error {
	if strings.TrimSpace(ep) != ep || strings.ContainsAny(ep, " \t\r\n") {
		return fmt.Errorf("%q contains white space", ep)
	}
	if strings.Contains(ep, "://") {
		return nil
	}
	// An empty host means the local machine, as for net.Dial.
	_, port, err := net.SplitHostPort(ep)
	if err != nil {
		return fmt.Errorf("%q is not host:port: %v", ep, err)
	}
	if port == "" {
		return fmt.Errorf("%q has no port", ep)
	}
	return nil
}
