package runtime

import "sync"

// MetricsSource adds keys of its own to [PipelineStats.GetMetrics], beside
// the components' and the pipeline's: the process's resource usage
// ([ProcessSampler]) or numbers a runner measures itself. Keys must not
// collide with component keys ("<kind>.<id>.<stat>") or the
// pipeline.* keys, and values must be finite.
type MetricsSource interface {
	AppendMetrics(m map[string]float64)
}

// MetricsSourceFunc adapts a function to [MetricsSource].
type MetricsSourceFunc func(m map[string]float64)

// AppendMetrics calls f(m).
func (f MetricsSourceFunc) AppendMetrics(m map[string]float64) { f(m) }

// AddMetricsSource makes every later GetMetrics include the keys src adds,
// so that flowctl heartbeats carry them too. GetMetrics calls src on the
// exporter's goroutine, never on the ledgers' path.
func (ps *PipelineStats) AddMetricsSource(src MetricsSource) {
	ps.extra.add(src)
}

// extraMetrics is the MetricsSources of one PipelineStats.
type extraMetrics struct {
	mu      sync.RWMutex
	sources []MetricsSource
}

func (e *extraMetrics) add(src MetricsSource) {
	e.mu.Lock()
	e.sources = append(e.sources, src)
	e.mu.Unlock()
}

// appendTo adds every source's keys to m, dropping values that are not
// finite: GetMetrics never returns NaN or ±Inf.
func (e *extraMetrics) appendTo(m map[string]float64) {
	e.mu.RLock()
	sources := e.sources
	e.mu.RUnlock()
	if len(sources) == 0 {
		return
	}
	for _, src := range sources {
		src.AppendMetrics(m)
	}
	for k, v := range m {
		if !isFinite(v) {
			delete(m, k)
		}
	}
}
