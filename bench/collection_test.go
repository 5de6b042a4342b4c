package bench

import (
	"sync"
	"testing"
	"time"

	"github.com/cdpstats/cdpstats/runtime"
)

// The collection benchmark's pipeline: 50 components of 10 stats each,
// every histogram holding 10,000 observations.
const (
	fleetSize            = 50
	messagesPerProcessor = 10_000
	// writesBetweenPasses is how many observations each processor's
	// histogram takes between two passes of
	// BenchmarkCollectionPass/impl=cdpstats-written: enough to write every
	// span the sample latencies fall in.
	writesBetweenPasses = 1_000
)

// benchFleet is built once per test binary: recording half a million
// messages twice is setup, not what the benchmarks measure.
var benchFleet = sync.OnceValue(func() *Fleet { return NewFleet(fleetSize, messagesPerProcessor) })

// BenchmarkCollectionPass measures one collection of every stat of the
// fleet: the prepared cdpstats pass over the snapshot path (the target:
// 0 allocs and at least 10× faster than Gather), the same pass over the
// GetStats map path for reference, and Prometheus Registry.Gather over
// the same 500 series.
func BenchmarkCollectionPass(b *testing.B) {
	f := benchFleet()
	b.Run("impl=cdpstats", func(b *testing.B) {
		pass := runtime.NewStatsCollector(runtime.NewPipelineStats("bench"), time.Second).Prepare(f.Providers)
		for b.Loop() {
			pass.Collect()
		}
	})
	// The pass between scrapes of a running pipeline: every processor's
	// latency histogram takes writesBetweenPasses new observations before
	// each pass, so it totals again every span written since the pass
	// before. Only the histograms' cost depends on writes, so only they
	// are written; Gather's does not, it reads every bucket.
	b.Run("impl=cdpstats-written", func(b *testing.B) {
		f := NewFleet(fleetSize, messagesPerProcessor)
		pass := runtime.NewStatsCollector(runtime.NewPipelineStats("bench"), time.Second).Prepare(f.Providers)
		next := 0
		for range b.N {
			b.StopTimer()
			for _, p := range f.Processors {
				for j := range writesBetweenPasses {
					p.stats.processLatency.Observe(Latencies.Durations[(next+j)&SampleMask])
				}
				next += 7919
			}
			b.StartTimer()
			pass.Collect()
		}
	})
	b.Run("impl=cdpstats-map", func(b *testing.B) {
		providers := make([]runtime.StatsProvider, len(f.Providers))
		for i, p := range f.Providers {
			providers[i] = MapOnly{P: p}
		}
		pass := runtime.NewStatsCollector(runtime.NewPipelineStats("bench"), time.Second).Prepare(providers)
		for b.Loop() {
			pass.Collect()
		}
	})
	b.Run("impl=prometheus-gather", func(b *testing.B) {
		reg := f.Prom.Registry()
		for b.Loop() {
			if _, err := reg.Gather(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGetMetrics measures PipelineStats.GetMetrics over the collected
// fleet, the flat map that flowctl heartbeats carry; for reference only.
func BenchmarkGetMetrics(b *testing.B) {
	stats := runtime.NewPipelineStats("bench")
	runtime.NewStatsCollector(stats, time.Second).Prepare(benchFleet().Providers).Collect()
	for b.Loop() {
		_ = stats.GetMetrics()
	}
}
