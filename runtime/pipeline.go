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

// Keys that PipelineStats adds to every component's stats in GetMetrics.
// statsgen reserves these names.
const (
	HealthyKey  = "healthy"
	StatsAgeKey = "stats_age_seconds"
)

// PipelineStats holds the latest stats of every component of one pipeline.
// It is safe for concurrent use: the collector writes while exporters read.
type PipelineStats struct {
	pipelineID string
	started    time.Time
	now        func() time.Time

	healthTimeout   atomic.Int64 // time.Duration
	droppedValues   atomic.Uint64
	collectorErrors atomic.Uint64

	extra extraMetrics // sources of keys beyond the components', see AddMetricsSource

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
	ps                  *PipelineStats
	typ, name, instance string
	prefix              string // "<type>.<instance>."
	desc                *ComponentDesc

	mu         sync.RWMutex
	keys       []string
	metricKeys []string // prefix + key, computed once per key set
	values     []float64
	updated    time.Time
}

// Component returns the handle for one instance of the component that desc
// describes, creating it on first use. An empty instanceID means desc.Name.
func (ps *PipelineStats) Component(desc *ComponentDesc, instanceID string) *ComponentHandle {
	h := ps.handle(desc.Type, desc.Name, instanceID)
	h.mu.Lock()
	if h.desc != desc {
		h.desc = desc
		h.setKeys(desc.Keys)
	}
	h.mu.Unlock()
	return h
}

func (ps *PipelineStats) handle(typ, name, instanceID string) *ComponentHandle {
	if instanceID == "" {
		instanceID = name
	}
	id := typ + "." + instanceID
	ps.mu.RLock()
	h := ps.components[id]
	ps.mu.RUnlock()
	if h != nil {
		return h
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if h = ps.components[id]; h == nil {
		h = &ComponentHandle{ps: ps, typ: typ, name: name, instance: instanceID, prefix: id + "."}
		ps.components[id] = h
		ps.order = append(ps.order, h)
	}
	return h
}

// setKeys replaces the handle's key set; h.mu is held.
func (h *ComponentHandle) setKeys(keys []string) {
	h.keys = keys
	h.metricKeys = make([]string, len(keys))
	for i, k := range keys {
		h.metricKeys[i] = h.prefix + k
	}
	h.values = make([]float64, len(keys))
}

// Update copies values, laid out as the handle's ComponentDesc.Keys, and
// marks the component fresh as of at. NaN and ±Inf values are dropped
// and counted. It allocates nothing.
func (h *ComponentHandle) Update(values []float64, at time.Time) {
	h.mu.Lock()
	n := copy(h.values, values)
	for i := range h.values[:n] {
		if v := h.values[i]; math.IsNaN(v) || math.IsInf(v, 0) {
			h.values[i] = math.NaN() // skipped by readers
			h.ps.droppedValues.Add(1)
		}
	}
	h.updated = at
	h.mu.Unlock()
}

// UpdateComponentStats stores one component's stats, replacing what the
// same component (type and instance) reported before. Values that cannot
// convert to a finite float64 are dropped and counted in
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
		if !ok {
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
	if !equalStrings(h.keys, kept) {
		h.desc = nil
		h.setKeys(kept)
	}
	copy(h.values, values)
	h.updated = at
	h.mu.Unlock()
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Metric keys of the pipeline itself.
const (
	MetricUptime          = "pipeline.uptime_seconds"
	MetricComponentCount  = "pipeline.component_count"
	MetricCollectorErrors = "pipeline.collector_errors"
	MetricDroppedValues   = "pipeline.dropped_values"
	MetricHealthy         = "pipeline.healthy"
)

// GetMetrics returns every stat as a flat map. Component stats have keys
// "<type>.<instance>.<stat>", where instance is the instance ID or else the
// component name, for example "source.test-source.processed". Each
// component also gets "<type>.<instance>.healthy" (0 or 1) and
// "<type>.<instance>.stats_age_seconds". The pipeline adds the Metric*
// keys. No value is ever NaN or ±Inf.
func (ps *PipelineStats) GetMetrics() map[string]float64 {
	now := ps.now()
	timeout := ps.HealthTimeout()
	ps.mu.RLock()
	handles := ps.order
	ps.mu.RUnlock()

	size := 5 // the pipeline's own keys
	for _, h := range handles {
		h.mu.RLock()
		size += len(h.values) + 2 // and healthy, stats_age_seconds
		h.mu.RUnlock()
	}
	m := make(map[string]float64, size)
	healthy := len(handles) > 0
	for _, h := range handles {
		h.mu.RLock()
		for i, v := range h.values {
			if !math.IsNaN(v) {
				m[h.metricKeys[i]] = v
			}
		}
		age := now.Sub(h.updated)
		h.mu.RUnlock()
		fresh := age <= timeout
		healthy = healthy && fresh
		m[h.prefix+HealthyKey] = boolFloat(fresh)
		m[h.prefix+StatsAgeKey] = max(age.Seconds(), 0)
	}
	m[MetricUptime] = max(now.Sub(ps.started).Seconds(), 0)
	m[MetricComponentCount] = float64(len(handles))
	m[MetricCollectorErrors] = float64(ps.collectorErrors.Load())
	m[MetricDroppedValues] = float64(ps.droppedValues.Load())
	m[MetricHealthy] = boolFloat(healthy)
	ps.extra.appendTo(m)
	return m
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// ComponentHealth is the freshness of one component's stats.
type ComponentHealth struct {
	ComponentType string
	ComponentName string
	InstanceID    string
	LastUpdated   time.Time
	Age           time.Duration
	Healthy       bool
}

// HealthReport is the detail behind [PipelineStats.IsHealthy].
type HealthReport struct {
	PipelineID string
	Healthy    bool
	Timeout    time.Duration
	Components []ComponentHealth
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
	ps.mu.RLock()
	handles := ps.order
	ps.mu.RUnlock()
	r.Healthy = len(handles) > 0
	for _, h := range handles {
		h.mu.RLock()
		c := ComponentHealth{ComponentType: h.typ, ComponentName: h.name, InstanceID: h.instance, LastUpdated: h.updated}
		h.mu.RUnlock()
		c.Age = now.Sub(c.LastUpdated)
		c.Healthy = c.Age <= r.Timeout
		r.Healthy = r.Healthy && c.Healthy
		r.Components = append(r.Components, c)
	}
	return r
}

// ComponentSnapshot is a copy of one component's latest stats, for
// exporters that need the keys with their descriptions.
type ComponentSnapshot struct {
	ComponentType string
	ComponentName string
	InstanceID    string
	// Desc describes the stats when the component reported through the
	// snapshot path; nil for a hand-written GetStats.
	Desc        *ComponentDesc
	Keys        []string
	Values      []float64 // NaN where a value was dropped
	LastUpdated time.Time
}

// Components returns a copy of every component's latest stats, in the
// order components first reported.
func (ps *PipelineStats) Components() []ComponentSnapshot {
	ps.mu.RLock()
	handles := ps.order
	ps.mu.RUnlock()
	out := make([]ComponentSnapshot, 0, len(handles))
	for _, h := range handles {
		h.mu.RLock()
		out = append(out, ComponentSnapshot{
			ComponentType: h.typ,
			ComponentName: h.name,
			InstanceID:    h.instance,
			Desc:          h.desc,
			Keys:          h.keys,
			Values:        append([]float64(nil), h.values...),
			LastUpdated:   h.updated,
		})
		h.mu.RUnlock()
	}
	return out
}

// CollectorErrors returns how many GetStats calls panicked.
func (ps *PipelineStats) CollectorErrors() uint64 { return ps.collectorErrors.Load() }

// DroppedValues returns how many stat values could not be converted.
func (ps *PipelineStats) DroppedValues() uint64 { return ps.droppedValues.Load() }
