package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/promexport"
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

// gapDatastore writes ledgers 1000 to 1004, one a file, and takes out the
// file of ledger 1002: a gap with later files after it. It returns the
// datastore, the missing file's key and its bytes, to put it back.
func gapDatastore(t *testing.T) (dir, missing string, held []byte) {
	t.Helper()
	schema := ledgers.Schema{LedgersPerFile: 1, FilesPerPartition: 100}
	var lcms []xdr.LedgerCloseMeta
	for seq := uint32(1000); seq <= 1004; seq++ {
		lcms = append(lcms, ledgers.MustBuild(ledgers.LedgerSpec{Sequence: seq, MetaVersion: 4}))
	}
	dir = ledgers.NewDatastore(t, ledgers.SyntheticPassphrase, schema, lcms...)
	missing = schema.ObjectKey(1002)
	path := filepath.Join(dir, filepath.FromSlash(missing))
	held, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.Remove(path))
	return dir, missing, held
}

// TestGapStallsAnUnboundedRun follows a datastore with a missing file and
// later files after it: the run waits at the gap (on_gap defaults to wait
// for an unbounded range), the source logs the gap at ERROR, the runner
// reports the pipeline stalled at WARN, naming the ledger, the reason and
// the file, and a signal still ends the run cleanly.
func TestGapStallsAnUnboundedRun(t *testing.T) {
	dir, missing, _ := gapDatastore(t)
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

// readyz returns the status code and the decoded body of /readyz.
func readyz(t *testing.T, addr string) (int, promexport.HealthResponse) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/readyz")
	require.NoError(t, err)
	defer resp.Body.Close()
	var body promexport.HealthResponse
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	return resp.StatusCode, body
}

// TestStallIsReportedEverywhere follows a datastore with a gap: once the
// source has waited for stall_timeout, the pipeline is reported stalled by
// /readyz (503, with the ledger, the reason and the missing file), the
// cdp_pipeline_stalled gauge and the pipeline.stalled key of its flowctl
// heartbeats. When the file comes, the report follows the next wait: the
// ledger after the last one, not yet closed.
func TestStallIsReportedEverywhere(t *testing.T) {
	dir, missing, held := gapDatastore(t)
	path := filepath.Join(dir, filepath.FromSlash(missing))

	cp := startControlPlane(t)
	run := (&spec{
		Pipelines: []pipelineSpec{{
			Dir:        dir,
			Source:     "start_ledger: 1000, retry_wait: 10ms, stall_timeout: 100ms, buffer_size: 2, num_workers: 1",
			Processors: []string{"{type: LedgerReader}"},
		}},
		Metrics: true,
		Flowctl: cp.Addr(),
	}).start(t, nil)

	stalledGauge := func() float64 {
		m := series(scrape(t, run.Addr), "cdp_pipeline_stalled", "e2e", "", "")
		require.NotNil(t, m, "no cdp_pipeline_stalled series")
		return m.GetGauge().GetValue()
	}
	var body promexport.HealthResponse
	waitUntil(t, "/readyz to report the gap", func() bool {
		var code int
		code, body = readyz(t, run.Addr)
		return code == http.StatusServiceUnavailable && body.Status == promexport.StatusStalled
	})
	require.Len(t, body.Pipelines, 1)
	assert.Regexp(t, `^waiting for ledger 1002: gap, file `+regexp.QuoteMeta(missing)+` missing, since \S+Z$`, body.Pipelines[0].Stalled)
	assert.Equal(t, 1.0, stalledGauge())
	waitUntil(t, "a heartbeat with pipeline.stalled = 1", func() bool {
		hbs := cp.Snapshot().AcceptedFor("e2e")
		return len(hbs) > 0 && hbs[len(hbs)-1].Metrics[runtime.MetricStalled] == 1
	})

	// Written elsewhere and renamed into place: the source never sees half
	// a file.
	staged := filepath.Join(t.TempDir(), "staged")
	require.NoError(t, os.WriteFile(staged, held, 0o644))
	require.NoError(t, os.Rename(staged, path))
	waitUntil(t, "/readyz to report the wait for ledger 1005", func() bool {
		_, body = readyz(t, run.Addr)
		return len(body.Pipelines) == 1 && strings.HasPrefix(body.Pipelines[0].Stalled, "waiting for ledger 1005: not yet closed, since ")
	})
	require.NoError(t, run.stop(t))
	for _, hb := range cp.Snapshot().AcceptedFor("e2e") {
		assert.Contains(t, hb.Metrics, runtime.MetricStalled, "every heartbeat of the pipeline")
	}
}
