package flowctl_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
	"github.com/cdpstats/cdpstats/runtime"
	"github.com/cdpstats/cdpstats/runtime/flowctl"
)

// waitTimeout bounds every wait for something the control plane should
// receive. It is a liveness bound for a slow CI machine, not a
// performance expectation.
const waitTimeout = 15 * time.Second

func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// testConfig is a config for a control plane on addr with intervals short
// enough for tests.
func testConfig(api flowctl.API, addr string) flowctl.Config {
	return flowctl.Config{
		Enabled:           true,
		Endpoint:          addr,
		ComponentID:       "cdp-test",
		HeartbeatInterval: 20 * time.Millisecond,
		API:               api,
		RPCTimeout:        5 * time.Second,
		RetryInitial:      10 * time.Millisecond,
		RetryMax:          50 * time.Millisecond,
		HealthEndpoint:    "http://127.0.0.1:9464/metrics",
		Metadata:          map[string]string{"owner": "tests"},
	}
}

func startControlPlane(t *testing.T, opts ...controlplane.Option) *controlplane.Server {
	t.Helper()
	srv, err := controlplane.Start(opts...)
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	return srv
}

// runClient starts c.Run in a goroutine and returns a func that ends its
// context and returns what Run returned.
func runClient(t *testing.T, c *flowctl.Client) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var stopped bool
	var result error
	stop = func() error {
		if stopped {
			return result
		}
		stopped = true
		cancel()
		select {
		case result = <-done:
		case <-time.After(waitTimeout):
			t.Fatal("Client.Run did not return after its context ended")
		}
		return result
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func newClient(t *testing.T, cfg flowctl.Config, stats *runtime.PipelineStats) *flowctl.Client {
	t.Helper()
	c, err := flowctl.New(cfg, stats, flowctl.WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
	require.NoError(t, err)
	return c
}

// filterDesc describes a processor reporting through the snapshot path.
var filterDesc = runtime.NewComponentDesc("processor", "FilterPayments",
	runtime.StatDesc{Name: "payments_found", Kind: runtime.KindCounter, Help: "Payments found"},
	runtime.StatDesc{Name: "filter_ratio", Kind: runtime.KindRatio},
)

// fixedStats returns stats with a map-path source and a snapshot-path
// processor whose values do not change.
func fixedStats() *runtime.PipelineStats {
	ps := runtime.NewPipelineStats("test-pipeline")
	ps.UpdateComponentStats(runtime.ComponentStats{
		ComponentType: "source",
		ComponentName: "test-source",
		Stats:         map[string]interface{}{"processed": uint64(42), "last_ledger": uint32(58752000)},
		LastUpdated:   time.Now(),
	})
	ps.Component(filterDesc, "payments").Update(runtime.Snapshot{Values: []float64{7, 0.25}}, time.Now())
	return ps
}

// countingSource is a stats provider that counts how often it was
// collected: the stand-in for a pipeline that keeps processing.
type countingSource struct{ n atomic.Uint64 }

func (s *countingSource) GetStats() runtime.ComponentStats {
	return runtime.ComponentStats{
		ComponentType: "source",
		ComponentName: "counting-source",
		Stats:         map[string]interface{}{"processed": s.n.Add(1)},
		LastUpdated:   time.Now(),
	}
}

// runPipeline collects src into a new PipelineStats every few
// milliseconds until the test ends.
func runPipeline(t *testing.T, src *countingSource) *runtime.PipelineStats {
	t.Helper()
	ps := runtime.NewPipelineStats("live-pipeline")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.NewStatsCollector(ps, 2*time.Millisecond).CollectFromComponents(ctx, []runtime.StatsProvider{src})
	}()
	t.Cleanup(func() { cancel(); <-done })
	return ps
}

// logRecorder is a slog handler that keeps every record, for tests of
// what the client logs. Attributes added with With are not kept.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}

func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }

// logged is one record: its level, message and attributes as text.
type logged struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

// all returns every record so far.
func (r *logRecorder) all() []logged {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]logged, 0, len(r.records))
	for _, rec := range r.records {
		l := logged{level: rec.Level, msg: rec.Message, attrs: map[string]string{}}
		rec.Attrs(func(a slog.Attr) bool {
			l.attrs[a.Key] = a.Value.String()
			return true
		})
		out = append(out, l)
	}
	return out
}

// withMsg returns the records whose message begins with prefix.
func (r *logRecorder) withMsg(prefix string) []logged {
	var out []logged
	for _, l := range r.all() {
		if strings.HasPrefix(l.msg, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// newRecordedClient returns a client that logs to a recorder.
func newRecordedClient(t *testing.T, cfg flowctl.Config, stats *runtime.PipelineStats, opts ...flowctl.Option) (*flowctl.Client, *logRecorder) {
	t.Helper()
	rec := &logRecorder{}
	c, err := flowctl.New(cfg, stats, append([]flowctl.Option{flowctl.WithLogger(slog.New(rec))}, opts...)...)
	require.NoError(t, err)
	return c, rec
}

// testComponents are fixedStats' components, and a consumer that has not
// reported yet.
var testComponents = []flowctl.Component{
	{Kind: "source", Instance: "test-source", TypeName: "TestSource", GoType: "*source.TestSource"},
	{Kind: "processor", Instance: "payments", TypeName: "FilterPayments", GoType: "*processor.FilterPayments"},
	{Kind: "consumer", Instance: "out", TypeName: "SaveToJSONFile", GoType: "*consumer.SaveToJSONFile"},
}
