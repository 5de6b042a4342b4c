package runtime

import (
	"context"
	"time"
)

// StatsCollector reads every component's stats into a [PipelineStats] on a
// fixed interval.
type StatsCollector struct {
	stats    *PipelineStats
	interval time.Duration
}

// NewStatsCollector returns a collector that writes into stats every
// interval. An interval <= 0 means one second.
func NewStatsCollector(stats *PipelineStats, interval time.Duration) *StatsCollector {
	if interval <= 0 {
		interval = time.Second
	}
	return &StatsCollector{stats: stats, interval: interval}
}

// CollectFromComponents collects once at once, then every interval, and
// once more when ctx ends so the final numbers are not lost. It returns
// when ctx ends and leaves no goroutine behind.
//
// A provider whose GetStats panics does not stop the others: the panic is
// recovered and counted in pipeline.collector_errors.
func (c *StatsCollector) CollectFromComponents(ctx context.Context, components []StatsProvider) {
	pass := c.Prepare(components)
	pass.Collect()
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			pass.Collect()
			return
		case <-t.C:
			pass.Collect()
		}
	}
}

// Collection is a prepared collection pass over a fixed set of providers.
// Providers with a snapshot path get a reusable buffer, so Collect
// allocates nothing for them. A Collection is not safe for concurrent
// Collect calls.
type Collection struct {
	c       *StatsCollector
	targets []collectTarget
}

type collectTarget struct {
	p      StatsProvider
	fast   SnapshotProvider
	handle *ComponentHandle
	snap   Snapshot
}

// Prepare builds a reusable collection pass over components.
func (c *StatsCollector) Prepare(components []StatsProvider) *Collection {
	col := &Collection{c: c, targets: make([]collectTarget, 0, len(components))}
	for _, p := range components {
		t := collectTarget{p: p}
		if sp, ok := p.(SnapshotProvider); ok {
			if desc := sp.StatsDesc(); desc != nil {
				var instance string
				if ider, ok := p.(instanceIDer); ok {
					instance = ider.InstanceID()
				}
				t.fast = sp
				t.handle = c.stats.Component(desc, instance)
				t.snap = desc.NewSnapshot()
			}
		}
		col.targets = append(col.targets, t)
	}
	return col
}

// Collect reads every provider once.
func (col *Collection) Collect() {
	for i := range col.targets {
		col.collect(&col.targets[i])
	}
}

func (col *Collection) collect(t *collectTarget) {
	defer func() {
		if recover() != nil {
			col.c.stats.collectorErrors.Add(1)
		}
	}()
	if t.fast != nil {
		t.fast.SnapshotStats(t.snap)
		t.handle.Update(t.snap, col.c.stats.now())
		return
	}
	col.c.stats.UpdateComponentStats(t.p.GetStats())
}
