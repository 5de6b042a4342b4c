package runtime

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mockComponent is a hand-written StatsProvider, as pipeline code wrote
// before statsgen: it exercises the map path.
type mockComponent struct {
	typ, name string
	processed Counter
}

func (m *mockComponent) GetStats() ComponentStats {
	return ComponentStats{
		ComponentType: m.typ,
		ComponentName: m.name,
		Stats:         map[string]interface{}{"processed": m.processed.Load()},
		LastUpdated:   time.Now(),
	}
}

// fastComponent implements the snapshot path by hand, as statsgen would.
type fastComponent struct {
	seen Counter
}

func (f *fastComponent) StatsDesc() *ComponentDesc { return testDesc }
func (f *fastComponent) SnapshotStats(dst Snapshot) {
	dst.Values[0] = float64(f.seen.Load())
	dst.Values[1] = Ratio(1, 2)
}
func (f *fastComponent) GetStats() ComponentStats { return StatsOf(f) }

type panickingProvider struct{}

func (panickingProvider) GetStats() ComponentStats { panic("boom") }

// runCollector starts CollectFromComponents and returns a func that stops
// it and waits for it to return.
func runCollector(t *testing.T, c *StatsCollector, providers []StatsProvider) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.CollectFromComponents(ctx, providers)
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("CollectFromComponents did not return after cancel")
		}
	}
}

// TestReferenceScenario is the scenario of the reference design: a mock
// source and processor, collected every 100 ms.
func TestReferenceScenario(t *testing.T) {
	requireRecording(t)
	defer requireNoCollectorGoroutines(t)
	source := &mockComponent{typ: "source", name: "test-source"}
	processor := &mockComponent{typ: "processor", name: "test-processor"}
	stats := NewPipelineStats("reference")
	stop := runCollector(t, NewStatsCollector(stats, 100*time.Millisecond), []StatsProvider{source, processor})
	defer stop()

	source.processed.Add(3)
	processor.processed.Add(2)
	require.Eventually(t, func() bool {
		m := stats.GetMetrics()
		return m["source.test-source.processed"] > 0 && m["processor.test-processor.processed"] > 0
	}, 5*time.Second, 10*time.Millisecond)
	assert.True(t, stats.IsHealthy())
}

func TestCollectorCollectsOnStartAndOnShutdown(t *testing.T) {
	requireRecording(t)
	defer requireNoCollectorGoroutines(t)
	c := &fastComponent{}
	c.seen.Add(1)
	stats := NewPipelineStats("p")
	// An interval far longer than the test: only the start and the final
	// collections can happen.
	stop := runCollector(t, NewStatsCollector(stats, time.Hour), []StatsProvider{c})
	require.Eventually(t, func() bool { return stats.GetMetrics()["processor.Fake.seen"] == 1 }, 5*time.Second, time.Millisecond)
	c.seen.Add(41)
	stop()
	m := stats.GetMetrics()
	assert.Equal(t, 42.0, m["processor.Fake.seen"], "the final collection keeps the last numbers")
	assert.Equal(t, 0.5, m["processor.Fake.ratio"])
}

func TestCollectorRaceStress(t *testing.T) {
	requireRecording(t)
	defer requireNoCollectorGoroutines(t)
	const writers, perWriter = 8, 25_000
	fast := &fastComponent{}
	slow := &mockComponent{typ: "source", name: "src"}
	stats := NewPipelineStats("stress")
	stop := runCollector(t, NewStatsCollector(stats, time.Millisecond), []StatsProvider{fast, InstanceProvider(slow, "src-1")})

	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				fast.seen.Inc()
				slow.processed.Inc()
				if i%1000 == 0 {
					_ = stats.GetMetrics() // readers race with the collector
				}
			}
		}()
	}
	wg.Wait()
	stop()
	m := stats.GetMetrics()
	assert.Equal(t, float64(writers*perWriter), m["processor.Fake.seen"])
	assert.Equal(t, float64(writers*perWriter), m["source.src-1.processed"])
}

func TestPanickingProviderDoesNotStopOthers(t *testing.T) {
	requireRecording(t)
	defer requireNoCollectorGoroutines(t)
	good := &mockComponent{typ: "consumer", name: "good"}
	good.processed.Add(7)
	stats := NewPipelineStats("p")
	c := NewStatsCollector(stats, 10*time.Millisecond)
	stop := runCollector(t, c, []StatsProvider{panickingProvider{}, good})
	require.Eventually(t, func() bool { return stats.CollectorErrors() >= 2 }, 5*time.Second, time.Millisecond)
	stop()

	m := stats.GetMetrics()
	assert.Equal(t, 7.0, m["consumer.good.processed"])
	assert.GreaterOrEqual(t, m[MetricCollectorErrors], 2.0)
}

func TestCancelLeavesNoGoroutines(t *testing.T) {
	defer requireNoCollectorGoroutines(t)
	stats := NewPipelineStats("p")
	for i := 0; i < 3; i++ {
		stop := runCollector(t, NewStatsCollector(stats, time.Millisecond), []StatsProvider{&fastComponent{}})
		stop()
	}
}

func TestCollectionPassAllocatesNothingOnFastPath(t *testing.T) {
	stats := NewPipelineStats("p")
	providers := []StatsProvider{&fastComponent{}, InstanceProvider(&fastComponent{}, "second")}
	pass := NewStatsCollector(stats, time.Second).Prepare(providers)
	pass.Collect()
	assert.Zero(t, testing.AllocsPerRun(100, pass.Collect))
	assert.Equal(t, 2.0, stats.GetMetrics()[MetricComponentCount])
}

func TestNewStatsCollectorDefaultsInterval(t *testing.T) {
	c := NewStatsCollector(NewPipelineStats("p"), 0)
	assert.Equal(t, time.Second, c.interval)
}
