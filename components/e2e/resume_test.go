package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/consumer/jsonlines"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/components/source/bufferedstorage"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// ledgerEnd is the ledger message of an empty synthetic ledger seq, which
// ends that ledger's output for a consumer.
func ledgerEnd(t testing.TB, seq uint32) cdp.Message {
	t.Helper()
	return ledgerMessage(ledgers.MustBuild(ledgers.LedgerSpec{Sequence: seq}), ledgers.SyntheticPassphrase)
}

// seqLine is a payload of ledger seq, as processors emit them.
type seqLine struct {
	LedgerSequence uint32 `json:"ledger_sequence"`
	N              int    `json:"n"`
}

// jsonOf is the lines SaveToJSONFile writes for ledgers first..last, two
// payloads each.
func jsonOf(first, last uint32) string {
	var b strings.Builder
	for seq := first; seq <= last; seq++ {
		for n := range 2 {
			fmt.Fprintf(&b, `{"ledger_sequence":%d,"n":%d}`+"\n", seq, n)
		}
	}
	return b.String()
}

// processLedgers sends two payloads of each ledger first..last, each
// ledger followed by its ledger message, to c.
func processLedgers(t *testing.T, c cdp.Processor, first, last uint32) {
	t.Helper()
	for seq := first; seq <= last; seq++ {
		for n := range 2 {
			require.NoError(t, c.Process(testContext(t), msgOf(seqLine{seq, n})))
		}
		require.NoError(t, c.Process(testContext(t), ledgerEnd(t, seq)))
	}
}

// TestSaveToJSONFileResumes starts SaveToJSONFile over the file an earlier
// run left, and runs the pipeline's resumed range through it.
func TestSaveToJSONFileResumes(t *testing.T) {
	tests := []struct {
		name        string
		config      map[string]interface{}
		fromScratch bool
		existing    string
		checkpoint  uint32
		resumable   bool
		from        uint32 // where the pipeline resumes
		want        string // the file after ledgers from..20
	}{
		{name: "no file", from: 10, want: jsonOf(10, 20)},
		{name: "an empty file", existing: "", from: 10, want: jsonOf(10, 20)},
		{name: "killed between ledgers", existing: jsonOf(10, 14), checkpoint: 13, resumable: true, from: 14, want: jsonOf(10, 20)},
		{name: "killed in a line", existing: jsonOf(10, 14) + `{"ledger_seq`, checkpoint: 13, resumable: true, from: 14, want: jsonOf(10, 20)},
		{name: "killed in a ledger", existing: jsonOf(10, 14) + jsonOf(15, 15)[:10], checkpoint: 13, resumable: true, from: 14, want: jsonOf(10, 20)},
		{name: "another consumer resumes earlier", existing: jsonOf(10, 14), checkpoint: 13, resumable: true, from: 10, want: jsonOf(10, 20)},
		{name: "a foreign file", existing: yesterday, from: 10, want: jsonOf(10, 20)},
		{name: "from scratch", fromScratch: true, existing: jsonOf(10, 14), from: 10, want: jsonOf(10, 20)},
		{name: "atomic", config: map[string]interface{}{"atomic": true}, existing: jsonOf(10, 14), from: 10, want: jsonOf(10, 20)},
		{name: "append", config: map[string]interface{}{"append": true}, existing: jsonOf(1, 2), from: 10, want: jsonOf(1, 2) + jsonOf(10, 20)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.jsonl")
			if tt.name != "no file" {
				require.NoError(t, os.WriteFile(path, []byte(tt.existing), 0o644))
			}
			cfg := map[string]interface{}{"path": path}
			for k, v := range tt.config {
				cfg[k] = v
			}
			c, err := jsonlines.NewFile(cfg)
			require.NoError(t, err)
			require.NoError(t, c.Start(testContext(t), cdp.Env{FromScratch: tt.fromScratch}))
			last, ok := c.Checkpoint()
			assert.Equal(t, tt.resumable, ok)
			assert.Equal(t, tt.checkpoint, last)

			processLedgers(t, c, tt.from, 20)
			require.NoError(t, c.Close())
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
		})
	}
}

// TestSaveToJSONFileAbortKeepsWholeLedgers stops a run in the middle of a
// ledger: the ledgers that ended are kept, the one that did not is not.
func TestSaveToJSONFileAbortKeepsWholeLedgers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	c, err := jsonlines.NewFile(map[string]interface{}{"path": path})
	require.NoError(t, err)
	require.NoError(t, c.Start(testContext(t), cdp.Env{}))
	processLedgers(t, c, 10, 12)
	require.NoError(t, c.Process(testContext(t), msgOf(seqLine{13, 0})))
	require.NoError(t, c.Abort())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, jsonOf(10, 12), string(got))
}

// checkpointOf reads a consumer's row of the checkpoints table.
func checkpointOf(t *testing.T, s *pgtest.Server, db, pipeline, shard, consumer string) int {
	t.Helper()
	return count(t, connect(t, s, db), `SELECT coalesce(max(last_ledger), 0) FROM cdp_checkpoints WHERE pipeline = $1 AND shard = $2 AND consumer = $3`,
		pipeline, shard, consumer)
}

// TestPostgresCheckpoint checks that the checkpoint is committed with the
// rows: after a batch that fails for good it stays at the last ledger
// whose rows all committed, and the next run resumes after it.
func TestPostgresCheckpoint(t *testing.T) {
	s := pgtest.Shared(t)
	db := s.CreateDatabase(t)
	env := cdp.Env{Pipeline: "p", Shard: "1/3", ID: "pg"}
	lcms := make([]xdr.LedgerCloseMeta, 4)
	for i := range lcms {
		lcms[i] = buildScenario(t, uint32(100+i), 4)
	}
	rowsOf := func(seq uint32) int {
		w := walk(t, lcms[seq-100], ledgers.SyntheticPassphrase)
		return len(w.Payments) + len(w.Events)
	}

	first := startPostgres(t, pgConfig(s, db, "batch_size", 3), env)
	_, ok := first.Checkpoint()
	assert.False(t, ok, "a first run has no checkpoint")
	feed(t, first, ledgers.SyntheticPassphrase, lcms[0], lcms[1])
	require.NoError(t, first.Close())
	assert.Equal(t, 101, checkpointOf(t, s, db, "p", "1/3", "pg"))

	// Ledger 102's rows are refused: the batches holding them fail, and
	// the checkpoint stays at 101 however many of the rows got in before.
	conn := connect(t, s, db)
	_, err := conn.Exec(testContext(t), `
CREATE FUNCTION refuse_102() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.ledger_sequence = 102 THEN RAISE EXCEPTION 'ledger 102 refused'; END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER refuse_102 BEFORE INSERT ON contract_events FOR EACH ROW EXECUTE FUNCTION refuse_102();`)
	require.NoError(t, err)
	second := startPostgres(t, pgConfig(s, db, "batch_size", 2), env)
	last, ok := second.Checkpoint()
	require.True(t, ok)
	assert.Equal(t, uint32(101), last)
	fp, err := filterpayments.New(nil)
	require.NoError(t, err)
	ce, err := contractevent.New(nil)
	require.NoError(t, err)
	fp.Subscribe(ce)
	ce.Subscribe(second)
	assert.ErrorContains(t, fp.Process(testContext(t), ledgerMessage(lcms[2], ledgers.SyntheticPassphrase)), "ledger 102 refused")
	assert.Error(t, second.Close())
	assert.Equal(t, 101, checkpointOf(t, s, db, "p", "1/3", "pg"))
	assert.Greater(t, count(t, conn, `SELECT count(*) FROM payments WHERE ledger_sequence = 102`), 0,
		"the batches of 102's payments committed before its events failed")

	// Once the database takes them, a restart replays 102 and 103.
	_, err = conn.Exec(testContext(t), `DROP TRIGGER refuse_102 ON contract_events`)
	require.NoError(t, err)
	third := startPostgres(t, pgConfig(s, db), env)
	last, _ = third.Checkpoint()
	assert.Equal(t, uint32(101), last)
	feed(t, third, ledgers.SyntheticPassphrase, lcms[2], lcms[3])
	require.NoError(t, third.Close())
	assert.Equal(t, 103, checkpointOf(t, s, db, "p", "1/3", "pg"))
	assert.Equal(t, rowsOf(100)+rowsOf(101)+rowsOf(102)+rowsOf(103), count(t, conn, `SELECT (SELECT count(*) FROM payments) + (SELECT count(*) FROM contract_events)`))

	// Other consumers, shards and pipelines have rows of their own;
	// from scratch, the checkpoint is not read.
	for _, other := range []cdp.Env{
		{Pipeline: "p", Shard: "1/3", ID: "pg2"},
		{Pipeline: "p", Shard: "2/3", ID: "pg"},
		{Pipeline: "q", Shard: "1/3", ID: "pg"},
		{Pipeline: "p", Shard: "1/3", ID: "pg", FromScratch: true},
	} {
		c := startPostgres(t, pgConfig(s, db), other)
		_, ok := c.Checkpoint()
		assert.False(t, ok, "%+v", other)
		require.NoError(t, c.Close())
	}
}

// TestSourceResumeAfter checks where a resumed source starts: after the
// checkpoint, at start_ledger when the checkpoint is before it, and
// nowhere when the range is done.
func TestSourceResumeAfter(t *testing.T) {
	dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, ledgers.Schema{LedgersPerFile: 4, FilesPerPartition: 2}, syntheticRange(t, 1000, 1010)...)
	tests := []struct {
		name        string
		after       uint32
		first, last uint32 // 0, 0 for nothing
	}{
		{"after the checkpoint, mid-file", 1004, 1005, 1008},
		{"before the start", 900, 1002, 1008},
		{"just before the start", 1001, 1002, 1008},
		{"at the last ledger but one", 1007, 1008, 1008},
		{"at the end", 1008, 0, 0},
		{"past the end", 5000, 0, 0},
		{"the last ledger there is", ^uint32(0), 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := bufferedstorage.New(sourceConfig(dir, 1002, 1008))
			require.NoError(t, err)
			rec := &recorder{}
			src.Subscribe(rec)
			require.NoError(t, src.Start(testContext(t), cdp.Env{}))
			src.ResumeAfter(tt.after)
			require.NoError(t, src.Run(testContext(t)))
			var want []uint32
			for seq := tt.first; tt.first != 0 && seq <= tt.last; seq++ {
				want = append(want, seq)
			}
			assert.Equal(t, want, rec.ledgers())
		})
	}
}
