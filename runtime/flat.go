package runtime

import "time"

// This file is the one place that builds the flat keys of the seed's map
// form: "<stat>" keys in [ComponentStats.Stats] and
// "<kind>.<id>.<stat>", pipeline.* and process.* keys in
// [PipelineStats.GetMetrics]. Nothing parses them: exporters read typed
// [Snapshot] values.

// Keys that PipelineStats adds to every component's stats in GetMetrics.
// statsgen reserves these names.
const (
	HealthyKey  = "healthy"
	StatsAgeKey = "stats_age_seconds"
)

// latencyKeySuffixes are the flat keys of a latency stat, after its name,
// in the order flatten writes them.
var latencyKeySuffixes = [...]string{"_count", "_avg_ms", "_p50_ms", "_p90_ms", "_p99_ms", "_max_ms"}

// Keys returns the flat keys the stat produces in the map form, in
// order: the name itself; for a labelled counter "<name>_<value>" for
// each of Values; for a latency the name with _count, _avg_ms, _p50_ms,
// _p90_ms, _p99_ms and _max_ms.
func (s StatDesc) Keys() []string {
	switch {
	case s.Kind == KindLatency:
		keys := make([]string, len(latencyKeySuffixes))
		for i, suffix := range latencyKeySuffixes {
			keys[i] = s.Name + suffix
		}
		return keys
	case s.Label != "":
		keys := make([]string, len(s.Values))
		for i, v := range s.Values {
			keys[i] = s.Name + "_" + v
		}
		return keys
	}
	return []string{s.Name}
}

// flatKeys returns every flat key of d's stats, each after prefix, in the
// order flatten visits them.
func (d *ComponentDesc) flatKeys(prefix string) []string {
	var keys []string
	for _, s := range d.Stats {
		for _, k := range s.Keys() {
			keys = append(keys, prefix+k)
		}
	}
	return keys
}

// flatten calls f with the index of each flat key of d (as flatKeys
// orders them) and its value in snap, latencies in milliseconds; count
// is true for a count (a counter, a latency's _count). NaN values, which
// [ComponentHandle.Update] leaves for dropped ones, are skipped.
func (d *ComponentDesc) flatten(snap Snapshot, f func(key int, v float64, count bool)) {
	key := 0
	for _, s := range d.Stats {
		if s.Kind == KindLatency {
			l := snap.Latency(s)
			for i, v := range [...]float64{float64(l.Count), millis(l.Avg()), millis(l.P50), millis(l.P90), millis(l.P99), millis(l.Max)} {
				f(key+i, v, i == 0)
			}
			key += len(latencyKeySuffixes)
			continue
		}
		for i := range s.Width() {
			if v := snap.Value(s, i); v == v { // not NaN
				f(key, v, s.Kind == KindCounter)
			}
			key++
		}
	}
}

func millis(d time.Duration) float64 { return float64(d) / 1e6 }

// componentPrefix is the start of a component's keys in GetMetrics:
// "<kind>.<id>.".
func componentPrefix(kind, instance string) string { return kind + "." + instance + "." }

// StatsOf returns the stats of p in the map form of [StatsProvider]:
// counts (counters, a latency's _count) as uint64, every other value as
// float64. statsgen generates GetStats as a call of StatsOf.
func StatsOf(p SnapshotProvider) ComponentStats {
	d := p.StatsDesc()
	snap := d.NewSnapshot()
	p.SnapshotStats(snap)
	m := make(map[string]interface{}, len(d.keys))
	d.flatten(snap, func(i int, v float64, count bool) {
		if count {
			m[d.keys[i]] = uint64(v)
		} else {
			m[d.keys[i]] = v
		}
	})
	return ComponentStats{ComponentType: d.Kind, ComponentName: d.Type, Stats: m, LastUpdated: time.Now()}
}

// Metric keys of the pipeline itself.
const (
	MetricUptime          = "pipeline.uptime_seconds"
	MetricComponentCount  = "pipeline.component_count"
	MetricCollectorErrors = "pipeline.collector_errors"
	MetricDroppedValues   = "pipeline.dropped_values"
	MetricHealthy         = "pipeline.healthy"
	// MetricStalled is 1 while the pipeline is stalled
	// ([PipelineStats.SetStall]), else 0.
	MetricStalled = "pipeline.stalled"
)

// GetMetrics returns every stat as a flat map, the one flattening of the
// typed stats, for the seed's consumers and flowctl. Component stats have
// keys "<kind>.<id>.<stat>", where id is the instance ID or
// else the component type, for example "source.test-source.processed";
// [StatDesc.Keys] lists a stat's keys. Each component also gets
// "<kind>.<id>.healthy" (0 or 1) and
// "<kind>.<id>.stats_age_seconds". The pipeline adds the Metric*
// keys, then every [MetricsSource] added with
// [PipelineStats.AddMetricsSource] adds its own. No value is ever NaN
// or ±Inf.
func (ps *PipelineStats) GetMetrics() map[string]float64 {
	now := ps.now()
	timeout := ps.HealthTimeout()
	ps.mu.RLock()
	handles := ps.order
	ps.mu.RUnlock()

	size := 6 // the pipeline's own keys
	for _, h := range handles {
		h.mu.RLock()
		size += len(h.metricKeys) + 2 // and healthy, stats_age_seconds
		h.mu.RUnlock()
	}
	m := make(map[string]float64, size)
	healthy := len(handles) > 0
	for _, h := range handles {
		fresh := h.flattenInto(m, now, timeout)
		healthy = healthy && fresh
	}
	m[MetricUptime] = ps.Uptime().Seconds()
	m[MetricComponentCount] = float64(len(handles))
	m[MetricCollectorErrors] = float64(ps.collectorErrors.Load())
	m[MetricDroppedValues] = float64(ps.droppedValues.Load())
	m[MetricHealthy] = boolFloat(healthy)
	ps.extra.appendTo(m)
	_, stalled := ps.Stall()
	m[MetricStalled] = boolFloat(stalled)
	return m
}

// Keys that [ProcessSampler] adds to [PipelineStats.GetMetrics]. They
// describe the whole process, which all pipelines of a runner share, so
// they carry the "process." prefix rather than "pipeline.".
const (
	MetricCPUUserSeconds    = "process.cpu_user_seconds"
	MetricCPUSystemSeconds  = "process.cpu_system_seconds"
	MetricResidentBytes     = "process.resident_memory_bytes"
	MetricPeakResidentBytes = "process.peak_resident_memory_bytes"
	MetricHeapInuseBytes    = "process.go_heap_inuse_bytes"
	MetricGCCPUFraction     = "process.go_gc_cpu_fraction"
	MetricGCPauseP50        = "process.go_gc_pause_p50_ms"
	MetricGCPauseP99        = "process.go_gc_pause_p99_ms"
	MetricGCPauseMax        = "process.go_gc_pause_max_ms"
	MetricGCCycles          = "process.go_gc_cycles"
	MetricGoroutines        = "process.goroutines"
	MetricProcessReadErrors = "process.read_errors"
)

// AppendMetrics adds u as the process.* keys to m.
func (u ProcessUsage) AppendMetrics(m map[string]float64) {
	m[MetricCPUUserSeconds] = u.CPUUserSeconds
	m[MetricCPUSystemSeconds] = u.CPUSystemSeconds
	m[MetricResidentBytes] = u.ResidentBytes
	m[MetricPeakResidentBytes] = u.PeakResidentBytes
	m[MetricHeapInuseBytes] = u.HeapInuseBytes
	m[MetricGCCPUFraction] = u.GCCPUFraction
	m[MetricGCPauseP50] = u.GCPauseP50Ms
	m[MetricGCPauseP99] = u.GCPauseP99Ms
	m[MetricGCPauseMax] = u.GCPauseMaxMs
	m[MetricGCCycles] = u.GCCycles
	m[MetricGoroutines] = u.Goroutines
	m[MetricProcessReadErrors] = u.ReadErrors
}

// ComponentMetrics returns the entries of [PipelineStats.GetMetrics] that
// belong to one component, the one of kind kind ("source", "processor" or
// "consumer") and instance ID id: its stats under the same
// "<kind>.<id>.<stat>" keys, its healthy and its stats_age_seconds. It
// returns false when that component has not reported yet.
func (ps *PipelineStats) ComponentMetrics(kind, id string) (map[string]float64, bool) {
	ps.mu.RLock()
	var h *ComponentHandle
	for _, c := range ps.order {
		if c.kind == kind && c.instance == id {
			h = c
			break
		}
	}
	ps.mu.RUnlock()
	if h == nil {
		return nil, false
	}
	h.mu.RLock()
	m := make(map[string]float64, len(h.metricKeys)+2)
	h.mu.RUnlock()
	h.flattenInto(m, ps.now(), ps.HealthTimeout())
	return m, true
}

// flattenInto writes the component's GetMetrics entries into m: its
// stats, its healthy and its stats_age_seconds. It reports whether the
// stats are fresh, not older than timeout at now.
func (h *ComponentHandle) flattenInto(m map[string]float64, now time.Time, timeout time.Duration) (fresh bool) {
	h.mu.RLock()
	prefix := componentPrefix(h.kind, h.instance)
	if h.desc != nil {
		h.desc.flatten(h.snap, func(i int, v float64, _ bool) { m[h.metricKeys[i]] = v })
	}
	age := now.Sub(h.updated)
	h.mu.RUnlock()
	fresh = age <= timeout
	m[prefix+HealthyKey] = boolFloat(fresh)
	m[prefix+StatsAgeKey] = max(age.Seconds(), 0)
	return fresh
}
