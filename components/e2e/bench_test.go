package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/components/source/bufferedstorage"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// The benchmarks measure throughput with stats recorded; run them again
// with -tags cdpstats_off to compile every recording call out, and compare:
//
//	go test ./components/e2e -run '^$' -bench . -count 6 > on.txt
//	go test ./components/e2e -run '^$' -bench . -count 6 -tags cdpstats_off > off.txt
//	benchstat on.txt off.txt

// discard is the end of a benchmark pipeline.
var discard = processorFunc(func(context.Context, cdp.Message) error { return nil })

// pubnetCopies returns n copies of pubnet ledger 58752000 renumbered to
// consecutive sequences from 58752000, so that a datastore can hold a run
// of them. Only the header's sequence changes; the transactions are real.
func pubnetCopies(b *testing.B, n int) []xdr.LedgerCloseMeta {
	out := make([]xdr.LedgerCloseMeta, n)
	for i := range out {
		lcm, err := ledgers.Pubnet() // a fresh decode: copies share nothing
		require.NoError(b, err)
		lcm.V1.LedgerHeader.Header.LedgerSeq = xdr.Uint32(ledgers.PubnetSequence + uint32(i))
		out[i] = lcm
	}
	return out
}

// BenchmarkPipeline runs source → FilterPayments → ContractEvent over a
// filesystem datastore of 32 copies of the real pubnet ledger.
func BenchmarkPipeline(b *testing.B) {
	const n = 32
	dir := ledgers.NewDatastore(b, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, pubnetCopies(b, n)...)
	cfg := map[string]interface{}{
		"path": dir, "start_ledger": int(ledgers.PubnetSequence), "end_ledger": int(ledgers.PubnetSequence + n - 1),
		"buffer_size": 16, "num_workers": 4,
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src, err := bufferedstorage.New(cfg)
		require.NoError(b, err)
		fp, err := filterpayments.New(nil)
		require.NoError(b, err)
		ce, err := contractevent.New(nil)
		require.NoError(b, err)
		src.Subscribe(fp)
		fp.Subscribe(ce)
		ce.Subscribe(discard)
		require.NoError(b, src.Run(context.Background()))
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "ledgers/s")
}

// BenchmarkProcessors runs FilterPayments → ContractEvent on the real
// pubnet ledger in memory: the part of the pipeline that stats instrument
// most densely, without the datastore's reading and decoding.
func BenchmarkProcessors(b *testing.B) {
	lcm, err := ledgers.Pubnet()
	require.NoError(b, err)
	fp, err := filterpayments.New(nil)
	require.NoError(b, err)
	ce, err := contractevent.New(nil)
	require.NoError(b, err)
	fp.Subscribe(ce)
	ce.Subscribe(discard)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// A fresh message, as the source sends: a message keeps the
		// transactions read from it.
		if err := fp.Process(ctx, ledgerMessage(lcm, ledgers.PubnetPassphrase)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ledgers/s")
}

// BenchmarkPostgresRows writes payments into a real PostgreSQL, by batch
// size. Every iteration writes 10000 new rows, a whole number of batches,
// so no row waits for the interval or Close.
func BenchmarkPostgresRows(b *testing.B) {
	const rows = 10000
	s := pgtest.Shared(b)
	closedAt := time.Date(2025, 9, 3, 0, 10, 28, 0, time.UTC)
	from, to := addr(alice), addr(bobMux)
	for _, batchSize := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("batch_size=%d", batchSize), func(b *testing.B) {
			db := s.CreateDatabase(b)
			c := startPostgres(b, map[string]interface{}{"dsn": s.DSN(db), "batch_size": batchSize, "flush_interval": "1h"}, cdp.Env{})
			defer c.Close()
			ctx := context.Background()
			msgs := make([]cdp.Message, rows)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				for r := range msgs {
					msgs[r] = cdp.Message{Payload: filterpayments.Payment{
						LedgerSequence: uint32(i), ClosedAt: closedAt,
						TransactionHash: fmt.Sprintf("%016x%048x", i, r), OperationIndex: uint32(r % 100),
						OperationType: filterpayments.OpPayment, From: from, To: to, Asset: "native",
						Amount: fmt.Sprintf("%d.%07d", r, i%10_000_000),
					}}
				}
				b.StartTimer()
				for _, m := range msgs {
					if err := c.Process(ctx, m); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
