package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/source/bufferedstorage"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// gapSchema is a layout of two ledgers per file, so that a missing file
// holds more than one ledger.
var gapSchema = ledgers.Schema{LedgersPerFile: 2, FilesPerPartition: 10}

// gapDatastore writes ledgers 1000-1011 and removes the file holding
// 1006 and 1007.
func gapDatastore(t *testing.T) (dir, missingFile string) {
	dir = ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, gapSchema, syntheticRange(t, 1000, 1011)...)
	missingFile = gapSchema.ObjectKey(1006)
	require.NoError(t, os.Remove(filepath.Join(dir, filepath.FromSlash(missingFile))))
	return dir, missingFile
}

// runInBackground runs src until ctx ends; the channel receives Run's
// result.
func runInBackground(ctx context.Context, src cdp.Source) <-chan error {
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx) }()
	return done
}

// TestSourceGaps checks each way a ledger's file can be missing while
// later ones exist: the error or the wait names the ledger and its file,
// and the ledgers before the gap are emitted.
func TestSourceGaps(t *testing.T) {
	tests := []struct {
		name  string
		end   uint32
		onGap string
		// wantErr is what Run's error holds; empty when the source waits.
		wantErr []string
	}{
		{"bounded range fails by default", 1011, "", []string{"ledger 1006 (file ", ") is missing from datastore"}},
		{"unbounded range fails under on_gap: fail", 0, bufferedstorage.OnGapFail, []string{"ledger 1006 is missing from datastore", "on_gap: fail"}},
		{"unbounded range waits by default", 0, "", nil},
		{"bounded range waits under on_gap: wait", 1011, bufferedstorage.OnGapWait, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := captureLogs(t)
			dir, missing := gapDatastore(t)
			extra := []interface{}{"buffer_size", 2, "num_workers", 1}
			if tt.onGap != "" {
				extra = append(extra, "on_gap", tt.onGap)
			}
			src, err := bufferedstorage.New(sourceConfig(dir, 1000, tt.end, extra...))
			require.NoError(t, err)
			rec := &recorder{}
			src.Subscribe(rec)
			ctx, cancel := context.WithCancel(testContext(t))
			defer cancel()
			require.NoError(t, src.Start(ctx, logs.Env))
			done := runInBackground(ctx, src)

			if tt.wantErr != nil {
				err := <-done
				require.Error(t, err)
				for _, want := range tt.wantErr {
					assert.Contains(t, err.Error(), want)
				}
				assert.Contains(t, err.Error(), missing)
				assert.Subset(t, []uint32{1000, 1001, 1002, 1003, 1004, 1005}, rec.ledgers())
				if tt.end == 0 { // the watcher found the gap; else the reader failed at once
					assert.Contains(t, logs.String(), "level=ERROR")
					assert.Contains(t, logs.String(), "ledger=1006")
				}
				return
			}
			require.Eventually(t, func() bool { return src.Progress().Reason == cdp.WaitGap }, time.Minute, 10*time.Millisecond,
				"the source reports the gap")
			p := src.Progress()
			assert.Equal(t, uint32(1006), p.WaitingFor)
			assert.Equal(t, missing, p.Missing)
			assert.False(t, p.Since.IsZero())
			assert.Equal(t, []uint32{1000, 1001, 1002, 1003, 1004, 1005}, rec.ledgers())
			if statsOn(t) {
				assert.Equal(t, float64(1006), stat(t, src, "waiting_for_ledger"))
				assert.Equal(t, float64(1), stat(t, src, "waiting_for_gap"))
				assert.Equal(t, float64(1), stat(t, src, "gaps"))
			}
			assert.Contains(t, logs.String(), "level=ERROR msg=\"gap in the datastore")
			if tt.end == 0 {
				cancel()
				require.ErrorIs(t, <-done, context.Canceled)
				return
			}
			// The exporter fills the gap: the bounded run completes.
			lcms := syntheticRange(t, 1006, 1007)
			fill := t.TempDir()
			require.NoError(t, ledgers.WriteDatastore(fill, ledgers.SyntheticPassphrase, gapSchema, lcms...))
			raw, err := os.ReadFile(filepath.Join(fill, filepath.FromSlash(missing)))
			require.NoError(t, err)
			// Written aside and renamed, as an exporter's upload appears
			// whole: the source must never read half a file.
			dst := filepath.Join(dir, filepath.FromSlash(missing))
			require.NoError(t, os.WriteFile(dst+".part", raw, 0o644))
			require.NoError(t, os.Rename(dst+".part", dst))
			require.NoError(t, <-done)
			assert.Len(t, rec.ledgers(), 12)
			assert.Equal(t, cdp.Progress{StallTimeout: bufferedstorage.DefaultStallTimeout}, src.Progress(), "not waiting once done")
		})
	}
}

// TestSourceWaitsForTheTip follows the tip: the next ledger is not written
// yet, and nothing later is, so it waits for a ledger not yet closed.
func TestSourceWaitsForTheTip(t *testing.T) {
	dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, gapSchema, syntheticRange(t, 1000, 1003)...)
	src, err := bufferedstorage.New(sourceConfig(dir, 1000, 0, "buffer_size", 2, "num_workers", 1, "stall_timeout", "50ms"))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(testContext(t))
	done := runInBackground(ctx, src)
	require.Eventually(t, func() bool { return src.Progress().WaitingFor == 1004 }, time.Minute, 10*time.Millisecond)
	assert.Equal(t, cdp.WaitNotYetClosed, src.Progress().Reason)
	assert.Empty(t, src.Progress().Missing)
	if statsOn(t) {
		require.Eventually(t, func() bool { return stat(t, src, "stalled") == 1 }, time.Minute, 10*time.Millisecond,
			"stalled once the wait exceeds stall_timeout")
		assert.Equal(t, float64(0), stat(t, src, "waiting_for_gap"))
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	if statsOn(t) {
		assert.Equal(t, float64(0), stat(t, src, "errors"), "a cancellation is not an error")
	}
}

// TestSourceAnyNetworkPassphrase reads a datastore of a network whose
// passphrase has no ';', as the SDK's load-test ledgers have, and checks
// the configured passphrase against the manifest.
func TestSourceAnyNetworkPassphrase(t *testing.T) {
	const loadTest = "load test network"
	lcms := make([]xdr.LedgerCloseMeta, 0, 2)
	for seq := uint32(1000); seq <= 1001; seq++ {
		spec := scenario(seq, 4)
		spec.Passphrase = loadTest
		lcms = append(lcms, ledgers.MustBuild(spec))
	}
	dir := ledgers.NewDatastore(t, loadTest, ledgers.SingleLedgerFiles, lcms...)
	tests := []struct {
		name    string
		network interface{}
		wantErr string
	}{
		{"from the manifest", nil, ""},
		{"given, as in the manifest", loadTest, ""},
		{"given, not as in the manifest", "another network", `config key "network": "another network" does not match the networkPassphrase "load test network" of the datastore manifest`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var extra []interface{}
			if tt.network != nil {
				extra = []interface{}{"network", tt.network}
			}
			rec := &recorder{}
			err := runSource(t, sourceConfig(dir, 1000, 1001, extra...), rec)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Len(t, rec.messages, 2)
			assert.Equal(t, loadTest, rec.messages[0].Passphrase)
		})
	}
}
