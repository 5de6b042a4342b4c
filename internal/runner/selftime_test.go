package runner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime"
)

// fakeTyped is a component with typed stats: a counter, a labelled counter
// and a latency, set to known values.
type fakeTyped struct{ desc *runtime.ComponentDesc }

func (f *fakeTyped) StatsDesc() *runtime.ComponentDesc { return f.desc }
func (f *fakeTyped) GetStats() runtime.ComponentStats  { return runtime.StatsOf(f) }

func (f *fakeTyped) SnapshotStats(dst runtime.Snapshot) {
	copy(dst.Values, []float64{7, 1, 2})
	dst.Latencies[0] = runtime.LatencySummary{Count: 3, Sum: 3 * time.Millisecond, Max: 2 * time.Millisecond,
		P50: time.Millisecond, P90: 2 * time.Millisecond, P99: 2 * time.Millisecond, P999: 2 * time.Millisecond}
}

// fakeMap is a component with a hand-written GetStats only.
type fakeMap struct{}

func (fakeMap) GetStats() runtime.ComponentStats {
	return runtime.ComponentStats{ComponentType: "processor", ComponentName: "Hand", Stats: map[string]interface{}{"seen": 4}}
}

func TestWithSelfTime(t *testing.T) {
	typedDesc := runtime.NewComponentDesc("processor", "Typed",
		runtime.StatDesc{Name: "errors", Kind: runtime.KindCounter},
		runtime.StatDesc{Name: "latency", Kind: runtime.KindLatency},
		runtime.StatDesc{Name: "by_op", Kind: runtime.KindCounter, Label: "op", Values: []string{"a", "b"}})
	selfKeys := []string{selfTimeStat, busyRatioStat, runBusyStat}
	tests := []struct {
		name     string
		kind     string
		inner    runtime.StatsProvider
		typed    bool               // the provider keeps the typed path
		want     map[string]float64 // values the component reported itself
		selfKeys []string
	}{
		{name: "typed stats, then self time", kind: "processor", inner: &fakeTyped{typedDesc}, typed: true,
			want: map[string]float64{"errors": 7, "by_op_a": 1, "by_op_b": 2, "latency_count": 3, "latency_avg_ms": 1,
				"latency_p50_ms": 1, "latency_p90_ms": 2, "latency_p99_ms": 2, "latency_max_ms": 2},
			selfKeys: selfKeys},
		{name: "no stats: self time alone", kind: "consumer", typed: true, selfKeys: selfKeys},
		{name: "a source also pushes", kind: "source", typed: true, selfKeys: append(selfKeys, pushTimeStat)},
		{name: "hand-written map, as it is", kind: "processor", inner: fakeMap{}, want: map[string]float64{"seen": 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var descs selfTimeDescs
			node := &flowNode{kind: tt.kind, typ: "T", id: "x"}
			node.self.Store(int64(250 * time.Millisecond))
			wall := &wallClock{}
			wall.start.Store(monotonic() - int64(time.Second))
			p := withSelfTime(tt.inner, node, wall, &descs)

			sp, typed := p.(runtime.SnapshotProvider)
			require.Equal(t, tt.typed, typed)
			if typed {
				var base *runtime.ComponentDesc
				if tt.inner != nil {
					base = typedDesc
				}
				assert.Same(t, descs.of(tt.kind, "T", base), sp.StatsDesc(), "one description per type, as the exporter describes it")
			}
			stats := p.GetStats()
			assert.Equal(t, "x", stats.InstanceID)
			assert.Len(t, stats.Stats, len(tt.want)+len(tt.selfKeys), "%v", stats.Stats)
			for k, v := range tt.want {
				f, ok := stats.Stats[k]
				require.True(t, ok, k)
				assert.InDelta(t, v, asFloat(f), 1e-9, k)
			}
			for _, k := range tt.selfKeys {
				assert.Contains(t, stats.Stats, k)
			}
			if len(tt.selfKeys) > 0 {
				assert.Equal(t, uint64(250*time.Millisecond), stats.Stats[selfTimeStat], "whole nanoseconds, kept by the map form")
				assert.InDelta(t, 0.25, asFloat(stats.Stats[runBusyStat]), 0.01, "a quarter of the second of wall time")
			}
		})
	}
}

func asFloat(v interface{}) float64 {
	switch n := v.(type) {
	case uint64:
		return float64(n)
	case int:
		return float64(n)
	case float64:
		return n
	}
	return 0
}
