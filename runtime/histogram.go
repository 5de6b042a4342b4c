package runtime

import (
	"math/bits"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
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

	// Readers keep the totals of spans of 2^spanBits consecutive buckets,
	// so that a summary finds the bucket of a quantile by skipping whole
	// spans and scanning one, instead of reading every bucket. A writer
	// marks the span it wrote dirty, and a reader totals again only the
	// spans marked since it last looked: a summary of a histogram spread
	// over many groups that was written in few spans since the last one
	// reads a few hundred words, not thousands.
	spanBits     = 5
	spanBuckets  = 1 << spanBits
	numSpans     = numBuckets / spanBuckets
	spansInGroup = subBuckets / spanBuckets
	dirtyWords   = (numSpans + 63) / 64
)

// Histogram is a latency histogram with log-linear buckets, lock-free
// for writers.
//
// Observe costs two atomic adds (the bucket and the sum) and a few plain
// loads, and allocates nothing. Count, sum and max are exact; quantiles
// are within 0.5% of the exact sorted quantile. Readers never stop
// writers; readers of one histogram take turns among themselves. The
// zero value is ready to use.
//
// A Histogram is about 60 KiB, so embed it in long-lived structs rather
// than creating one per operation. When goroutines take turns writing it,
// as goroutines on different cores do, it grows stripes: one more 60 KiB
// shard for each such writer, up to one per P and at most 16, so that each
// writer has cache lines of its own; readers merge the shards. See
// [Histogram.Record].
type Histogram struct {
	// stripes is nil until writers took turns on this shard; then it
	// holds the other shards, and this Histogram's own fields are shard 0.
	// Every writer of every shard loads it on every Record, so it has a
	// cache line of its own: next to shard 0's sum or max, each write
	// there would take the line from the other cores, and two cores on
	// shards of their own ran half as fast as two unshared histograms.
	stripes atomic.Pointer[histStripes]
	_       [cacheLine - 8]byte
	// groups has bit g set once any bucket of group g has a count, so that
	// readers scan only the ranges that were ever used.
	groups atomic.Uint64
	sum    atomic.Uint64
	max    atomic.Uint64
	// writer is the stack of the last goroutine that wrote this shard
	// (see stackID), and switches counts how often it changed.
	writer   atomic.Uintptr
	switches atomic.Uint64
	// dirty has bit s%64 of word s/64 set when span s may have buckets
	// that its total in read does not count. A writer adds to the bucket
	// first and then sets the bit unless it is set already, which costs a
	// plain load once a span is dirty; a reader clears the bits before it
	// loads the buckets. So a bucket added before a reader's swap is in
	// that reader's total, and one added after it leaves the bit set for
	// the next reader.
	dirty   [dirtyWords]atomic.Uint64
	buckets [numBuckets]atomic.Uint64
	// read is the readers' state; writers never touch it.
	read spanTotals
}

// spanTotals is what the readers of one shard keep between reads: the
// total of each span's buckets as of the last time a reader totalled it.
type spanTotals struct {
	mu    sync.Mutex
	spans [numSpans]uint64 // guarded by mu
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
		count(opClockRead)
		h.Observe(time.Since(start))
	}
}

// Record records one value in nanoseconds.
//
// A shard remembers the stack of its last writer. A writer that finds
// another stack there notes a switch; every switchesToMove switches of a
// shard, the writer that notes it moves to the next shard (turning the
// stripes on the first time). Goroutines that record at the same time
// switch constantly, so they are on shards of their own within
// microseconds; a single writer only ever pays one more plain load.
func (h *Histogram) Record(v uint64) {
	if !Enabled {
		return
	}
	count(opHistogramRecord)
	me := stackID()
	s := h
	if st := h.stripes.Load(); st != nil {
		s = st.shard(h, st.slots[slotOf(me)].Load())
	}
	if s.writer.Load() != me {
		h.switched(s, me)
	}
	i := bucketIndex(v)
	s.buckets[i].Add(1)
	s.markDirty(i >> spanBits)
	s.sum.Add(v)
	setBit(&s.groups, uint64(1)<<uint(i>>subBucketBits))
	raiseMax(&s.max, v)
}

// markDirty marks span dirty, after a write to one of its buckets.
func (h *Histogram) markDirty(span int) {
	setBit(&h.dirty[span>>6], uint64(1)<<uint(span&63))
}

// setBit sets bit in w. Once it is set, as it is for all but the first
// writes, that costs a plain load rather than a locked instruction.
func setBit(w *atomic.Uint64, bit uint64) {
	if w.Load()&bit == 0 {
		w.Or(bit)
	}
}

// totalSpans brings the span totals of shard h up to date: it clears the
// dirty bits and totals again the buckets of every span they marked. The
// caller holds h.read.mu.
func (h *Histogram) totalSpans() {
	for w := range h.dirty {
		if h.dirty[w].Load() == 0 {
			continue
		}
		for marked := h.dirty[w].Swap(0); marked != 0; marked &= marked - 1 {
			span := w<<6 | bits.TrailingZeros64(marked)
			var n uint64
			for i := span << spanBits; i < (span+1)<<spanBits; i++ {
				n += h.buckets[i].Load()
			}
			h.read.spans[span] = n
		}
	}
}

// lockRead takes the readers' lock of every shard, in order, and brings
// their span totals up to date; unlockRead releases them.
func lockRead(shards []*Histogram) {
	for _, s := range shards {
		s.read.mu.Lock()
		s.totalSpans()
	}
}

func unlockRead(shards []*Histogram) {
	for _, s := range shards {
		s.read.mu.Unlock()
	}
}

// raiseMax sets m to v when v is larger, without a lock.
func raiseMax(m *atomic.Uint64, v uint64) {
	for {
		cur := m.Load()
		if v <= cur || m.CompareAndSwap(cur, v) {
			return
		}
	}
}

// switchesToMove is how many changes of writer a shard sees before the
// writer that notes the last one moves to another shard. Goroutines that
// really write at the same time reach it within microseconds; goroutines
// that hand a histogram over now and then take long to, and then cost one
// more shard, not more time.
const switchesToMove = 64

// switched records that me writes shard s of h after another goroutine
// did, and moves me to the next shard every switchesToMove switches.
func (h *Histogram) switched(s *Histogram, me uintptr) {
	s.writer.Store(me)
	if s.switches.Add(1)%switchesToMove == 0 {
		h.move(me)
	}
}

// cacheLine is the cache line size of amd64 and most arm64 cores.
const cacheLine = 64

// maxStripes bounds the shards of one Histogram, and so its memory.
const maxStripes = 16

// stripeSlots is the number of writer slots. A writer's slot is a hash of
// its stack (stackID), so goroutines, which have separate stacks, mostly
// have separate slots; each slot holds the shard its writers use.
const (
	stripeSlotBits = 8
	stripeSlots    = 1 << stripeSlotBits
)

// histStripes is the striped state of a contended Histogram.
type histStripes struct {
	// n is the number of shards in use: GOMAXPROCS when the stripes were
	// made, within [2, maxStripes].
	n uint32
	// slots[k] is the shard that writers of slot k record into. It starts
	// at shard 0 and moves to the next shard each time a writer of the
	// slot moves, so writers that run at the same time spread out.
	slots [stripeSlots]atomic.Uint32
	// shards[0] is unused: shard 0 is the Histogram itself. The others
	// are made on first use, so a histogram that two cores write holds
	// two shards, not maxStripes.
	shards [maxStripes]atomic.Pointer[Histogram]
}

// move turns on the stripes of h if they are off and moves the slot of
// the writer me on to the next shard.
func (h *Histogram) move(me uintptr) {
	st := h.stripes.Load()
	if st == nil {
		h.stripes.CompareAndSwap(nil, &histStripes{n: uint32(min(max(goruntime.GOMAXPROCS(0), 2), maxStripes))})
		st = h.stripes.Load()
	}
	slot := &st.slots[slotOf(me)]
	i := slot.Load()
	slot.CompareAndSwap(i, (i+1)%st.n)
}

// shard returns shard i of h, making it on first use.
func (st *histStripes) shard(h *Histogram, i uint32) *Histogram {
	if i == 0 {
		return h
	}
	if s := st.shards[i].Load(); s != nil {
		return s
	}
	st.shards[i].CompareAndSwap(nil, new(Histogram))
	return st.shards[i].Load()
}

// stackID identifies the calling goroutine by its stack: the address of
// a local variable, in units of 2 KiB, the smallest goroutine stack. Go
// gives no cheap per-P or per-goroutine id; a stack address is free to
// take and differs between goroutines that run at the same time. Calls
// from depths of one stack more than 2 KiB apart, or after the stack grew
// and moved, look like another writer, which costs at most a move.
func stackID() uintptr {
	var local byte
	return uintptr(unsafe.Pointer(&local)) >> 11
}

// slotOf returns the writer slot of a stack: the Fibonacci multiplier
// spreads neighbouring stacks over the slots.
func slotOf(id uintptr) uint32 {
	return uint32((uint64(id) * 0x9E3779B97F4A7C15) >> (64 - stripeSlotBits))
}

// shardsOf stores the shards of h in dst and returns how many there are:
// h itself and every stripe made so far.
func (h *Histogram) shardsOf(dst *[maxStripes]*Histogram) int {
	dst[0] = h
	st := h.stripes.Load()
	if st == nil {
		return 1
	}
	n := 1
	for i := 1; i < maxStripes; i++ {
		if s := st.shards[i].Load(); s != nil {
			dst[n] = s
			n++
		}
	}
	return n
}

// Merge adds every observation of other into h. other may be written to
// while it is merged; observations that race with Merge may or may not be
// included.
func (h *Histogram) Merge(other *Histogram) {
	var shards [maxStripes]*Histogram
	for _, o := range shards[:other.shardsOf(&shards)] {
		h.mergeShard(o)
	}
}

// mergeShard adds the observations of one shard of another histogram to
// h's own fields, which are always read as shard 0.
func (h *Histogram) mergeShard(other *Histogram) {
	groups := other.groups.Load()
	for g := 0; groups != 0; g++ {
		if groups&1 != 0 {
			for i := g << subBucketBits; i < (g+1)<<subBucketBits; i++ {
				if n := other.buckets[i].Load(); n != 0 {
					h.buckets[i].Add(n)
					h.markDirty(i >> spanBits)
				}
			}
			h.groups.Or(uint64(1) << uint(g))
		}
		groups >>= 1
	}
	h.sum.Add(other.sum.Load())
	raiseMax(&h.max, other.max.Load())
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
// without stopping writers, merging the stripes of a contended histogram.
// It allocates nothing. Summaries of one histogram take turns.
func (h *Histogram) Summary() LatencySummary {
	var all [maxStripes]*Histogram
	shards := all[:h.shardsOf(&all)]
	lockRead(shards)
	defer unlockRead(shards)
	var groups, sum, maxV uint64
	for _, s := range shards {
		groups |= s.groups.Load()
	}
	var count uint64
	for mask := groups; mask != 0; mask &= mask - 1 {
		first := bits.TrailingZeros64(mask) * spansInGroup
		for span := first; span < first+spansInGroup; span++ {
			for _, s := range shards {
				count += s.read.spans[span]
			}
		}
	}
	if count == 0 {
		return LatencySummary{}
	}
	for _, s := range shards {
		sum += s.sum.Load()
		maxV = max(maxV, s.max.Load())
	}
	s := LatencySummary{Count: count, Sum: time.Duration(sum), Max: time.Duration(maxV)}
	var ranks [len(summaryQuantiles)]uint64
	for i, q := range summaryQuantiles {
		ranks[i] = quantileRank(q, count)
	}
	out := quantileBuckets(shards, groups, &ranks)
	for i := range out {
		out[i] = min(out[i], maxV)
	}
	s.P50, s.P90, s.P99, s.P999 = time.Duration(out[0]), time.Duration(out[1]), time.Duration(out[2]), time.Duration(out[3])
	return s
}

// quantileBuckets returns the midpoint of the bucket that holds each of
// ranks, which are increasing and at most the count of the groups in
// mask over all shards. It skips every span that ends before the next
// rank and scans the buckets of the others only.
//
// The caller holds the readers' lock of every shard (lockRead). Counts
// only grow, a span's buckets add up to at least its total in every
// shard, and cum advances by the totals, so every rank is reached even
// when writers race with the reader.
func quantileBuckets(shards []*Histogram, mask uint64, ranks *[len(summaryQuantiles)]uint64) [len(summaryQuantiles)]uint64 {
	var out [len(summaryQuantiles)]uint64
	next, cum := 0, uint64(0)
	for ; mask != 0; mask &= mask - 1 {
		first := bits.TrailingZeros64(mask) * spansInGroup
		for span := first; span < first+spansInGroup; span++ {
			var n uint64
			for _, s := range shards {
				n += s.read.spans[span]
			}
			end := cum + n
			if end < ranks[next] {
				cum = end
				continue
			}
			// A span's total was taken from its buckets, which only
			// grow, so they add up to at least n and the ranks up to end
			// are all reached by the span's last bucket; the bound on i
			// keeps the scan inside the span regardless.
			inSpan := cum
			for i := span << spanBits; i < (span+1)<<spanBits && next < len(ranks) && ranks[next] <= end; i++ {
				for _, s := range shards {
					inSpan += s.buckets[i].Load()
				}
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
