package kubernetes

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/shard"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
	"github.com/cdpstats/cdpstats/internal/testfixtures/promtest"
)

// The backfill of TestShardedBackfill: ledgers first to last in files of
// perFile ledgers, split into shards shards, of which victim is killed.
const (
	first   = 64
	last    = 3263 // 3200 ledgers, 50 files
	perFile = 64
	shards  = 3
	victim  = 1
)

// backfillLayout is the datastore's layout.
var backfillLayout = ledgers.Schema{LedgersPerFile: perFile, FilesPerPartition: 64}

// TestShardedBackfill is the Indexed Job of backfill.yaml on one machine:
// three runner processes, started as Kubernetes starts the Job's pods
// (JOB_COMPLETION_INDEX and CDP_SHARD_COUNT), back-fill their shards of a
// synthetic datastore into one PostgreSQL, each serving /metrics on a port
// of its own, which a real Prometheus scrapes every second. Shard 1 is
// killed with SIGKILL in the middle and started again, as Kubernetes
// retries a failed index in a new pod (a new scrape target). Then the rows
// in PostgreSQL must be exactly the oracle's, with no duplicate, and
// Prometheus's sums of the rows and payments counters the same totals,
// with the queries docs/scale.md gives.
//
// A SIGKILL loses what the process counted since Prometheus last scraped
// it. So that the sums can be compared exactly, shard 1 is killed where it
// counts nothing more: its datastore misses a file in the middle of its
// range, the source waits there (on_gap: wait), and the test kills it once
// Prometheus shows everything before the gap committed and counted. The
// file is then put back for the restarted shard.
func TestShardedBackfill(t *testing.T) {
	pg := pgtest.Start(t)
	db := pg.CreateDatabase(t)
	bin := buildRunner(t)
	dir, want := backfillDatastore(t)

	parts, err := shard.Split(first, last, shards, perFile)
	require.NoError(t, err)
	part := parts[victim]
	gap := (part.Start + part.End) / 2
	gap -= gap % perFile // the first ledger of the missing file
	missing := filepath.Join(dir, filepath.FromSlash(backfillLayout.ObjectKey(gap)))
	hidden := filepath.Join(t.TempDir(), "hidden")
	require.NoError(t, os.Rename(missing, hidden))

	// One metrics port per process: the three shards, and the restarted
	// shard, a new target as a new pod would be.
	addrs := make([]string, shards+1)
	targets := make([]promtest.Target, len(addrs))
	for i := range addrs {
		addrs[i] = freeAddr(t)
		targets[i] = promtest.Target{Address: addrs[i]}
	}
	prom := promtest.Start(t, promtest.Config{Targets: targets, ScrapeConfig: map[string]any{"honor_labels": true}})

	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	procs := make([]*runnerProcess, shards)
	for i := range procs {
		procs[i] = startRunner(ctx, t, bin, i, shards, backfillConfig(t, dir, pg.DSN(db), addrs[i]))
	}

	// Shard 1 waits at the gap, everything before it committed and scraped.
	sel := fmt.Sprintf(`{shard="%d"}`, victim)
	before := want.between(part.Start, gap-1)
	prom.WaitFor(t, "cdp_source_waiting_for_gap"+sel, equals(1))
	prom.WaitFor(t, "cdp_consumer_rows_inserted_total"+sel, equals(float64(before)))
	prom.WaitFor(t, "cdp_processor_payments_found_total"+sel, equals(float64(before)))
	require.NoError(t, procs[victim].cmd.Process.Signal(syscall.SIGKILL))
	assert.Error(t, procs[victim].wait(), "killed")
	require.NoError(t, os.Rename(hidden, missing))
	restarted := startRunner(ctx, t, bin, victim, shards, backfillConfig(t, dir, pg.DSN(db), addrs[shards]))

	for i, p := range procs {
		if i != victim {
			require.NoError(t, p.wait(), "shard %d:\n%s", i, p.log())
		}
	}
	require.NoError(t, restarted.wait(), "restarted shard %d:\n%s", victim, restarted.log())

	// PostgreSQL holds the oracle's payments, each once.
	conn, err := pgx.Connect(ctx, pg.DSN(db))
	require.NoError(t, err)
	defer conn.Close(context.WithoutCancel(ctx))
	var rows, distinct int
	require.NoError(t, conn.QueryRow(ctx,
		`SELECT count(*), count(DISTINCT (transaction_hash, operation_index)) FROM payments`).Scan(&rows, &distinct))
	assert.Equal(t, want.total(), rows, "rows")
	assert.Equal(t, rows, distinct, "no duplicates")
	assert.Equal(t, want.perLedger, perLedger(ctx, t, conn), "payments per ledger")

	// Prometheus adds up the processes, the killed one included. Every
	// process's series are its own (a target each), and a counter only
	// grows while its process lives, so max_over_time is each process's
	// last count; summed over the processes it counts every row inserted
	// once, since a replayed row is not counted as inserted.
	const window = "[10m]"
	assert.Equal(t, float64(want.total()),
		scalar(ctx, t, prom, "sum(max_over_time(cdp_consumer_rows_inserted_total"+window+"))"), "rows inserted")
	// Payments found count work, which a restart may do again: a shard
	// restarted from scratch counts its whole part again, one resumed
	// after its checkpoint counts the rest only.
	reread := scalar(ctx, t, prom, fmt.Sprintf(`max_over_time(cdp_source_ledgers_processed_total{instance=%q}%s)`, addrs[shards], window))
	payments := "sum(max_over_time(cdp_processor_payments_found_total" + window + "))"
	if reread == float64(part.Len()) {
		payments = "sum(max by (shard) (max_over_time(cdp_processor_payments_found_total" + window + ")))"
	}
	t.Logf("%d payments in %d ledgers; the restarted shard read %.0f of its %d ledgers; payments query %s", want.total(), last-first+1, reread, part.Len(), payments)
	assert.Equal(t, float64(want.total()), scalar(ctx, t, prom, payments), payments)
	assert.Equal(t, float64(shards),
		scalar(ctx, t, prom, "count(max by (shard) (max_over_time(cdp_pipeline_done"+window+")) == 1)"), "every shard done")
}

// expected is the oracle's count of payments per ledger.
type expected struct{ perLedger map[uint32]int }

func (e expected) total() int { return e.between(first, last) }

// between counts the payments of ledgers from to to.
func (e expected) between(from, to uint32) int {
	n := 0
	for seq, c := range e.perLedger {
		if seq >= from && seq <= to {
			n += c
		}
	}
	return n
}

// backfillDatastore writes ledgers first to last, with 0 to 2 payments
// each, and returns the datastore and what the oracle (ledgers.Expect,
// which reads the XDR itself) finds in it.
func backfillDatastore(t *testing.T) (string, expected) {
	t.Helper()
	want := expected{perLedger: map[uint32]int{}}
	all := make([]xdr.LedgerCloseMeta, 0, last-first+1)
	for seq := uint32(first); seq <= last; seq++ {
		var ops []ledgers.Op
		for i := range seq % 3 {
			ops = append(ops, ledgers.Payment(nil, ledgers.Account(2+byte(i)), ledgers.Native(), int64(seq)*10+int64(i)))
		}
		spec := ledgers.LedgerSpec{
			Sequence:  seq,
			CloseTime: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seq) * 5 * time.Second),
		}
		if len(ops) > 0 {
			spec.Transactions = []ledgers.TxSpec{{Source: ledgers.Account(1), Operations: ops}}
		}
		lcm := ledgers.MustBuild(spec)
		if n := len(ledgers.Expect(t, lcm, ledgers.SyntheticPassphrase).Payments); n > 0 {
			want.perLedger[seq] = n
		}
		all = append(all, lcm)
	}
	dir := t.TempDir()
	require.NoError(t, ledgers.WriteDatastore(dir, ledgers.SyntheticPassphrase, backfillLayout, all...))
	return dir, want
}

// backfillConfig writes the config of one process: backfill.yaml's
// pipeline over the test's datastore and database, serving /metrics on
// addr.
func backfillConfig(t *testing.T, dir, dsn, addr string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipeline.yaml")
	require.NoError(t, os.WriteFile(path, []byte(fmt.Sprintf(`pipelines:
  backfill:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %q, start_ledger: %d, end_ledger: %d, on_gap: wait, retry_wait: 100ms, buffer_size: 4, num_workers: 2}
    processors:
      - type: FilterPayments
    consumers:
      - type: SaveToPostgreSQL
        config: {dsn: %q, batch_size: 200, flush_interval: 100ms, max_conns: 2}
stats: {interval: 200ms, live: false}
metrics: {enabled: true, address: %q, linger: 20s}
`, dir, first, last, dsn, addr)), 0o644))
	return path
}

// runnerProcess is one cdp-pipeline run.
type runnerProcess struct {
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{} // closed once the process has exited
	err     error         // cmd.Wait's, once exited is closed
}

// startRunner starts shard index of count of the backfill as a pod of the
// Indexed Job runs it; it is killed when the test ends.
func startRunner(ctx context.Context, t *testing.T, bin string, index, count int, config string) *runnerProcess {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "runner.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, bin, "run", "-config", config, "-log-format", "json")
	cmd.Env = append(os.Environ(), "JOB_COMPLETION_INDEX="+strconv.Itoa(index), "CDP_SHARD_COUNT="+strconv.Itoa(count))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	p := &runnerProcess{cmd: cmd, logPath: logPath, exited: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	return p
}

// wait waits for the process to exit and returns its error.
func (p *runnerProcess) wait() error {
	<-p.exited
	return p.err
}

// log returns what the process wrote.
func (p *runnerProcess) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// buildRunner builds cdp-pipeline, as the Job's image holds it.
func buildRunner(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cdp-pipeline")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/cdpstats/cdpstats/cmd/cdp-pipeline").CombinedOutput()
	require.NoError(t, err, "building cdp-pipeline:\n%s", out)
	return bin
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// equals accepts a result of one sample of value v.
func equals(v float64) func(promtest.Vector) bool {
	return func(got promtest.Vector) bool { return len(got) == 1 && got[0].Value == v }
}

// scalar runs a query whose result is one sample and returns its value.
func scalar(ctx context.Context, t *testing.T, prom *promtest.Server, expr string) float64 {
	t.Helper()
	v, err := prom.Query(ctx, expr)
	require.NoError(t, err, expr)
	require.Len(t, v, 1, "%s: %v", expr, v)
	return v[0].Value
}

// perLedger counts the rows of payments per ledger.
func perLedger(ctx context.Context, t *testing.T, conn *pgx.Conn) map[uint32]int {
	t.Helper()
	rows, err := conn.Query(ctx, `SELECT ledger_sequence, count(*) FROM payments GROUP BY ledger_sequence`)
	require.NoError(t, err)
	out := map[uint32]int{}
	for rows.Next() {
		var seq int64
		var n int
		require.NoError(t, rows.Scan(&seq, &n))
		out[uint32(seq)] = n
	}
	require.NoError(t, rows.Err())
	return out
}
