package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxRelativeError is the histogram's promised quantile accuracy.
const maxRelativeError = 0.005

func TestBucketIndexCoversEveryValue(t *testing.T) {
	values := []uint64{0, 1, 127, 128, 129, 255, 256, 1000, 1 << 20, 123456789, 1 << 40, math.MaxUint64 - 1, math.MaxUint64}
	for _, v := range values {
		i := bucketIndex(v)
		require.GreaterOrEqual(t, i, 0, "value %d", v)
		require.Less(t, i, numBuckets, "value %d", v)
		mid := bucketMidpoint(i)
		if v < subBuckets {
			assert.Equal(t, v, mid, "linear range is exact")
			continue
		}
		rel := math.Abs(float64(mid)-float64(v)) / float64(v)
		assert.LessOrEqual(t, rel, 1.0/(2*subBuckets), "value %d midpoint %d", v, mid)
	}
}

func TestBucketIndexIsMonotonic(t *testing.T) {
	prev := -1
	for v := uint64(0); v < 1<<16; v++ {
		i := bucketIndex(v)
		require.GreaterOrEqual(t, i, prev, "value %d", v)
		prev = i
	}
}

func TestHistogramEmpty(t *testing.T) {
	var h Histogram
	assert.Equal(t, LatencySummary{}, h.Summary())
	assert.Zero(t, h.Summary().Avg())
}

func TestHistogramExactCountSumMax(t *testing.T) {
	requireRecording(t)
	var h Histogram
	h.Observe(-time.Second) // counts as 0
	h.Observe(3 * time.Millisecond)
	h.Observe(time.Millisecond)
	h.Observe(2 * time.Millisecond)
	s := h.Summary()
	assert.Equal(t, uint64(4), s.Count)
	assert.Equal(t, 6*time.Millisecond, s.Sum)
	assert.Equal(t, 3*time.Millisecond, s.Max)
	assert.Equal(t, 1500*time.Microsecond, s.Avg())
	assert.InEpsilon(t, float64(time.Millisecond), float64(s.P50), maxRelativeError, "p50: the 2nd of 4 sorted values")
	assert.InEpsilon(t, float64(3*time.Millisecond), float64(s.P90), maxRelativeError, "p90: the 4th of 4 sorted values")
}

func TestHistogramQuantileAccuracyLogNormal(t *testing.T) {
	requireRecording(t)
	const n = 1_000_000
	rng := rand.New(rand.NewPCG(1, 2))
	samples := make([]uint64, n)
	var h Histogram
	for i := range samples {
		// Median 1 ms, sigma 1.5: spans microseconds to seconds.
		v := uint64(math.Exp(math.Log(1e6) + 1.5*rng.NormFloat64()))
		samples[i] = v
		h.Record(v)
	}
	slices.Sort(samples)
	s := h.Summary()
	require.Equal(t, uint64(n), s.Count)
	assert.Equal(t, time.Duration(samples[n-1]), s.Max)

	for _, tc := range []struct {
		q   float64
		got time.Duration
	}{{0.5, s.P50}, {0.9, s.P90}, {0.99, s.P99}, {0.999, s.P999}} {
		exact := float64(samples[quantileRank(tc.q, n)-1])
		rel := math.Abs(float64(tc.got)-exact) / exact
		assert.LessOrEqual(t, rel, maxRelativeError, "q%v: got %v, exact %v", tc.q, tc.got, time.Duration(exact))
	}
}

func TestHistogramMerge(t *testing.T) {
	requireRecording(t)
	var a, b, both Histogram
	for i := 1; i <= 1000; i++ {
		d := time.Duration(i) * time.Microsecond
		if i%3 == 0 {
			a.Observe(d)
		} else {
			b.Observe(d)
		}
		both.Observe(d)
	}
	a.Merge(&b)
	assert.Equal(t, both.Summary(), a.Summary())
}

// TestHistogramConcurrentWritersWhileReading has writers record while
// readers take turns summarizing, which never stops the writers, and
// checks that the last summary is exact.
func TestHistogramConcurrentWritersWhileReading(t *testing.T) {
	requireRecording(t)
	const perG = 20_000
	for _, tt := range []struct{ writers, readers int }{{8, 1}, {4, 3}} {
		t.Run(fmt.Sprintf("%d writers, %d readers", tt.writers, tt.readers), func(t *testing.T) {
			var (
				h       Histogram
				writing sync.WaitGroup
				reading sync.WaitGroup
				done    = make(chan struct{})
			)
			for range tt.readers {
				reading.Add(1)
				go func() {
					defer reading.Done()
					var last uint64
					for {
						select {
						case <-done:
							return
						default:
						}
						s := h.Summary()
						assert.GreaterOrEqual(t, s.Count, last, "a count never goes back")
						assert.False(t, s.Count > 0 && s.P50 > s.Max, "p50 above max")
						last = s.Count
					}
				}()
			}
			for g := range tt.writers {
				writing.Add(1)
				go func() {
					defer writing.Done()
					for i := range perG {
						h.Record(uint64(g*perG+i) * 997)
					}
				}()
			}
			writing.Wait()
			close(done)
			reading.Wait()
			total := uint64(tt.writers * perG)
			s := h.Summary()
			assert.Equal(t, total, s.Count)
			assert.Equal(t, time.Duration(997*total*(total-1)/2), s.Sum)
			assert.Equal(t, time.Duration(997*(total-1)), s.Max)
		})
	}
}

func TestSummaryAllocatesNothing(t *testing.T) {
	var h Histogram
	for i := 0; i < 1000; i++ {
		h.Observe(time.Duration(i) * time.Millisecond)
	}
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = h.Summary() }))
}

// naiveSummary is the full-scan algorithm the span skipping replaced: it
// reads every bucket, so it is the reference for Summary.
func naiveSummary(h *Histogram) LatencySummary {
	groups := h.groups.Load()
	var count uint64
	for g := 0; g < bucketGroups; g++ {
		if groups&(1<<uint(g)) == 0 {
			continue
		}
		for i := g << subBucketBits; i < (g+1)<<subBucketBits; i++ {
			count += h.buckets[i].Load()
		}
	}
	if count == 0 {
		return LatencySummary{}
	}
	s := LatencySummary{Count: count, Sum: time.Duration(h.sum.Load()), Max: time.Duration(h.max.Load())}
	var out [4]uint64
	next, cum := 0, uint64(0)
	for i := 0; i < numBuckets && next < 4; i++ {
		cum += h.buckets[i].Load()
		for next < 4 && cum >= quantileRank(summaryQuantiles[next], count) {
			out[next] = min(bucketMidpoint(i), uint64(s.Max))
			next++
		}
	}
	s.P50, s.P90, s.P99, s.P999 = time.Duration(out[0]), time.Duration(out[1]), time.Duration(out[2]), time.Duration(out[3])
	return s
}

func TestSummaryMatchesFullScan(t *testing.T) {
	requireRecording(t)
	rng := rand.New(rand.NewPCG(7, 9))
	for trial := 0; trial < 1000; trial++ {
		var h Histogram
		n := 1 + rng.IntN(3000)
		if trial%5 == 0 {
			n = 1 + rng.IntN(5)
		}
		median, sigma := math.Exp(rng.Float64()*25), rng.Float64()*3
		for i := 0; i < n; i++ {
			v := uint64(math.Exp(math.Log(median) + sigma*rng.NormFloat64()))
			if trial%7 == 0 {
				v = uint64(rng.IntN(300))
			}
			h.Record(v)
		}
		want := naiveSummary(&h)
		require.Equal(t, want, h.Summary(), "trial %d", trial)
		var merged Histogram
		merged.Merge(&h)
		require.Equal(t, want, merged.Summary(), "merge, trial %d", trial)
	}
}

// TestSummaryBetweenWritesMatchesFullScan interleaves writes and
// summaries, so that each summary totals again only the spans written
// since the one before, and checks every summary against the full scan.
func TestSummaryBetweenWritesMatchesFullScan(t *testing.T) {
	requireRecording(t)
	rng := rand.New(rand.NewPCG(11, 13))
	for trial := 0; trial < 200; trial++ {
		var h Histogram
		median, sigma := math.Exp(rng.Float64()*20), rng.Float64()*2
		for round := 0; round < 10; round++ {
			for i := rng.IntN(200); i > 0; i-- {
				h.Record(uint64(math.Exp(math.Log(median) + sigma*rng.NormFloat64())))
			}
			require.Equal(t, naiveSummary(&h), h.Summary(), "trial %d, round %d", trial, round)
		}
	}
}

// pointWriters turns the stripes of h on and points every writer slot k
// at shard(k), as if the writers had moved there.
func pointWriters(h *Histogram, shard func(k, n uint32) uint32) {
	h.move(0)
	st := h.stripes.Load()
	for k := range st.slots {
		st.slots[k].Store(shard(uint32(k), st.n))
	}
}

// toShard1 points every writer at shard 1.
func toShard1(_, _ uint32) uint32 { return 1 }

// spread points the writers of slot k at shard k mod n.
func spread(k, n uint32) uint32 { return k % n }

// stripedShards returns how many shards h has: 1 until writers moved.
func stripedShards(h *Histogram) int {
	var shards [maxStripes]*Histogram
	return h.shardsOf(&shards)
}

func TestHistogramStripesKeepExactValues(t *testing.T) {
	requireRecording(t)
	var h, want Histogram
	for i := uint64(1); i <= 1000; i++ {
		h.Record(i * 1000)
		want.Record(i * 1000)
	}
	require.Equal(t, 1, stripedShards(&h), "one writer: no stripes")

	// As if another goroutine had been writing shard 0 at the same time,
	// this one moves to shard 1.
	pointWriters(&h, toShard1)
	for i := uint64(1); i <= 1000; i++ {
		h.Record(i * 7)
		want.Record(i * 7)
	}
	require.Equal(t, 2, stripedShards(&h))
	assert.Equal(t, want.Summary(), h.Summary())
	assert.Equal(t, naiveSummary(&want), h.Summary(), "the merged shards read like a full scan")

	var merged Histogram
	merged.Merge(&h)
	assert.Equal(t, want.Summary(), merged.Summary(), "Merge reads every shard")

	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = h.Summary() }), "a striped summary allocates nothing")
}

func TestHistogramConcurrentWritersOnStripes(t *testing.T) {
	requireRecording(t)
	tests := []struct {
		name    string
		striped bool
	}{
		{"stripes turned on by switches of writer", false},
		{"stripes on from the start", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const goroutines, perG = 8, 20_000
			var (
				h     Histogram
				wg    sync.WaitGroup
				start = make(chan struct{})
			)
			if tt.striped {
				pointWriters(&h, spread)
			}
			for g := 0; g < goroutines; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for i := 0; i < perG; i++ {
						h.Record(uint64(g*perG + i))
					}
				}()
			}
			close(start)
			for range 100 { // readers never stop the writers
				s := h.Summary()
				require.LessOrEqual(t, s.P50, s.Max)
			}
			wg.Wait()

			const total = goroutines * perG
			s := h.Summary()
			assert.Equal(t, uint64(total), s.Count)
			assert.Equal(t, time.Duration(total*(total-1)/2), s.Sum)
			assert.Equal(t, time.Duration(total-1), s.Max)
			var merged Histogram
			merged.Merge(&h)
			assert.Equal(t, s, merged.Summary(), "merge of the shards")
			assert.Equal(t, naiveSummary(&merged), s, "quantiles of the shards")
		})
	}
}

// TestHistogramQuantileErrorProperty checks the accuracy promise over
// random distributions, with the observations spread over stripes.
func TestHistogramQuantileErrorProperty(t *testing.T) {
	requireRecording(t)
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := 0; trial < 200; trial++ {
		var h Histogram
		n := 1 + rng.IntN(20_000)
		median, sigma := math.Exp(rng.Float64()*30), rng.Float64()*3
		samples := make([]uint64, n)
		var sum uint64
		for i := range samples {
			if i == n/2 {
				pointWriters(&h, toShard1) // the rest lands in shard 1
			}
			v := uint64(math.Exp(math.Log(median) + sigma*rng.NormFloat64()))
			samples[i] = v
			sum += v
			h.Record(v)
		}
		slices.Sort(samples)
		s := h.Summary()
		require.Equal(t, uint64(n), s.Count, "trial %d", trial)
		require.Equal(t, time.Duration(sum), s.Sum, "trial %d", trial)
		require.Equal(t, time.Duration(samples[n-1]), s.Max, "trial %d", trial)
		for _, tc := range []struct {
			q   float64
			got time.Duration
		}{{0.5, s.P50}, {0.9, s.P90}, {0.99, s.P99}, {0.999, s.P999}} {
			exact := float64(samples[quantileRank(tc.q, uint64(n))-1])
			if exact == 0 {
				assert.Zero(t, tc.got, "trial %d q%v", trial, tc.q)
				continue
			}
			rel := math.Abs(float64(tc.got)-exact) / exact
			assert.LessOrEqual(t, rel, maxRelativeError, "trial %d q%v: got %v, exact %v", trial, tc.q, tc.got, exact)
		}
	}
}

func TestStackIDSpreadsGoroutinesOverSlots(t *testing.T) {
	// Not every pair of goroutines gets its own slot, but many goroutines
	// spread over several; one slot for all would serialise the stripes.
	const goroutines = 16
	slots := make(chan uint32, goroutines)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- slotOf(stackID())
		}()
	}
	wg.Wait()
	close(slots)
	seen := map[uint32]bool{}
	for s := range slots {
		require.Less(t, s, uint32(stripeSlots))
		seen[s] = true
	}
	assert.Greater(t, len(seen), 1)
}

// TestHistogramMemory guards the sizes docs/benchmarks.md states: a
// Histogram and each of its stripes are under 60 KiB, and the stripes'
// own state (1,160 bytes) is under 1.5 KiB.
func TestHistogramMemory(t *testing.T) {
	assert.LessOrEqual(t, unsafe.Sizeof(Histogram{}), uintptr(60<<10))
	assert.LessOrEqual(t, unsafe.Sizeof(histStripes{}), uintptr(1536))
	var h Histogram
	assert.Equal(t, uintptr(cacheLine), unsafe.Offsetof(h.groups),
		"the stripes pointer, read by every writer, has the first cache line to itself")
}

func TestHistogramWritersTakingTurnsMove(t *testing.T) {
	const a, b = uintptr(1), uintptr(2)
	require.NotEqual(t, slotOf(a), slotOf(b), "the test needs two slots")
	var h Histogram
	for i := range switchesToMove - 1 {
		h.switched(&h, []uintptr{a, b}[i%2])
	}
	require.Nil(t, h.stripes.Load(), "fewer than switchesToMove switches")
	h.switched(&h, b)
	st := h.stripes.Load()
	require.NotNil(t, st, "the last switch turns the stripes on")
	assert.Equal(t, uint32(0), st.slots[slotOf(a)].Load(), "a stays on shard 0")
	assert.Equal(t, uint32(1), st.slots[slotOf(b)].Load(), "b moves to shard 1")
}
