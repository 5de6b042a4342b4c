package runtime

import (
	"math"
	"os"
	"path/filepath"
	"runtime/metrics"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcessSamplerReadsThisProcess(t *testing.T) {
	u := NewProcessSampler().Sample()
	assert.Zero(t, u.ReadErrors, "/proc/self and getrusage are readable here")
	assert.Positive(t, u.ResidentBytes)
	assert.GreaterOrEqual(t, u.PeakResidentBytes, u.ResidentBytes)
	assert.Positive(t, u.HeapInuseBytes)
	assert.GreaterOrEqual(t, u.Goroutines, 1.0)
	assert.GreaterOrEqual(t, u.CPUSeconds(), 0.0)
	assert.GreaterOrEqual(t, u.GCCPUFraction, 0.0)
	assert.LessOrEqual(t, u.GCCPUFraction, 1.0)
	assert.LessOrEqual(t, u.GCPauseP50Ms, u.GCPauseP99Ms)
	assert.LessOrEqual(t, u.GCPauseP99Ms, u.GCPauseMaxMs)
}

func TestProcessSamplerCountsUnreadableFiles(t *testing.T) {
	tests := []struct {
		name   string
		statm  string
		status string
		errors float64
	}{
		{name: "well formed", statm: "765 443 415 5 0 123 0\n", status: "Name:\tx\nVmHWM:\t    1968 kB\n", errors: 0},
		{name: "short statm", statm: "765\n", status: "VmHWM:\t1968 kB\n", errors: 1},
		{name: "no VmHWM", statm: "765 443\n", status: "Name:\tx\n", errors: 1},
		{name: "VmHWM not in kB", statm: "765 443\n", status: "VmHWM:\t1968 MB\n", errors: 1},
		{name: "neither", statm: "", status: "", errors: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "statm"), []byte(tt.statm), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "status"), []byte(tt.status), 0o644))
			s := NewProcessSampler()
			s.procDir = dir
			u := s.Sample()
			assert.Equal(t, tt.errors, u.ReadErrors)
			if tt.errors == 0 {
				assert.Equal(t, 443*float64(os.Getpagesize()), u.ResidentBytes)
				assert.Equal(t, 1968*1024.0, u.PeakResidentBytes)
			}
		})
	}
}

func TestHistogramQuantile(t *testing.T) {
	h := &metrics.Float64Histogram{
		Counts:  []uint64{0, 5, 4, 1},
		Buckets: []float64{math.Inf(-1), 1, 2, 3, math.Inf(1)},
	}
	tests := []struct {
		name string
		h    *metrics.Float64Histogram
		q    float64
		want float64
	}{
		{name: "median", h: h, q: 0.5, want: 2},
		{name: "p90", h: h, q: 0.9, want: 3},
		{name: "max in the +Inf bucket", h: h, q: 1, want: 3},
		{name: "empty", h: &metrics.Float64Histogram{Counts: []uint64{0}, Buckets: []float64{0, 1}}, q: 0.5, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, histogramQuantile(tt.h, tt.q))
		})
	}
}

func TestGetMetricsIncludesMetricsSources(t *testing.T) {
	ps, _ := newTestPipelineStats(t)
	ps.AddMetricsSource(NewProcessSampler())
	ps.AddMetricsSource(MetricsSourceFunc(func(m map[string]float64) {
		m["runner.answer"] = 42
		m["runner.broken"] = math.NaN()
	}))
	m := ps.GetMetrics()
	for _, k := range []string{MetricCPUUserSeconds, MetricCPUSystemSeconds, MetricResidentBytes,
		MetricPeakResidentBytes, MetricHeapInuseBytes, MetricGCCPUFraction, MetricGCPauseP50,
		MetricGCPauseP99, MetricGCPauseMax, MetricGCCycles, MetricGoroutines, MetricProcessReadErrors} {
		assert.Contains(t, m, k)
	}
	assert.Equal(t, 42.0, m["runner.answer"])
	assert.NotContains(t, m, "runner.broken", "GetMetrics never returns NaN")
	assert.Contains(t, m, MetricHealthy, "the pipeline's own keys stay")
}
