package runner_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// logBuffer collects log lines from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestGapStallsAnUnboundedRun follows a datastore with a missing file and
// later files after it: the run waits at the gap (on_gap defaults to wait
// for an unbounded range), the source logs the gap at ERROR, the runner
// reports the pipeline stalled at WARN, naming the ledger, the reason and
// the file, and a signal still ends the run cleanly.
func TestGapStallsAnUnboundedRun(t *testing.T) {
	schema := ledgers.Schema{LedgersPerFile: 1, FilesPerPartition: 100}
	var lcms []xdr.LedgerCloseMeta
	for seq := uint32(1000); seq <= 1004; seq++ {
		lcms = append(lcms, ledgers.MustBuild(ledgers.LedgerSpec{Sequence: seq, MetaVersion: 4}))
	}
	dir := ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, schema, lcms...)
	missing := schema.ObjectKey(1002)
	require.NoError(t, os.Remove(filepath.Join(dir, filepath.FromSlash(missing))))
	out := filepath.Join(t.TempDir(), "out.jsonl")
	cfg := writeConfig(t, fmt.Sprintf(`
pipelines:
  follow:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %s, start_ledger: 1000, retry_wait: 10ms, stall_timeout: 100ms, buffer_size: 2, num_workers: 1}
    consumers: [{type: SaveToJSONFile, config: {path: %s}}]
stats: {interval: 20ms, live: false}
`, q(dir), q(out)))
	logs := &logBuffer{}
	r := &runner.Runner{Config: cfg, Logger: slog.New(slog.NewTextHandler(logs, nil)), Env: noEnv}
	ctx, cancel := context.WithCancel(waitCtx(t))
	done := startRun(ctx, r)
	waitUntil(t, "the stall report", func() bool { return bytes.Contains([]byte(logs.String()), []byte("pipeline stalled")) })
	cancel()
	require.NoError(t, waitRun(t, done))
	t.Log(logs.String())
	assert.Contains(t, logs.String(), `level=WARN msg="pipeline stalled: no progress within stall_timeout" pipeline=follow ledger=1002 reason=gap`)
	assert.Contains(t, logs.String(), "missing_file="+missing)
}
