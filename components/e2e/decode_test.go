package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// TestSourceDecodesAheadInOrder runs the source with more decode workers
// than files in flight can keep in order by chance: the ledgers come out
// in order, each once, with its sequence, its passphrase and (unless
// read_transactions is off) its transactions read once.
func TestSourceDecodesAheadInOrder(t *testing.T) {
	const start, end = 1001, 1060
	all := syntheticRange(t, 1000, 1063)
	tests := []struct {
		name      string
		schema    ledgers.Schema
		extra     []interface{}
		wantReads int
	}{
		{"eight workers, one ledger per file", ledgers.Schema{LedgersPerFile: 1, FilesPerPartition: 16}, []interface{}{"decode_workers", 8}, 1},
		{"three workers, four ledgers per file", ledgers.Schema{LedgersPerFile: 4, FilesPerPartition: 4}, []interface{}{"decode_workers", 3, "buffer_size", 5, "num_workers", 5}, 1},
		{"one worker", ledgers.Schema{LedgersPerFile: 2, FilesPerPartition: 8}, []interface{}{"decode_workers", 1}, 1},
		{"one worker, one file ahead", ledgers.Schema{LedgersPerFile: 1, FilesPerPartition: 16}, []interface{}{"decode_workers", 1, "decode_ahead", 1}, 1},
		{"two workers, sixteen files ahead each", ledgers.Schema{LedgersPerFile: 1, FilesPerPartition: 16}, []interface{}{"decode_workers", 2, "decode_ahead", 16}, 1},
		{"transactions left to the processors", ledgers.Schema{LedgersPerFile: 1, FilesPerPartition: 16}, []interface{}{"read_transactions", false}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, tt.schema, all...)
			var got []uint32
			err := runSource(t, sourceConfig(dir, start, end, tt.extra...), processorFunc(func(_ context.Context, msg cdp.Message) error {
				got = append(got, msg.LedgerSequence)
				assert.Equal(t, ledgers.SyntheticPassphrase, msg.Passphrase)
				require.NotNil(t, msg.Transactions)
				assert.Equal(t, tt.wantReads, msg.Transactions.Reads, "ledger %d", msg.LedgerSequence)
				assert.NoError(t, msg.Transactions.Err)
				return nil
			}))
			require.NoError(t, err)
			var want []uint32
			for seq := uint32(start); seq <= end; seq++ {
				want = append(want, seq)
			}
			assert.Equal(t, want, got)
		})
	}
}

// TestSourceRetriesAFileThatCannotBeRead checks that a file that exists
// but cannot be read is retried retry_limit times, and that the error then
// names the ledger and the file, after the ledgers before it.
func TestSourceRetriesAFileThatCannotBeRead(t *testing.T) {
	schema := ledgers.Schema{LedgersPerFile: 1, FilesPerPartition: 16}
	dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, schema, syntheticRange(t, 1000, 1005)...)
	key := schema.ObjectKey(1003)
	path := filepath.Join(dir, filepath.FromSlash(key))
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.Mkdir(path, 0o755)) // opens, but reading fails
	rec := &recorder{}
	err := runSource(t, sourceConfig(dir, 1000, 1005, "retry_limit", 2, "decode_workers", 2), rec)
	require.Error(t, err)
	t.Log(err)
	for _, want := range []string{"reading ledger 1003", key, "after 2 retries"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.Equal(t, []uint32{1000, 1001, 1002}, rec.ledgers())
}
