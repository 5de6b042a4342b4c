package main

// Helpers of the fault suite (faults_test.go, -tags faults) and of the
// CLI tests that inject faults.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// pgFault runs a bounded range into PostgreSQL reached at host (a socket
// directory, or a TCP proxy's host:port): half the ledgers are there at
// the start; once their rows are in, fault() is injected, the other half
// is added, and heal() is called a while later. The run must end on its
// own with exit 0 and exactly the expected rows.
func pgFault(t *testing.T, pg *pgtest.Server, host string, fault, heal func() error, flags ...string) result {
	t.Helper()
	db := pg.CreateDatabase(t)
	ds := newDatastore(t, 1000, 20)
	p := ds.start(t, config(ds.dir, "start_ledger: 1000, end_ledger: 1039, on_gap: wait", pgConsumer(dsnAt(pg, host, db))), flags...)
	waitFor(t, "the first half's rows", func() bool { return len(rows(t, pg, db)) == len(ds.want(1000, 1019)) })
	require.NoError(t, fault())
	healed := false
	defer func() {
		if !healed {
			_ = heal()
		}
	}()
	ds.add(20)
	time.Sleep(3 * time.Second) // the runner reads the new ledgers and retries its writes
	require.NoError(t, heal())
	healed = true
	res := p.wait(t)
	assert.Equal(t, 0, res.code, res.stderr)
	assert.Equal(t, keys(ds.want(1000, 1039)), keys(rows(t, pg, db)), "every row once")
	return res
}

// assertLogs checks the stderr of a run with -log-format json: no log
// line in text, and none below level (slog's level names). The summary
// table is status output, not a log.
func assertLogs(t *testing.T, stderr string, level string) {
	t.Helper()
	rank := map[string]int{"DEBUG": 0, "INFO": 1, "WARN": 2, "ERROR": 3}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		assert.NotContains(t, line, "level=", "a text log line")
		if strings.HasPrefix(line, "{") {
			var entry struct{ Level string }
			require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
			assert.GreaterOrEqual(t, rank[entry.Level], rank[level], line)
		}
	}
}

// synthLedger is a ledger with three payments, distinct in every ledger.
func synthLedger(seq uint32) xdr.LedgerCloseMeta {
	from, to := ledgers.Account(1), ledgers.Account(2)
	var txs []ledgers.TxSpec
	for i := range 3 {
		txs = append(txs, ledgers.TxSpec{Source: from, Operations: []ledgers.Op{
			ledgers.Payment(nil, to, ledgers.Native(), int64(seq)*10+int64(i)+1),
		}})
	}
	return ledgers.MustBuild(ledgers.LedgerSpec{
		Sequence:     seq,
		CloseTime:    time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC).Add(time.Duration(seq) * 5 * time.Second),
		Transactions: txs,
	})
}

// datastore is a filesystem datastore that a test grows while the runner
// reads it, with the expected payments of every ledger added.
type datastore struct {
	t        *testing.T
	dir      string
	next     uint32
	payments map[uint32][]string // "hash/op" by ledger
}

func newDatastore(t *testing.T, first uint32, n int) *datastore {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, ledgers.WriteDatastore(dir, ledgers.SyntheticPassphrase, ledgers.SingleLedgerFiles))
	ds := &datastore{t: t, dir: dir, next: first, payments: map[uint32][]string{}}
	ds.add(n)
	return ds
}

// add writes the next n ledgers, each file written elsewhere and renamed
// into place, so that the reader never sees half a file.
func (d *datastore) add(n int) {
	t := d.t
	t.Helper()
	staging := t.TempDir()
	var batch []xdr.LedgerCloseMeta
	for range n {
		lcm := synthLedger(d.next)
		for _, p := range ledgers.Expect(t, lcm, ledgers.SyntheticPassphrase).Payments {
			d.payments[d.next] = append(d.payments[d.next], fmt.Sprintf("%s/%d", p.Hash, p.OpIndex))
		}
		d.next++
		batch = append(batch, lcm)
	}
	require.NoError(t, ledgers.WriteDatastore(staging, ledgers.SyntheticPassphrase, ledgers.SingleLedgerFiles, batch...))
	for _, lcm := range batch {
		key := filepath.FromSlash(ledgers.SingleLedgerFiles.ObjectKey(lcm.LedgerSequence()))
		dst := filepath.Join(d.dir, key)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		require.NoError(t, os.Rename(filepath.Join(staging, key), dst))
	}
}

// want returns the expected payments of ledgers first to last.
func (d *datastore) want(first, last uint32) []string {
	var out []string
	for seq := first; seq <= last; seq++ {
		out = append(out, d.payments[seq]...)
	}
	return out
}

// config is a pipeline of the source over dir, with the given range
// keys, through FilterPayments into consumer; no live line.
func config(dir, rangeKeys, consumer string) string {
	return fmt.Sprintf(`pipelines:
  p:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %q, %s, retry_wait: 20ms, buffer_size: 4, num_workers: 2}
    processors: [{type: FilterPayments}]
    consumers: [%s]
stats: {interval: 100ms, live: false}
`, dir, rangeKeys, consumer)
}

// pgConsumer is a SaveToPostgreSQL with short batches and waits.
func pgConsumer(dsn string) string {
	return fmt.Sprintf("{type: SaveToPostgreSQL, config: {dsn: %q, batch_size: 10, flush_interval: 50ms, connect_timeout: 1s, max_retry_wait: 200ms}}", dsn)
}

// process is the binary running in the background.
type process struct {
	cmd            *exec.Cmd
	stdout, stderr *bytes.Buffer
	done           chan error
}

// run runs the binary with the config to the end.
func (d *datastore) run(t *testing.T, yaml string, flags ...string) result {
	t.Helper()
	return d.start(t, yaml, flags...).wait(t)
}

// runUnderFileLimit runs the binary with the config and -log-format json
// under a file-size limit of limit bytes (prlimit --fsize): a write past
// it fails with EFBIG, as on a full disk (Go ignores SIGXFSZ).
func runUnderFileLimit(t *testing.T, yaml string, limit int) result {
	t.Helper()
	prlimit, err := exec.LookPath("prlimit")
	require.NoError(t, err, "the full disk faults need prlimit (util-linux)")
	tmp := t.TempDir()
	cfg := writeFile(t, tmp, "p.yaml", yaml)
	cmd, stdout, stderr := command(t, tmp, nil)
	cmd.Path = prlimit
	cmd.Args = []string{"prlimit", fmt.Sprintf("--fsize=%d", limit), binary, "run", "-config", cfg, "-log-format", "json"}
	return finish(t, cmd.Run(), stdout, stderr)
}

// start starts the binary with the config, -log-format json and flags.
func (d *datastore) start(t *testing.T, yaml string, flags ...string) *process {
	t.Helper()
	tmp := t.TempDir()
	cfg := writeFile(t, tmp, "p.yaml", yaml)
	cmd, stdout, stderr := command(t, tmp, nil, append([]string{"run", "-config", cfg, "-log-format", "json"}, flags...)...)
	require.NoError(t, cmd.Start())
	p := &process{cmd: cmd, stdout: stdout, stderr: stderr, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	return p
}

// wait waits for the process to exit; the command's context kills it
// after a minute.
func (p *process) wait(t *testing.T) result {
	t.Helper()
	return finish(t, <-p.done, p.stdout, p.stderr)
}

// stop sends SIGTERM and waits.
func (p *process) stop(t *testing.T) result {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	return p.wait(t)
}

// row is one row of the payments table.
type row struct {
	key    string
	ledger uint32
}

// rows returns the payments table, or nil when the database does not
// answer.
func rows(t *testing.T, pg *pgtest.Server, db string) []row {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pg.DSN(db))
	if err != nil {
		return nil
	}
	defer conn.Close(ctx)
	rs, err := conn.Query(ctx, `SELECT transaction_hash || '/' || operation_index, ledger_sequence FROM payments`)
	if err != nil {
		return nil
	}
	var out []row
	for rs.Next() {
		var r row
		var ledger int64
		require.NoError(t, rs.Scan(&r.key, &ledger))
		r.ledger = uint32(ledger)
		out = append(out, r)
	}
	if rs.Err() != nil {
		return nil
	}
	return out
}

// keys counts each key of rows or strings.
func keys[T row | string](items []T) map[string]int {
	out := map[string]int{}
	for _, it := range items {
		switch v := any(it).(type) {
		case row:
			out[v.key]++
		case string:
			out[v]++
		}
	}
	return out
}

// fileKeys returns the "hash/op" of every line of a JSON lines file, and
// fails on a partial line.
func fileKeys(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	defer f.Close()
	var out []string
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		if err == io.EOF {
			require.Empty(t, line, "a partial line at the end")
			return out
		}
		require.NoError(t, err)
		var p struct {
			Hash string `json:"transaction_hash"`
			Op   int    `json:"operation_index"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &p), line)
		out = append(out, fmt.Sprintf("%s/%d", p.Hash, p.Op))
	}
}

// assertLines checks that the file holds exactly want, once each.
func assertLines(t *testing.T, path string, want []string) {
	t.Helper()
	assert.Equal(t, keys(want), keys(fileKeys(t, path)))
}

// assertNoDuplicateLines checks that every line of the file is one of
// within, once.
func assertNoDuplicateLines(t *testing.T, path string, within []string) {
	t.Helper()
	allowed := keys(within)
	for k, n := range keys(fileKeys(t, path)) {
		assert.Equal(t, 1, n, "line %s written %d times", k, n)
		assert.Contains(t, allowed, k)
	}
}

// waitFor polls cond every 50ms for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// freeAddr returns a loopback address with a port that was free.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// proxy forwards TCP connections to a unix socket, or, as a black hole,
// accepts them and passes no byte either way, on new connections and on
// those already open, until healed.
type proxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	cond   *sync.Cond
	hole   bool
	held   []net.Conn
}

// dsnAt is the connection string of database db of pg reached at host:
// pg's socket directory, or a TCP proxy's host:port.
func dsnAt(pg *pgtest.Server, host, db string) string {
	if h, port, err := net.SplitHostPort(host); err == nil {
		return fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable", h, port, pgtest.User, db)
	}
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", host, pg.Port(), pgtest.User, db)
}

// proxyTo starts a TCP proxy to pg's socket.
func proxyTo(t *testing.T, pg *pgtest.Server) *proxy {
	t.Helper()
	return startProxy(t, filepath.Join(pg.Host(), fmt.Sprintf(".s.PGSQL.%d", pg.Port())))
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &proxy{l: l, target: target}
	p.cond = sync.NewCond(&p.mu)
	go p.accept()
	t.Cleanup(func() {
		l.Close()
		p.setBlackHole(false)
	})
	return p
}

func (p *proxy) addr() string { return p.l.Addr().String() }

// setBlackHole turns the black hole on or off; off closes the
// connections it swallowed.
func (p *proxy) setBlackHole(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hole = on
	if !on {
		for _, c := range p.held {
			c.Close()
		}
		p.held = nil
		p.cond.Broadcast()
	}
}

func (p *proxy) accept() {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.hole {
			p.held = append(p.held, c)
			p.mu.Unlock()
			continue
		}
		p.mu.Unlock()
		up, err := net.Dial("unix", p.target)
		if err != nil {
			c.Close()
			continue
		}
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

// pipe copies from src to dst, holding what it read while the black hole
// is on.
func (p *proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			for p.hole {
				p.cond.Wait()
			}
			p.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
