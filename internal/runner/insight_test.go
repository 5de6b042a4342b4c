package runner_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/internal/report"
	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
	"github.com/cdpstats/cdpstats/runtime"
)

// countingSource emits config n messages as fast as it can, then, with
// hold: true, waits for the end of the run.
type countingSource struct {
	n    int
	hold bool
	subs cdp.Subscribers
}

func (s *countingSource) Subscribe(p cdp.Processor) { s.subs.Subscribe(p) }

func (s *countingSource) Run(ctx context.Context) error {
	for i := range s.n {
		if err := s.subs.Send(ctx, cdp.Message{Payload: i}); err != nil {
			return err
		}
	}
	if s.hold {
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// spinProcessor burns CPU for config spin per message, then passes it on.
type spinProcessor struct {
	spin time.Duration
	subs cdp.Subscribers
}

func (p *spinProcessor) Subscribe(next cdp.Processor) { p.subs.Subscribe(next) }

func (p *spinProcessor) Process(ctx context.Context, msg cdp.Message) error {
	for start := time.Now(); time.Since(start) < p.spin; {
	}
	return p.subs.Send(ctx, msg)
}

// sleepConsumer sleeps config sleep per message, like a slow database.
type sleepConsumer struct{ sleep time.Duration }

func (c *sleepConsumer) Subscribe(cdp.Processor) {}
func (c *sleepConsumer) Close() error            { return nil }

func (c *sleepConsumer) Process(ctx context.Context, _ cdp.Message) error {
	time.Sleep(c.sleep)
	return nil
}

func durationOf(cfg map[string]interface{}, key string) (time.Duration, error) {
	s, _ := cfg[key].(string)
	return time.ParseDuration(s)
}

// testTypes are the test components: CountingSource {n},
// SpinProcessor {spin}, SleepConsumer {sleep}.
var testTypes = []registry.Entry{
	{Type: "CountingSource", Kind: registry.KindSource,
		Validate: func(map[string]interface{}) error { return nil },
		New: func(cfg map[string]interface{}) (interface{}, error) {
			n, _ := cfg["n"].(int)
			hold, _ := cfg["hold"].(bool)
			return &countingSource{n: n, hold: hold}, nil
		}},
	{Type: "SpinProcessor", Kind: registry.KindProcessor,
		Validate: func(cfg map[string]interface{}) error { _, err := durationOf(cfg, "spin"); return err },
		New: func(cfg map[string]interface{}) (interface{}, error) {
			d, err := durationOf(cfg, "spin")
			return &spinProcessor{spin: d}, err
		}},
	{Type: "SleepConsumer", Kind: registry.KindConsumer,
		Validate: func(cfg map[string]interface{}) error { _, err := durationOf(cfg, "sleep"); return err },
		New: func(cfg map[string]interface{}) (interface{}, error) {
			d, err := durationOf(cfg, "sleep")
			return &sleepConsumer{sleep: d}, err
		}},
}

// runReport runs cfg with the test components and returns its report.
func runReport(t *testing.T, yaml string) *report.Report {
	t.Helper()
	r := newRunner(t, writeConfig(t, yaml))
	r.WithTypes(testTypes...)
	r.ReportFile = filepath.Join(t.TempDir(), "report.json")
	var status strings.Builder
	r.Status = &status
	require.NoError(t, r.Run(waitCtx(t)))
	t.Log(status.String())
	rep, err := report.ReadFile(r.ReportFile)
	require.NoError(t, err)
	require.Len(t, rep.Pipelines, 1)
	return rep
}

// TestBottleneckIsNamed runs a pipeline with one deliberately slow
// component and checks that the report and the end of the run name it,
// with at least 80% of the self time.
func TestBottleneckIsNamed(t *testing.T) {
	tests := []struct {
		name    string
		proc    string
		sink    string
		verdict string
		kind    string
		id      string
	}{
		{name: "slow consumer", proc: "1us", sink: "2ms", verdict: report.SinkBound, kind: "consumer", id: "sink"},
		{name: "slow processor", proc: "2ms", sink: "0s", verdict: report.CPUBound, kind: "processor", id: "spin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := runReport(t, fmt.Sprintf(`
pipelines:
  slow:
    source: {type: CountingSource, config: {n: 100}}
    processors:
      - {type: SpinProcessor, id: spin, config: {spin: %s}}
    consumers:
      - {type: SleepConsumer, id: sink, config: {sleep: %s}}
stats: {interval: 10ms, live: false}
`, tt.proc, tt.sink))
			b := rep.Pipelines[0].Bottleneck
			assert.Equal(t, tt.verdict, b.Verdict, b.Basis)
			assert.Equal(t, tt.kind, b.Kind)
			assert.Equal(t, tt.id, b.ID)
			assert.GreaterOrEqual(t, b.SelfShare, 0.8, b.Basis)
			assert.Contains(t, b.Basis, "self time shares")
		})
	}
}

// TestSelfTimesAddUpToWallTime checks that, for a chain with fan-out to two
// consumers, the self times of all components come within 5% of the
// pipeline's wall time, and that no self time is negative or counted
// twice.
func TestSelfTimesAddUpToWallTime(t *testing.T) {
	rep := runReport(t, `
pipelines:
  chain:
    source: {type: CountingSource, config: {n: 200}}
    processors:
      - {type: SpinProcessor, id: first, config: {spin: 200us}}
      - {type: SpinProcessor, id: second, config: {spin: 100us}}
    consumers:
      - {type: SleepConsumer, id: a, config: {sleep: 100us}}
      - {type: SleepConsumer, id: b, config: {sleep: 50us}}
stats: {interval: 10ms, live: false}
`)
	p := rep.Pipelines[0]
	var self float64
	for _, c := range p.Components {
		assert.GreaterOrEqual(t, c.SelfSeconds, 0.0, c.ID)
		self += c.SelfSeconds
	}
	require.Positive(t, p.WallSeconds)
	// RunnerSeconds is the wall time less the self times, so the self
	// times alone are compared with the wall time.
	assert.InEpsilon(t, p.WallSeconds, self, 0.05,
		"self %.6fs (runner %.6fs) vs wall %.6fs", self, p.RunnerSeconds, p.WallSeconds)
	assert.LessOrEqual(t, self, p.WallSeconds*1.001, "self times never add up to more than the wall time")
	assert.Less(t, p.RunnerSeconds, 0.05*p.WallSeconds, "the runner's own time is small")
}

// TestResourceAndSelfTimeStatsReachFlowctl checks that the final heartbeat
// carries the process.* keys and every component's self-time stats.
func TestResourceAndSelfTimeStatsReachFlowctl(t *testing.T) {
	cp := startControlPlane(t)
	cfg := writeConfig(t, `
pipelines:
  res:
    source: {type: CountingSource, config: {n: 50}}
    processors:
      - {type: SpinProcessor, id: spin, config: {spin: 100us}}
    consumers:
      - {type: SleepConsumer, id: sink, config: {sleep: 0s}}
stats: {interval: 10ms, live: false}
`+flowctlYAML(t, cp.Addr(), controlplane.Legacy))
	r := newRunner(t, cfg)
	r.WithTypes(testTypes...)
	require.NoError(t, r.Run(waitCtx(t)))

	m := finalHeartbeatOf(t, controlplane.Legacy, cp.Snapshot(), "res").Metrics
	for _, k := range []string{runtime.MetricCPUUserSeconds, runtime.MetricCPUSystemSeconds, runtime.MetricResidentBytes,
		runtime.MetricPeakResidentBytes, runtime.MetricHeapInuseBytes, runtime.MetricGCCPUFraction,
		runtime.MetricGCPauseP99, runtime.MetricGoroutines} {
		assert.Contains(t, m, k)
	}
	assert.Positive(t, m[runtime.MetricResidentBytes])
	for _, c := range []string{"source.CountingSource", "processor.spin", "consumer.sink"} {
		for _, k := range []string{"self_time_ns", "busy_ratio", "run_busy_ratio"} {
			assert.Contains(t, m, c+"."+k)
		}
	}
	assert.Contains(t, m, "source.CountingSource.push_time_ns")
	assert.Positive(t, m["processor.spin.self_time_ns"])
	assert.InDelta(t, 0.5, m["processor.spin.run_busy_ratio"], 0.5, "a ratio")
}

// TestNoReportWhenTheRunNeverStarts checks that a run that fails before
// any pipeline starts (a bad config) writes no report.
func TestNoReportWhenTheRunNeverStarts(t *testing.T) {
	r := newRunner(t, writeConfig(t, `
pipelines:
  bad:
    source: {type: CountingSource, config: {n: 3}}
    consumers:
      - {type: SleepConsumer, config: {sleep: forever}}
`))
	r.WithTypes(testTypes...)
	r.ReportFile = filepath.Join(t.TempDir(), "report.json")
	require.ErrorIs(t, r.Run(waitCtx(t)), runner.ErrInvalidConfig)
	_, err := os.Stat(r.ReportFile)
	assert.True(t, os.IsNotExist(err), "a run that never started writes no report")
}

// TestSelfTimeAndResourcesOnMetrics scrapes /metrics of a running pipeline
// and checks the self-time stats, client_golang's Go and process
// collectors, and, when promtool is installed, that promtool finds
// nothing wrong with the scrape.
func TestSelfTimeAndResourcesOnMetrics(t *testing.T) {
	r := newRunner(t, writeConfig(t, `
pipelines:
  live:
    source: {type: CountingSource, config: {n: 20, hold: true}}
    processors:
      - {type: SpinProcessor, id: spin, config: {spin: 100us}}
    consumers:
      - {type: SleepConsumer, id: sink, config: {sleep: 0s}}
stats: {interval: 10ms, live: false}
metrics: {enabled: true, address: "127.0.0.1:0"}
`))
	r.WithTypes(testTypes...)
	bound := make(chan net.Addr, 1)
	r.MetricsListening = func(a net.Addr) { bound <- a }
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := startRun(ctx, r)
	addr := (<-bound).String()

	var families map[string]*dto.MetricFamily
	waitUntil(t, "the processor's self time", func() bool {
		families = scrape(t, addr)
		m := series(families, "cdp_processor_self_time_seconds_total", "live", "SpinProcessor", "spin")
		return m != nil && m.GetCounter().GetValue() > 0
	})
	// The source now waits for the end of the run: its wait is not
	// charged until it ends, but readers see it grow.
	waitUntil(t, "the waiting source's self time to grow", func() bool {
		families = scrape(t, addr)
		m := series(families, "cdp_source_self_time_seconds_total", "live", "CountingSource", "CountingSource")
		return m != nil && m.GetCounter().GetValue() >= 0.05
	})
	for _, c := range []struct{ family, kind, typ, id string }{
		{"cdp_source_self_time_seconds_total", "source", "CountingSource", "CountingSource"},
		{"cdp_source_push_time_seconds_total", "source", "CountingSource", "CountingSource"},
		{"cdp_processor_busy_ratio", "processor", "SpinProcessor", "spin"},
		{"cdp_processor_run_busy_ratio", "processor", "SpinProcessor", "spin"},
		{"cdp_consumer_self_time_seconds_total", "consumer", "SleepConsumer", "sink"},
	} {
		assert.NotNil(t, series(families, c.family, "live", c.typ, c.id), c.family)
	}
	for _, f := range []string{"go_goroutines", "go_memstats_heap_inuse_bytes", "go_cpu_classes_gc_total_cpu_seconds_total",
		"process_cpu_seconds_total", "process_resident_memory_bytes"} {
		assert.Contains(t, families, f)
	}

	if promtool := promtoolPath(t); promtool != "" {
		resp, err := http.Get("http://" + addr + "/metrics")
		require.NoError(t, err)
		defer resp.Body.Close()
		cmd := exec.CommandContext(t.Context(), promtool, "check", "metrics")
		cmd.Stdin = resp.Body
		out, err := cmd.CombinedOutput()
		assert.NoError(t, err, "promtool check metrics:\n%s", out)
	}
	cancel()
	require.NoError(t, waitRun(t, done))
}

// promtoolPath returns promtool's path, or "" when it is not installed,
// which fails the test under CI=true.
func promtoolPath(t *testing.T) string {
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool is required under CI=true (apt-get install prometheus): %v", err)
		}
		t.Logf("promtool not installed, not linting the scrape: %v", err)
		return ""
	}
	return path
}
