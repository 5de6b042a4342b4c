package bench

import (
	"context"
	"sync/atomic"
	"testing"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/prometheus/client_golang/prometheus"
	otelmetric "go.opentelemetry.io/otel/metric"

	"github.com/cdpstats/cdpstats/runtime"
)

// Every implementation has its own loop rather than a shared loop over an
// interface or a func value: an indirect call costs about as much as the
// atomic add being measured and would hide the difference the benchmark is
// about.

// BenchmarkCounterInc measures one uncontended increment. The raw atomic
// is the floor; runtime.Counter must stay within 1.2× of it.
func BenchmarkCounterInc(b *testing.B) {
	b.Run("impl=atomic", func(b *testing.B) {
		c := new(atomic.Uint64)
		for b.Loop() {
			c.Add(1)
		}
	})
	b.Run("impl=cdpstats", func(b *testing.B) {
		c := new(runtime.Counter)
		for b.Loop() {
			c.Inc()
		}
	})
	b.Run("impl=prometheus", func(b *testing.B) {
		c := newPrometheusCounter()
		for b.Loop() {
			c.Inc()
		}
	})
	b.Run("impl=victoriametrics", func(b *testing.B) {
		c := newVictoriaMetricsCounter()
		for b.Loop() {
			c.Inc()
		}
	})
	b.Run("impl=otel", func(b *testing.B) {
		c := newOTelCounter(b)
		ctx := context.Background()
		for b.Loop() {
			c.Add(ctx, 1)
		}
	})
}

// BenchmarkCounterIncParallel is BenchmarkCounterInc with every goroutine
// of RunParallel (one per -cpu) incrementing the same counter, the
// contended case of many workers sharing one component.
func BenchmarkCounterIncParallel(b *testing.B) {
	b.Run("impl=atomic", func(b *testing.B) {
		c := new(atomic.Uint64)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Add(1)
			}
		})
	})
	b.Run("impl=cdpstats", func(b *testing.B) {
		c := new(runtime.Counter)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Inc()
			}
		})
	})
	b.Run("impl=prometheus", func(b *testing.B) {
		c := newPrometheusCounter()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Inc()
			}
		})
	})
	b.Run("impl=victoriametrics", func(b *testing.B) {
		c := newVictoriaMetricsCounter()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Inc()
			}
		})
	})
	b.Run("impl=otel", func(b *testing.B) {
		c := newOTelCounter(b)
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				c.Add(ctx, 1)
			}
		})
	})
}

func newPrometheusCounter() prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: "bench_events_total", Help: "Events."})
}

func newVictoriaMetricsCounter() *vm.Counter {
	return vm.NewSet().NewCounter("bench_events_total")
}

func newOTelCounter(b *testing.B) otelmetric.Int64Counter {
	c, err := newOTelMeter(b).Int64Counter("bench.events")
	if err != nil {
		b.Fatal(err)
	}
	return c
}
