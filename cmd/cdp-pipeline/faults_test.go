//go:build faults

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// TestFaults is the fault suite (make faults): the real binary against a
// real PostgreSQL and a real datastore, one subtest per fault. Each
// checks the exit code, the message, and that no row or line is lost or
// written twice, against the oracle ledgers.Expect.
func TestFaults(t *testing.T) {
	shared := pgtest.Shared(t) // the subtests that stop PostgreSQL start their own
	t.Run("postgres killed mid-run", func(t *testing.T) {
		pg := pgtest.Start(t)
		res := pgFault(t, pg, pg.Host(), pg.Kill, pg.Start, "-log-level", "error")
		assertLogs(t, res.stderr, "ERROR")
	})
	t.Run("postgres frozen", func(t *testing.T) {
		pg := pgtest.Start(t)
		res := pgFault(t, pg, pg.Host(), pg.Freeze, pg.Thaw)
		assert.Contains(t, res.stderr, `"msg":"pipeline drained","pipeline":"p","error":null`)
	})
	t.Run("tcp black hole", func(t *testing.T) {
		proxy := proxyTo(t, shared)
		res := pgFault(t, shared, proxy.addr(),
			func() error { proxy.setBlackHole(true); return nil },
			func() error { proxy.setBlackHole(false); return nil })
		assert.Contains(t, res.stderr, `"msg":"pipeline drained","pipeline":"p","error":null`)
	})
	t.Run("tcp black hole that never heals", func(t *testing.T) {
		// Each write attempt ends at write_timeout (connect_timeout is far
		// longer) with a WARN; SIGTERM then stops the run, and Close gives
		// up at close_timeout, naming the rows not written.
		db := shared.CreateDatabase(t)
		proxy := proxyTo(t, shared)
		dsn := dsnAt(shared, proxy.addr(), db)
		consumer := fmt.Sprintf("{type: SaveToPostgreSQL, config: {dsn: %q, batch_size: 10, flush_interval: 50ms, "+
			"connect_timeout: 1m, write_timeout: 500ms, max_retry_wait: 200ms, close_timeout: 2s}}", dsn)
		ds := newDatastore(t, 1000, 20)
		p := ds.start(t, config(ds.dir, "start_ledger: 1000, end_ledger: 1039, on_gap: wait", consumer))
		waitFor(t, "the first half's rows", func() bool { return len(rows(t, shared, db)) == len(ds.want(1000, 1019)) })
		proxy.setBlackHole(true)
		ds.add(20)
		time.Sleep(3 * time.Second) // several write_timeouts
		res := p.stop(t)
		assert.Equal(t, 1, res.code, res.stderr)
		assert.Contains(t, res.stderr, `"level":"WARN","msg":"writing batch failed; retrying"`)
		assert.Contains(t, res.stderr, "no answer within write_timeout 500ms")
		assert.Regexp(t, `closing with \d+ rows not written within close_timeout 2s`, res.stderr)
		got := rows(t, shared, db)
		assert.Len(t, keys(got), len(got), "no row twice")
		for k := range keys(got) {
			assert.Contains(t, keys(ds.want(1000, 1039)), k)
		}
	})
	t.Run("connections terminated every 0.3s", func(t *testing.T) {
		var stop context.CancelFunc
		var done chan struct{}
		terminate := func() error {
			var ctx context.Context
			ctx, stop = context.WithCancel(t.Context())
			done = make(chan struct{})
			conn, err := pgx.Connect(ctx, shared.DSN("postgres"))
			if err != nil {
				return err
			}
			go func() {
				defer close(done)
				defer conn.Close(context.Background())
				for ctx.Err() == nil {
					_, _ = conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
						WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`)
					time.Sleep(300 * time.Millisecond)
				}
			}()
			return nil
		}
		res := pgFault(t, shared, shared.Host(), terminate, func() error { stop(); <-done; return nil })
		assert.Contains(t, res.stderr, "writing batch failed; retrying")
	})
	t.Run("corrupt file", func(t *testing.T) {
		ds := newDatastore(t, 1000, 20)
		key := ledgers.SingleLedgerFiles.ObjectKey(1010)
		require.NoError(t, os.WriteFile(filepath.Join(ds.dir, filepath.FromSlash(key)), []byte("not a zstd stream"), 0o644))
		out := filepath.Join(t.TempDir(), "out.jsonl")
		res := ds.run(t, config(ds.dir, "start_ledger: 1000, end_ledger: 1019", jsonFileConsumer(out)))
		assert.Equal(t, 1, res.code, res.stderr)
		assert.Contains(t, res.stderr, "reading ledger 1010")
		assert.Contains(t, res.stderr, "decompressing")
		assertLines(t, out, ds.want(1000, 1009))
	})
	t.Run("gap in a bounded range", func(t *testing.T) {
		ds := newDatastore(t, 1000, 20)
		key := ledgers.SingleLedgerFiles.ObjectKey(1010)
		require.NoError(t, os.Remove(filepath.Join(ds.dir, filepath.FromSlash(key))))
		out := filepath.Join(t.TempDir(), "out.jsonl")
		res := ds.run(t, config(ds.dir, "start_ledger: 1000, end_ledger: 1019", jsonFileConsumer(out)))
		assert.Equal(t, 1, res.code, res.stderr)
		assert.Contains(t, res.stderr, "ledger 1010")
		assert.Contains(t, res.stderr, key)
		assertNoDuplicateLines(t, out, ds.want(1000, 1009))
	})
	t.Run("gap in an unbounded range", func(t *testing.T) {
		ds := newDatastore(t, 1000, 20)
		key := ledgers.SingleLedgerFiles.ObjectKey(1010)
		require.NoError(t, os.Remove(filepath.Join(ds.dir, filepath.FromSlash(key))))
		out := filepath.Join(t.TempDir(), "out.jsonl")
		addr := freeAddr(t)
		cfg := config(ds.dir, "start_ledger: 1000, stall_timeout: 300ms", jsonFileConsumer(out)) +
			fmt.Sprintf("metrics: {enabled: true, address: %q}\n", addr)
		p := ds.start(t, cfg)
		var body struct {
			Status    string
			Pipelines []struct{ Stalled string }
		}
		waitFor(t, "/readyz to report the stall", func() bool {
			resp, err := http.Get("http://" + addr + "/readyz")
			if err != nil {
				return false
			}
			defer resp.Body.Close()
			return resp.StatusCode == http.StatusServiceUnavailable &&
				json.NewDecoder(resp.Body).Decode(&body) == nil && body.Status == "stalled"
		})
		require.Len(t, body.Pipelines, 1)
		assert.Contains(t, body.Pipelines[0].Stalled, "waiting for ledger 1010: gap, file "+key+" missing")
		res := p.stop(t)
		assert.Equal(t, 0, res.code, res.stderr)
		assert.Contains(t, res.stderr, "pipeline stalled: no progress within stall_timeout")
		assertLines(t, out, ds.want(1000, 1009))
	})
	t.Run("full disk", func(t *testing.T) {
		// A file-size limit of 2000 bytes on the process: a few lines
		// fit, then a write fails with EFBIG. An atomic file leaves the
		// previous content in place.
		ds := newDatastore(t, 1000, 20)
		dir := t.TempDir()
		out := filepath.Join(dir, "out.jsonl")
		const before = "{\"before\":true}\n"
		require.NoError(t, os.WriteFile(out, []byte(before), 0o644))
		consumer := fmt.Sprintf("{type: SaveToJSONFile, config: {path: %q, atomic: true}}", out)
		res := runUnderFileLimit(t, config(ds.dir, "start_ledger: 1000, end_ledger: 1019", consumer), 2000)
		assert.Equal(t, 1, res.code, res.stderr)
		assert.Contains(t, res.stderr, `"level":"ERROR","msg":"pipeline failed"`)
		assert.Contains(t, res.stderr, "file too large")
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Equal(t, before, string(data), "the file as it was: no partial line")
		entries, err := os.ReadDir(dir)
		require.NoError(t, err)
		assert.Len(t, entries, 1, "no temporary file left behind")
	})
	t.Run("full disk, default mode", func(t *testing.T) {
		// One ledger a write (buffer_size 1) under a limit of 5000 bytes:
		// some ledgers fit, then a write fails midway and is cut back.
		// The file holds whole ledgers, and a run without the limit
		// resumes after them.
		ds := newDatastore(t, 1000, 20)
		out := filepath.Join(t.TempDir(), "out.jsonl")
		cfg := config(ds.dir, "start_ledger: 1000, end_ledger: 1019",
			fmt.Sprintf("{type: SaveToJSONFile, config: {path: %q, buffer_size: 1}}", out))
		res := runUnderFileLimit(t, cfg, 5000)
		assert.Equal(t, 1, res.code, res.stderr)
		assert.Contains(t, res.stderr, `"level":"ERROR","msg":"pipeline failed"`)
		assert.Contains(t, res.stderr, "file too large; the file is cut back to its last complete ledger")
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		require.NotEmpty(t, data, "some ledgers fit under the limit")
		assert.True(t, strings.HasSuffix(string(data), "\n"), "the file ends with a newline")
		got, whole := keys(fileKeys(t, out)), uint32(0)
		for last := uint32(1000); last <= 1019; last++ {
			if assert.ObjectsAreEqual(keys(ds.want(1000, last)), got) {
				whole = last
			}
		}
		assert.NotZero(t, whole, "the file holds ledgers 1000 to some ledger, each whole, once")

		res = ds.run(t, cfg)
		assert.Equal(t, 0, res.code, res.stderr)
		assert.Contains(t, res.stderr, "resuming after its last complete ledger")
		assertLines(t, out, ds.want(1000, 1019))
	})
	t.Run("SIGTERM mid-run", func(t *testing.T) {
		db := shared.CreateDatabase(t)
		ds := newDatastore(t, 1000, 20)
		p := ds.start(t, config(ds.dir, "start_ledger: 1000", pgConsumer(shared.DSN(db))))
		waitFor(t, "the first ledgers' rows", func() bool { return len(rows(t, shared, db)) == len(ds.want(1000, 1019)) })
		ds.add(40)
		res := p.stop(t)
		assert.Equal(t, 0, res.code, res.stderr)
		assert.Contains(t, res.stderr, `"msg":"pipeline drained","pipeline":"p","error":null`)
		assert.Regexp(t, `(?m)^p +SaveToPostgreSQL +consumer +\d+ +- +0 `, res.stderr, "a signal is not an error")
		got := rows(t, shared, db)
		last := uint32(1019)
		for _, r := range got {
			last = max(last, r.ledger)
		}
		assert.Equal(t, keys(ds.want(1000, last)), keys(got), "every row of every ledger read up to %d, once", last)
	})
	t.Run("second run over the same range", func(t *testing.T) {
		db := shared.CreateDatabase(t)
		ds := newDatastore(t, 1000, 20)
		cfg := config(ds.dir, "start_ledger: 1000, end_ledger: 1019", pgConsumer(shared.DSN(db)))
		for i := range 2 {
			res := ds.run(t, cfg)
			require.Equal(t, 0, res.code, "run %d: %s", i+1, res.stderr)
			assert.Equal(t, keys(ds.want(1000, 1019)), keys(rows(t, shared, db)), "after run %d", i+1)
		}
	})
	t.Run("a run that cannot start keeps the existing output", func(t *testing.T) {
		ds := newDatastore(t, 1000, 5)
		out := filepath.Join(t.TempDir(), "out.jsonl")
		const yesterday = "{\"yesterday\":true}\n"
		require.NoError(t, os.WriteFile(out, []byte(yesterday), 0o644))
		unreachable := pgConsumer(fmt.Sprintf("host=%s port=1 user=x dbname=x sslmode=disable", filepath.Join(t.TempDir(), "nowhere")))
		res := ds.run(t, config(ds.dir, "start_ledger: 1000, end_ledger: 1004", jsonFileConsumer(out)+", "+unreachable))
		assert.Equal(t, 1, res.code, res.stderr)
		assert.Contains(t, res.stderr, "starting pipeline p")
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Equal(t, yesterday, string(data))
	})
	t.Run("two consumers on one file", func(t *testing.T) {
		ds := newDatastore(t, 1000, 5)
		out := filepath.Join(t.TempDir(), "out.jsonl")
		cfg := config(ds.dir, "start_ledger: 1000, end_ledger: 1004", jsonFileConsumer(out)+", "+jsonFileConsumer(out))
		for _, cmd := range []string{"validate", "run"} {
			res := cli(t, t.TempDir(), nil, cmd, "-config", writeFile(t, t.TempDir(), "p.yaml", cfg))
			assert.Equal(t, 2, res.code, "%s: %s", cmd, res.stderr)
			assert.Contains(t, res.stderr, out, cmd)
		}
		assert.NoFileExists(t, out)
	})
	t.Run("config mistakes", func(t *testing.T) {
		ds := newDatastore(t, 1000, 1)
		out := filepath.Join(t.TempDir(), "out.jsonl")
		good := config(ds.dir, "start_ledger: 1000, end_ledger: 1000", jsonFileConsumer(out))
		tests := []struct {
			name, yaml, want, secret string
		}{
			{"a second YAML document", good + "---\nstats: {live: true}\n", ":9:1: ---: a second YAML document", ""},
			{"a numeric password", config(ds.dir, "start_ledger: 1000, end_ledger: 1000", "{type: SaveToPostgreSQL, config: {host: /nowhere, password: 987654321}}"),
				"config.password: must be a string, got an integer (the value is not shown", "987654321"},
		}
		for _, tt := range tests {
			for _, cmd := range []string{"validate", "run"} {
				res := cli(t, t.TempDir(), nil, cmd, "-config", writeFile(t, t.TempDir(), "p.yaml", tt.yaml))
				assert.Equal(t, 2, res.code, "%s %s: %s", tt.name, cmd, res.stderr)
				assert.Contains(t, res.stderr, tt.want, tt.name)
				if tt.secret != "" {
					assert.NotContains(t, res.stderr, tt.secret, tt.name)
				}
			}
		}
		assert.NoFileExists(t, out)
	})
	t.Run("any network passphrase", func(t *testing.T) {
		const passphrase = "load test network"
		dir := t.TempDir()
		lcm := ledgers.MustBuild(ledgers.LedgerSpec{Sequence: 1000, Passphrase: passphrase, Transactions: []ledgers.TxSpec{{
			Source: ledgers.Account(1), Operations: []ledgers.Op{ledgers.Payment(nil, ledgers.Account(2), ledgers.Native(), 10)},
		}}})
		require.NoError(t, ledgers.WriteDatastore(dir, passphrase, ledgers.SingleLedgerFiles, lcm))
		out := filepath.Join(t.TempDir(), "out.jsonl")
		ds := &datastore{t: t, dir: dir}
		res := ds.run(t, config(dir, fmt.Sprintf("network: %q, start_ledger: 1000, end_ledger: 1000", passphrase), jsonFileConsumer(out)))
		assert.Equal(t, 0, res.code, res.stderr)
		var want []string
		for _, p := range ledgers.Expect(t, lcm, passphrase).Payments {
			want = append(want, fmt.Sprintf("%s/%d", p.Hash, p.OpIndex))
		}
		require.Len(t, want, 1)
		assertLines(t, out, want)
	})
	t.Run("NUL and invalid UTF-8 in a contract event", func(t *testing.T) {
		db := shared.CreateDatabase(t)
		dir := t.TempDir()
		str := func(s string) xdr.ScVal {
			v := xdr.ScString(s)
			return xdr.ScVal{Type: xdr.ScValTypeScvString, Str: &v}
		}
		m := xdr.ScMap{{Key: ledgers.Symbol("nul"), Val: str("a\x00b")}, {Key: ledgers.Symbol("bad"), Val: str("\xff\xfe")}}
		pm := &m
		data := xdr.ScVal{Type: xdr.ScValTypeScvMap, Map: &pm}
		contract := ledgers.Contract(7)
		lcm := ledgers.MustBuild(ledgers.LedgerSpec{Sequence: 1000, Transactions: []ledgers.TxSpec{{
			Source: ledgers.Account(1), Operations: []ledgers.Op{ledgers.InvokeContract(contract, "note",
				ledgers.Event(contract, xdr.ContractEventTypeContract, data, ledgers.Symbol("note"), str("\x00")))},
		}}})
		require.NoError(t, ledgers.WriteDatastore(dir, ledgers.SyntheticPassphrase, ledgers.SingleLedgerFiles, lcm))
		out := filepath.Join(t.TempDir(), "events.jsonl")
		yaml := strings.Replace(config(dir, "start_ledger: 1000, end_ledger: 1000",
			pgConsumer(shared.DSN(db))+", "+jsonFileConsumer(out)), "{type: FilterPayments}", "{type: ContractEvent}", 1)
		ds := &datastore{t: t, dir: dir}
		for i := range 2 { // the second run adds nothing
			res := ds.run(t, yaml)
			require.Equal(t, 0, res.code, "run %d: %s", i+1, res.stderr)
		}
		var pgData string
		var n int
		conn, err := pgx.Connect(t.Context(), shared.DSN(db))
		require.NoError(t, err)
		defer conn.Close(t.Context())
		require.NoError(t, conn.QueryRow(t.Context(), `SELECT count(*), min(data::text) FROM contract_events`).Scan(&n, &pgData))
		assert.Equal(t, 1, n)
		var fromPG, fromFile map[string]interface{}
		require.NoError(t, json.Unmarshal([]byte(pgData), &fromPG))
		line, err := os.ReadFile(out)
		require.NoError(t, err)
		var event struct{ Data map[string]interface{} }
		require.NoError(t, json.Unmarshal(line, &event))
		fromFile = event.Data
		assert.Equal(t, map[string]interface{}{
			"nul": map[string]interface{}{"base64": "YQBi"},
			"bad": map[string]interface{}{"base64": "//4="},
		}, fromPG)
		assert.Equal(t, fromPG, fromFile, "the JSON file and PostgreSQL write the same values")
	})
}
