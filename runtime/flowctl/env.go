package flowctl

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// The environment variables flowctl's process orchestrator sets for the
// processes it starts (both v0.0.5 and current flowctl), and FLOWCTL_API.
const (
	EnvEnable            = "ENABLE_FLOWCTL"             // "true" to report to flowctl
	EnvEndpoint          = "FLOWCTL_ENDPOINT"           // control plane host:port
	EnvServiceID         = "FLOWCTL_SERVICE_ID"         // the ID flowctl knows the process by
	EnvHeartbeatInterval = "FLOWCTL_HEARTBEAT_INTERVAL" // a Go duration such as "10s"; a bare number means seconds
	EnvAPI               = "FLOWCTL_API"                // auto, v1 or legacy; flowctl does not set it
)

// Older names still read, as aliases of the ones above. When both names
// of a pair are set, the newer one wins and [EnvWarnings] reports it.
const (
	EnvComponentID              = "FLOWCTL_COMPONENT_ID"       // alias of FLOWCTL_SERVICE_ID
	EnvHeartbeatIntervalSeconds = "HEARTBEAT_INTERVAL_SECONDS" // alias of FLOWCTL_HEARTBEAT_INTERVAL
)

// maxHeartbeatInterval keeps a heartbeat interval far from time.Duration's
// range; a day between heartbeats is already useless.
const maxHeartbeatInterval = 24 * time.Hour

// LookupFunc looks up an environment variable, like [os.LookupEnv].
type LookupFunc func(key string) (string, bool)

// envAlias is a setting read from a variable or its older alias.
type envAlias struct{ name, alias string }

var (
	serviceIDVars = envAlias{EnvServiceID, EnvComponentID}
	intervalVars  = envAlias{EnvHeartbeatInterval, EnvHeartbeatIntervalSeconds}
)

// env reads variables through a lookup, trimmed, with empty as unset.
type env struct{ lookup LookupFunc }

func newEnv(lookup LookupFunc) env {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	return env{lookup}
}

func (e env) get(key string) (string, bool) {
	v, ok := e.lookup(key)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

// pick returns the value of a's name, else of its alias, and the variable
// it came from.
func (e env) pick(a envAlias) (value, from string, ok bool) {
	if v, ok := e.get(a.name); ok {
		return v, a.name, true
	}
	if v, ok := e.get(a.alias); ok {
		return v, a.alias, true
	}
	return "", "", false
}

// FromEnv returns the configuration that flowctl's environment variables
// describe, over the defaults. A nil lookup means [os.LookupEnv].
func FromEnv(lookup LookupFunc) (Config, error) {
	return Config{}.WithEnv(lookup)
}

// WithEnv returns c with every flowctl environment variable that is set
// and non-empty overriding its field. An invalid value is an error that
// names the variable; all invalid variables are reported together. A nil
// lookup means [os.LookupEnv].
func (c Config) WithEnv(lookup LookupFunc) (Config, error) {
	e := newEnv(lookup)
	var errs []error
	if v, ok := e.get(EnvEnable); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want true or false", EnvEnable, v))
		}
		c.Enabled = b
	}
	if v, ok := e.get(EnvEndpoint); ok {
		if err := checkEndpoint(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", EnvEndpoint, err))
		}
		c.Endpoint = v
	}
	if v, ok := e.get(EnvAPI); ok {
		c.API = API(strings.ToLower(v))
		if !c.API.valid() {
			errs = append(errs, fmt.Errorf("%s=%q: %s", EnvAPI, v, unknownAPI(API(v))))
		}
	}
	if v, _, ok := e.pick(serviceIDVars); ok {
		c.ComponentID = v
	}
	if v, from, ok := e.pick(intervalVars); ok {
		d, err := parseInterval(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", from, v, err))
		}
		c.HeartbeatInterval = d
	}
	return c, errors.Join(errs...)
}

// EnvWarnings describes what in the environment [Config.WithEnv] reads
// but the operator should know about: an older variable name set to
// another value than the newer name that wins over it. flowctl itself
// sets both FLOWCTL_SERVICE_ID and FLOWCTL_COMPONENT_ID to the same
// value, which is no conflict and no warning. A nil lookup means
// [os.LookupEnv].
func EnvWarnings(lookup LookupFunc) []string {
	e := newEnv(lookup)
	var out []string
	for _, a := range []envAlias{serviceIDVars, intervalVars} {
		v, ok := e.get(a.name)
		old, oldOK := e.get(a.alias)
		if ok && oldOK && v != old {
			out = append(out, fmt.Sprintf("%s=%q and %s=%q are both set; using %s (%s is its older name)",
				a.name, v, a.alias, old, a.name, a.alias))
		}
	}
	return out
}

// parseInterval parses a positive heartbeat interval: a Go duration such
// as "10s" or "1m30s", or a bare number of seconds such as "10" or "2.5".
func parseInterval(s string) (time.Duration, error) {
	const want = "want a duration such as 10s, or a number of seconds"
	var d time.Duration
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, errors.New(want)
		}
		// Range-check the float: converting a huge one to a Duration overflows.
		if f > maxHeartbeatInterval.Seconds() {
			return 0, fmt.Errorf("must be at most %v", maxHeartbeatInterval)
		}
		d = time.Duration(f * float64(time.Second))
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, errors.New(want)
	}
	switch {
	case d <= 0:
		return 0, errors.New("must be more than 0")
	case d > maxHeartbeatInterval:
		return 0, fmt.Errorf("must be at most %v", maxHeartbeatInterval)
	}
	return d, nil
}
