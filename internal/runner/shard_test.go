package runner_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
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

// TestShardLabelsEveryExport runs shard 1 of 3 with /metrics and flowctl
// and checks that the shard is on every series and in every service ID,
// and that metrics.linger keeps the endpoint until the final numbers,
// cdp_pipeline_done 1 among them, are scraped.
func TestShardLabelsEveryExport(t *testing.T) {
	dir := paymentsDatastore(t, 13, 50) // shard 1 of 3: ledgers 24-39
	cp := startControlPlane(t)
	out := t.TempDir() + "/out.jsonl"
	cfg := writeConfig(t, fmt.Sprintf(`pipelines:
  e2e:
    source: {type: BufferedStorageSourceAdapter, config: {path: %q, start_ledger: 13, end_ledger: 50}}
    processors: [{type: FilterPayments}]
    consumers: [{type: SaveToJSONFile, config: {path: %q}}]
stats: {interval: 20ms, live: false}
metrics: {enabled: true, address: "127.0.0.1:0", linger: 20s}
flowctl: {enabled: true, endpoint: %q, heartbeat_interval: 20ms, rpc_timeout: 5s, retry_initial: 10ms, retry_max: 100ms}
`, dir, out, cp.Addr()))
	r := newRunner(t, cfg)
	r.Shard = shard.Shard{Index: 1, Count: 3}
	bound := make(chan string, 1)
	r.MetricsListening = func(a net.Addr) { bound <- a.String() }
	done := startRun(waitCtx(t), r)
	addr := <-bound

	// Scrape until Run returns: the last scrape that answered holds the
	// final numbers, since Run waits for one after the final collection.
	var final map[string]*dto.MetricFamily
	for ended := false; !ended; {
		if families, ok := tryScrape(addr); ok {
			final = families
		}
		select {
		case err := <-done:
			require.NoError(t, err)
			ended = true
		case <-time.After(50 * time.Millisecond):
		}
	}
	require.NotNil(t, final)
	for name, f := range final {
		for _, m := range f.GetMetric() {
			assert.Equal(t, "1", labelsOf(m)["shard"], "%s %v", name, labelsOf(m))
		}
	}
	gauge := func(name string) float64 {
		f := final[name]
		require.NotNil(t, f, name)
		require.Len(t, f.GetMetric(), 1, name)
		return f.GetMetric()[0].GetGauge().GetValue()
	}
	assert.Equal(t, 1.0, gauge("cdp_pipeline_done"), "the final scrape sees the pipeline done")
	assert.Equal(t, 3.0, gauge("cdp_pipeline_shards"))
	m := series(final, "cdp_source_ledgers_processed_total", "e2e", "BufferedStorageSourceAdapter", "BufferedStorageSourceAdapter")
	require.NotNil(t, m)
	assert.Equal(t, 16.0, m.GetCounter().GetValue(), "ledgers 24-39")

	ids := map[string]map[string]string{}
	for _, reg := range cp.Snapshot().Registrations {
		ids[reg.RequestedID] = reg.Metadata
	}
	for _, id := range []string{"e2e-shard-1", "e2e-shard-1.source.BufferedStorageSourceAdapter",
		"e2e-shard-1.processor.FilterPayments", "e2e-shard-1.consumer.SaveToJSONFile"} {
		require.Contains(t, ids, id)
		assert.Equal(t, "1/3", ids[id]["shard"], id)
	}
}

// tryScrape fetches and parses /metrics, or reports false when the
// endpoint does not answer.
func tryScrape(addr string) (map[string]*dto.MetricFamily, bool) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	return families, err == nil && resp.StatusCode == http.StatusOK
}

// labelsOf returns a series' labels by name.
func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// TestShardInSummary checks that the live line and the summary name the
// shard and its part of the range.
func TestShardInSummary(t *testing.T) {
	dir := paymentsDatastore(t, 13, 50)
	var status strings.Builder
	s := spec{Pipelines: []pipelineSpec{{Dir: dir, Source: "start_ledger: 13, end_ledger: 50", Processors: []string{"{type: FilterPayments}"}}},
		Stats: "interval: 20ms, live: true"}
	_, err := s.runToEnd(t, func(r *runner.Runner) {
		r.Shard = shard.Shard{Index: 2, Count: 3}
		r.Status = &status
	})
	require.NoError(t, err)
	assert.Contains(t, status.String(), "e2e [shard 2/3: 40-50]: ledger 50 | ")
	assert.Contains(t, status.String(), "e2e: shard 2/3, ledgers 40-50 of 13-50\ndone in ")
}

// TestShardWithNothingOfOnePipeline runs a shard that has files of one
// pipeline's range and none of the other's: the one runs, the other ends
// at once, and the run succeeds.
func TestShardWithNothingOfOnePipeline(t *testing.T) {
	dir := paymentsDatastore(t, 13, 50)
	s := spec{Pipelines: []pipelineSpec{
		{Name: "wide", Dir: dir, Source: "start_ledger: 13, end_ledger: 50", Processors: []string{"{type: FilterPayments}"}},
		{Name: "narrow", Dir: dir, Source: "start_ledger: 13, end_ledger: 15", Processors: []string{"{type: FilterPayments}"}},
	}}
	var status strings.Builder
	_, err := s.runToEnd(t, func(r *runner.Runner) {
		r.Shard = shard.Shard{Index: 0, Count: 2}
		r.Status = &status
	})
	require.NoError(t, err)
	assert.Equal(t, seqs(13, 31), ledgersOf(t, s.Pipelines[0].Out), "files 8-15, 16-23, 24-31")
	assert.Zero(t, countLines(t, s.Pipelines[1].Out), "one file, which shard 1 reads")
	assert.Contains(t, status.String(), "narrow: shard 0/2, ledgers empty of 13-15\n")
}

// TestLingerEndsUnscraped checks that a run whose /metrics nobody scrapes
// ends once metrics.linger has passed.
func TestLingerEndsUnscraped(t *testing.T) {
	dir := paymentsDatastore(t, 13, 20)
	cfg := writeConfig(t, fmt.Sprintf(`pipelines:
  e2e:
    source: {type: BufferedStorageSourceAdapter, config: {path: %q, start_ledger: 13, end_ledger: 20}}
    consumers: [{type: SaveToJSONFile, config: {path: %q}}]
stats: {interval: 20ms, live: false}
metrics: {enabled: true, address: "127.0.0.1:0", linger: 50ms}
`, dir, t.TempDir()+"/out.jsonl"))
	require.NoError(t, waitRun(t, startRun(waitCtx(t), newRunner(t, cfg))))
}

// TestShardRefusesAnUnrangedSourceOfAnyType checks that Validate refuses a
// shard of a source that reads no range, whichever lookup finds its type:
// the runner's own types too, not only the registry's.
func TestShardRefusesAnUnrangedSourceOfAnyType(t *testing.T) {
	r := newRunner(t, writeConfig(t, `pipelines:
  p:
    source: {type: CountingSource, config: {n: 1}}
    consumers: [{type: SleepConsumer, config: {sleep: 0s}}]
`))
	r.WithTypes(testTypes...)
	r.Shard = shard.Shard{Index: 0, Count: 2}
	err := r.Validate()
	require.ErrorIs(t, err, runner.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "CountingSource reads no ledger range that could be split, so it cannot run shard 0/2")
}
