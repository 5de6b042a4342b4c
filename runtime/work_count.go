//go:build cdpstats_count

package runtime

import "sync/atomic"

// Counting reports whether this build counts the recording work
// ([RecordedWork]); this one has -tags cdpstats_count, so it does.
const Counting = true

// work holds the process's counts of recording operations, by workOp.
// It only grows: readers subtract two totals, never reset it.
var work [numWorkOps]atomic.Uint64

// count counts one recording operation.
func count(op workOp) { work[op].Add(1) }

// RecordedWork returns the recording work of the process so far.
func RecordedWork() RecordingWork {
	return RecordingWork{
		CounterAdds:      work[opCounterAdd].Load(),
		GaugeWrites:      work[opGaugeWrite].Load(),
		TimestampWrites:  work[opTimestampWrite].Load(),
		HistogramRecords: work[opHistogramRecord].Load(),
		ClockReads:       work[opClockRead].Load(),
	}
}
