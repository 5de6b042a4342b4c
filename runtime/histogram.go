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

	// Buckets are also counted in spans of 2^spanBits consecutive buckets,
	// so that a reader finds the bucket of a quantile by skipping whole
	// spans and scanning one, instead of reading every bucket: a summary
	// of a histogram spread over many groups reads a few hundred words,
	// not thousands. 32 buckets a span balances the span reads against
	// the bucket reads for quantiles in one to four spans.
	spanBits     = 5
	spanBuckets  = 1 << spanBits
	numSpans     = numBuckets / spanBuckets
	spansInGroup = subBuckets / spanBuckets
)

// Histogram is a lock-free latency histogram with log-linear buckets.
//
// Observe costs three uncontended atomic adds and allocates nothing.
// Count, sum and max are exact; quantiles are within 0.5% of the exact
// sorted quantile. Readers never stop writers. The zero value is ready to
// use. A Histogram is about 60 KiB, so embed it in long-lived structs
// rather than creating one per operation.
type Histogram struct {
	// groups has bit g set once any bucket of group g has a count, so that
	// readers scan only the ranges that were ever used.
	groups atomic.Uint64
	sum    atomic.Uint64
	max    atomic.Uint64
	// spans[s] is the total of buckets[s*spanBuckets:(s+1)*spanBuckets].
	// A writer adds to the bucket before the span and a reader loads the
	// span before the buckets, so a span never reads more than its
	// buckets add up to.
	spans   [numSpans]atomic.Uint64
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
	h.spans[i>>spanBits].Add(1)
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
					h.spans[i>>spanBits].Add(n)
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
	for mask := groups; mask != 0; mask &= mask - 1 {
		first := bits.TrailingZeros64(mask) * spansInGroup
		for span := first; span < first+spansInGroup; span++ {
			count += h.spans[span].Load()
		}
	}
	if count == 0 {
		return LatencySummary{}
	}
	s := LatencySummary{Count: count, Sum: time.Duration(h.sum.Load()), Max: time.Duration(h.max.Load())}
	var ranks [len(summaryQuantiles)]uint64
	for i, q := range summaryQuantiles {
		ranks[i] = quantileRank(q, count)
	}
	out := h.quantileBuckets(groups, &ranks)
	for i := range out {
		out[i] = min(out[i], uint64(s.Max))
	}
	s.P50, s.P90, s.P99, s.P999 = time.Duration(out[0]), time.Duration(out[1]), time.Duration(out[2]), time.Duration(out[3])
	return s
}

// quantileBuckets returns the midpoint of the bucket that holds each of
// ranks, which are increasing and at most the count of the groups in
// mask. It skips every span that ends before the next rank and scans the
// buckets of the others only.
//
// Counts only grow, a span's buckets add up to at least what the span
// read, and cum advances by what the spans read, so every rank is reached
// even when writers race with the reader.
func (h *Histogram) quantileBuckets(mask uint64, ranks *[len(summaryQuantiles)]uint64) [len(summaryQuantiles)]uint64 {
	var out [len(summaryQuantiles)]uint64
	next, cum := 0, uint64(0)
	for ; mask != 0; mask &= mask - 1 {
		first := bits.TrailingZeros64(mask) * spansInGroup
		for span := first; span < first+spansInGroup; span++ {
			n := h.spans[span].Load()
			end := cum + n
			if end < ranks[next] {
				cum = end
				continue
			}
			// The buckets add up to at least n, so the ranks up to end
			// are all reached by the span's last bucket; the bound on i
			// keeps the scan inside the span regardless.
			inSpan := cum
			for i := span << spanBits; i < (span+1)<<spanBits && next < len(ranks) && ranks[next] <= end; i++ {
				inSpan += h.buckets[i].Load()
				for next < len(ranks) && inSpan >= ranks[next] {
					out[next] = bucketMidpoint(i)
					next++
				}
			}
			if next == len(ranks) {
				return out
			}
			cum = end
		}
	}
	return out
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
