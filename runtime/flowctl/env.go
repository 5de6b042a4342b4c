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

// The environment variables flowctl sets for the processes it starts.
const (
	EnvEnable            = "ENABLE_FLOWCTL"             // "true" to report to flowctl
	EnvEndpoint          = "FLOWCTL_ENDPOINT"           // control plane host:port
	EnvComponentID       = "FLOWCTL_COMPONENT_ID"       // component ID from flowctl's pipeline YAML
	EnvHeartbeatInterval = "HEARTBEAT_INTERVAL_SECONDS" // seconds between heartbeats
)

// maxHeartbeatInterval keeps HEARTBEAT_INTERVAL_SECONDS far from
// time.Duration's range; a day between heartbeats is already useless.
const maxHeartbeatInterval = 24 * time.Hour

// LookupFunc looks up an environment variable, like [os.LookupEnv].
type LookupFunc func(key string) (string, bool)

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
	if lookup == nil {
		lookup = os.LookupEnv
	}
	get := func(key string) (string, bool) {
		v, ok := lookup(key)
		v = strings.TrimSpace(v)
		return v, ok && v != ""
	}
	var errs []error
	if v, ok := get(EnvEnable); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: want true or false", EnvEnable, v))
		}
		c.Enabled = b
	}
	if v, ok := get(EnvEndpoint); ok {
		if err := checkEndpoint(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", EnvEndpoint, err))
		}
		c.Endpoint = v
	}
	if v, ok := get(EnvComponentID); ok {
		c.ComponentID = v
	}
	if v, ok := get(EnvHeartbeatInterval); ok {
		d, err := parseSeconds(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", EnvHeartbeatInterval, v, err))
		}
		c.HeartbeatInterval = d
	}
	return c, errors.Join(errs...)
}

// parseSeconds parses a positive number of seconds such as "10" or "2.5".
func parseSeconds(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("want a number of seconds, such as 10")
	}
	// Range-check the float: converting a huge one to a Duration overflows.
	if f > maxHeartbeatInterval.Seconds() {
		return 0, fmt.Errorf("must be at most %v seconds", maxHeartbeatInterval.Seconds())
	}
	d := time.Duration(f * float64(time.Second))
	if d <= 0 {
		return 0, errors.New("must be more than 0 seconds")
	}
	return d, nil
}
