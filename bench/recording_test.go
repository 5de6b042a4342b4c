package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cdpstats/cdpstats/runtime"
)

// BenchmarkRecordingOp measures the unit cost of each kind of recording
// operation that runtime.RecordingWork counts, uncontended, in one run so
// that they are priced under the same load. The stats-work test of the
// components (components/e2e, -tags cdpstats_count) multiplies the
// operations a ledger costs by these medians (docs/benchmarks.md, "What
// stats cost per ledger").
//
// op=stopwatch and op=time-closure time one empty operation through an
// interface, as the components' shared ledger processor does: the
// generated StartX().Stop() against the deprecated TimeX()(), whose
// closure allocates.
func BenchmarkRecordingOp(b *testing.B) {
	b.Run("op=counter-add", func(b *testing.B) {
		c := new(runtime.Counter)
		for b.Loop() {
			c.Add(3)
		}
	})
	b.Run("op=gauge-write", func(b *testing.B) {
		g := new(runtime.Gauge)
		for i := int64(0); b.Loop(); i++ {
			g.Set(i)
		}
	})
	b.Run("op=timestamp-write", func(b *testing.B) {
		ts, at := new(runtime.Timestamp), time.Unix(1_795_827_723, 0)
		for b.Loop() {
			ts.Set(at)
		}
	})
	b.Run("op=histogram-record", func(b *testing.B) {
		h, in := new(runtime.Histogram), &Latencies.Durations
		for i := 0; b.Loop(); i++ {
			h.Observe(in[i&SampleMask])
		}
	})
	b.Run("op=clock-read", func(b *testing.B) {
		var sink int64
		for b.Loop() {
			sink += time.Now().UnixNano()
		}
		_ = sink
	})
	b.Run("op=stopwatch", func(b *testing.B) {
		var s timer = new(latencyStats)
		b.ReportAllocs()
		for b.Loop() {
			timeStopwatch(s)
		}
	})
	b.Run("op=time-closure", func(b *testing.B) {
		var s timer = new(latencyStats)
		b.ReportAllocs()
		for b.Loop() {
			timeClosure(s)
		}
	})
}

// timer is what a shared base asks of a component's generated stats, as
// ledgerx.Stats does.
type timer interface {
	StartLatency() runtime.Stopwatch
	TimeLatency() func()
}

// latencyStats is a stats type as statsgen generates it for one latency.
type latencyStats struct {
	latency runtime.Histogram
}

// StartLatency is the generated StartX.
func (s *latencyStats) StartLatency() runtime.Stopwatch {
	return s.latency.Start()
}

// TimeLatency is the deprecated TimeX.
func (s *latencyStats) TimeLatency() func() {
	if !runtime.Enabled {
		return func() {}
	}
	return s.latency.Start().Stop
}

// timeStopwatch times an empty operation with the Stopwatch.
func timeStopwatch(s timer) {
	defer s.StartLatency().Stop()
}

// timeClosure times an empty operation with the deprecated closure.
func timeClosure(s timer) {
	defer s.TimeLatency()()
}

// TestStopwatchAllocatesNothing checks the allocation counts that
// BenchmarkRecordingOp reports for the two ways of timing: none for the
// Stopwatch, one closure a call for the deprecated form.
func TestStopwatchAllocatesNothing(t *testing.T) {
	closures := 0.0
	if runtime.Enabled {
		closures = 1
	}
	var s timer = new(latencyStats)
	tests := []struct {
		name string
		time func(timer)
		want float64
	}{
		{"StartX().Stop()", timeStopwatch, 0},
		{"TimeX()()", timeClosure, closures},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, testing.AllocsPerRun(1000, func() { tt.time(s) }))
		})
	}
}
