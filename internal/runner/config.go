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

	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/internal/suggest"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
	"github.com/cdpstats/cdpstats/runtime/promexport"
	"gopkg.in/yaml.v3"
)

// Config is a parsed pipeline config file: CDP's YAML shape plus optional
// top-level sections for stats, metrics, flowctl and cost.
//
//	pipelines:
//	  NAME:
//	    source: {type, config}
//	    processors: [{type, config, id?}]
//	    consumers: [{type, config, id?}]
//	stats:   {interval, health_timeout, live}
//	metrics: {enabled, address}
//	flowctl: {enabled, endpoint, api, component_id, heartbeat_interval, tls: {...}, ...}
//	cost:    {vcpu_hour, gib_hour}
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
// currency, for the run report's estimates. Both prices are required.
type CostConfig struct {
	// VCPUHour is the price of one vCPU for one hour.
	VCPUHour float64 `yaml:"vcpu_hour,required"`
	// GiBHour is the price of one GiB of memory for one hour.
	GiBHour float64 `yaml:"gib_hour,required"`
}

// Validate reports a price that is negative or not a finite number, each
// error starting with the key it is about, such as "cost.vcpu_hour".
func (c *CostConfig) Validate() error {
	if c == nil {
		return nil
	}
	var errs []error
	for _, price := range []struct {
		key   string
		value float64
	}{{"cost.vcpu_hour", c.VCPUHour}, {"cost.gib_hour", c.GiBHour}} {
		if price.value < 0 || math.IsInf(price.value, 0) || math.IsNaN(price.value) {
			errs = append(errs, fmt.Errorf("%s: must be a price of zero or more, such as 0.04, not %v", price.key, price.value))
		}
	}
	return errors.Join(errs...)
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
	// Interval is the collection interval; default 1s.
	Interval time.Duration `yaml:"interval"`
	// HealthTimeout is how long a component may go without progress before
	// it counts as unhealthy; zero means runtime.DefaultHealthTimeout.
	HealthTimeout time.Duration `yaml:"health_timeout"`
	// Live turns on the live line on stderr; default true.
	Live bool `yaml:"live"`
}

// Pos is a line and column in the config file, 1-based.
type Pos = config.Pos

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
// every problem it finds, not just the first, in file order.
//
// Every section decodes through components/config, the decoder the
// components' own config maps go through, straight into its struct:
// StatsConfig, promexport.Config, flowctl.Config and CostConfig, by their
// yaml tags.
func ParseConfig(file string, data []byte) (*Config, error) {
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, ConfigErrors{{File: file, Pos: Pos{Line: 1, Column: 1}, Key: "pipelines", Msg: "the config is empty"}}
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if line, ok := secondDocument(dec, data); ok {
		return nil, ConfigErrors{{File: file, Pos: Pos{Line: line, Column: 1}, Key: "---",
			Msg: "a second YAML document; a config file holds one document, and nothing of a second one is read"}}
	}
	p := &configParser{file: file}
	cfg := p.parse(&root)
	cfg.Hash = fmt.Sprintf("sha256:%x", sha256.Sum256(data))
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Pos.Less(p.errs[j].Pos) })
		return nil, p.errs
	}
	return cfg, nil
}

// secondDocument reports whether dec, past the first document of data,
// holds another one, and the line where it starts: its "---" marker.
func secondDocument(dec *yaml.Decoder, data []byte) (line int, ok bool) {
	var next yaml.Node
	err := dec.Decode(&next)
	switch {
	case errors.Is(err, io.EOF):
		return 0, false
	case err == nil && next.Line > 0:
		return next.Line, true
	}
	// The second document does not parse: find its marker in the text,
	// the first "---" after content of the first document.
	content := false
	for i, l := range strings.Split(string(data), "\n") {
		marker := l == "---" || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "---\t")
		if marker && content {
			return i + 1, true
		}
		content = content || !marker && strings.TrimSpace(l) != "" && !strings.HasPrefix(strings.TrimSpace(l), "#")
	}
	return 1, true
}

// document is the shape of a config file.
type document struct {
	Pipelines yaml.Node         `yaml:"pipelines"`
	Stats     StatsConfig       `yaml:"stats"`
	Metrics   promexport.Config `yaml:"metrics"`
	Flowctl   flowctl.Config    `yaml:"flowctl"`
	Cost      *CostConfig       `yaml:"cost"`
}

// pipelineDoc is one entry of `pipelines:`.
type pipelineDoc struct {
	Source     yaml.Node `yaml:"source"`
	Processors yaml.Node `yaml:"processors"`
	Consumers  yaml.Node `yaml:"consumers"`
}

// componentDoc is one component entry.
type componentDoc struct {
	Type   string    `yaml:"type"`
	ID     string    `yaml:"id"`
	Config yaml.Node `yaml:"config"`
}

type configParser struct {
	file string
	errs ConfigErrors
}

func (p *configParser) errorf(n *yaml.Node, key, format string, args ...interface{}) {
	p.errs = append(p.errs, &ConfigError{File: p.file, Pos: posOf(n), Key: key, Msg: fmt.Sprintf(format, args...)})
}

func posOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Column: n.Column} }

// decode decodes the mapping n, found at path, into dst, and reports its
// errors. It returns false when there were any.
func (p *configParser) decode(n *yaml.Node, path string, dst interface{}) bool {
	err := config.DecodeNode(n, dst)
	if err == nil {
		return true
	}
	var errs config.Errors
	if !errors.As(err, &errs) {
		p.errorf(n, path, "%v", err)
		return false
	}
	for _, ke := range errs {
		p.errs = append(p.errs, &ConfigError{File: p.file, Pos: ke.Pos, Key: config.JoinKey(path, ke.Key), Msg: ke.Detail()})
	}
	return false
}

// check reports the errors of a section's Validate, each of which starts
// with the dotted key it is about, at that key's value in the document.
func (p *configParser) check(doc *yaml.Node, err error) {
	if err == nil {
		return
	}
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	for _, e := range errs {
		key, msg, ok := strings.Cut(e.Error(), ": ")
		if !ok || strings.ContainsAny(key, " \t") {
			key, msg = "", e.Error()
		}
		p.errs = append(p.errs, &ConfigError{File: p.file, Pos: posOf(lookup(doc, key)), Key: key, Msg: msg})
	}
}

// lookup returns the value at the dotted key path in the mapping n, or
// the deepest mapping on the way when the path is not written.
func lookup(n *yaml.Node, path string) *yaml.Node {
	for _, key := range strings.Split(path, ".") {
		next := nodeAt(n, key)
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// nodeAt returns the value of key in the mapping n, or nil.
func nodeAt(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func (p *configParser) parse(root *yaml.Node) *Config {
	d := document{
		Stats:   StatsConfig{Interval: time.Second, Live: true},
		Metrics: promexport.Config{Address: promexport.DefaultAddress},
	}
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	cfg := &Config{File: p.file}
	if p.decode(doc, "", &d) {
		// The sections' own checks, once their values are all decoded.
		if d.Stats.Interval <= 0 {
			p.errorf(lookup(doc, "stats.interval"), "stats.interval", "must be positive, got %v", d.Stats.Interval)
		}
		p.check(doc, d.Metrics.Validate())
		p.check(doc, d.Flowctl.Validate())
		p.check(doc, d.Cost.Validate())
	} else if doc.Kind != yaml.MappingNode {
		return cfg
	}
	cfg.Stats, cfg.Metrics, cfg.Flowctl, cfg.Cost = d.Stats, d.Metrics, d.Flowctl, d.Cost

	switch n := &d.Pipelines; {
	case n.Kind == 0:
		p.errorf(doc, "pipelines", "missing: a config needs at least one pipeline")
	case n.Kind != yaml.MappingNode:
		p.errorf(n, "pipelines", "must be a map of pipelines by name, got %s", describe(n))
	case len(n.Content) == 0:
		p.errorf(n, "pipelines", "is empty: a config needs at least one pipeline")
	default:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			cfg.Pipelines = append(cfg.Pipelines, p.pipeline(k, v))
		}
	}
	return cfg
}

func (p *configParser) pipeline(k, v *yaml.Node) PipelineConfig {
	path := "pipelines." + k.Value
	pc := PipelineConfig{Name: k.Value, Pos: posOf(k)}
	var d pipelineDoc
	if !p.decode(v, path, &d) && v.Kind != yaml.MappingNode {
		return pc
	}
	if d.Source.Kind == 0 {
		p.errorf(k, path+".source", "missing: every pipeline needs a source")
	} else {
		pc.Source = p.component(&d.Source, path+".source")
	}
	if d.Processors.Kind != 0 {
		pc.Processors = p.componentList(&d.Processors, path+".processors")
	}
	if d.Consumers.Kind == 0 {
		p.errorf(k, path+".consumers", "missing: every pipeline needs at least one consumer")
	} else {
		pc.Consumers = p.componentList(&d.Consumers, path+".consumers")
	}
	return pc
}

func (p *configParser) componentList(n *yaml.Node, path string) []ComponentConfig {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "must be a list, got %s", describe(n))
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
	var d componentDoc
	if !p.decode(n, path, &d) && n.Kind != yaml.MappingNode {
		return cc
	}
	cc.Type, cc.ID = d.Type, d.ID
	if typ := nodeAt(n, "type"); typ != nil {
		cc.TypePos = posOf(typ)
	} else {
		p.errorf(n, path+".type", "missing: every component needs a type")
	}
	if d.Config.Kind == 0 {
		return cc
	}
	if d.Config.Kind != yaml.MappingNode {
		p.errorf(&d.Config, path+".config", "must be a map, got %s", describe(&d.Config))
		return cc
	}
	for i := 0; i+1 < len(d.Config.Content); i += 2 {
		k, v := d.Config.Content[i], d.Config.Content[i+1]
		key := path + ".config." + k.Value
		if _, dup := cc.KeyPos[k.Value]; dup {
			p.errorf(k, key, "duplicate key")
			continue
		}
		var val interface{}
		if err := v.Decode(&val); err != nil {
			p.errorf(v, key, "%v", err)
			continue
		}
		cc.Config[k.Value] = val
		cc.KeyPos[k.Value] = posOf(k)
	}
	return cc
}

// describe names a node's kind for errors about its shape.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	default:
		return "an alias"
	}
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
