package runner

import (
	"context"
	"fmt"
	"io"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/internal/shard"
)

// part is what a sharded process reads of one pipeline's range.
type part struct {
	// whole is the source's configured range.
	whole shard.Range
	// own is the shard's sub-range of whole; empty when the shard gets no
	// datastore file of it.
	own shard.Range
}

// checkShard checks, for a sharded run, that the source of every selected
// pipeline has a bounded range that can be split (cdp.Ranged). It builds
// each source, which only checks its config, and reports the sources that
// typeCheck did not already reject.
func (r *Runner) checkShard() error {
	if r.Shard.IsZero() {
		return nil
	}
	var errs ConfigErrors
	for _, pc := range r.selected() {
		cc := &pc.Source
		entry, err := r.lookup(registry.KindSource, cc.Type)
		if err != nil {
			continue // reported by typeCheck
		}
		c, err := entry.New(cc.Config)
		if err != nil {
			continue // reported by typeCheck
		}
		if closer, ok := c.(io.Closer); ok {
			closer.Close()
		}
		ranged, ok := c.(cdp.Ranged)
		if !ok {
			errs = append(errs, &ConfigError{File: r.Config.File, Pos: cc.TypePos, Key: cc.Path + ".type",
				Msg: fmt.Sprintf("%s reads no ledger range that could be split, so it cannot run shard %s", cc.Type, r.Shard)})
			continue
		}
		if _, end := ranged.Range(); end == 0 {
			pos, ok := cc.KeyPos["end_ledger"]
			if !ok {
				pos = cc.Pos
			}
			errs = append(errs, &ConfigError{File: r.Config.File, Pos: pos, Key: cc.Path + ".config.end_ledger",
				Msg: fmt.Sprintf("%v; shard %s was asked for", shard.ErrUnbounded, r.Shard)})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// shardSources gives the source of every pipeline its shard's part of the
// configured range, split on the datastore's file boundaries, which Start
// has read. A pipeline whose part is empty gets a source that ends at
// once. It returns how many pipelines have ledgers to read.
func (r *Runner) shardSources(pipelines []*pipeline) (int, error) {
	if r.Shard.IsZero() {
		return len(pipelines), nil
	}
	busy := 0
	for _, p := range pipelines {
		src, ok := p.source.Source.(cdp.Ranged)
		if !ok {
			return 0, fmt.Errorf("pipeline %s: %s cannot be sharded", p.cfg.Name, p.cfg.Source.Type) // checked by Validate
		}
		start, end := src.Range()
		perFile := src.LedgersPerFile()
		own, err := r.Shard.Range(start, end, perFile)
		if err != nil {
			return 0, fmt.Errorf("%s:%d:%d: %s: shard %s: %w", r.Config.File, p.cfg.Source.Pos.Line, p.cfg.Source.Pos.Column, p.cfg.Source.Path, r.Shard, err)
		}
		p.part = &part{whole: shard.Range{Start: start, End: end}, own: own}
		log := r.logger().With("pipeline", p.cfg.Name, "shard", r.Shard.String(), "range", p.part.whole.String(), "ledgers_per_file", perFile)
		if own.Empty() {
			log.Info("shard has no datastore file of the range: nothing to read")
			p.source.Source = idleSource{p.source.Source}
			continue
		}
		log.Info("shard reads its part of the range", "ledgers", own.String())
		src.SetRange(own.Start, own.End)
		busy++
	}
	return busy, nil
}

// shardEnv is the shard as cdp.Env carries it: "I/N", or "" when the run
// is not sharded.
func shardEnv(s shard.Shard) string {
	if s.IsZero() {
		return ""
	}
	return s.String()
}

// idleSource stands in for the source of a pipeline whose shard has no
// ledger to read: it ends at once, and closes the source it replaces.
type idleSource struct{ src cdp.Source }

func (idleSource) Run(context.Context) error { return nil }

func (s idleSource) Subscribe(p cdp.Processor) { s.src.Subscribe(p) }

func (s idleSource) Close() error {
	if c, ok := s.src.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// title names the pipeline in the live line: its name, and the shard
// with its part of the range when the run is sharded.
func (p *pipeline) title() string {
	if p.part == nil {
		return p.cfg.Name
	}
	return fmt.Sprintf("%s [shard %s: %s]", p.cfg.Name, p.shard, p.part.own)
}

// writeShardParts prints, under the summary, what each pipeline's shard
// read of its range.
func writeShardParts(w io.Writer, pipelines []*pipeline) {
	for _, p := range pipelines {
		if p.part != nil {
			fmt.Fprintf(w, "%s: shard %s, ledgers %s of %s\n", p.cfg.Name, p.shard, p.part.own, p.part.whole)
		}
	}
}
