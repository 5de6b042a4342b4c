//go:build faults

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

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
	shared := pgtest.Start(t)
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
		proxy := startProxy(t, filepath.Join(shared.Host(), fmt.Sprintf(".s.PGSQL.%d", shared.Port())))
		res := pgFault(t, shared, proxy.addr(),
			func() error { proxy.setBlackHole(true); return nil },
			func() error { proxy.setBlackHole(false); return nil })
		assert.Contains(t, res.stderr, `"msg":"pipeline drained","pipeline":"p","error":null`)
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
		// fit, then a write fails with EFBIG (Go ignores SIGXFSZ). An
		// atomic file leaves the previous content in place.
		ds := newDatastore(t, 1000, 20)
		dir := t.TempDir()
		out := filepath.Join(dir, "out.jsonl")
		const before = "{\"before\":true}\n"
		require.NoError(t, os.WriteFile(out, []byte(before), 0o644))
		consumer := fmt.Sprintf("{type: SaveToJSONFile, config: {path: %q, atomic: true}}", out)
		cfg := writeFile(t, t.TempDir(), "p.yaml", config(ds.dir, "start_ledger: 1000, end_ledger: 1019", consumer))
		prlimit, err := exec.LookPath("prlimit")
		require.NoError(t, err, "the full disk fault needs prlimit (util-linux)")
		cmd, stdout, stderr := command(t, t.TempDir(), nil)
		cmd.Path, cmd.Args = prlimit, []string{"prlimit", "--fsize=2000", binary, "run", "-config", cfg, "-log-format", "json"}
		res := finish(t, cmd.Run(), stdout, stderr)
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
	t.Run("SIGTERM mid-run", func(t *testing.T) {
		db := shared.CreateDatabase(t)
		ds := newDatastore(t, 1000, 20)
		p := ds.start(t, config(ds.dir, "start_ledger: 1000", pgConsumer(shared.DSN(db))))
		waitFor(t, "the first ledgers' rows", func() bool { return len(rows(t, shared, db)) == len(ds.want(1000, 1019)) })
		ds.add(40)
		res := p.stop(t)
		assert.Equal(t, 0, res.code, res.stderr)
		assert.Contains(t, res.stderr, `"msg":"pipeline drained","pipeline":"p","error":null`)
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
}
