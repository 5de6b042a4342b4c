package runtime

import (
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultHealthTimeout is how long a component may go without a stats
// update before [PipelineStats.IsHealthy] reports it stale.
const DefaultHealthTimeout = 60 * time.Second

// PipelineStats holds the latest stats of every component of one pipeline.
// It is safe for concurrent use: the collector writes while exporters read.
type PipelineStats struct {
	pipelineID string
	started    time.Time
	now        func() time.Time

	healthTimeout   atomic.Int64 // time.Duration
	droppedValues   atomic.Uint64
	collectorErrors atomic.Uint64

	extra extraMetrics          // sources of keys beyond the components', see AddMetricsSource
	stall atomic.Pointer[Stall] // nil while the pipeline progresses

	mu         sync.RWMutex
	components map[string]*ComponentHandle
	order      []*ComponentHandle // by first update, for stable output
}

// NewPipelineStats returns empty stats for the pipeline pipelineID.
func NewPipelineStats(pipelineID string) *PipelineStats {
	ps := &PipelineStats{
		pipelineID: pipelineID,
		now:        time.Now,
		components: make(map[string]*ComponentHandle),
	}
	ps.started = ps.now()
	ps.healthTimeout.Store(int64(DefaultHealthTimeout))
	return ps
}

// PipelineID returns the ID the stats were created with.
func (ps *PipelineStats) PipelineID() string { return ps.pipelineID }

// SetHealthTimeout sets how stale a component's stats may be before the
// pipeline is unhealthy. d <= 0 restores [DefaultHealthTimeout].
func (ps *PipelineStats) SetHealthTimeout(d time.Duration) {
	if d <= 0 {
		d = DefaultHealthTimeout
	}
	ps.healthTimeout.Store(int64(d))
}

// HealthTimeout returns the current health timeout.
func (ps *PipelineStats) HealthTimeout() time.Duration {
	return time.Duration(ps.healthTimeout.Load())
}

// ComponentHandle is one component's slot in a PipelineStats. The
// collector keeps the handle so that an update needs no map lookup and no
// allocation.
type ComponentHandle struct {
	ps       *PipelineStats
	kind     string
	typ      string
	instance string

	mu         sync.RWMutex
	desc       *ComponentDesc
	snap       Snapshot
	metricKeys []string // the GetMetrics keys, computed once per desc
	updated    time.Time
}

// Component returns the handle for one instance of the component that desc
// describes, creating it on first use. An empty instanceID means desc.Type.
func (ps *PipelineStats) Component(desc *ComponentDesc, instanceID string) *ComponentHandle {
	h := ps.handle(desc.Kind, desc.Type, instanceID)
	h.mu.Lock()
	if h.desc != desc {
		h.setDesc(desc)
	}
	h.mu.Unlock()
	return h
}

func (ps *PipelineStats) handle(kind, typ, instanceID string) *ComponentHandle {
	if instanceID == "" {
		instanceID = typ
	}
	id := kind + "\x00" + instanceID
	ps.mu.RLock()
	h := ps.components[id]
	ps.mu.RUnlock()
	if h != nil {
		return h
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if h = ps.components[id]; h == nil {
		h = &ComponentHandle{ps: ps, kind: kind, typ: typ, instance: instanceID}
		ps.components[id] = h
		ps.order = append(ps.order, h)
	}
	return h
}

// setDesc replaces the handle's description; h.mu is held.
func (h *ComponentHandle) setDesc(desc *ComponentDesc) {
	h.desc = desc
	h.snap = desc.NewSnapshot()
	h.metricKeys = desc.flatKeys(componentPrefix(h.kind, h.instance))
}

// Update copies snap, laid out for the handle's ComponentDesc, and marks
// the component fresh as of at. NaN and ±Inf values are dropped and
// counted. It allocates nothing.
func (h *ComponentHandle) Update(snap Snapshot, at time.Time) {
	h.mu.Lock()
	if snap.fits(h.desc) {
		h.snap.copyFrom(snap)
		for i, v := range h.snap.Values {
			if !isFinite(v) {
				h.snap.Values[i] = math.NaN() // skipped by readers
				h.ps.droppedValues.Add(1)
			}
		}
	}
	h.updated = at
	h.mu.Unlock()
}

// UpdateComponentStats stores one component's stats, replacing what the
// same component (kind and instance) reported before. It is the path of a
// hand-written GetStats: every key becomes a stat of unknown kind. Values
// that cannot convert to a finite float64, and the keys the pipeline
// reserves (HealthyKey, StatsAgeKey), are dropped and counted in
// pipeline.dropped_values.
func (ps *PipelineStats) UpdateComponentStats(cs ComponentStats) {
	h := ps.handle(cs.ComponentType, cs.ComponentName, cs.instanceKey())
	keys := make([]string, 0, len(cs.Stats))
	for k := range cs.Stats {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	values := make([]float64, 0, len(keys))
	kept := keys[:0]
	for _, k := range keys {
		f, ok := toFloat64(cs.Stats[k])
		if !ok || k == HealthyKey || k == StatsAgeKey {
			ps.droppedValues.Add(1)
			continue
		}
		kept = append(kept, k)
		values = append(values, f)
	}
	at := cs.LastUpdated
	if at.IsZero() {
		at = ps.now()
	}
	h.mu.Lock()
	if h.desc == nil || !sameStats(h.desc, cs.ComponentType, cs.ComponentName, kept) {
		stats := make([]StatDesc, len(kept))
		for i, k := range kept {
			stats[i] = StatDesc{Name: k}
		}
		h.setDesc(NewComponentDesc(cs.ComponentType, cs.ComponentName, stats...))
	}
	copy(h.snap.Values, values)
	h.updated = at
	h.mu.Unlock()
}

// sameStats reports whether d is the description UpdateComponentStats
// made for the kind, type and stat names.
func sameStats(d *ComponentDesc, kind, typ string, names []string) bool {
	if d.Kind != kind || d.Type != typ || len(d.Stats) != len(names) {
		return false
	}
	for i, s := range d.Stats {
		if s.Kind != 0 || s.Name != names[i] {
			return false
		}
	}
	return true
}

// Uptime returns the time since the stats were created.
func (ps *PipelineStats) Uptime() time.Duration {
	return max(ps.now().Sub(ps.started), 0)
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ComponentHealth is the freshness of one component's stats.
type ComponentHealth struct {
	// Kind, Type and ID name the component instance as in
	// [ComponentSnapshot].
	Kind, Type, ID string
	LastUpdated    time.Time
	Age            time.Duration
	Healthy        bool
}

// HealthReport is the detail behind [PipelineStats.IsHealthy].
type HealthReport struct {
	PipelineID string
	Healthy    bool
	Timeout    time.Duration
	Components []ComponentHealth
	// Stall is why the pipeline is stalled ([PipelineStats.SetStall]),
	// nil when it is not. A stalled pipeline's stats may all be fresh.
	Stall *Stall
}

// IsHealthy reports whether at least one component has reported and every
// component's stats are fresher than the health timeout.
func (ps *PipelineStats) IsHealthy() bool {
	return ps.HealthDetails().Healthy
}

// HealthDetails reports the freshness of every component.
func (ps *PipelineStats) HealthDetails() HealthReport {
	now := ps.now()
	r := HealthReport{PipelineID: ps.pipelineID, Timeout: ps.HealthTimeout()}
	if s, ok := ps.Stall(); ok {
		r.Stall = &s
	}
	ps.mu.RLock()
	handles := ps.order
	ps.mu.RUnlock()
	r.Healthy = len(handles) > 0
	for _, h := range handles {
		h.mu.RLock()
		c := ComponentHealth{Kind: h.kind, Type: h.typ, ID: h.instance, LastUpdated: h.updated}
		h.mu.RUnlock()
		c.Age = now.Sub(c.LastUpdated)
		c.Healthy = c.Age <= r.Timeout
		r.Healthy = r.Healthy && c.Healthy
		r.Components = append(r.Components, c)
	}
	return r
}

// ComponentSnapshot is a copy of one component instance's latest stats,
// typed: exporters read them through Desc.
type ComponentSnapshot struct {
	// Kind is the component's role: "source", "processor" or "consumer".
	Kind string
	// Type is the component's type name, such as "FilterPayments".
	Type string
	// ID is the instance ID, or Type when the instance has none.
	ID string
	// Desc describes the stats. For a component with a hand-written
	// GetStats, it has one stat of unknown kind per key.
	Desc *ComponentDesc
	// Stats are the values, laid out as Desc says; NaN where a value was
	// dropped.
	Stats       Snapshot
	LastUpdated time.Time
}

// Value returns the first value of the stat called name, and false when
// the component has no such stat, it is a latency, or its value was
// dropped. The zero ComponentSnapshot has no stats.
func (c ComponentSnapshot) Value(name string) (float64, bool) {
	if c.Desc == nil {
		return 0, false
	}
	s, ok := c.Desc.Stat(name)
	if !ok || s.Width() == 0 {
		return 0, false
	}
	v := c.Stats.Value(s, 0)
	return v, !math.IsNaN(v)
}

// Components returns a copy of every component's latest stats, in the
// order components first reported. Components that have not reported yet
// are left out.
func (ps *PipelineStats) Components() []ComponentSnapshot {
	ps.mu.RLock()
	handles := ps.order
	ps.mu.RUnlock()
	out := make([]ComponentSnapshot, 0, len(handles))
	for _, h := range handles {
		h.mu.RLock()
		if h.desc != nil {
			out = append(out, ComponentSnapshot{
				Kind:        h.kind,
				Type:        h.typ,
				ID:          h.instance,
				Desc:        h.desc,
				Stats:       h.snap.clone(),
				LastUpdated: h.updated,
			})
		}
		h.mu.RUnlock()
	}
	return out
}

// CollectorErrors returns how many GetStats calls panicked.
func (ps *PipelineStats) CollectorErrors() uint64 { return ps.collectorErrors.Load() }

// DroppedValues returns how many stat values could not be converted.
func (ps *PipelineStats) DroppedValues() uint64 { return ps.droppedValues.Load() }
