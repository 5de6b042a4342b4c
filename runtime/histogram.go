package runtime

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// The histogram's bucket layout is log-linear, like HdrHistogram with a
// fixed precision: values below 2^subBucketBits have a bucket each, and
// every power-of-two range above is split into 2^subBucketBits equal
// buckets. A bucket's midpoint is then within 1/2^(subBucketBits+1) of any
// value in it: 0.39% for 7 bits, inside the 0.5% the quantiles promise.
const (
	subBucketBits = 7
	subBuckets    = 1 << subBucketBits
	// bucketGroups covers every uint64: group 0 is the linear range
	// [0, 2^7), and group g >= 1 is [2^(g+6), 2^(g+7)).
	bucketGroups = 64 - subBucketBits + 1
	numBuckets   = bucketGroups * subBuckets
)

// Histogram is a lock-free latency histogram with log-linear buckets.
//
// Observe costs two uncontended atomic adds and allocates nothing. Count,
// sum and max are exact; quantiles are within 0.5% of the exact sorted
// quantile. Readers never stop writers. The zero value is ready to use.
// A Histogram is about 60 KiB, so embed it in long-lived structs rather
// than creating one per operation.
type Histogram struct {
	// groups has bit g set once any bucket of group g has a count, so that
	// readers scan only the ranges that were ever used.
	groups  atomic.Uint64
	sum     atomic.Uint64
	max     atomic.Uint64
	buckets [numBuckets]atomic.Uint64
}

// bucketIndex returns the bucket that holds v.
func bucketIndex(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	exp := bits.Len64(v) - 1 // >= subBucketBits
	shift := exp - subBucketBits
	group := shift + 1
	sub := int(v>>uint(shift)) - subBuckets
	return group<<subBucketBits | sub
}

// bucketMidpoint returns the value that represents bucket i: the value
// itself in the linear range, the middle of the bucket above it.
func bucketMidpoint(i int) uint64 {
	group := i >> subBucketBits
	sub := uint64(i & (subBuckets - 1))
	if group == 0 {
		return sub
	}
	shift := uint(group - 1)
	lower := (subBuckets + sub) << shift
	return lower + (uint64(1)<<shift)/2
}

// Observe records one duration. Negative durations count as 0.
func (h *Histogram) Observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.Record(uint64(d))
}

// ObserveSince records the time elapsed since start.
func (h *Histogram) ObserveSince(start time.Time) {
	if Enabled {
		h.Observe(time.Since(start))
	}
}

// Record records one value in nanoseconds.
func (h *Histogram) Record(v uint64) {
	if !Enabled {
		return
	}
	i := bucketIndex(v)
	h.buckets[i].Add(1)
	h.sum.Add(v)
	if bit := uint64(1) << uint(i>>subBucketBits); h.groups.Load()&bit == 0 {
		h.groups.Or(bit)
	}
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// Merge adds every observation of other into h. other may be written to
// while it is merged; observations that race with Merge may or may not be
// included.
func (h *Histogram) Merge(other *Histogram) {
	groups := other.groups.Load()
	for g := 0; groups != 0; g++ {
		if groups&1 != 0 {
			for i := g << subBucketBits; i < (g+1)<<subBucketBits; i++ {
				if n := other.buckets[i].Load(); n != 0 {
					h.buckets[i].Add(n)
				}
			}
			h.groups.Or(uint64(1) << uint(g))
		}
		groups >>= 1
	}
	h.sum.Add(other.sum.Load())
	m := other.max.Load()
	for {
		cur := h.max.Load()
		if m <= cur || h.max.CompareAndSwap(cur, m) {
			return
		}
	}
}

// LatencySummary is what the stats of a latency annotation report.
type LatencySummary struct {
	Count               uint64
	Sum, Max            time.Duration
	P50, P90, P99, P999 time.Duration
}

// Avg returns the mean, or 0 when there are no observations.
func (s LatencySummary) Avg() time.Duration {
	if s.Count == 0 {
		return 0
	}
	return time.Duration(uint64(s.Sum) / s.Count)
}

// summaryQuantiles are the quantiles a LatencySummary holds, in order.
var summaryQuantiles = [4]float64{0.5, 0.9, 0.99, 0.999}

// Summary reads count, sum, max and the p50/p90/p99/p999 quantiles
// without stopping writers. It allocates nothing.
func (h *Histogram) Summary() LatencySummary {
	groups := h.groups.Load()
	var count uint64
	h.eachBucket(groups, func(_ int, n uint64) bool {
		count += n
		return true
	})
	s := LatencySummary{Count: count, Sum: time.Duration(h.sum.Load()), Max: time.Duration(h.max.Load())}
	if count == 0 {
		return LatencySummary{}
	}
	var ranks [len(summaryQuantiles)]uint64
	for i, q := range summaryQuantiles {
		ranks[i] = quantileRank(q, count)
	}
	var out [len(summaryQuantiles)]uint64
	next, cum := 0, uint64(0)
	// Counts only grow, so the ranks of the first pass are always reached
	// in the second even when writers race with it.
	h.eachBucket(groups, func(i int, n uint64) bool {
		cum += n
		for next < len(ranks) && cum >= ranks[next] {
			out[next] = min(bucketMidpoint(i), uint64(s.Max))
			next++
		}
		return next < len(ranks)
	})
	s.P50, s.P90, s.P99, s.P999 = time.Duration(out[0]), time.Duration(out[1]), time.Duration(out[2]), time.Duration(out[3])
	return s
}

// quantileRank returns the 1-based rank of quantile q among count values,
// the "nearest rank" definition: sorted[rank-1] is the exact quantile.
func quantileRank(q float64, count uint64) uint64 {
	r := uint64(q * float64(count))
	if float64(r) < q*float64(count) {
		r++
	}
	return max(r, 1)
}

// eachBucket calls fn for every non-empty bucket of the groups in mask, in
// increasing order, until fn returns false.
func (h *Histogram) eachBucket(mask uint64, fn func(i int, n uint64) bool) {
	for mask != 0 {
		g := bits.TrailingZeros64(mask)
		mask &^= uint64(1) << uint(g)
		for i := g << subBucketBits; i < (g+1)<<subBucketBits; i++ {
			if n := h.buckets[i].Load(); n != 0 && !fn(i, n) {
				return
			}
		}
	}
}

// WriteSummary writes the flat values of a latency stat into dst, in the
// order of [LatencyKeySuffixes]: count, average, p50, p90, p99 and max,
// the durations in milliseconds. dst must have at least 6 elements.
func (h *Histogram) WriteSummary(dst []float64) {
	s := h.Summary()
	_ = dst[5]
	dst[0] = float64(s.Count)
	dst[1] = millis(s.Avg())
	dst[2] = millis(s.P50)
	dst[3] = millis(s.P90)
	dst[4] = millis(s.P99)
	dst[5] = millis(s.Max)
}

func millis(d time.Duration) float64 { return float64(d) / 1e6 }
