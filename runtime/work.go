package runtime

// RecordingWork counts the work that recording stats did in a process:
// the calls of each kind of recording operation of the primitives. A
// build with -tags cdpstats_count counts it, for tests that bound the
// stats work of a pipeline per ledger deterministically (the count of
// operations does not depend on the machine's load, as their time does);
// every other build counts nothing, at no cost. [RecordedWork] returns the
// totals so far; subtract two of them to get the work in between.
type RecordingWork struct {
	// CounterAdds counts Counter.Inc and Counter.Add calls: one atomic
	// add to an 8-byte word each.
	CounterAdds uint64
	// GaugeWrites counts Gauge.Set and Gauge.Add calls: one atomic
	// store or add to an 8-byte word each.
	GaugeWrites uint64
	// TimestampWrites counts Timestamp.Mark and Timestamp.Set calls: one
	// atomic store to an 8-byte word each (Mark also reads the clock, in
	// ClockReads).
	TimestampWrites uint64
	// HistogramRecords counts the values recorded in histograms, by
	// Histogram.Record, Observe and ObserveSince and Stopwatch.Stop:
	// two atomic read-modify-writes of 8-byte words each (the bucket and
	// the sum), plus loads, and rarely an update of the maximum, of the
	// bitmap of used groups or of a span's dirty bit, which are not
	// counted.
	HistogramRecords uint64
	// ClockReads counts the time.Now calls of the primitives:
	// Timestamp.Mark, Histogram.ObserveSince and Histogram.Start.
	ClockReads uint64
}

// Sub returns the work done between before and w.
func (w RecordingWork) Sub(before RecordingWork) RecordingWork {
	return RecordingWork{
		CounterAdds:      w.CounterAdds - before.CounterAdds,
		GaugeWrites:      w.GaugeWrites - before.GaugeWrites,
		TimestampWrites:  w.TimestampWrites - before.TimestampWrites,
		HistogramRecords: w.HistogramRecords - before.HistogramRecords,
		ClockReads:       w.ClockReads - before.ClockReads,
	}
}

// histogramAtomics is the number of atomic read-modify-writes that one
// recorded value costs a histogram (see [Histogram.Record]).
const histogramAtomics = 2

// Atomics returns the number of atomic writes of w: the locked
// instructions that recording executed.
func (w RecordingWork) Atomics() uint64 {
	return w.CounterAdds + w.GaugeWrites + w.TimestampWrites + histogramAtomics*w.HistogramRecords
}

// Bytes returns the number of bytes that the atomic writes of w wrote:
// eight for each.
func (w RecordingWork) Bytes() uint64 {
	return 8 * w.Atomics()
}

// workOp is one kind of recording operation that RecordingWork counts.
type workOp int

const (
	opCounterAdd workOp = iota
	opGaugeWrite
	opTimestampWrite
	opHistogramRecord
	opClockRead
	numWorkOps
)
