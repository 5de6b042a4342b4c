package flowctl_test

import (
	"context"
	"log/slog"
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
