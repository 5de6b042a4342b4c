package runtime

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestCounter(t *testing.T) {
	requireRecording(t)
	var c Counter
	assert.Zero(t, c.Load())
	c.Inc()
	c.Add(41)
	assert.Equal(t, uint64(42), c.Load())
}

func TestGauge(t *testing.T) {
	requireRecording(t)
	var g Gauge
	g.Set(10)
	g.Add(-15)
	assert.Equal(t, int64(-5), g.Load())
}

func TestTimestamp(t *testing.T) {
	requireRecording(t)
	var ts Timestamp
	assert.True(t, ts.Load().IsZero(), "never set reads as the zero time")
	assert.Zero(t, ts.UnixSeconds(), "never set reads as 0 seconds")

	at := time.Date(2026, 11, 28, 1, 2, 3, 500_000_000, time.UTC)
	ts.Set(at)
	assert.True(t, at.Equal(ts.Load()))
	assert.Equal(t, 1795827723.5, ts.UnixSeconds())

	before := time.Now()
	ts.Mark()
	assert.False(t, ts.Load().Before(before))

	ts.Set(time.Time{})
	assert.Zero(t, ts.UnixSeconds(), "setting the zero time clears it")
}

func TestRatio(t *testing.T) {
	tests := []struct {
		name     string
		num, den uint64
		want     float64
	}{
		{"zero denominator", 5, 0, 0},
		{"both zero", 0, 0, 0},
		{"half", 1, 2, 0.5},
		{"all", 7, 7, 1},
		{"huge", math.MaxUint64, 1, float64(math.MaxUint64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Ratio(tt.num, tt.den)
			assert.Equal(t, tt.want, got)
			assert.False(t, math.IsNaN(got) || math.IsInf(got, 0))
		})
	}
}

func TestFinite(t *testing.T) {
	assert.Equal(t, 0.0, Finite(math.NaN()))
	assert.Equal(t, 0.0, Finite(math.Inf(1)))
	assert.Equal(t, 0.0, Finite(math.Inf(-1)))
	assert.Equal(t, 1.5, Finite(1.5))
}

func TestPrimitivesConcurrentExact(t *testing.T) {
	requireRecording(t)
	const goroutines, perG = 8, 10_000
	var (
		c  Counter
		g  Gauge
		ts Timestamp
		wg sync.WaitGroup
	)
	for i := 0; i < goroutines; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < perG; j++ {
				c.Inc()
				g.Add(1)
				ts.Mark()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, uint64(goroutines*perG), c.Load())
	assert.Equal(t, int64(goroutines*perG), g.Load())
	assert.False(t, ts.Load().IsZero())
}

func TestRecordPathAllocatesNothing(t *testing.T) {
	var (
		c  Counter
		g  Gauge
		ts Timestamp
		h  Histogram
	)
	allocs := testing.AllocsPerRun(1000, func() {
		c.Inc()
		c.Add(2)
		g.Set(3)
		g.Add(-1)
		ts.Mark()
		h.Observe(1234 * time.Microsecond)
		timed(&h)
		sw := h.Start()
		sw.Stop()
	})
	assert.Zero(t, allocs)
}
