package bench

import (
	"math"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/runtime"
)

// The benchmarks are only fair if both sides hold the same numbers; these
// tests check that, and the shape of the fixtures, on a small fleet.

func TestProcessorDescMatchesSnapshotLayout(t *testing.T) {
	snap := ProcessorDesc.NewSnapshot()
	assert.Len(t, snap.Values, processorValues)
	assert.Len(t, snap.Latencies, 1)
	assert.Len(t, ProcessorDesc.Stats, 10)
}

func TestProcessorGetStatsMatchesSnapshot(t *testing.T) {
	requireRecording(t)
	p := NewFleet(1, 1000).Processors[0]
	snap := ProcessorDesc.NewSnapshot()
	p.SnapshotStats(snap)
	s := p.GetStats()
	assert.Equal(t, "processor", s.ComponentType)
	assert.Equal(t, "BenchProcessor", s.ComponentName)
	assert.Equal(t, uint64(snap.Values[0]), s.Stats["messages_processed"])
	assert.Equal(t, snap.Values[7], s.Stats["buffer_size"])
	assert.Equal(t, snap.Latencies[0].Count, s.Stats["process_latency_count"])
}

func TestFleetSidesRecordTheSameValues(t *testing.T) {
	requireRecording(t)
	const n, each = 3, 2000
	f := NewFleet(n, each)
	families, err := f.Prom.Registry().Gather()
	require.NoError(t, err)
	prom := seriesByInstance(families)
	require.Len(t, prom, n)

	for i, p := range f.Processors {
		snap := ProcessorDesc.NewSnapshot()
		p.SnapshotStats(snap)
		got := snap.Values
		want := prom[InstanceID(i)]
		for k, name := range map[int]string{
			0: "cdp_processor_messages_processed_total",
			1: "cdp_processor_messages_filtered_total",
			2: "cdp_processor_messages_passed_total",
			3: "cdp_processor_errors_total",
			4: "cdp_processor_processed_bytes_total",
			5: "cdp_processor_filter_ratio",
			6: "cdp_processor_in_flight",
			7: "cdp_processor_buffer_size",
			8: "cdp_processor_last_processed_timestamp_seconds",
		} {
			require.Contains(t, want, name)
			w := value(want[name])
			// Prometheus keeps counters as float64 and the timestamp as
			// float seconds: equal up to float rounding.
			assert.InDelta(t, w, got[k], 1e-9*math.Max(1, math.Abs(w)), "%s %s", InstanceID(i), name)
		}
		h := want["cdp_processor_process_latency_seconds"].GetHistogram()
		require.NotNil(t, h)
		assert.Equal(t, uint64(each), h.GetSampleCount())
		l := snap.Latencies[0]
		assert.Equal(t, uint64(each), l.Count, "latency count")
		assert.InEpsilon(t, h.GetSampleSum(), l.Sum.Seconds(), 1e-6, "latency sum")
	}
}

func TestGatherHasFiveHundredSeries(t *testing.T) {
	f := NewFleet(fleetSize, 1)
	families, err := f.Prom.Registry().Gather()
	require.NoError(t, err)
	series := 0
	for _, fam := range families {
		series += len(fam.GetMetric())
	}
	assert.Len(t, families, 10)
	assert.Equal(t, fleetSize*10, series)
}

func TestCollectionPassAllocatesNothing(t *testing.T) {
	requireRecording(t)
	f := NewFleet(5, 100)
	stats := runtime.NewPipelineStats("bench")
	pass := runtime.NewStatsCollector(stats, time.Second).Prepare(f.Providers)
	pass.Collect()
	assert.Zero(t, testing.AllocsPerRun(20, pass.Collect))
	m := stats.GetMetrics()
	assert.Equal(t, 5.0, m[runtime.MetricComponentCount])
	assert.Equal(t, 100.0, m["processor."+InstanceID(4)+".messages_processed"])
	assert.Equal(t, 100.0, m["processor."+InstanceID(4)+".process_latency_count"])
}

func TestMapOnlyTakesTheMapPath(t *testing.T) {
	requireRecording(t)
	f := NewFleet(2, 10)
	stats := runtime.NewPipelineStats("bench")
	providers := []runtime.StatsProvider{MapOnly{P: f.Providers[0]}, MapOnly{P: f.Providers[1]}}
	_, fast := providers[0].(runtime.SnapshotProvider)
	require.False(t, fast)
	runtime.NewStatsCollector(stats, time.Second).Prepare(providers).Collect()
	m := stats.GetMetrics()
	assert.Equal(t, 10.0, m["processor."+InstanceID(1)+".messages_processed"])
}

func TestSamplesAreLogNormal(t *testing.T) {
	var logSum float64
	for i, d := range Latencies.Durations {
		require.Positive(t, d)
		assert.Equal(t, int64(d), Latencies.Nanos[i])
		assert.Equal(t, d.Seconds(), Latencies.Seconds[i])
		logSum += math.Log(float64(d))
	}
	median := time.Duration(math.Exp(logSum / SampleCount))
	assert.InDelta(t, float64(time.Millisecond), float64(median), float64(200*time.Microsecond), "geometric mean near 1 ms")
}

// seriesByInstance indexes gathered metrics by instance label and family.
func seriesByInstance(families []*dto.MetricFamily) map[string]map[string]*dto.Metric {
	out := map[string]map[string]*dto.Metric{}
	for _, fam := range families {
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() != instanceLabel {
					continue
				}
				if out[l.GetValue()] == nil {
					out[l.GetValue()] = map[string]*dto.Metric{}
				}
				out[l.GetValue()][fam.GetName()] = m
			}
		}
	}
	return out
}

// value returns the number of a counter or gauge sample.
func value(m *dto.Metric) float64 {
	if c := m.GetCounter(); c != nil {
		return c.GetValue()
	}
	return m.GetGauge().GetValue()
}

// requireRecording skips tests that compare recorded values in a build
// with -tags cdpstats_off, where runtime records nothing.
func requireRecording(t *testing.T) {
	t.Helper()
	if !runtime.Enabled {
		t.Skip("recording is compiled out by -tags cdpstats_off")
	}
}
