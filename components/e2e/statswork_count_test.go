//go:build cdpstats_count

package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime"
)

// unitCostNs is what each recording operation costs, in nanoseconds:
// the medians of BenchmarkRecordingOp (bench/recording_test.go,
// GOMAXPROCS=1) in the run of `make bench-statswork` quoted in
// docs/benchmarks.md ("What stats cost per ledger"), raw output in
// bench/results/statswork-linux-amd64.txt, on a quiet machine. Change
// them only with that table, and with nsPerLedger below from the same
// run.
var unitCostNs = struct {
	counterAdd, gaugeWrite, timestampWrite, histogramRecord, clockRead float64
}{
	counterAdd:      4.73,
	gaugeWrite:      5.17,
	timestampWrite:  4.49,
	histogramRecord: 10.54,
	clockRead:       40.88,
}

// maxShare is the most of a ledger's time that the bound may reach: the
// 2% budget of issue 4 for stats on against stats compiled out.
const maxShare = 0.02

// boundNs prices w at unitCostNs: an upper bound of what recording w
// costs, since each operation is priced at its cost measured alone.
func boundNs(w runtime.RecordingWork) float64 {
	return float64(w.CounterAdds)*unitCostNs.counterAdd +
		float64(w.GaugeWrites)*unitCostNs.gaugeWrite +
		float64(w.TimestampWrites)*unitCostNs.timestampWrite +
		float64(w.HistogramRecords)*unitCostNs.histogramRecord +
		float64(w.ClockReads)*unitCostNs.clockRead
}

// workTimes returns k times the work w.
func workTimes(w runtime.RecordingWork, k uint64) runtime.RecordingWork {
	return runtime.RecordingWork{
		CounterAdds: k * w.CounterAdds, GaugeWrites: k * w.GaugeWrites, TimestampWrites: k * w.TimestampWrites,
		HistogramRecords: k * w.HistogramRecords, ClockReads: k * w.ClockReads,
	}
}

// workPer returns the work w divided by k, rounded down.
func workPer(w runtime.RecordingWork, k uint64) runtime.RecordingWork {
	return runtime.RecordingWork{
		CounterAdds: w.CounterAdds / k, GaugeWrites: w.GaugeWrites / k, TimestampWrites: w.TimestampWrites / k,
		HistogramRecords: w.HistogramRecords / k, ClockReads: w.ClockReads / k,
	}
}

// countWork runs the stats-work pipeline over n ledgers of w and
// returns the recording work of the run.
func countWork(t *testing.T, w workLedgers, dir string, n int) runtime.RecordingWork {
	t.Helper()
	before := runtime.RecordedWork()
	runWorkPipeline(t, w, dir, t.TempDir(), n)
	return runtime.RecordedWork().Sub(before)
}

// TestStatsWorkPerLedger counts the recording work that the stats-work
// pipeline does for one ledger, prices it at the measured unit costs, and
// fails when the count of any operation exceeds its budget, or when the
// bound exceeds maxShare of the pipeline's time per ledger (measured by
// BenchmarkStatsWorkPipeline in the same run as unitCostNs). Counts do
// not depend on the machine's load, so this holds the stats cost to
// account where the on/off benchmarks cannot resolve it.
//
// The work per ledger is the difference between a run of many ledgers
// and a run of few, divided by the difference in ledgers, so that the
// work of starting and closing the pipeline cancels out; the difference
// must divide exactly, or a ledger's work is not what every ledger costs.
//
//	go test -tags cdpstats_count -run StatsWorkPerLedger -v ./components/e2e
func TestStatsWorkPerLedger(t *testing.T) {
	if !runtime.Enabled {
		t.Skip("recording is compiled out by -tags cdpstats_off")
	}
	const few, many = 4, 24
	tests := []struct {
		ledgers workLedgers
		// budget is the most recording work one ledger may cost. Raise
		// it only with a reason, in the same commit as docs/benchmarks.md.
		budget runtime.RecordingWork
		// nsPerLedger is the pipeline's time per ledger measured by
		// BenchmarkStatsWorkPipeline: the bound must stay under
		// maxShare of it.
		nsPerLedger float64
	}{
		{
			// Source 2 counter adds; FilterPayments 2 (found, emitted;
			// none filtered) and 1 for each operation type it found,
			// ContractEvent 4 (events found and emitted, failed
			// transactions, ledgers), each once a ledger
			// (ledgerx.Processor.SettleWith; adds of 0 are skipped);
			// SaveToJSONFile 2 for the ledger that ends its lines; one latency (2 clock reads and
			// a histogram record) in each of the source and the two
			// processors, and the source's Mark.
			ledgers:     syntheticWork,
			budget:      runtime.RecordingWork{CounterAdds: 11, GaugeWrites: 2, TimestampWrites: 1, HistogramRecords: 3, ClockReads: 7},
			nsPerLedger: 55_310,
		},
		{
			// As above, with path payments as well as payments.
			ledgers:     pubnetWork,
			budget:      runtime.RecordingWork{CounterAdds: 13, GaugeWrites: 2, TimestampWrites: 1, HistogramRecords: 3, ClockReads: 7},
			nsPerLedger: 5_241_000,
		},
	}
	for _, tt := range tests {
		t.Run(tt.ledgers.name, func(t *testing.T) {
			dir := tt.ledgers.datastore(t, many)
			small := countWork(t, tt.ledgers, dir, few)
			large := countWork(t, tt.ledgers, dir, many)
			diff := large.Sub(small)
			perLedger := workPer(diff, many-few)
			fixed := small.Sub(workTimes(perLedger, few))
			bound := boundNs(perLedger)
			t.Logf("per ledger: %+v", perLedger)
			t.Logf("per ledger: %d atomic writes, %d bytes written, %d clock reads; bound %.0f ns, %.2f%% of %.0f µs a ledger",
				perLedger.Atomics(), perLedger.Bytes(), perLedger.ClockReads, bound, 100*bound/tt.nsPerLedger, tt.nsPerLedger/1e3)
			t.Logf("per run (start and close): %+v", fixed)

			require.Equal(t, diff, workTimes(perLedger, many-few), "the work of %d more ledgers must be %d times one ledger's", many-few, many-few)
			const over = "%s per ledger over budget: find the new recording work, or raise the budget with a reason and update docs/benchmarks.md"
			assert.LessOrEqual(t, perLedger.CounterAdds, tt.budget.CounterAdds, over, "counter adds")
			assert.LessOrEqual(t, perLedger.GaugeWrites, tt.budget.GaugeWrites, over, "gauge writes")
			assert.LessOrEqual(t, perLedger.TimestampWrites, tt.budget.TimestampWrites, over, "timestamp writes")
			assert.LessOrEqual(t, perLedger.HistogramRecords, tt.budget.HistogramRecords, over, "histogram records")
			assert.LessOrEqual(t, perLedger.ClockReads, tt.budget.ClockReads, over, "clock reads")
			assert.LessOrEqual(t, bound, maxShare*tt.nsPerLedger, "the bound per ledger, against %.0f%% of a ledger's time", 100*maxShare)
			if perLedger != tt.budget {
				t.Logf("under budget: lower the budget to %+v", perLedger)
			}
		})
	}
}
