package e2e

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/source/bufferedstorage"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// sourceConfig is a source config map reading dir.
func sourceConfig(dir string, start, end uint32, extra ...interface{}) map[string]interface{} {
	cfg := map[string]interface{}{
		"path":         dir,
		"start_ledger": int(start),
		"end_ledger":   int(end),
		"buffer_size":  4,
		"num_workers":  2,
		"retry_limit":  0,
		"retry_wait":   "10ms",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i].(string)] = extra[i+1]
	}
	return cfg
}

func runSource(t testing.TB, cfg map[string]interface{}, subscribers ...cdp.Processor) error {
	t.Helper()
	src, err := bufferedstorage.New(cfg)
	require.NoError(t, err)
	for _, s := range subscribers {
		src.Subscribe(s)
	}
	return src.Run(testContext(t))
}

// syntheticRange builds consecutive synthetic V4 ledgers.
func syntheticRange(t testing.TB, from, to uint32) []xdr.LedgerCloseMeta {
	var out []xdr.LedgerCloseMeta
	for seq := from; seq <= to; seq++ {
		out = append(out, buildScenario(t, seq, 4))
	}
	return out
}

func TestSourceReadsRealLedgers(t *testing.T) {
	pubnet := ledgers.MustPubnet(t)
	tests := []struct {
		name   string
		dir    func(t *testing.T) string
		seq    uint32
		extras []interface{}
	}{
		{"pubnet 58752000", func(t *testing.T) string {
			return ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, pubnet)
		}, ledgers.PubnetSequence, nil},
		{"galexie file as shipped, with a manifest", func(t *testing.T) string {
			dir := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles)
			require.NoError(t, ledgers.WriteGalexieFile(dir))
			return dir
		}, ledgers.GalexieSequence, nil},
		{"galexie file without a manifest", func(t *testing.T) string {
			dir := t.TempDir()
			require.NoError(t, ledgers.WriteGalexieFile(dir))
			return dir
		}, ledgers.GalexieSequence, []interface{}{"network", "pubnet", "ledgers_per_file", 1, "files_per_partition", 64000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			require.NoError(t, runSource(t, sourceConfig(tt.dir(t), tt.seq, tt.seq, tt.extras...), rec))
			require.Len(t, rec.messages, 1)
			msg := rec.messages[0]
			lcm, ok := msg.Payload.(xdr.LedgerCloseMeta)
			require.True(t, ok)
			assert.Equal(t, tt.seq, lcm.LedgerSequence())
			assert.Equal(t, ledgers.PubnetPassphrase, msg.Passphrase)
			assert.Equal(t, tt.seq, msg.LedgerSequence)
		})
	}
}

func TestSourceRanges(t *testing.T) {
	all := syntheticRange(t, 1000, 1012)
	tests := []struct {
		name       string
		schema     ledgers.Schema
		start, end uint32
	}{
		{"one ledger per file", ledgers.Schema{LedgersPerFile: 1, FilesPerPartition: 4}, 1000, 1012},
		{"four ledgers per file, from mid-file", ledgers.Schema{LedgersPerFile: 4, FilesPerPartition: 2}, 1001, 1010},
		{"one ledger", ledgers.Schema{LedgersPerFile: 8, FilesPerPartition: 1}, 1005, 1005},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, tt.schema, all...)
			rec := &recorder{}
			require.NoError(t, runSource(t, sourceConfig(dir, tt.start, tt.end), rec))
			var want []uint32
			for seq := tt.start; seq <= tt.end; seq++ {
				want = append(want, seq)
			}
			assert.Equal(t, want, rec.ledgers())
		})
	}
}

func TestSourceUnboundedStopsWithContext(t *testing.T) {
	dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, ledgers.Schema{LedgersPerFile: 1, FilesPerPartition: 10}, syntheticRange(t, 1000, 1002)...)
	src, err := bufferedstorage.New(sourceConfig(dir, 1000, 0))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(chan uint32, 10)
	src.Subscribe(processorFunc(func(_ context.Context, msg cdp.Message) error {
		lcm := msg.Payload.(xdr.LedgerCloseMeta)
		seen <- lcm.LedgerSequence()
		if lcm.LedgerSequence() == 1002 {
			cancel() // ledger 1003 is not written; the source would wait for it
		}
		return nil
	}))
	err = src.Run(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	close(seen)
	var got []uint32
	for s := range seen {
		got = append(got, s)
	}
	assert.Equal(t, []uint32{1000, 1001, 1002}, got)
}

type processorFunc func(ctx context.Context, msg cdp.Message) error

func (f processorFunc) Process(ctx context.Context, msg cdp.Message) error { return f(ctx, msg) }
func (f processorFunc) Subscribe(cdp.Processor)                            {}

func TestSourceSubscriberErrorStopsRun(t *testing.T) {
	dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, ledgers.Schema{LedgersPerFile: 1, FilesPerPartition: 10}, syntheticRange(t, 1000, 1003)...)
	boom := errors.New("boom")
	calls := 0
	err := runSource(t, sourceConfig(dir, 1000, 1003), processorFunc(func(context.Context, cdp.Message) error {
		calls++
		if calls == 2 {
			return boom
		}
		return nil
	}))
	assert.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "ledger 1001")
	assert.Equal(t, 2, calls)
}

func TestSourceBadInput(t *testing.T) {
	pubnet := ledgers.MustPubnet(t)
	key := ledgers.SingleLedgerFiles.ObjectKey(ledgers.PubnetSequence)
	withFile := func(t *testing.T, mutate func(path string)) string {
		dir := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, pubnet)
		mutate(filepath.Join(dir, filepath.FromSlash(key)))
		return dir
	}
	tests := []struct {
		name    string
		dir     func(t *testing.T) string
		extras  []interface{}
		start   uint32
		end     uint32
		wantErr []string
		// emitted are ledgers that may have been read before the failure:
		// the source reads ahead, and a missing file may stop it before or
		// after it hands out the ledgers before it.
		emitted []uint32
	}{
		{"truncated file", func(t *testing.T) string {
			return withFile(t, func(path string) {
				raw, err := os.ReadFile(path)
				require.NoError(t, err)
				require.NoError(t, os.WriteFile(path, raw[:len(raw)/2], 0o644))
			})
		}, nil, ledgers.PubnetSequence, ledgers.PubnetSequence, []string{"reading ledger 58752000", key}, nil},
		{"corrupt file", func(t *testing.T) string {
			return withFile(t, func(path string) {
				require.NoError(t, os.WriteFile(path, []byte("this is not a zstd frame at all"), 0o644))
			})
		}, nil, ledgers.PubnetSequence, ledgers.PubnetSequence, []string{"reading ledger 58752000", key, "decompress"}, nil},
		{"valid zstd, garbage XDR", func(t *testing.T) string {
			return withFile(t, func(path string) {
				require.NoError(t, os.WriteFile(path, zstdOf(t, []byte("not xdr, just bytes long enough to look like something")), 0o644))
			})
		}, nil, ledgers.PubnetSequence, ledgers.PubnetSequence, []string{"reading ledger 58752000"}, nil},
		{"missing ledger in range", func(t *testing.T) string {
			return ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, pubnet)
		}, nil, ledgers.PubnetSequence, ledgers.PubnetSequence + 1, []string{"ledger 58752001 (file", "is missing from datastore", "file does not exist"}, []uint32{ledgers.PubnetSequence}},
		{"network differs from the manifest", func(t *testing.T) string {
			return ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, pubnet)
		}, []interface{}{"network", "testnet"}, ledgers.PubnetSequence, ledgers.PubnetSequence, []string{"networkPassphrase", "does not match"}, nil},
		{"layout differs from the manifest", func(t *testing.T) string {
			return ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, pubnet)
		}, []interface{}{"ledgers_per_file", 2, "files_per_partition", 64000}, ledgers.PubnetSequence, ledgers.PubnetSequence, []string{"ledgersPerFile: local=2, datastore=1"}, nil},
		{"no manifest and no layout", func(t *testing.T) string {
			dir := t.TempDir()
			require.NoError(t, ledgers.WriteGalexieFile(dir))
			return dir
		}, []interface{}{"network", "pubnet"}, ledgers.GalexieSequence, ledgers.GalexieSequence, []string{"no manifest", "ledgers_per_file"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			err := runSource(t, sourceConfig(tt.dir(t), tt.start, tt.end, tt.extras...), rec)
			require.Error(t, err)
			t.Log(err)
			for _, want := range tt.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			assert.Subset(t, tt.emitted, rec.ledgers(), "nothing from a ledger that failed to read")
		})
	}
}

func TestSourceConfigErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	tests := []struct {
		name    string
		cfg     map[string]interface{}
		key     string
		wantMsg string
	}{
		{"missing datastore path", sourceConfig(missing, 2, 3), "path", `datastore directory "` + missing + `" does not exist`},
		{"unknown key", sourceConfig(dir, 2, 3, "bufer_size", 3), "bufer_size", `did you mean "buffer_size"?`},
		{"start_ledger missing", map[string]interface{}{"path": dir}, "start_ledger", "is required"},
		{"end before start", sourceConfig(dir, 10, 3), "end_ledger", "before start_ledger 10"},
		{"non-numeric start", sourceConfig(dir, 2, 3, "start_ledger", "two"), "start_ledger", `must be an integer, got string "two"`},
		{"bad datastore type", sourceConfig(dir, 2, 3, "datastore_type", "filesystem"), "datastore_type", `did you mean "Filesystem"?`},
		{"S3 needs a bucket", sourceConfig(dir, 2, 3, "datastore_type", "S3", "region", "us-east-1"), "bucket_name", "is required"},
		{"workers exceed buffer", sourceConfig(dir, 2, 3, "num_workers", 8), "num_workers", "more than buffer_size 4"},
		{"no decode-ahead", sourceConfig(dir, 2, 3, "decode_ahead", 0), "decode_ahead", "must be at least 1"},
		{"bad retry_wait", sourceConfig(dir, 2, 3, "retry_wait", "soon"), "retry_wait", "must be a duration"},
		{"bad network", sourceConfig(dir, 2, 3, "network", "mainnett"), "network", "unknown network"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := bufferedstorage.New(tt.cfg)
			require.Error(t, err)
			t.Log(err)
			assert.Contains(t, err.Error(), tt.wantMsg)
			var ke *config.KeyError
			require.ErrorAs(t, err, &ke)
			assert.Equal(t, tt.key, ke.Key)
		})
	}
}
