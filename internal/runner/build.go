package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/internal/shard"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

// pipeline is one wired pipeline, ready to run.
type pipeline struct {
	cfg       *PipelineConfig
	source    *timedSource // nil until built
	consumers []*timedConsumer
	nodes     []*flowNode // source, processors, consumers, in order
	providers []runtime.StatsProvider
	stats     *runtime.PipelineStats
	starters  []starter           // the components to start, in config order
	flowctl   []flowctl.Component // every component, as flowctl registers it
	wall      wallClock           // from the source's start to the consumers' close
	timeline  timeline            // whose time it is now, on the pipeline's goroutine
	window    selfWindow          // the live line's self-time window
	shard     shard.Shard         // the process's shard; zero when not sharded
	part      *part               // what the shard reads of the range; nil when not sharded
	done      atomic.Bool         // the range was read and the consumers closed without error
}

// starter is a component with a Start step and its place in the config.
type starter struct {
	c  cdp.Starter
	cc *ComponentConfig
}

// start starts every component that has a Start step, in config order,
// and names the failing component's place in the config file. Each gets
// run, the Env of the run, completed with its pipeline, its instance ID
// and the run's logger carrying both as attributes.
func (p *pipeline) start(ctx context.Context, file string, log *slog.Logger, run cdp.Env) error {
	for _, s := range p.starters {
		env := run
		env.Logger = log.With("pipeline", p.cfg.Name, "component", instanceID(s.cc))
		env.Pipeline = p.cfg.Name
		env.ID = instanceID(s.cc)
		env.Shard = shardEnv(p.shard)
		if err := s.c.Start(ctx, env); err != nil {
			return buildError(file, s.cc, err)
		}
	}
	return nil
}

// resume tells the source where to start, once every component has
// started: after the lowest checkpoint of the consumers (cdp.Checkpointer),
// or at its configured start when a consumer has none. It logs the
// decision whenever some consumer has a checkpoint.
func (p *pipeline) resume(log *slog.Logger) {
	source, ok := p.source.Source.(cdp.Resumer)
	if !ok {
		return
	}
	var (
		after   uint32
		found   int
		missing []string
		parts   []string
	)
	for i, c := range p.consumers {
		id := instanceID(&p.cfg.Consumers[i])
		cp, ok := c.c.(cdp.Checkpointer)
		var last uint32
		if ok {
			last, ok = cp.Checkpoint()
		}
		if !ok {
			missing = append(missing, id)
			parts = append(parts, id+"=none")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%d", id, last))
		if found == 0 || last < after {
			after = last
		}
		found++
	}
	switch {
	case found == 0:
		return
	case len(missing) > 0:
		log.Info(fmt.Sprintf("starting at the configured start: no checkpoint for %s (checkpoints: %s)",
			strings.Join(missing, ", "), strings.Join(parts, ", ")), "pipeline", p.cfg.Name)
		return
	}
	log.Info(fmt.Sprintf("resuming after ledger %d (checkpoints: %s)", after, strings.Join(parts, ", ")), "pipeline", p.cfg.Name)
	source.ResumeAfter(after)
}

// close closes every consumer, flushing it, and returns every error. When
// the run did not complete, consumers that can (cdp.Aborter) are aborted
// instead, leaving their destination as it was. A source that holds
// something open (io.Closer) is closed too.
func (p *pipeline) close(complete bool) error {
	var errs []error
	for _, c := range p.consumers {
		if err := c.finish(complete); err != nil {
			errs = append(errs, err)
		}
	}
	if p.source == nil {
		return errors.Join(errs...)
	}
	if c, ok := p.source.Source.(io.Closer); ok {
		if err := c.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	p.done.Store(complete && len(errs) == 0)
	return errors.Join(errs...)
}

// typeCheck checks that every component's type exists and fits its place,
// decodes its config and checks that no two consumers clobber one
// destination, without building anything. It reports every
// problem of the file at once.
func typeCheck(cfg *Config, only string, lookup lookupFunc) error {
	var errs ConfigErrors
	var selected []*PipelineConfig
	for i := range cfg.Pipelines {
		pc := &cfg.Pipelines[i]
		if only != "" && pc.Name != only {
			continue
		}
		selected = append(selected, pc)
		errs = append(errs, checkComponent(cfg.File, &pc.Source, registry.KindSource, lookup)...)
		for j := range pc.Processors {
			errs = append(errs, checkComponent(cfg.File, &pc.Processors[j], registry.KindProcessor, lookup)...)
		}
		for j := range pc.Consumers {
			errs = append(errs, checkComponent(cfg.File, &pc.Consumers[j], registry.KindConsumer, lookup)...)
		}
		errs = append(errs, checkInstanceIDs(cfg.File, pc)...)
	}
	errs = append(errs, checkDestinations(cfg.File, selected, lookup)...)
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func checkComponent(file string, cc *ComponentConfig, kind registry.Kind, lookup lookupFunc) ConfigErrors {
	if cc.Type == "" {
		return nil // already reported by the parser
	}
	entry, err := lookup(kind, cc.Type)
	if err != nil {
		return ConfigErrors{{File: file, Pos: cc.TypePos, Key: cc.Path + ".type", Msg: err.Error()}}
	}
	if err := entry.Validate(cc.Config); err != nil {
		return keyErrors(file, cc, err)
	}
	return nil
}

// keyErrors turns a component's config errors into positioned errors.
func keyErrors(file string, cc *ComponentConfig, err error) ConfigErrors {
	var keyErrs []*config.KeyError
	var many config.Errors
	var one *config.KeyError
	switch {
	case errors.As(err, &many):
		keyErrs = many
	case errors.As(err, &one):
		keyErrs = []*config.KeyError{one}
	default:
		return ConfigErrors{{File: file, Pos: cc.Pos, Key: cc.Path + ".config", Msg: err.Error()}}
	}
	out := make(ConfigErrors, 0, len(keyErrs))
	for _, ke := range keyErrs {
		pos, ok := cc.KeyPos[ke.Key]
		if !ok {
			pos = cc.Pos
		}
		out = append(out, &ConfigError{File: file, Pos: pos, Key: cc.Path + ".config." + ke.Key, Msg: ke.Detail()})
	}
	return out
}

// checkInstanceIDs rejects two components that would report under the same
// metric key: two instances of one type need distinct ids.
func checkInstanceIDs(file string, pc *PipelineConfig) ConfigErrors {
	var errs ConfigErrors
	seen := map[[2]string]string{}
	visit := func(cc *ComponentConfig, kind string) {
		key := [2]string{kind, instanceID(cc)}
		if prev, dup := seen[key]; dup {
			errs = append(errs, &ConfigError{File: file, Pos: cc.Pos, Key: cc.Path + ".id",
				Msg: fmt.Sprintf("reports under the same name as %s; give one of them a distinct id", prev)})
			return
		}
		seen[key] = cc.Path
	}
	visit(&pc.Source, "source")
	for i := range pc.Processors {
		visit(&pc.Processors[i], "processor")
	}
	for i := range pc.Consumers {
		visit(&pc.Consumers[i], "consumer")
	}
	return errs
}

// lookupFunc finds a component type: registry.Lookup, or a runner's own
// (see Runner.lookup).
type lookupFunc func(kind registry.Kind, typ string) (registry.Entry, error)

func instanceID(cc *ComponentConfig) string {
	if cc.ID != "" {
		return cc.ID
	}
	return cc.Type
}

// build constructs and wires one pipeline, following CDP's setupPipeline:
// processors are chained, every consumer is subscribed to the last
// processor (or the source), and every component's stats, with the
// self time the runner measures (selftime.go), are collected into stats.
// An error building a component names its place in the config file.
func build(file string, pc *PipelineConfig, stats *runtime.PipelineStats, lookup lookupFunc, descs *selfTimeDescs) (_ *pipeline, err error) {
	p := &pipeline{cfg: pc, stats: stats}
	defer func() {
		if err != nil {
			p.close(false)
		}
	}()

	newComponent := func(cc *ComponentConfig, kind registry.Kind) (interface{}, *flowNode, error) {
		entry, err := lookup(kind, cc.Type)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", cc.Path, err)
		}
		c, err := entry.New(cc.Config)
		if err != nil {
			return nil, nil, buildError(file, cc, err)
		}
		if st, ok := c.(cdp.Starter); ok {
			p.starters = append(p.starters, starter{c: st, cc: cc})
		}
		node := &flowNode{kind: string(kind), typ: cc.Type, id: instanceID(cc)}
		p.nodes = append(p.nodes, node)
		p.flowctl = append(p.flowctl, flowctl.Component{Kind: node.kind, Instance: node.id, TypeName: cc.Type, GoType: fmt.Sprintf("%T", c)})
		sp, _ := c.(runtime.StatsProvider)
		p.providers = append(p.providers, withSelfTime(sp, node, &p.wall, descs))
		return c, node, nil
	}

	c, srcNode, err := newComponent(&pc.Source, registry.KindSource)
	if err != nil {
		return nil, err
	}
	p.source = &timedSource{Source: c.(cdp.Source), node: srcNode, wall: &p.wall, tl: &p.timeline}
	last := &outlet{node: srcNode}
	p.source.Subscribe(last)

	for i := range pc.Processors {
		c, node, err := newComponent(&pc.Processors[i], registry.KindProcessor)
		if err != nil {
			return nil, err
		}
		proc := c.(cdp.Processor)
		last.Subscribe(&inlet{node: node, p: proc, tl: &p.timeline})
		next := &outlet{node: node}
		proc.Subscribe(next)
		last = next
	}
	for i := range pc.Consumers {
		c, node, err := newComponent(&pc.Consumers[i], registry.KindConsumer)
		if err != nil {
			return nil, err
		}
		consumer := c.(cdp.Consumer)
		p.consumers = append(p.consumers, &timedConsumer{c: consumer, node: node, wall: &p.wall}) // finished by the deferred p.close on a later error
		last.Subscribe(&inlet{node: node, p: consumer, tl: &p.timeline})
	}
	return p, nil
}

// buildError places an error from a component's constructor or Start in
// the config file, at the key it names or else at the component. Start
// fails on what Validate cannot see without touching anything (a file that
// cannot be opened, a database that cannot be reached): a failure of the
// run, not an invalid config, so the error does not match
// ErrInvalidConfig.
func buildError(file string, cc *ComponentConfig, err error) error {
	var ke *config.KeyError
	if errors.As(err, &ke) {
		pos, ok := cc.KeyPos[ke.Key]
		if !ok {
			pos = cc.Pos
		}
		return fmt.Errorf("%s:%d:%d: %s.config.%s: %w", file, pos.Line, pos.Column, cc.Path, ke.Key, err)
	}
	return fmt.Errorf("%s:%d:%d: %s: %w", file, cc.Pos.Line, cc.Pos.Column, cc.Path, err)
}
