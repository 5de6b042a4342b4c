package runtime

import "math"

// ComponentMetrics returns the entries of [PipelineStats.GetMetrics] that
// belong to one component, the one of type typ ("source", "processor" or
// "consumer") and instance instance: its stats under the same
// "<type>.<instance>.<stat>" keys, its healthy and its stats_age_seconds.
// It returns false when that component has not reported yet.
func (ps *PipelineStats) ComponentMetrics(typ, instance string) (map[string]float64, bool) {
	ps.mu.RLock()
	var h *ComponentHandle
	for _, c := range ps.order {
		if c.typ == typ && c.instance == instance {
			h = c
			break
		}
	}
	ps.mu.RUnlock()
	if h == nil {
		return nil, false
	}
	now := ps.now()
	h.mu.RLock()
	defer h.mu.RUnlock()
	m := make(map[string]float64, len(h.values)+2)
	for i, v := range h.values {
		if !math.IsNaN(v) {
			m[h.metricKeys[i]] = v
		}
	}
	age := now.Sub(h.updated)
	m[h.prefix+HealthyKey] = boolFloat(age <= ps.HealthTimeout())
	m[h.prefix+StatsAgeKey] = max(age.Seconds(), 0)
	return m, true
}
