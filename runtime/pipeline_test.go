package runtime

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for freshness tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newTestPipelineStats(t *testing.T) (*PipelineStats, *fakeClock) {
	t.Helper()
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	ps := NewPipelineStats("test")
	ps.now = clock.Now
	ps.started = clock.Now()
	return ps, clock
}

func TestGetMetricsKeysAndConversion(t *testing.T) {
	ps, clock := newTestPipelineStats(t)
	clock.Advance(90 * time.Second)
	ps.UpdateComponentStats(ComponentStats{
		ComponentType: "source",
		ComponentName: "test-source",
		Stats: map[string]interface{}{
			"processed": uint64(10),
			"running":   true,
			"last_seen": time.Unix(100, 0),
			"label":     "not a number",
			"bad":       math.NaN(),
		},
	})
	m := ps.GetMetrics()
	assert.Equal(t, 10.0, m["source.test-source.processed"])
	assert.Equal(t, 1.0, m["source.test-source.running"])
	assert.Equal(t, 100.0, m["source.test-source.last_seen"])
	assert.NotContains(t, m, "source.test-source.label")
	assert.NotContains(t, m, "source.test-source.bad")
	assert.Equal(t, 2.0, m[MetricDroppedValues], "the string and the NaN are dropped and counted")
	assert.Equal(t, 90.0, m[MetricUptime])
	assert.Equal(t, 1.0, m[MetricComponentCount])
	assert.Equal(t, 1.0, m["source.test-source."+HealthyKey])
	assert.Equal(t, 0.0, m["source.test-source."+StatsAgeKey])
	assert.Equal(t, 1.0, m[MetricHealthy])
	for k, v := range m {
		assert.False(t, math.IsNaN(v) || math.IsInf(v, 0), "key %s is %v", k, v)
	}
}

func TestInstancesReportSeparately(t *testing.T) {
	ps, _ := newTestPipelineStats(t)
	for _, id := range []string{"usdc", "xlm"} {
		ps.UpdateComponentStats(ComponentStats{
			ComponentType: "processor", ComponentName: "FilterPayments", InstanceID: id,
			Stats: map[string]interface{}{"messages_passed": len(id)},
		})
	}
	m := ps.GetMetrics()
	assert.Equal(t, 4.0, m["processor.usdc.messages_passed"])
	assert.Equal(t, 3.0, m["processor.xlm.messages_passed"])
	assert.Equal(t, 2.0, m[MetricComponentCount])
}

func TestUpdateReplacesKeySet(t *testing.T) {
	ps, _ := newTestPipelineStats(t)
	ps.UpdateComponentStats(ComponentStats{ComponentType: "consumer", ComponentName: "c", Stats: map[string]interface{}{"a": 1, "b": 2}})
	ps.UpdateComponentStats(ComponentStats{ComponentType: "consumer", ComponentName: "c", Stats: map[string]interface{}{"b": 3}})
	m := ps.GetMetrics()
	assert.NotContains(t, m, "consumer.c.a")
	assert.Equal(t, 3.0, m["consumer.c.b"])
}

var testDesc = NewComponentDesc("processor", "Fake",
	StatDesc{Name: "seen", Kind: KindCounter},
	StatDesc{Name: "ratio", Kind: KindRatio},
	StatDesc{Name: "by_type", Kind: KindCounter, Label: "type", Values: []string{"a", "b"}},
	StatDesc{Name: "latency", Kind: KindLatency},
)

func TestNewComponentDescLaysOutTheSnapshot(t *testing.T) {
	snap := testDesc.NewSnapshot()
	assert.Len(t, snap.Values, 4, "seen, ratio and one per by_type value")
	assert.Len(t, snap.Latencies, 1)
	var indexes []int
	for _, s := range testDesc.Stats {
		indexes = append(indexes, s.Index)
	}
	assert.Equal(t, []int{0, 1, 2, 0}, indexes)
}

func TestADescriptionLiteralIsRejected(t *testing.T) {
	literal := &ComponentDesc{Kind: "processor", Type: "Literal", Stats: []StatDesc{{Name: "n", Kind: KindCounter}}}
	assert.PanicsWithValue(t, "runtime: the ComponentDesc of processor Literal is a literal; build it with NewComponentDesc",
		func() { literal.NewSnapshot() })
	assert.NotPanics(t, func() { (&ComponentDesc{Kind: "source", Type: "NoStats"}).NewSnapshot() })
}

func TestComponentHandleUpdate(t *testing.T) {
	ps, clock := newTestPipelineStats(t)
	h := ps.Component(testDesc, "")
	require.Same(t, h, ps.Component(testDesc, ""), "a handle is created once")

	lat := LatencySummary{Count: 4, Sum: 10 * time.Millisecond, Max: 4 * time.Millisecond, P50: 2 * time.Millisecond, P90: 3 * time.Millisecond, P99: 4 * time.Millisecond}
	h.Update(Snapshot{Values: []float64{5, math.Inf(1), 1, 2}, Latencies: []LatencySummary{lat}}, clock.Now())
	m := ps.GetMetrics()
	assert.Equal(t, 5.0, m["processor.Fake.seen"])
	assert.NotContains(t, m, "processor.Fake.ratio", "±Inf is dropped")
	assert.Equal(t, 1.0, m[MetricDroppedValues])
	assert.Equal(t, 2.0, m["processor.Fake.by_type_b"])
	assert.Equal(t, 4.0, m["processor.Fake.latency_count"])
	assert.Equal(t, 2.5, m["processor.Fake.latency_avg_ms"])
	assert.Equal(t, 2.0, m["processor.Fake.latency_p50_ms"])
	assert.Equal(t, 4.0, m["processor.Fake.latency_max_ms"])

	snap := Snapshot{Values: []float64{6, 0.5, 1, 2}, Latencies: []LatencySummary{lat}}
	assert.Zero(t, testing.AllocsPerRun(100, func() { h.Update(snap, clock.Now()) }))

	snaps := ps.Components()
	require.Len(t, snaps, 1)
	assert.Same(t, testDesc, snaps[0].Desc)
	assert.Equal(t, []float64{6, 0.5, 1, 2}, snaps[0].Stats.Values)
	assert.Equal(t, lat, snaps[0].Stats.Latency(testDesc.Stats[3]), "the exact summary, in nanoseconds")
	assert.Equal(t, "Fake", snaps[0].ID)
	v, ok := snaps[0].Value("seen")
	assert.True(t, ok)
	assert.Equal(t, 6.0, v)
	_, ok = snaps[0].Value("latency")
	assert.False(t, ok, "a latency has no single value")
}

func TestStatKeys(t *testing.T) {
	tests := []struct {
		stat StatDesc
		want []string
	}{
		{StatDesc{Name: "seen", Kind: KindCounter}, []string{"seen"}},
		{StatDesc{Name: "by_type", Kind: KindCounter, Label: "type", Values: []string{"a", "b"}}, []string{"by_type_a", "by_type_b"}},
		{StatDesc{Name: "latency", Kind: KindLatency}, []string{"latency_count", "latency_avg_ms", "latency_p50_ms", "latency_p90_ms", "latency_p99_ms", "latency_max_ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.stat.Name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.stat.Keys())
		})
	}
}

func TestHealthFollowsFreshness(t *testing.T) {
	ps, clock := newTestPipelineStats(t)
	assert.False(t, ps.IsHealthy(), "no component has reported yet")

	ps.SetHealthTimeout(10 * time.Second)
	assert.Equal(t, 10*time.Second, ps.HealthTimeout())
	ps.UpdateComponentStats(ComponentStats{ComponentType: "source", ComponentName: "s", LastUpdated: clock.Now()})
	clock.Advance(5 * time.Second)
	ps.UpdateComponentStats(ComponentStats{ComponentType: "consumer", ComponentName: "c", LastUpdated: clock.Now()})
	assert.True(t, ps.IsHealthy())

	clock.Advance(6 * time.Second) // s is now 11 s old, c 6 s
	r := ps.HealthDetails()
	assert.False(t, r.Healthy)
	require.Len(t, r.Components, 2)
	assert.False(t, r.Components[0].Healthy)
	assert.Equal(t, 11*time.Second, r.Components[0].Age)
	assert.True(t, r.Components[1].Healthy)
	m := ps.GetMetrics()
	assert.Equal(t, 0.0, m[MetricHealthy])
	assert.Equal(t, 0.0, m["source.s.healthy"])
	assert.Equal(t, 11.0, m["source.s.stats_age_seconds"])

	ps.SetHealthTimeout(0)
	assert.Equal(t, DefaultHealthTimeout, ps.HealthTimeout(), "a non-positive timeout restores the default")
}
