package bench

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime"
)

// TestContendedHistogramsAgree records the samples from several goroutines
// at once into one cdpstats histogram and one HdrHistogram behind its
// mutex, as BenchmarkHistogramObserveParallel does, and checks that the
// two hold the same count, sum and max and quantiles within their
// accuracies (0.5% and 0.1%) of each other.
func TestContendedHistogramsAgree(t *testing.T) {
	requireRecording(t)
	const goroutines, rounds = 4, 50
	var (
		ours  runtime.Histogram
		hdr   = newLockedHDR()
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range rounds * SampleCount {
				j := (g*SampleCount/goroutines + i) & SampleMask
				ours.Observe(Latencies.Durations[j])
				hdr.Record(Latencies.Nanos[j])
			}
		}()
	}
	close(start)
	wg.Wait()

	s := ours.Summary()
	var sum time.Duration
	for _, d := range Latencies.Durations {
		sum += d
	}
	require.Equal(t, uint64(goroutines*rounds*SampleCount), s.Count)
	assert.Equal(t, int64(s.Count), hdr.h.TotalCount())
	assert.Equal(t, goroutines*rounds*sum, s.Sum)
	assert.Equal(t, slices.Max(Latencies.Durations[:]), s.Max)
	for _, tc := range []struct {
		q   float64
		got time.Duration
	}{{50, s.P50}, {90, s.P90}, {99, s.P99}, {99.9, s.P999}} {
		assert.InEpsilon(t, float64(hdr.h.ValueAtQuantile(tc.q)), float64(tc.got), 0.006, "p%v", tc.q)
	}
}
