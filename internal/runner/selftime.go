package runner

import (
	"context"
	"fmt"
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

// pushSeconds is the time the source spent in the components after it:
// its Run so far less its own time.
func (n *flowNode) pushSeconds(now int64) float64 {
	run := n.run.Load()
	if started := n.running.Load(); started != 0 {
		run = now - started
	}
	return max(float64(run)/1e9-n.selfSeconds(now), 0)
}

// timedConsumer charges its consumer's Close, the flush, to it, and marks
// the end of the pipeline's wall time.
type timedConsumer struct {
	cdp.Consumer
	node *flowNode
	wall *wallClock
}

func (c *timedConsumer) Close() error {
	t0 := monotonic()
	err := c.Consumer.Close()
	t1 := monotonic()
	c.node.self.Add(t1 - t0)
	c.wall.end.Store(t1)
	return err
}

// selfSeconds returns the time charged to the node so far, with, for a
// source waiting for the next ledger, the wait so far. Between the
// charge of a wait and the end of its publication a reader can count the
// wait twice, for a moment: readers that need a monotonic count keep the
// largest they saw (selfTimeProvider).
func (n *flowNode) selfSeconds(now int64) float64 {
	var wait int64
	if since := n.waiting.Load(); since != 0 {
		wait = max(now-since, 0)
	}
	return float64(n.self.Load()+wait) / 1e9
}

// Keys of the self-time stats the runner adds to every component's.
const (
	selfSecondsStat = "self_seconds_total"
	busyRatioStat   = "busy_ratio"
	runBusyStat     = "run_busy_ratio"
	pushSecondsStat = "push_seconds_total"
)

// selfTimeStats describes the stats the runner adds to a component.
func selfTimeStats(kind string) []runtime.StatDesc {
	stats := []runtime.StatDesc{
		{Name: selfSecondsStat, Kind: runtime.KindCounter, Unit: "seconds", Keys: []string{selfSecondsStat},
			Help: "Time inside the component minus the time in the components after it (for a source: its wait for the next ledger), measured by the runner"},
		{Name: busyRatioStat, Kind: runtime.KindRatio, Keys: []string{busyRatioStat},
			Help: "Self time over wall time, over the last stats interval"},
		{Name: runBusyStat, Kind: runtime.KindRatio, Keys: []string{runBusyStat},
			Help: "Self time over wall time, over the whole run"},
	}
	if kind == "source" {
		stats = append(stats, runtime.StatDesc{Name: pushSecondsStat, Kind: runtime.KindCounter, Unit: "seconds",
			Keys: []string{pushSecondsStat}, Help: "Time the source spent handing ledgers to the components after it, measured by the runner"})
	}
	return stats
}

// selfTimeProvider adds a node's self-time stats to its component's own
// stats (or reports them alone for a component without any), so that
// they reach flowctl and /metrics under the component's keys. Only the
// collector calls it, from one goroutine.
type selfTimeProvider struct {
	inner runtime.StatsProvider    // nil for a component without stats
	fast  runtime.SnapshotProvider // inner's snapshot path, or nil
	node  *flowNode
	wall  *wallClock
	desc  *runtime.ComponentDesc
	own   int // keys of inner's description

	mu       sync.Mutex
	prevSelf float64
	prevAt   int64
}

// withSelfTime returns the provider that collects a component: inner
// (nil when the component reports nothing) with the node's self time.
func withSelfTime(inner runtime.StatsProvider, node *flowNode, wall *wallClock) runtime.StatsProvider {
	p := &selfTimeProvider{inner: inner, node: node, wall: wall}
	base := &runtime.ComponentDesc{Type: node.kind, Name: node.typ}
	if sp, ok := inner.(runtime.SnapshotProvider); ok && sp.StatsDesc() != nil {
		p.fast = sp
		base = sp.StatsDesc()
	}
	if inner != nil && p.fast == nil {
		return &selfTimeMapProvider{p}
	}
	own := selfTimeStats(node.kind)
	desc := &runtime.ComponentDesc{Type: base.Type, Name: base.Name,
		Stats: append(append([]runtime.StatDesc(nil), base.Stats...), own...),
		Keys:  append([]string(nil), base.Keys...)}
	for _, s := range own {
		desc.Keys = append(desc.Keys, s.Keys...)
	}
	p.desc, p.own = desc, len(base.Keys)
	return p
}

// InstanceID is the node's instance ID, for the collector.
func (p *selfTimeProvider) InstanceID() string { return p.node.id }

// StatsDesc is the component's description with the self-time stats after it.
func (p *selfTimeProvider) StatsDesc() *runtime.ComponentDesc { return p.desc }

// SnapshotStats writes the component's stats, then the self-time stats.
func (p *selfTimeProvider) SnapshotStats(dst []float64) {
	if p.fast != nil {
		p.fast.SnapshotStats(dst[:p.own])
	}
	p.values(dst[p.own:])
}

// GetStats is the map form of SnapshotStats.
func (p *selfTimeProvider) GetStats() runtime.ComponentStats {
	dst := make([]float64, len(p.desc.Keys))
	p.SnapshotStats(dst)
	stats := make(map[string]interface{}, len(dst))
	for i, k := range p.desc.Keys {
		stats[k] = dst[i]
	}
	return runtime.ComponentStats{ComponentType: p.desc.Type, ComponentName: p.desc.Name,
		Stats: stats, LastUpdated: time.Now(), InstanceID: p.node.id}
}

// values writes self_seconds_total, busy_ratio, run_busy_ratio and, for a
// source, push_seconds_total.
func (p *selfTimeProvider) values(dst []float64) {
	now := monotonic()
	p.mu.Lock()
	self := max(p.node.selfSeconds(now), p.prevSelf) // a counter never goes back
	interval := float64(now-p.prevAt) / 1e9
	if p.prevAt == 0 || p.prevAt < p.wall.start.Load() {
		interval = p.wall.seconds(now)
	}
	delta := self - p.prevSelf
	p.prevSelf, p.prevAt = self, now
	p.mu.Unlock()
	dst[0] = self
	dst[1] = fraction(delta, interval)
	dst[2] = fraction(self, p.wall.seconds(now))
	if len(dst) > 3 {
		dst[3] = p.node.pushSeconds(now)
	}
}

// fraction returns a/b clamped to [0, 1], 0 when b is 0: clocks read at
// slightly different moments must not report more than all of the time.
func fraction(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return min(max(runtime.Finite(a/b), 0), 1)
}

// selfTimeMapProvider is a selfTimeProvider over a component with a
// hand-written GetStats only.
type selfTimeMapProvider struct{ p *selfTimeProvider }

func (m *selfTimeMapProvider) InstanceID() string { return m.p.node.id }

func (m *selfTimeMapProvider) GetStats() runtime.ComponentStats {
	s := m.p.inner.GetStats()
	s.InstanceID = m.p.node.id
	if s.Stats == nil {
		s.Stats = map[string]interface{}{}
	}
	own := selfTimeStats(m.p.node.kind)
	dst := make([]float64, len(own))
	m.p.values(dst)
	for i, sd := range own {
		s.Stats[sd.Name] = dst[i]
	}
	return s
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
