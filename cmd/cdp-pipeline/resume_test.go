package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
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

// Resume test range: a few hundred synthetic ledgers.
const (
	resumeFirst = 1000
	resumeLast  = 1399
)

// resumeLedgers builds the ledgers of the resume test: a varying number of
// payments, a failed transaction and a Soroban call with two contract
// events, and every seventh ledger empty, so that some ledgers have no
// output at all.
func resumeLedgers(t *testing.T) []xdr.LedgerCloseMeta {
	t.Helper()
	contract := ledgers.Contract(0xC1)
	var out []xdr.LedgerCloseMeta
	for seq := uint32(resumeFirst); seq <= resumeLast; seq++ {
		spec := ledgers.LedgerSpec{
			Sequence:  seq,
			CloseTime: time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC).Add(time.Duration(seq) * 5 * time.Second),
		}
		if seq%7 != 0 {
			var pays []ledgers.Op
			for i := range seq%4 + 1 {
				pays = append(pays, ledgers.Payment(nil, ledgers.Account(2), ledgers.Native(), int64(seq)*10+int64(i)))
			}
			spec.Transactions = []ledgers.TxSpec{
				{Source: ledgers.Account(1), Operations: pays},
				{Source: ledgers.Account(3), Failed: true, Operations: []ledgers.Op{ledgers.Payment(nil, ledgers.Account(2), ledgers.Native(), 1)}},
				{Source: ledgers.Account(4), Operations: []ledgers.Op{ledgers.InvokeContract(contract, "f",
					ledgers.Event(contract, xdr.ContractEventTypeContract, ledgers.I128(int64(seq)), ledgers.Symbol("a")),
					ledgers.Event(contract, xdr.ContractEventTypeContract, ledgers.I128(-int64(seq)), ledgers.Symbol("b")),
				)}},
			}
		}
		lcm, err := ledgers.Build(spec)
		require.NoError(t, err)
		out = append(out, lcm)
	}
	return out
}

// resumeKeys is what a run must write, in the order of a JSON file: per
// ledger its payments ("p hash op") then its contract events ("e hash op
// event"), as the oracle reads them.
func resumeKeys(t *testing.T, lcms []xdr.LedgerCloseMeta) []string {
	t.Helper()
	var keys []string
	for _, lcm := range lcms {
		e := ledgers.Expect(t, lcm, ledgers.SyntheticPassphrase)
		for _, p := range e.Payments {
			keys = append(keys, fmt.Sprintf("p %s %d", p.Hash, p.OpIndex))
		}
		for _, ev := range e.Events {
			keys = append(keys, fmt.Sprintf("e %s %d %d", ev.Hash, ev.OpIndex, ev.EventIndex))
		}
	}
	return keys
}

// jsonKeys reads the keys of a JSON lines file, in file order.
func jsonKeys(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var keys []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l struct {
			Hash       string  `json:"transaction_hash"`
			Op         uint32  `json:"operation_index"`
			Event      *uint32 `json:"event_index"`
			ContractID string  `json:"contract_id"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), "line %d of %s", len(keys)+1, path)
		if l.Event != nil {
			keys = append(keys, fmt.Sprintf("e %s %d %d", l.Hash, l.Op, *l.Event))
		} else {
			keys = append(keys, fmt.Sprintf("p %s %d", l.Hash, l.Op))
		}
	}
	require.NoError(t, sc.Err())
	return keys
}

// tableKeys reads the keys of the rows in PostgreSQL, sorted.
func tableKeys(t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(t.Context(), `
SELECT 'p ' || transaction_hash || ' ' || operation_index FROM payments
UNION ALL
SELECT 'e ' || transaction_hash || ' ' || operation_index || ' ' || event_index FROM contract_events`)
	require.NoError(t, err)
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	sort.Strings(keys)
	return keys
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// TestKillAndResume runs the command over a synthetic datastore, kills it
// with SIGKILL at random moments, restarts it each time, and checks that
// the final outputs hold every payment and event of the range exactly
// once: a JSON file alone, PostgreSQL alone, and both in one pipeline
// (which resumes after the lower of the two checkpoints). The seed is
// logged; RESUME_TEST_SEED replays one.
func TestKillAndResume(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("RESUME_TEST_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("seed %d (RESUME_TEST_SEED=%d replays it)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	pg := pgtest.Shared(t)
	dbs := map[string]string{"pg": pg.CreateDatabase(t), "both": pg.CreateDatabase(t)}
	conns := map[string]*pgx.Conn{}
	for name, db := range dbs {
		conn, err := pgx.Connect(t.Context(), pg.DSN(db))
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close(context.Background()) })
		conns[name] = conn
	}
	lcms := resumeLedgers(t)
	want := resumeKeys(t, lcms)
	dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, ledgers.Schema{LedgersPerFile: 8, FilesPerPartition: 16}, lcms...)
	tmp := t.TempDir()
	files := map[string]string{"json": filepath.Join(tmp, "json.jsonl"), "both": filepath.Join(tmp, "both.jsonl")}
	source := fmt.Sprintf(`{type: BufferedStorageSourceAdapter, config: {path: %q, start_ledger: %d, end_ledger: %d}}`, dir, resumeFirst, resumeLast)
	processors := "[{type: FilterPayments}, {type: ContractEvent}]"
	jsonFile := func(path string) string {
		return fmt.Sprintf("{type: SaveToJSONFile, config: {path: %q, buffer_size: 8192, flush_interval: 20ms}}", path)
	}
	postgres := func(db string) string {
		return fmt.Sprintf("{type: SaveToPostgreSQL, config: {host: %q, port: %d, database: %q, user: %q, sslmode: disable, batch_size: 20, flush_interval: 20ms}}",
			pg.Host(), pg.Port(), db, pgtest.User)
	}
	cfg := writeFile(t, tmp, "p.yaml", fmt.Sprintf(`pipelines:
  json: {source: %[1]s, processors: %[2]s, consumers: [%[3]s]}
  pg: {source: %[1]s, processors: %[2]s, consumers: [%[4]s]}
  both: {source: %[1]s, processors: %[2]s, consumers: [%[5]s, %[6]s]}
stats: {interval: 1s}
`, source, processors, jsonFile(files["json"]), postgres(dbs["pg"]), jsonFile(files["both"]), postgres(dbs["both"])))

	// check compares the outputs of a pipeline with the oracle.
	check := func(t *testing.T, pipeline string) {
		t.Helper()
		if path, ok := files[pipeline]; ok {
			assert.Equal(t, want, jsonKeys(t, path), "the JSON file holds every line once, in order")
		}
		if conn, ok := conns[pipeline]; ok {
			assert.Equal(t, sortedCopy(want), tableKeys(t, conn), "the tables hold every row once")
			assert.Equal(t, uint32(resumeLast), checkpoint(t, conn, pipeline))
		}
	}
	// progress is how far a run of the pipeline has got: the checkpoint
	// in PostgreSQL, or the ledger of the JSON file's last line.
	progress := func(pipeline string) uint32 {
		if conn, ok := conns[pipeline]; ok {
			return checkpoint(t, conn, pipeline)
		}
		return lastLedger(files[pipeline])
	}

	for _, pipeline := range []string{"json", "pg", "both"} {
		t.Run(pipeline, func(t *testing.T) {
			// Kill a few runs at random moments: once the output has got
			// up to 100 ledgers further, after a random delay of up to
			// 5 ms.
			for round := range 4 {
				from := max(progress(pipeline), resumeFirst)
				target := from + 1 + uint32(rng.IntN(100))
				delay := time.Duration(rng.Int64N(int64(5 * time.Millisecond)))
				cmd, stdout, stderr := command(t, tmp, nil, "run", "-config", cfg, "-pipeline", pipeline)
				require.NoError(t, cmd.Start())
				for progress(pipeline) < target && !exited(cmd.Process.Pid) {
					time.Sleep(100 * time.Microsecond)
				}
				time.Sleep(delay)
				require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
				res := finish(t, cmd.Wait(), stdout, stderr)
				t.Logf("round %d: from ledger %d, killed past %d + %v: exit %d, at ledger %d", round, from, target, delay, res.code, progress(pipeline))
			}

			res := cli(t, tmp, nil, "run", "-config", cfg, "-pipeline", pipeline)
			require.Equal(t, 0, res.code, res.stderr)
			check(t, pipeline)
			before := jsonSize(files[pipeline])

			// A run after the end replays at most the JSON file's last
			// ledger with lines: nothing changes.
			res = cli(t, tmp, nil, "run", "-config", cfg, "-pipeline", pipeline)
			require.Equal(t, 0, res.code, res.stderr)
			assert.Contains(t, res.stderr, "resuming after ledger")
			if pipeline == "pg" {
				assert.Contains(t, res.stderr, fmt.Sprintf(`msg="resuming after ledger %d (checkpoints: SaveToPostgreSQL=%d)" pipeline=pg`, resumeLast, resumeLast))
				assert.Contains(t, res.stderr, "nothing to do: the range is done")
			}
			check(t, pipeline)
			assert.Equal(t, before, jsonSize(files[pipeline]))

			// From scratch, everything is written again, and still once.
			res = cli(t, tmp, nil, "run", "-config", cfg, "-pipeline", pipeline, "-from-scratch")
			require.Equal(t, 0, res.code, res.stderr)
			assert.NotContains(t, res.stderr, "resuming after ledger")
			check(t, pipeline)
		})
	}
}

// checkpoint returns the last ledger PostgreSQL holds in full for the
// consumer of pipeline, 0 before its first checkpoint.
func checkpoint(t *testing.T, conn *pgx.Conn, pipeline string) uint32 {
	t.Helper()
	var last int64
	err := conn.QueryRow(t.Context(), `SELECT coalesce(max(last_ledger), 0) FROM cdp_checkpoints WHERE pipeline = $1 AND shard = '' AND consumer = 'SaveToPostgreSQL'`, pipeline).Scan(&last)
	if err != nil {
		return 0 // the table is not created yet
	}
	return uint32(last)
}

// lastLedger returns the ledger of the last whole line of a JSON lines
// file, 0 when there is none. It reads the file's end only, so that
// polling it keeps up with a run.
func lastLedger(path string) uint32 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 8<<10)
	n, _ := f.ReadAt(buf, max(jsonSize(path)-int64(len(buf)), 0))
	data := buf[:n]
	end := bytes.LastIndexByte(data, '\n')
	if end < 0 {
		return 0
	}
	var l struct {
		LedgerSequence uint32 `json:"ledger_sequence"`
	}
	json.Unmarshal(data[bytes.LastIndexByte(data[:end], '\n')+1:end], &l) //nolint:errcheck // 0 for anything else
	return l.LedgerSequence
}

// jsonSize returns the size of the file at path, 0 when there is none.
func jsonSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}

// exited reports whether the process pid has ended (and is a zombie
// waiting for Wait), so that the test stops waiting for output from it.
func exited(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	// The state follows the command name in parentheses: "pid (comm) S ...".
	for i := len(stat) - 1; i >= 0; i-- {
		if stat[i] == ')' {
			return i+2 < len(stat) && stat[i+2] == 'Z'
		}
	}
	return false
}
