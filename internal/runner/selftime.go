package runner

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/internal/report"
	"github.com/cdpstats/cdpstats/runtime"
)

// Self time. A pipeline runs on one goroutine at a time: the source calls
// the first processor, which calls the next, down to the consumers
// (cdp.Processor). Its timeline knows whose time it is: the source's while
// it waits for the next ledger (I/O, decompression) or does its own work,
// a processor's or a consumer's while it is inside that component's
// Process and not inside a component after it. Each inlet reads the clock
// when a message enters a component, charging the time since the last
// reading to the component that called it, and when the call returns,
// charging the time since then to the component itself. So the self times
// of a pipeline's components add up to its wall time, less the runner's
// own: the few nanoseconds of each edge between the two readings, and the
// drain. A consumer's Close (its flush) is charged to it too. The
// timeline is touched only on the pipeline's goroutine; the self times it
// charges are atomics, which the collector reads.
//
// Time is charged when a message enters or leaves a component, so a
// component in the middle of a call has not been charged for it yet. For
// the source, whose wait for the next ledger can last seconds (at the tip
// of the network, or on a slow datastore), the timeline also publishes
// when the wait began, so that readers see it grow.

// monoEpoch anchors monotonic; it is set once and never changes.
var monoEpoch = time.Now()

// monotonic returns nanoseconds on the monotonic clock: one clock read,
// cheaper than time.Now, which also reads the wall clock.
func monotonic() int64 { return int64(time.Since(monoEpoch)) }

// timeline is whose time it is on a pipeline's goroutine, and since when.
type timeline struct {
	owner  *flowNode // nil outside the source's Run
	since  int64     // monotonic
	source *flowNode // the pipeline's source, set by its Run
}

// enter charges the time since the last reading to the current owner and
// makes n the owner. It returns the previous owner, for leave.
func (tl *timeline) enter(n *flowNode) (caller *flowNode) {
	if !runtime.Enabled {
		return nil
	}
	now := monotonic()
	if tl.owner != nil {
		tl.owner.self.Add(now - tl.since)
		if tl.owner == tl.source {
			tl.source.waiting.Store(0) // once a ledger, not once a message
		}
	}
	caller, tl.owner, tl.since = tl.owner, n, now
	return caller
}

// leave charges the time since enter, less what the components after it
// took, to the owner, and gives the time back to caller.
func (tl *timeline) leave(caller *flowNode) {
	if !runtime.Enabled {
		return
	}
	now := monotonic()
	if tl.owner != nil {
		tl.owner.self.Add(now - tl.since)
	}
	tl.owner, tl.since = caller, now
	if caller != nil && caller == tl.source {
		caller.waiting.Store(now)
	}
}

// wallClock is when a pipeline started (its source's Run) and ended (its
// consumers closed), in monotonic nanoseconds; 0 until it happens.
type wallClock struct {
	start atomic.Int64
	end   atomic.Int64
}

// seconds returns the wall time so far, at now.
func (w *wallClock) seconds(now int64) float64 {
	start := w.start.Load()
	if start == 0 {
		return 0
	}
	end := w.end.Load()
	if end == 0 {
		end = now
	}
	return float64(end-start) / 1e9
}

// timedSource starts the pipeline's timeline with its source's Run, and
// charges the time after the last ledger's push to the source.
type timedSource struct {
	cdp.Source
	node *flowNode
	wall *wallClock
	tl   *timeline
}

func (s *timedSource) Run(ctx context.Context) error {
	t0 := monotonic()
	s.wall.start.CompareAndSwap(0, t0)
	s.node.running.Store(t0)
	s.tl.owner, s.tl.since, s.tl.source = s.node, t0, s.node
	s.node.waiting.Store(t0)
	err := s.Source.Run(ctx)
	t1 := monotonic()
	s.tl.leave(nil)
	s.node.waiting.Store(0)
	s.node.run.Store(t1 - t0)
	s.node.running.Store(0)
	return err
}

// pushNanos is the time the source spent in the components after it, in
// nanoseconds: its Run so far less its own time.
func (n *flowNode) pushNanos(now int64) int64 {
	run := n.run.Load()
	if started := n.running.Load(); started != 0 {
		run = now - started
	}
	return max(run-n.selfNanos(now), 0)
}

// timedConsumer finishes a consumer at the end of the run, charging the
// time to it (a Close is its final flush), and marks the end of the
// pipeline's wall time.
type timedConsumer struct {
	c    cdp.Consumer
	node *flowNode
	wall *wallClock
}

// finish closes the consumer, flushing it, or, when the run did not
// complete and the consumer can (cdp.Aborter), aborts it, leaving its
// destination as it was.
func (c *timedConsumer) finish(complete bool) error {
	finish := c.c.Close
	if a, ok := c.c.(cdp.Aborter); ok && !complete {
		finish = a.Abort
	}
	t0 := monotonic()
	err := finish()
	t1 := monotonic()
	c.node.self.Add(t1 - t0)
	c.wall.end.Store(t1)
	return err
}

// selfNanos returns the time charged to the node so far, in nanoseconds,
// with, for a source waiting for the next ledger, the wait so far.
// Between the charge of a wait and the end of its publication a reader
// can count the wait twice, for a moment: readers that need a monotonic
// count keep the largest they saw (selfTimeProvider).
func (n *flowNode) selfNanos(now int64) int64 {
	var wait int64
	if since := n.waiting.Load(); since != 0 {
		wait = max(now-since, 0)
	}
	return n.self.Load() + wait
}

// selfSeconds is selfNanos in seconds.
func (n *flowNode) selfSeconds(now int64) float64 { return float64(n.selfNanos(now)) / 1e9 }

// Names of the self-time stats the runner adds to every component's.
// The times are counters, which count whole units: nanoseconds, which
// exporters convert (cdp_<kind>_self_time_seconds_total on /metrics).
const (
	selfTimeStat  = "self_time_ns"
	busyRatioStat = "busy_ratio"
	runBusyStat   = "run_busy_ratio"
	pushTimeStat  = "push_time_ns"
)

// selfTimeStats describes the stats the runner adds to a component.
func selfTimeStats(kind string) []runtime.StatDesc {
	stats := []runtime.StatDesc{
		{Name: selfTimeStat, Kind: runtime.KindCounter, Unit: "nanoseconds",
			Help: "Time inside the component minus the time in the components after it (for a source: its wait for the next ledger), measured by the runner"},
		{Name: busyRatioStat, Kind: runtime.KindRatio,
			Help: "Self time over wall time, over the last stats interval"},
		{Name: runBusyStat, Kind: runtime.KindRatio,
			Help: "Self time over wall time, over the whole run"},
	}
	if kind == "source" {
		stats = append(stats, runtime.StatDesc{Name: pushTimeStat, Kind: runtime.KindCounter, Unit: "nanoseconds",
			Help: "Time the source spent handing ledgers to the components after it, measured by the runner"})
	}
	return stats
}

// selfTimeDescs makes, once per component type, the description a
// component reports with: its own stats (none for a component without
// any), then the self-time stats. One description per type lets the
// exporter describe every family before the run (Runner.componentDescs)
// and find each instance's stats by it. It is safe for concurrent use.
type selfTimeDescs struct {
	mu sync.Mutex
	m  map[selfTimeKey]*runtime.ComponentDesc
}

type selfTimeKey struct {
	kind, typ string
	base      *runtime.ComponentDesc
}

// of returns the description of a component of kind and type typ whose
// own stats base describes; base is nil for a component without stats.
func (s *selfTimeDescs) of(kind, typ string, base *runtime.ComponentDesc) *runtime.ComponentDesc {
	key := selfTimeKey{kind, typ, base}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.m[key]; ok {
		return d
	}
	var stats []runtime.StatDesc
	if base != nil {
		stats = slices.Clone(base.Stats) // NewComponentDesc lays them out again
	}
	d := runtime.NewComponentDesc(kind, typ, append(stats, selfTimeStats(kind)...)...)
	if s.m == nil {
		s.m = make(map[selfTimeKey]*runtime.ComponentDesc)
	}
	s.m[key] = d
	return d
}

// selfTimeProvider reports a node's self-time stats after its
// component's own stats (or alone, for a component without any), so that
// they reach flowctl and /metrics under the component's keys. Only the
// collector calls it, from one goroutine.
type selfTimeProvider struct {
	inner runtime.SnapshotProvider // nil for a component without stats
	node  *flowNode
	wall  *wallClock
	desc  *runtime.ComponentDesc
	own   int // the Values of inner's stats; the self-time values follow

	mu       sync.Mutex
	prevSelf int64 // nanoseconds
	prevPush int64 // nanoseconds
	prevAt   int64
}

// withSelfTime returns the provider that collects a component: inner
// (nil when the component reports nothing) with the node's self time,
// described by descs. A component with a hand-written GetStats only
// reports its own map: its self time is in the live line, the summary
// and the report, as the map form has no kinds to give the stats (and an
// untyped busy_ratio would clash with the typed family on
// /metrics).
func withSelfTime(inner runtime.StatsProvider, node *flowNode, wall *wallClock, descs *selfTimeDescs) runtime.StatsProvider {
	sp, typed := inner.(runtime.SnapshotProvider)
	if typed && sp.StatsDesc() == nil {
		typed = false
	}
	if inner != nil && !typed {
		return runtime.InstanceProvider(inner, node.id)
	}
	var base *runtime.ComponentDesc
	if typed {
		base = sp.StatsDesc()
	}
	desc := descs.of(node.kind, node.typ, base)
	first, _ := desc.Stat(selfTimeStat)
	return &selfTimeProvider{inner: sp, node: node, wall: wall, desc: desc, own: first.Index}
}

// InstanceID is the node's instance ID, for the collector.
func (p *selfTimeProvider) InstanceID() string { return p.node.id }

// StatsDesc is the component's description with the self-time stats after it.
func (p *selfTimeProvider) StatsDesc() *runtime.ComponentDesc { return p.desc }

// SnapshotStats writes the component's stats, then the self-time stats.
// The self-time stats are neither latencies nor labelled, so the
// component's snapshot is dst with the values cut at own.
func (p *selfTimeProvider) SnapshotStats(dst runtime.Snapshot) {
	if p.inner != nil {
		p.inner.SnapshotStats(runtime.Snapshot{Values: dst.Values[:p.own], Latencies: dst.Latencies})
	}
	p.values(dst.Values[p.own:])
}

// GetStats is the map form of SnapshotStats.
func (p *selfTimeProvider) GetStats() runtime.ComponentStats {
	s := runtime.StatsOf(p)
	s.InstanceID = p.node.id
	return s
}

// values writes self_time_ns, busy_ratio, run_busy_ratio and, for a
// source, push_time_ns: the order of selfTimeStats.
func (p *selfTimeProvider) values(dst []float64) {
	now := monotonic()
	p.mu.Lock()
	self := max(p.node.selfNanos(now), p.prevSelf) // a counter never goes back
	interval := now - p.prevAt
	if p.prevAt == 0 || p.prevAt < p.wall.start.Load() {
		interval = int64(p.wall.seconds(now) * 1e9)
	}
	delta := self - p.prevSelf
	p.prevSelf, p.prevAt = self, now
	if len(dst) > 3 {
		p.prevPush = max(p.node.pushNanos(now), p.prevPush)
		dst[3] = float64(p.prevPush)
	}
	p.mu.Unlock()
	dst[0] = float64(self)
	dst[1] = fraction(float64(delta), float64(interval))
	dst[2] = fraction(float64(self)/1e9, p.wall.seconds(now))
}

// fraction returns a/b clamped to [0, 1], 0 when b is 0: clocks read at
// slightly different moments must not report more than all of the time.
func fraction(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return min(max(runtime.Finite(a/b), 0), 1)
}

// selfWindow gives the self-time shares of a pipeline's components over
// windows of time, for the live line.
type selfWindow struct {
	mu   sync.Mutex
	prev map[*flowNode]float64
}

// selfComponents returns the report view of the pipeline's nodes: flow
// counts and self time, over the window since the last call when window
// is set (for the live line), else over the whole run.
func (p *pipeline) selfComponents(window bool) []report.Component {
	now := monotonic()
	wall := p.wall.seconds(now)
	out := make([]report.Component, len(p.nodes))
	if window {
		p.window.mu.Lock()
		defer p.window.mu.Unlock()
		if p.window.prev == nil {
			p.window.prev = map[*flowNode]float64{}
		}
	}
	for i, n := range p.nodes {
		self := n.selfSeconds(now)
		c := report.Component{Kind: n.kind, Type: n.typ, ID: n.id, SelfSeconds: self,
			MessagesIn: n.in.Load(), MessagesOut: n.out.Load()}
		if window {
			c.SelfSeconds = max(self-p.window.prev[n], 0)
			p.window.prev[n] = max(self, p.window.prev[n])
		} else {
			c.BusyRatio = fraction(self, wall)
		}
		out[i] = c
	}
	return out
}

// liveBottleneck names, for the live line, the component with the most
// self time since the last call, or over the whole run when no component
// had any since (a pipeline that has drained).
func (p *pipeline) liveBottleneck() string {
	b := report.Diagnose(p.selfComponents(true))
	if b.Verdict == report.Idle {
		b = report.Diagnose(p.selfComponents(false))
	}
	if b.Verdict == report.Idle {
		return ""
	}
	return fmt.Sprintf(" | bottleneck %s %.0f%%", b.ID, 100*b.SelfShare)
}
