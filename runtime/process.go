package runtime

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/metrics"
	"strconv"
	"sync"
	"syscall"
)

// The runtime/metrics names [ProcessSampler] reads.
const (
	runtimeMetricHeapObjects = "/memory/classes/heap/objects:bytes"
	runtimeMetricHeapUnused  = "/memory/classes/heap/unused:bytes"
	runtimeMetricGCCPU       = "/cpu/classes/gc/total:cpu-seconds"
	runtimeMetricTotalCPU    = "/cpu/classes/total:cpu-seconds"
	runtimeMetricGCPauses    = "/sched/pauses/total/gc:seconds"
	runtimeMetricGCCycles    = "/gc/cycles/total:gc-cycles"
	runtimeMetricGoroutines  = "/sched/goroutines:goroutines"
)

// ProcessUsage is the resource usage of the running process at one moment.
type ProcessUsage struct {
	// CPUUserSeconds and CPUSystemSeconds are the CPU time the process
	// used since it started, from getrusage(2).
	CPUUserSeconds   float64
	CPUSystemSeconds float64
	// ResidentBytes is the resident set size, from /proc/self/statm.
	ResidentBytes float64
	// PeakResidentBytes is the largest resident set size so far (VmHWM in
	// /proc/self/status, else getrusage's ru_maxrss).
	PeakResidentBytes float64
	// HeapInuseBytes is the Go heap in use: live and dead objects not yet
	// swept, plus the free space of spans that hold objects.
	HeapInuseBytes float64
	// GCCPUFraction is the share of the process's CPU time (as the Go
	// runtime estimates it) that the garbage collector used since start.
	GCCPUFraction float64
	// GCPauseP50Ms, GCPauseP99Ms and GCPauseMaxMs are quantiles of the
	// stop-the-world pauses of the GC since start, in milliseconds, as
	// precise as the runtime's histogram buckets.
	GCPauseP50Ms, GCPauseP99Ms, GCPauseMaxMs float64
	// GCCycles counts completed GC cycles.
	GCCycles float64
	// Goroutines is the number of live goroutines.
	Goroutines float64
	// ReadErrors counts the /proc files or syscalls that could not be
	// read since the sampler was created; their figures are then 0.
	ReadErrors float64
}

// ProcessSampler reads the process's resource usage from runtime/metrics,
// getrusage(2) and /proc/self, with no cgo. It is safe for concurrent use.
// Add one to every [PipelineStats] with [PipelineStats.AddMetricsSource] so
// that every heartbeat carries the process.* keys.
type ProcessSampler struct {
	procDir string // "/proc/self"; a test may point it elsewhere

	mu         sync.Mutex
	samples    []metrics.Sample
	readErrors uint64
}

// NewProcessSampler returns a sampler of the current process.
func NewProcessSampler() *ProcessSampler {
	names := []string{runtimeMetricHeapObjects, runtimeMetricHeapUnused, runtimeMetricGCCPU,
		runtimeMetricTotalCPU, runtimeMetricGCPauses, runtimeMetricGCCycles, runtimeMetricGoroutines}
	s := &ProcessSampler{procDir: "/proc/self", samples: make([]metrics.Sample, len(names))}
	for i, n := range names {
		s.samples[i].Name = n
	}
	return s
}

// Sample reads the current usage. A figure that cannot be read is 0 and
// counted in ReadErrors.
func (s *ProcessSampler) Sample() ProcessUsage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var u ProcessUsage
	metrics.Read(s.samples)
	var gcCPU, totalCPU float64
	for _, sm := range s.samples {
		switch sm.Name {
		case runtimeMetricHeapObjects, runtimeMetricHeapUnused:
			u.HeapInuseBytes += float64(uint64Value(sm.Value))
		case runtimeMetricGCCPU:
			gcCPU = float64Value(sm.Value)
		case runtimeMetricTotalCPU:
			totalCPU = float64Value(sm.Value)
		case runtimeMetricGCPauses:
			if sm.Value.Kind() == metrics.KindFloat64Histogram {
				h := sm.Value.Float64Histogram()
				u.GCPauseP50Ms = histogramQuantile(h, 0.5) * 1e3
				u.GCPauseP99Ms = histogramQuantile(h, 0.99) * 1e3
				u.GCPauseMaxMs = histogramQuantile(h, 1) * 1e3
			}
		case runtimeMetricGCCycles:
			u.GCCycles = float64(uint64Value(sm.Value))
		case runtimeMetricGoroutines:
			u.Goroutines = float64(uint64Value(sm.Value))
		}
	}
	u.GCCPUFraction = Finite(gcCPU / totalCPU)

	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		s.readErrors++
	} else {
		u.CPUUserSeconds = timevalSeconds(ru.Utime)
		u.CPUSystemSeconds = timevalSeconds(ru.Stime)
		u.PeakResidentBytes = float64(ru.Maxrss) * 1024 // KiB on Linux
	}
	if rss, err := s.residentBytes(); err != nil {
		s.readErrors++
	} else {
		u.ResidentBytes = rss
	}
	if peak, err := s.peakResidentBytes(); err != nil {
		s.readErrors++
	} else {
		u.PeakResidentBytes = peak
	}
	u.PeakResidentBytes = max(u.PeakResidentBytes, u.ResidentBytes)
	u.ReadErrors = float64(s.readErrors)
	return u
}

// AppendMetrics adds the process.* keys to m. It implements
// [MetricsSource].
func (s *ProcessSampler) AppendMetrics(m map[string]float64) {
	s.Sample().AppendMetrics(m)
}

// CPUSeconds returns user plus system CPU seconds.
func (u ProcessUsage) CPUSeconds() float64 { return u.CPUUserSeconds + u.CPUSystemSeconds }

// residentBytes reads the second field of statm: resident pages.
func (s *ProcessSampler) residentBytes() (float64, error) {
	data, err := os.ReadFile(s.procDir + "/statm")
	if err != nil {
		return 0, err
	}
	fields := bytes.Fields(data)
	if len(fields) < 2 {
		return 0, fmt.Errorf("%s/statm: %d fields, want at least 2", s.procDir, len(fields))
	}
	pages, err := strconv.ParseUint(string(fields[1]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s/statm: resident pages: %w", s.procDir, err)
	}
	return float64(pages) * float64(os.Getpagesize()), nil
}

// peakResidentBytes reads VmHWM from status.
func (s *ProcessSampler) peakResidentBytes() (float64, error) {
	data, err := os.ReadFile(s.procDir + "/status")
	if err != nil {
		return 0, err
	}
	for line := range bytes.Lines(data) {
		rest, ok := bytes.CutPrefix(line, []byte("VmHWM:"))
		if !ok {
			continue
		}
		fields := bytes.Fields(rest) // "1968", "kB"
		if len(fields) != 2 || string(fields[1]) != "kB" {
			return 0, fmt.Errorf("%s/status: VmHWM %q: want a number of kB", s.procDir, bytes.TrimSpace(rest))
		}
		kb, err := strconv.ParseUint(string(fields[0]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s/status: VmHWM: %w", s.procDir, err)
		}
		return float64(kb) * 1024, nil
	}
	return 0, errors.New(s.procDir + "/status: no VmHWM line")
}

func timevalSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

func uint64Value(v metrics.Value) uint64 {
	if v.Kind() == metrics.KindUint64 {
		return v.Uint64()
	}
	return 0
}

func float64Value(v metrics.Value) float64 {
	if v.Kind() == metrics.KindFloat64 {
		return v.Float64()
	}
	return 0
}

// histogramQuantile returns the q quantile of a runtime/metrics histogram:
// the upper bound of the bucket that holds it, or its lower bound when the
// upper one is +Inf. It returns 0 for an empty histogram.
func histogramQuantile(h *metrics.Float64Histogram, q float64) float64 {
	var total uint64
	for _, c := range h.Counts {
		total += c
	}
	if total == 0 {
		return 0
	}
	rank := quantileRank(q, total)
	var seen uint64
	for i, c := range h.Counts {
		seen += c
		if seen < rank {
			continue
		}
		if upper := h.Buckets[i+1]; !math.IsInf(upper, 1) {
			return upper
		}
		return Finite(h.Buckets[i])
	}
	return 0
}
