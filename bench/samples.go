package bench

import (
	"math"
	"math/rand/v2"
	"time"
)

// SampleCount is the number of precomputed observations. It is a power of
// two so that a running counter masked with SampleMask indexes the table
// without a bounds check or a modulo, and small enough (8 KiB a table) that
// reading the input stays out of the measurement.
const (
	SampleCount = 1 << 10
	SampleMask  = SampleCount - 1
)

// Samples holds one set of log-normal latencies in the unit each library
// takes, so that every implementation records exactly the same values and
// none pays for a conversion the others do not.
type Samples struct {
	// Durations is for cdpstats.
	Durations [SampleCount]time.Duration
	// Nanos is for HdrHistogram-go.
	Nanos [SampleCount]int64
	// Seconds is for Prometheus, VictoriaMetrics and OpenTelemetry, whose
	// conventions (and default buckets) are in seconds.
	Seconds [SampleCount]float64
}

// Latencies are log-normal with a median of 1 ms and sigma 1: most values
// fall between 50 µs and 20 ms, with a tail into the hundreds of
// milliseconds, like the per-message latency of a pipeline stage. The seed
// is fixed so every run records the same values.
var Latencies = newSamples(1e6, 1.0, 42)

func newSamples(medianNanos, sigma float64, seed uint64) *Samples {
	rng := rand.New(rand.NewPCG(seed, seed))
	s := new(Samples)
	for i := range s.Durations {
		ns := int64(math.Exp(math.Log(medianNanos) + sigma*rng.NormFloat64()))
		s.Durations[i] = time.Duration(ns)
		s.Nanos[i] = ns
		s.Seconds[i] = time.Duration(ns).Seconds()
	}
	return s
}
