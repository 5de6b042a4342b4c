package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/consumer/jsonlines"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/components/source/bufferedstorage"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// The stats-work pipeline is the one issue 12 measured: source →
// FilterPayments → ContractEvent → SaveToJSONFile, over a filesystem
// datastore. BenchmarkStatsWorkPipeline times it; TestStatsWorkPerLedger
// (statswork_count_test.go, -tags cdpstats_count) counts the recording
// work it does per ledger.

// workLedgers describes the ledgers of one stats-work run.
type workLedgers struct {
	name       string
	passphrase string
	first      uint32
	// benchN is the number of ledgers of one BenchmarkStatsWorkPipeline
	// run: about a second of the pipeline's time.
	benchN int
	// build returns ledger first+i.
	build func(tb testing.TB, first uint32, i int) xdr.LedgerCloseMeta
}

// syntheticWork is the synthetic ledger of issue 12: ten transactions of
// two payments each, one failed transaction, and one Soroban transaction
// with two contract events.
var syntheticWork = workLedgers{
	name: "synthetic", passphrase: ledgers.SyntheticPassphrase, first: 1000, benchN: 2000,
	build: func(tb testing.TB, first uint32, i int) xdr.LedgerCloseMeta {
		tb.Helper()
		seq := first + uint32(i)
		txs := make([]ledgers.TxSpec, 0, 12)
		for j := range 10 {
			txs = append(txs, ledgers.TxSpec{Source: alice, Operations: []ledgers.Op{
				ledgers.Payment(nil, bobMux, ledgers.Native(), int64(100_000_000+j)),
				ledgers.Payment(&carlMux, dave, usdc, int64(1+j)),
			}})
		}
		txs = append(txs,
			ledgers.TxSpec{Source: alice, Failed: true, Operations: []ledgers.Op{
				ledgers.Payment(nil, dave, ledgers.Native(), 10_000_000_000),
			}},
			ledgers.TxSpec{Source: erin, Operations: []ledgers.Op{
				ledgers.InvokeContract(mintContract, "mint",
					ledgers.Event(mintContract, xdr.ContractEventTypeContract, ledgers.I128(5),
						ledgers.Symbol("mint"), ledgers.AddressVal(alice)),
					transferEvent(alice, bobMux, 5),
				),
			}},
		)
		lcm, err := ledgers.Build(ledgers.LedgerSpec{
			Sequence:     seq,
			CloseTime:    time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * 5 * time.Second),
			Transactions: txs,
		})
		require.NoError(tb, err)
		return lcm
	},
}

// pubnetWork is the real pubnet ledger 58752000, renumbered to
// consecutive sequences: 159 payments and 18 contract events a ledger.
var pubnetWork = workLedgers{
	name: "pubnet", passphrase: ledgers.PubnetPassphrase, first: ledgers.PubnetSequence, benchN: 64,
	build: func(tb testing.TB, first uint32, i int) xdr.LedgerCloseMeta {
		tb.Helper()
		lcm, err := ledgers.Pubnet() // a fresh decode: copies share nothing
		require.NoError(tb, err)
		lcm.V1.LedgerHeader.Header.LedgerSeq = xdr.Uint32(first + uint32(i))
		return lcm
	},
}

// datastore writes n ledgers of w into a fresh datastore and returns its
// directory.
func (w workLedgers) datastore(tb testing.TB, n int) string {
	tb.Helper()
	lcms := make([]xdr.LedgerCloseMeta, n)
	for i := range lcms {
		lcms[i] = w.build(tb, w.first, i)
	}
	return ledgers.NewDatastore(tb, w.passphrase, ledgers.SingleLedgerFiles, lcms...)
}

// runWorkPipeline runs the stats-work pipeline over the first n ledgers
// of the datastore in dir, with fresh components, writing JSON lines into
// a file in out. The source's retry_wait is an hour, so that its
// watcher, which polls every retry_wait, records nothing during the run:
// all the recording work comes from the ledgers. The consumer starts from
// scratch: a file left in out by an earlier run is replaced, not resumed
// (which would drop every ledger it holds, and write next to nothing).
func runWorkPipeline(tb testing.TB, w workLedgers, dir, out string, n int) {
	tb.Helper()
	src, err := bufferedstorage.New(map[string]interface{}{
		"path": dir, "start_ledger": int(w.first), "end_ledger": int(w.first) + n - 1,
		"buffer_size": 16, "num_workers": 2, "retry_wait": "1h",
	})
	require.NoError(tb, err)
	fp, err := filterpayments.New(nil)
	require.NoError(tb, err)
	ce, err := contractevent.New(nil)
	require.NoError(tb, err)
	sink, err := jsonlines.NewFile(map[string]interface{}{"path": filepath.Join(out, "out.jsonl")})
	require.NoError(tb, err)
	ctx := context.Background()
	require.NoError(tb, sink.Start(ctx, cdp.Env{FromScratch: true}))
	src.Subscribe(fp)
	fp.Subscribe(ce)
	ce.Subscribe(sink)
	require.NoError(tb, src.Run(ctx))
	require.NoError(tb, sink.Close())
}

// TestWorkPipelineRewritesItsOutput checks that every run of
// runWorkPipeline into one directory, as BenchmarkStatsWorkPipeline's
// iterations do, writes its whole output rather than resuming the file of
// the run before.
func TestWorkPipelineRewritesItsOutput(t *testing.T) {
	dir := syntheticWork.datastore(t, 4)
	out := t.TempDir()
	path := filepath.Join(out, "out.jsonl")
	runWorkPipeline(t, syntheticWork, dir, out, 4)
	four, err := os.ReadFile(path)
	require.NoError(t, err)
	runWorkPipeline(t, syntheticWork, dir, out, 2)
	two, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotEmpty(t, two)
	require.Equal(t, 2*len(two), len(four), "the second run holds its 2 ledgers only")
	require.Equal(t, string(four[:len(two)]), string(two))
}

// BenchmarkStatsWorkPipeline times the stats-work pipeline per ledger, on
// the synthetic and the pubnet ledgers: the denominator of the share of a
// ledger's time that TestStatsWorkPerLedger's bound gives the stats.
// Compare it with -tags cdpstats_off for the noisy on/off difference.
func BenchmarkStatsWorkPipeline(b *testing.B) {
	for _, w := range []workLedgers{syntheticWork, pubnetWork} {
		b.Run("ledgers="+w.name, func(b *testing.B) {
			n := w.benchN
			dir := w.datastore(b, n)
			out := b.TempDir()
			b.ReportAllocs()
			for b.Loop() {
				runWorkPipeline(b, w, dir, out, n)
			}
			perLedger := float64(b.Elapsed().Nanoseconds()) / float64(b.N*n)
			b.ReportMetric(perLedger, "ns/ledger")
			b.ReportMetric(1e9/perLedger, "ledgers/s")
		})
	}
}
