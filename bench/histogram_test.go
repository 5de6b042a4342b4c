package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vm "github.com/VictoriaMetrics/metrics"
	"github.com/prometheus/client_golang/prometheus"
	otelmetric "go.opentelemetry.io/otel/metric"

	"github.com/cdpstats/cdpstats/runtime"
)

// BenchmarkHistogramObserve measures recording one latency. Every
// implementation records the same log-normal values ([Latencies]) in its
// natural unit; runtime.Histogram must be the fastest and allocate nothing.
func BenchmarkHistogramObserve(b *testing.B) {
	b.Run("impl=cdpstats", func(b *testing.B) {
		h, in := new(runtime.Histogram), &Latencies.Durations
		for i := 0; b.Loop(); i++ {
			h.Observe(in[i&SampleMask])
		}
	})
	b.Run("impl=prometheus-classic", func(b *testing.B) {
		h, in := newPrometheusClassicHistogram(), &Latencies.Seconds
		for i := 0; b.Loop(); i++ {
			h.Observe(in[i&SampleMask])
		}
	})
	b.Run("impl=prometheus-native", func(b *testing.B) {
		h, in := newPrometheusNativeHistogram(), &Latencies.Seconds
		for i := 0; b.Loop(); i++ {
			h.Observe(in[i&SampleMask])
		}
	})
	b.Run("impl=victoriametrics", func(b *testing.B) {
		h, in := newVictoriaMetricsHistogram(), &Latencies.Seconds
		for i := 0; b.Loop(); i++ {
			h.Update(in[i&SampleMask])
		}
	})
	b.Run("impl=otel", func(b *testing.B) {
		h, in := newOTelHistogram(b), &Latencies.Seconds
		ctx := context.Background()
		for i := 0; b.Loop(); i++ {
			h.Record(ctx, in[i&SampleMask])
		}
	})
	b.Run("impl=hdrhistogram-mutex", func(b *testing.B) {
		h, in := newLockedHDR(), &Latencies.Nanos
		for i := 0; b.Loop(); i++ {
			h.Record(in[i&SampleMask])
		}
	})
}

// BenchmarkHistogramObserveParallel is BenchmarkHistogramObserve with
// every goroutine of RunParallel recording into the same histogram, each
// starting at a different place in the samples. impl=cdpstats-unshared is
// the reference without sharing: a histogram per goroutine.
func BenchmarkHistogramObserveParallel(b *testing.B) {
	b.Run("impl=cdpstats", func(b *testing.B) {
		h, in := new(runtime.Histogram), &Latencies.Durations
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			for i := startIndex(&next); pb.Next(); i++ {
				h.Observe(in[i&SampleMask])
			}
		})
	})
	// Not a shared instrument: one histogram per goroutine, the floor that
	// the stripes of a shared one approach once each core has its shard.
	b.Run("impl=cdpstats-unshared", func(b *testing.B) {
		in := &Latencies.Durations
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			h := new(runtime.Histogram)
			for i := startIndex(&next); pb.Next(); i++ {
				h.Observe(in[i&SampleMask])
			}
		})
	})
	b.Run("impl=prometheus-classic", func(b *testing.B) {
		h, in := newPrometheusClassicHistogram(), &Latencies.Seconds
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			for i := startIndex(&next); pb.Next(); i++ {
				h.Observe(in[i&SampleMask])
			}
		})
	})
	b.Run("impl=prometheus-native", func(b *testing.B) {
		h, in := newPrometheusNativeHistogram(), &Latencies.Seconds
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			for i := startIndex(&next); pb.Next(); i++ {
				h.Observe(in[i&SampleMask])
			}
		})
	})
	b.Run("impl=victoriametrics", func(b *testing.B) {
		h, in := newVictoriaMetricsHistogram(), &Latencies.Seconds
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			for i := startIndex(&next); pb.Next(); i++ {
				h.Update(in[i&SampleMask])
			}
		})
	})
	b.Run("impl=otel", func(b *testing.B) {
		h, in := newOTelHistogram(b), &Latencies.Seconds
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for i := startIndex(&next); pb.Next(); i++ {
				h.Record(ctx, in[i&SampleMask])
			}
		})
	})
	b.Run("impl=hdrhistogram-mutex", func(b *testing.B) {
		h, in := newLockedHDR(), &Latencies.Nanos
		var next atomic.Uint64
		b.RunParallel(func(pb *testing.PB) {
			for i := startIndex(&next); pb.Next(); i++ {
				h.Record(in[i&SampleMask])
			}
		})
	})
}

// startIndex spreads the goroutines of RunParallel over the samples, so
// that they do not all record the same value at the same time.
func startIndex(next *atomic.Uint64) int {
	return int(next.Add(1)-1) * (SampleCount / 4)
}

// newPrometheusClassicHistogram uses the default buckets, which are in
// seconds and what most applications keep.
func newPrometheusClassicHistogram() prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "bench_latency_seconds", Help: "Latency.", Buckets: prometheus.DefBuckets,
	})
}

// newPrometheusNativeHistogram is a native (sparse) histogram only, with
// the bucket factor client_golang's documentation suggests.
func newPrometheusNativeHistogram() prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "bench_latency_seconds", Help: "Latency.",
		NativeHistogramBucketFactor: 1.1,
	})
}

func newVictoriaMetricsHistogram() *vm.Histogram {
	return vm.NewSet().NewHistogram("bench_latency_seconds")
}

// newOTelHistogram uses the same explicit boundaries as the Prometheus
// classic histogram, in seconds as OpenTelemetry's conventions ask.
func newOTelHistogram(b *testing.B) otelmetric.Float64Histogram {
	h, err := newOTelMeter(b).Float64Histogram("bench.latency",
		otelmetric.WithUnit("s"),
		otelmetric.WithExplicitBucketBoundaries(prometheus.DefBuckets...))
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// lockedHDR is HdrHistogram-go made safe for concurrent use the usual way,
// behind a mutex, since its Histogram is not.
type lockedHDR struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
}

// newLockedHDR tracks 1 ns to 1 h with 3 significant digits (0.1%), the
// usual setting; 2 digits would be 1%, coarser than the 0.5% runtime
// promises.
func newLockedHDR() *lockedHDR {
	return &lockedHDR{h: hdrhistogram.New(1, int64(time.Hour), 3)}
}

// Record records v nanoseconds. Values beyond the trackable range are
// dropped, as they would be without the lock; none occur in the samples.
func (l *lockedHDR) Record(v int64) {
	l.mu.Lock()
	_ = l.h.RecordValue(v)
	l.mu.Unlock()
}
