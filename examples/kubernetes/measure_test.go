package kubernetes

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// TestMeasureBackfill measures what docs/scale.md reports: ledgers/s of
// one process over synthetic and real ledgers, and the rows/s that N
// processes write into one PostgreSQL. It only logs, and runs only with
// CDP_MEASURE=1:
//
//	CDP_MEASURE=1 go test -run TestMeasureBackfill -v ./examples/kubernetes
func TestMeasureBackfill(t *testing.T) {
	if os.Getenv("CDP_MEASURE") != "1" {
		t.Skip("set CDP_MEASURE=1 to measure")
	}
	bin := buildRunner(t)
	const from = 64

	pg := pgtest.Start(t)
	const ledgerCount, perLedger = 9600, 20
	dir := measureDatastore(t, from, ledgerCount, perLedger)

	t.Run("one process, synthetic ledgers, JSON file", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.jsonl")
		elapsed := timeRunners(t, bin, 1, measureConfig(t, dir, from, from+ledgerCount-1, "FilterPayments", jsonSink(out)))
		t.Logf("%d ledgers, %d lines in %v: %.0f ledgers/s", ledgerCount, lineCount(t, out), elapsed, ledgerCount/elapsed.Seconds())
	})
	t.Run("one process, real pubnet ledger 58752000, JSON file", func(t *testing.T) {
		const n = 200
		dir := realDatastore(t, from, n)
		out := filepath.Join(t.TempDir(), "out.jsonl")
		elapsed := timeRunners(t, bin, 1, measureConfig(t, dir, from, from+n-1, "FilterPayments}, {type: ContractEvent", jsonSink(out)))
		require.Equal(t, n*(159+18), lineCount(t, out))
		t.Logf("%d copies of ledger 58752000 in %v: %.1f ledgers/s", n, elapsed, n/elapsed.Seconds())
	})

	for _, n := range []int{1, 2, 3, 4} {
		t.Run(fmt.Sprintf("%d processes into PostgreSQL", n), func(t *testing.T) {
			db := pg.CreateDatabase(t)
			sink := fmt.Sprintf("{type: SaveToPostgreSQL, config: {dsn: %q, batch_size: 500, flush_interval: 1s, max_conns: 2}}", pg.DSN(db))
			elapsed := timeRunners(t, bin, n, measureConfig(t, dir, from, from+ledgerCount-1, "FilterPayments", sink))
			conn, err := pgx.Connect(t.Context(), pg.DSN(db))
			require.NoError(t, err)
			defer conn.Close(context.Background())
			var rows int
			require.NoError(t, conn.QueryRow(t.Context(), "SELECT count(*) FROM payments").Scan(&rows))
			t.Logf("%d processes: %d ledgers, %d rows in %v: %.0f ledgers/s, %.0f rows/s", n, ledgerCount, rows, elapsed,
				ledgerCount/elapsed.Seconds(), float64(rows)/elapsed.Seconds())
		})
	}
}

// measureDatastore writes count ledgers from from on, each with payments
// payments in one transaction.
func measureDatastore(t *testing.T, from uint32, count, payments int) string {
	t.Helper()
	all := make([]xdr.LedgerCloseMeta, 0, count)
	for seq := from; seq < from+uint32(count); seq++ {
		ops := make([]ledgers.Op, payments)
		for i := range ops {
			ops[i] = ledgers.Payment(nil, ledgers.Account(2+byte(i%50)), ledgers.Native(), int64(seq)*100+int64(i))
		}
		all = append(all, ledgers.MustBuild(ledgers.LedgerSpec{
			Sequence:     seq,
			CloseTime:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seq) * 5 * time.Second),
			Transactions: []ledgers.TxSpec{{Source: ledgers.Account(1), Operations: ops}},
		}))
	}
	dir := t.TempDir()
	require.NoError(t, ledgers.WriteDatastore(dir, ledgers.SyntheticPassphrase, backfillLayout, all...))
	return dir
}

// realDatastore writes count copies of pubnet ledger 58752000, numbered
// from from on.
func realDatastore(t *testing.T, from uint32, count int) string {
	t.Helper()
	all := make([]xdr.LedgerCloseMeta, count)
	for i := range all {
		var err error
		all[i], err = ledgers.PubnetAt(from + uint32(i))
		require.NoError(t, err)
	}
	dir := t.TempDir()
	require.NoError(t, ledgers.WriteDatastore(dir, ledgers.PubnetPassphrase, backfillLayout, all...))
	return dir
}

// jsonSink is a SaveToJSONFile writing path.
func jsonSink(path string) string {
	return fmt.Sprintf("{type: SaveToJSONFile, config: {path: %q}}", path)
}

// lineCount counts the lines of a file.
func lineCount(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return bytes.Count(b, []byte("\n"))
}

// measureConfig writes a config of one pipeline without metrics.
func measureConfig(t *testing.T, dir string, start, end uint32, processors, sink string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipeline.yaml")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(`pipelines:
  backfill:
    source: {type: BufferedStorageSourceAdapter, config: {path: %q, start_ledger: %d, end_ledger: %d}}
    processors: [{type: %s}]
    consumers: [%s]
stats: {live: false}
`, dir, start, end, processors, sink)), 0o644))
	return path
}

// timeRunners runs shards 0 to n-1 of config at once and returns how long
// the slowest took.
func timeRunners(t *testing.T, bin string, n int, config string) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	began := time.Now()
	procs := make([]*runnerProcess, n)
	for i := range procs {
		procs[i] = startRunner(ctx, t, bin, i, n, config)
	}
	for i, p := range procs {
		require.NoError(t, p.wait(), "shard %d:\n%s", i, p.log())
	}
	return time.Since(began)
}
