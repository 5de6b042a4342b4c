package runner

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/cdpstats/cdpstats/internal/suggest"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
	"github.com/cdpstats/cdpstats/runtime/promexport"
	"gopkg.in/yaml.v3"
)

// Config is a parsed pipeline config file: CDP's YAML shape plus optional
// top-level sections for stats, metrics and flowctl.
//
//	pipelines:
//	  NAME:
//	    source: {type, config}
//	    processors: [{type, config, id?}]
//	    consumers: [{type, config, id?}]
//	stats:   {interval, health_timeout, live}
//	metrics: {enabled, address}
//	flowctl: {enabled, endpoint, api, component_id, heartbeat_interval, tls: {...}, ...}
type Config struct {
	// File is the path the config was read from, for error messages.
	File      string
	Pipelines []PipelineConfig // in file order
	Stats     StatsConfig
	// Metrics configures the Prometheus endpoint.
	Metrics promexport.Config
	// Flowctl is the control-plane client's config; the env vars flowctl
	// sets override it at run time.
	Flowctl flowctl.Config
	// Cost holds the prices of the cost: section, for the run report's
	// estimates; nil without one (there are no default prices).
	Cost *CostConfig
	// Hash is "sha256:" and the hex SHA-256 of the file's bytes.
	Hash string
}

// CostConfig is the cost: section: what the resources cost, in any
// currency, for the run report's estimates.
type CostConfig struct {
	VCPUHour float64 // cost.vcpu_hour: one vCPU for one hour
	GiBHour  float64 // cost.gib_hour: one GiB of memory for one hour
}

// PipelineConfig is one entry of `pipelines:`.
type PipelineConfig struct {
	Name       string
	Source     ComponentConfig
	Processors []ComponentConfig
	Consumers  []ComponentConfig
	Pos        Pos
}

// ComponentConfig is one component entry: its type, optional instance ID
// and its own config map, with positions for error messages.
type ComponentConfig struct {
	Type   string
	ID     string
	Config map[string]interface{}
	// Path is the entry's place in the file, such as
	// "pipelines.main.processors[0]".
	Path string
	Pos  Pos
	// KeyPos holds the position of every key of Config.
	KeyPos map[string]Pos
	// TypePos is the position of the type value.
	TypePos Pos
}

// StatsConfig tunes collection and the live display.
type StatsConfig struct {
	Interval      time.Duration // collection interval; default 1s
	HealthTimeout time.Duration // default runtime.DefaultHealthTimeout
	Live          bool          // live line on stderr; default true
}

// Pos is a line and column in the config file, 1-based.
type Pos struct{ Line, Column int }

// ConfigError is a problem at one place of a config file.
type ConfigError struct {
	File string
	Pos  Pos
	// Key is the dotted path of the offending key, such as
	// "pipelines.main.processors[0].config.min_amount".
	Key string
	Msg string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Pos.Line, e.Pos.Column, e.Key, e.Msg)
}

// ConfigErrors is every problem found in a config file, in file order.
type ConfigErrors []*ConfigError

func (es ConfigErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// ErrInvalidConfig is matched (with errors.Is) by every error that
// [Runner.Validate] and [Runner.Run] return for a bad config, as opposed to
// a pipeline that failed while it ran.
var ErrInvalidConfig = errors.New("invalid config")

// invalidConfig marks err as a config problem without changing its text.
type invalidConfig struct{ err error }

func (e invalidConfig) Error() string { return e.err.Error() }

func (e invalidConfig) Unwrap() error { return e.err }

func (e invalidConfig) Is(target error) bool { return target == ErrInvalidConfig }

// LoadConfig reads and parses a config file.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig parses config data; file names it in errors. It reports
// every problem it finds, not just the first.
func ParseConfig(file string, data []byte) (*Config, error) {
	p := &configParser{file: file}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ConfigErrors{{File: file, Pos: Pos{1, 1}, Key: "pipelines", Msg: "the config is empty"}}
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	cfg := p.parse(&root)
	cfg.Hash = fmt.Sprintf("sha256:%x", sha256.Sum256(data))
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool {
			a, b := p.errs[i].Pos, p.errs[j].Pos
			return a.Line < b.Line || (a.Line == b.Line && a.Column < b.Column)
		})
		return nil, p.errs
	}
	return cfg, nil
}

type configParser struct {
	file string
	errs ConfigErrors
}

func (p *configParser) errorf(n *yaml.Node, key, format string, args ...interface{}) {
	p.errs = append(p.errs, &ConfigError{File: p.file, Pos: posOf(n), Key: key, Msg: fmt.Sprintf(format, args...)})
}

// check reports err, from a check that names key itself, at n.
func (p *configParser) check(n *yaml.Node, key string, err error) {
	if err != nil {
		p.errorf(n, key, "%s", strings.TrimPrefix(err.Error(), key+": "))
	}
}

func posOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Column: n.Column} }

// mapping iterates the key/value pairs of a mapping node, reporting keys
// that are not in allowed. It returns false when n is not a mapping.
func (p *configParser) mapping(n *yaml.Node, path string, allowed []string, fn func(key string, k, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, path, "must be a mapping, not %s", describe(n))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		full := joinKey(path, key)
		if seen[key] {
			p.errorf(k, full, "duplicate key")
			continue
		}
		seen[key] = true
		if allowed != nil && !contains(allowed, key) {
			p.errorf(k, full, "unknown key %q%s", key, suggest.Hint(key, allowed))
			continue
		}
		fn(key, k, v)
	}
	return true
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("%q", n.Value)
	default:
		return "an alias"
	}
}

func (p *configParser) parse(root *yaml.Node) *Config {
	cfg := &Config{File: p.file, Stats: StatsConfig{Interval: time.Second, Live: true}, Metrics: promexport.Config{Address: promexport.DefaultAddress}}
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	var pipelinesNode *yaml.Node
	p.mapping(doc, "", []string{"pipelines", "stats", "metrics", "flowctl", "cost"}, func(key string, k, v *yaml.Node) {
		switch key {
		case "pipelines":
			pipelinesNode = v
			p.mapping(v, "pipelines", nil, func(name string, k, v *yaml.Node) {
				cfg.Pipelines = append(cfg.Pipelines, p.pipeline(name, k, v))
			})
		case "stats":
			p.mapping(v, "stats", []string{"interval", "health_timeout", "live"}, func(key string, _, v *yaml.Node) {
				switch key {
				case "interval":
					cfg.Stats.Interval = p.duration(v, "stats.interval")
				case "health_timeout":
					cfg.Stats.HealthTimeout = p.duration(v, "stats.health_timeout")
				case "live":
					cfg.Stats.Live = p.boolean(v, "stats.live")
				}
			})
		case "metrics":
			p.mapping(v, "metrics", []string{"enabled", "address"}, func(key string, _, v *yaml.Node) {
				switch key {
				case "enabled":
					cfg.Metrics.Enabled = p.boolean(v, "metrics.enabled")
				case "address":
					cfg.Metrics.Address = p.str(v, "metrics.address")
					if cfg.Metrics.Address != "" { // else already reported
						p.check(v, "metrics.address", promexport.Config{Address: cfg.Metrics.Address}.Validate())
					}
				}
			})
		case "flowctl":
			p.flowctl(v, &cfg.Flowctl)
		case "cost":
			cfg.Cost = p.cost(v)
		}
	})
	if pipelinesNode == nil && doc.Kind == yaml.MappingNode {
		p.errorf(doc, "pipelines", "missing: a config needs at least one pipeline")
	} else if pipelinesNode != nil && pipelinesNode.Kind == yaml.MappingNode && len(cfg.Pipelines) == 0 {
		p.errorf(pipelinesNode, "pipelines", "is empty: a config needs at least one pipeline")
	}
	return cfg
}

// cost parses the cost: section; both prices are required.
func (p *configParser) cost(n *yaml.Node) *CostConfig {
	c := &CostConfig{}
	seen := map[string]bool{}
	ok := p.mapping(n, "cost", []string{"vcpu_hour", "gib_hour"}, func(key string, _, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "vcpu_hour":
			c.VCPUHour = p.price(v, "cost.vcpu_hour")
		case "gib_hour":
			c.GiBHour = p.price(v, "cost.gib_hour")
		}
	})
	if !ok {
		return nil
	}
	for _, key := range []string{"vcpu_hour", "gib_hour"} {
		if !seen[key] {
			p.errorf(n, "cost."+key, "missing: give both prices, vcpu_hour and gib_hour")
		}
	}
	return c
}

func (p *configParser) price(n *yaml.Node, path string) float64 {
	var f float64
	if n.Kind != yaml.ScalarNode || n.Decode(&f) != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		p.errorf(n, path, "must be a price of zero or more, such as 0.04, not %s", describe(n))
		return 0
	}
	return f
}

func (p *configParser) flowctl(n *yaml.Node, f *flowctl.Config) {
	keys := []string{"enabled", "endpoint", "api", "component_id", "heartbeat_interval", "rpc_timeout",
		"retry_initial", "retry_max", "health_endpoint", "metadata", "tls"}
	p.mapping(n, "flowctl", keys, func(key string, _, v *yaml.Node) {
		path := "flowctl." + key
		switch key {
		case "enabled":
			f.Enabled = p.boolean(v, path)
		case "endpoint":
			f.Endpoint = p.str(v, path)
			if f.Endpoint != "" { // else already reported
				p.check(v, path, flowctl.Config{Endpoint: f.Endpoint}.Validate())
			}
		case "api":
			f.API = flowctl.API(p.str(v, path))
			if valid := []string{string(flowctl.APILegacy), string(flowctl.APIV1)}; !contains(valid, string(f.API)) {
				p.errorf(v, path, "unknown API %q%s", f.API, suggest.Hint(string(f.API), valid))
			}
		case "component_id":
			f.ComponentID = p.str(v, path)
		case "heartbeat_interval":
			f.HeartbeatInterval = p.duration(v, path)
		case "rpc_timeout":
			f.RPCTimeout = p.duration(v, path)
		case "retry_initial":
			f.RetryInitial = p.duration(v, path)
		case "retry_max":
			f.RetryMax = p.duration(v, path)
		case "health_endpoint":
			f.HealthEndpoint = p.str(v, path)
		case "metadata":
			f.Metadata = map[string]string{}
			p.mapping(v, path, nil, func(key string, _, v *yaml.Node) {
				f.Metadata[key] = p.str(v, path+"."+key)
			})
		case "tls":
			p.mapping(v, path, []string{"enabled", "ca_file", "cert_file", "key_file", "server_name"}, func(key string, _, v *yaml.Node) {
				tp := path + "." + key
				switch key {
				case "enabled":
					f.TLS.Enabled = p.boolean(v, tp)
				case "ca_file":
					f.TLS.CAFile = p.str(v, tp)
				case "cert_file":
					f.TLS.CertFile = p.str(v, tp)
				case "key_file":
					f.TLS.KeyFile = p.str(v, tp)
				case "server_name":
					f.TLS.ServerName = p.str(v, tp)
				}
			})
		}
	})
}

func (p *configParser) pipeline(name string, k, v *yaml.Node) PipelineConfig {
	path := "pipelines." + name
	pc := PipelineConfig{Name: name, Pos: posOf(k)}
	var hasSource, hasConsumers bool
	p.mapping(v, path, []string{"source", "processors", "consumers"}, func(key string, _, v *yaml.Node) {
		switch key {
		case "source":
			hasSource = true
			pc.Source = p.component(v, path+".source")
		case "processors":
			pc.Processors = p.componentList(v, path+".processors")
		case "consumers":
			hasConsumers = true
			pc.Consumers = p.componentList(v, path+".consumers")
		}
	})
	if v.Kind == yaml.MappingNode {
		if !hasSource {
			p.errorf(k, path+".source", "missing: every pipeline needs a source")
		}
		if !hasConsumers {
			p.errorf(k, path+".consumers", "missing: every pipeline needs at least one consumer")
		}
	}
	return pc
}

func (p *configParser) componentList(n *yaml.Node, path string) []ComponentConfig {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "must be a list, not %s", describe(n))
		return nil
	}
	out := make([]ComponentConfig, 0, len(n.Content))
	for i, item := range n.Content {
		out = append(out, p.component(item, fmt.Sprintf("%s[%d]", path, i)))
	}
	return out
}

func (p *configParser) component(n *yaml.Node, path string) ComponentConfig {
	cc := ComponentConfig{Path: path, Pos: posOf(n), KeyPos: map[string]Pos{}, Config: map[string]interface{}{}}
	var hasType bool
	p.mapping(n, path, []string{"type", "id", "config"}, func(key string, _, v *yaml.Node) {
		switch key {
		case "type":
			hasType = true
			cc.Type = p.str(v, path+".type")
			cc.TypePos = posOf(v)
		case "id":
			cc.ID = p.str(v, path+".id")
		case "config":
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				return // `config:` with nothing after it
			}
			p.mapping(v, path+".config", nil, func(key string, k, v *yaml.Node) {
				var val interface{}
				if err := v.Decode(&val); err != nil {
					p.errorf(v, path+".config."+key, "%v", err)
					return
				}
				cc.Config[key] = val
				cc.KeyPos[key] = posOf(k)
			})
		}
	})
	if n.Kind == yaml.MappingNode && !hasType {
		p.errorf(n, path+".type", "missing: every component needs a type")
	}
	return cc
}

func (p *configParser) str(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, path, "must be a string, not %s", describe(n))
		return ""
	}
	return n.Value
}

func (p *configParser) boolean(n *yaml.Node, path string) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		p.errorf(n, path, "must be true or false, not %s", describe(n))
	}
	return b
}

func (p *configParser) duration(n *yaml.Node, path string) time.Duration {
	if n.Kind == yaml.ScalarNode {
		if d, err := time.ParseDuration(n.Value); err == nil && d > 0 {
			return d
		}
	}
	p.errorf(n, path, "must be a positive duration such as \"10s\" or \"500ms\", not %s", describe(n))
	return 0
}

// Pipeline returns the pipeline called name, or an error listing the
// pipelines the file has.
func (c *Config) Pipeline(name string) (*PipelineConfig, error) {
	names := make([]string, len(c.Pipelines))
	for i := range c.Pipelines {
		if c.Pipelines[i].Name == name {
			return &c.Pipelines[i], nil
		}
		names[i] = c.Pipelines[i].Name
	}
	return nil, fmt.Errorf("%s: no pipeline %q%s", c.File, name, suggest.Hint(name, names))
}
