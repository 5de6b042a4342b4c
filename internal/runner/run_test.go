package runner_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// twoPipelines is a config of two pipelines, a and b, each reading the
// datastore and range keys given and writing to its own file.
func twoPipelines(dirA, rangeA, outA, dirB, rangeB, outB string) string {
	return fmt.Sprintf(`
pipelines:
  a:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %s, %s}
    processors: [{type: FilterPayments}, {type: ContractEvent}]
    consumers: [{type: SaveToJSONFile, config: {path: %s}}]
  b:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %s, %s}
    processors: [{type: FilterPayments}, {type: ContractEvent}]
    consumers: [{type: SaveToJSONFile, config: {path: %s}}]
stats: {interval: 20ms, live: false}
`, q(dirA), rangeA, q(outA), q(dirB), rangeB, q(outB))
}

// TestFailureStopsTheOtherPipelines runs a pipeline that fails after its
// first ledger beside one that would wait for ledgers forever: Run stops
// the second, drains both, and returns the failure.
func TestFailureStopsTheOtherPipelines(t *testing.T) {
	lcm := ledgers.MustPubnet(t)
	seq := lcm.LedgerSequence()
	want := expect(t, lcm, ledgers.PubnetPassphrase)
	// The ledger after seq is corrupt: the backend reads files ahead but
	// decodes them in order, so the pipeline fails there, after seq.
	corrupt := pubnetDatastore(t)
	next := filepath.Join(corrupt, filepath.FromSlash(ledgers.SingleLedgerFiles.ObjectKey(seq+1)))
	require.NoError(t, os.WriteFile(next, []byte("not a zstd stream"), 0o644))
	tmp := t.TempDir()
	outA, outB := filepath.Join(tmp, "a.jsonl"), filepath.Join(tmp, "b.jsonl")
	cfg := writeConfig(t, twoPipelines(
		corrupt, fmt.Sprintf("start_ledger: %d, end_ledger: %d", seq, seq+1), outA,
		pubnetDatastore(t), fmt.Sprintf("start_ledger: %d, retry_wait: 20ms", seq), outB))

	err := waitRun(t, startRun(waitCtx(t), newRunner(t, cfg)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("pipeline a: reading ledger %d", seq+1))
	assert.NotContains(t, err.Error(), "pipeline b")
	assert.False(t, errors.Is(err, runner.ErrInvalidConfig), "a failure, not a config error")
	assert.Equal(t, want.lines(), countLines(t, outA), "the failed pipeline's consumer was flushed")
	assert.Equal(t, want.lines(), countLines(t, outB), "the stopped pipeline drained")
}

// TestRunSelectsOnePipeline runs one pipeline of two by name.
func TestRunSelectsOnePipeline(t *testing.T) {
	dir := pubnetDatastore(t)
	lcm := ledgers.MustPubnet(t)
	seq := lcm.LedgerSequence()
	want := expect(t, lcm, ledgers.PubnetPassphrase)
	tmp := t.TempDir()
	outA, outB := filepath.Join(tmp, "a.jsonl"), filepath.Join(tmp, "b.jsonl")
	source := fmt.Sprintf("start_ledger: %d, end_ledger: %d", seq, seq)
	r := newRunner(t, writeConfig(t, twoPipelines(dir, source, outA, dir, source, outB)))
	r.Pipeline = "b"
	require.NoError(t, r.Run(t.Context()))
	_, err := os.Stat(outA)
	assert.True(t, os.IsNotExist(err), "pipeline a was not built")
	assert.Equal(t, want.lines(), countLines(t, outB))
}

// TestRunWithEndedContext stops at once and cleanly when ctx has already
// ended, as on a signal during start-up.
func TestRunWithEndedContext(t *testing.T) {
	dir := pubnetDatastore(t)
	seq := ledgers.PubnetSequence
	tmp := t.TempDir()
	source := fmt.Sprintf("start_ledger: %d, retry_wait: 20ms", seq)
	r := newRunner(t, writeConfig(t, twoPipelines(dir, source, filepath.Join(tmp, "a.jsonl"), dir, source, filepath.Join(tmp, "b.jsonl"))))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.NoError(t, waitRun(t, startRun(ctx, r)))
}
