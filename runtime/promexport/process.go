package promexport

import (
	"regexp"

	"github.com/prometheus/client_golang/prometheus/collectors"
)

// goRuntimeMetrics are the runtime/metrics series exported beside the Go
// collector's defaults: the GC's CPU time and all CPU time the runtime
// counts (their ratio is the GC CPU fraction), and the GC's
// stop-the-world pauses as a histogram.
var goRuntimeMetrics = regexp.MustCompile(`^/cpu/classes/(gc/total|total):cpu-seconds$|^/sched/pauses/total/gc:seconds$`)

// WithProcessCollectors adds client_golang's own Go collector (goroutines,
// heap, GC pauses and GC CPU time) and process collector (CPU seconds,
// resident and virtual memory, open file descriptors) to /metrics: the
// process's resource usage in the names every Prometheus user knows
// (go_*, process_*), with no code of ours.
func WithProcessCollectors() Option {
	return WithCollectors(
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(
			collectors.GoRuntimeMetricsRule{Matcher: goRuntimeMetrics})),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
}
