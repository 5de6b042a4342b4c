package runner_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/shard"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// shardedLayout is the layout of the sharded tests' datastore: files of 8
// ledgers, so that a split of a few dozen ledgers has files to hand out.
var shardedLayout = ledgers.Schema{LedgersPerFile: 8, FilesPerPartition: 16}

// paymentsDatastore writes ledgers from to to, each with one payment, into
// a fresh datastore of shardedLayout.
func paymentsDatastore(t *testing.T, from, to uint32) string {
	t.Helper()
	var all []ledgers.LedgerSpec
	for seq := from; seq <= to; seq++ {
		all = append(all, ledgers.LedgerSpec{
			Sequence:  seq,
			CloseTime: time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC).Add(time.Duration(seq) * 5 * time.Second),
			Transactions: []ledgers.TxSpec{{Source: ledgers.Account(1), Operations: []ledgers.Op{
				ledgers.Payment(nil, ledgers.Account(2), ledgers.Native(), int64(seq)),
			}}},
		})
	}
	dir := t.TempDir()
	lcms := make([]xdr.LedgerCloseMeta, 0, len(all))
	for _, spec := range all {
		lcms = append(lcms, ledgers.MustBuild(spec))
	}
	require.NoError(t, ledgers.WriteDatastore(dir, ledgers.SyntheticPassphrase, shardedLayout, lcms...))
	return dir
}

// ledgersOf returns the ledger_sequence of every line of a JSON lines file.
func ledgersOf(t *testing.T, path string) []uint32 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []uint32
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line struct {
			Ledger uint32 `json:"ledger_sequence"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line))
		out = append(out, line.Ledger)
	}
	require.NoError(t, sc.Err())
	return out
}

func seqs(from, to uint32) []uint32 {
	var out []uint32
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

// TestShardedRunsReadTheirPart runs every shard of a range and checks
// that each reads exactly its sub-range, and that together they read the
// range once.
func TestShardedRunsReadTheirPart(t *testing.T) {
	const from, to = 13, 50 // files 8-15, 16-23, 24-31, 32-39, 40-47, 48-55
	dir := paymentsDatastore(t, from, to)
	tests := []struct {
		count int
		want  [][2]uint32 // each shard's range; {0, 0} for none
	}{
		{count: 1, want: [][2]uint32{{13, 50}}},
		{count: 3, want: [][2]uint32{{13, 23}, {24, 39}, {40, 50}}},
		// 6 files for 8 shards: two shards get none.
		{count: 8, want: [][2]uint32{{}, {13, 15}, {16, 23}, {24, 31}, {}, {32, 39}, {40, 47}, {48, 50}}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d shards", tt.count), func(t *testing.T) {
			var all []uint32
			for i, want := range tt.want {
				s := spec{Pipelines: []pipelineSpec{{Dir: dir, Source: fmt.Sprintf("start_ledger: %d, end_ledger: %d", from, to),
					Processors: []string{"{type: FilterPayments}"}}}}
				_, err := s.runToEnd(t, func(r *runner.Runner) { r.Shard = shard.Shard{Index: i, Count: tt.count} })
				require.NoError(t, err, "shard %d/%d", i, tt.count)
				out := s.Pipelines[0].Out
				if want == [2]uint32{} {
					assert.Zero(t, countLines(t, out), "shard %d/%d has no ledger", i, tt.count)
					continue
				}
				got := ledgersOf(t, out)
				assert.Equal(t, seqs(want[0], want[1]), got, "shard %d/%d", i, tt.count)
				all = append(all, got...)
			}
			slices.Sort(all)
			assert.Equal(t, seqs(from, to), all, "the shards together read the range once")
		})
	}
}
