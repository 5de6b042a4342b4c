package bench

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// PromMetrics are the ten stats of [Processor] as Prometheus metric
// families, one series per processor instance: the idiomatic client_golang
// equivalent of what a Processor records. Counters are counters, the
// gauge and the timestamp are gauges, and the stats computed at read time
// (the ratio and the field= gauge) are GaugeFuncs, evaluated at Gather as
// SnapshotStats evaluates them at collection.
type PromMetrics struct {
	reg *prometheus.Registry

	messagesProcessed *prometheus.CounterVec
	messagesFiltered  *prometheus.CounterVec
	messagesPassed    *prometheus.CounterVec
	errors            *prometheus.CounterVec
	bytesProcessed    *prometheus.CounterVec
	inFlight          *prometheus.GaugeVec
	lastProcessedAt   *prometheus.GaugeVec
	processLatency    *prometheus.HistogramVec
}

// instanceLabel tells processor instances apart, as the instance ID does
// in cdpstats keys.
const instanceLabel = "instance"

// NewPromMetrics registers the metric families in a fresh registry.
func NewPromMetrics() *PromMetrics {
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "cdp", Subsystem: "processor", Name: name, Help: help,
		}, []string{instanceLabel})
	}
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "cdp", Subsystem: "processor", Name: name, Help: help,
		}, []string{instanceLabel})
	}
	m := &PromMetrics{
		reg:               prometheus.NewRegistry(),
		messagesProcessed: counter("messages_processed_total", "Messages examined."),
		messagesFiltered:  counter("messages_filtered_total", "Messages filtered out."),
		messagesPassed:    counter("messages_passed_total", "Messages passed on."),
		errors:            counter("errors_total", "Messages that failed."),
		bytesProcessed:    counter("processed_bytes_total", "Bytes examined."),
		inFlight:          gauge("in_flight", "Messages being processed."),
		lastProcessedAt:   gauge("last_processed_timestamp_seconds", "Time of the last message."),
		processLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "cdp", Subsystem: "processor", Name: "process_latency_seconds",
			Help: "Time to process one message.", Buckets: prometheus.DefBuckets,
		}, []string{instanceLabel}),
	}
	m.reg.MustRegister(m.messagesProcessed, m.messagesFiltered, m.messagesPassed, m.errors,
		m.bytesProcessed, m.inFlight, m.lastProcessedAt, m.processLatency)
	return m
}

// Registry returns the registry that holds every family.
func (m *PromMetrics) Registry() *prometheus.Registry { return m.reg }

// PromProcessor is one processor instance recording into PromMetrics.
type PromProcessor struct {
	messagesProcessed prometheus.Counter
	messagesFiltered  prometheus.Counter
	messagesPassed    prometheus.Counter
	errors            prometheus.Counter
	bytesProcessed    prometheus.Counter
	inFlight          prometheus.Gauge
	lastProcessedAt   prometheus.Gauge
	processLatency    prometheus.Observer

	// processed and filtered mirror the two counters for the ratio:
	// client_golang cannot read a Counter back without building a dto
	// message, so an application that exports a ratio keeps its own
	// copies. They favour Prometheus: reading them at Gather is free.
	processed, filtered atomic.Uint64
}

// NewProcessor returns the series of one instance, registering its
// read-time gauges (filter ratio and buffer size) as GaugeFuncs.
func (m *PromMetrics) NewProcessor(instance string, bufferSize int) *PromProcessor {
	p := &PromProcessor{
		messagesProcessed: m.messagesProcessed.WithLabelValues(instance),
		messagesFiltered:  m.messagesFiltered.WithLabelValues(instance),
		messagesPassed:    m.messagesPassed.WithLabelValues(instance),
		errors:            m.errors.WithLabelValues(instance),
		bytesProcessed:    m.bytesProcessed.WithLabelValues(instance),
		inFlight:          m.inFlight.WithLabelValues(instance),
		lastProcessedAt:   m.lastProcessedAt.WithLabelValues(instance),
		processLatency:    m.processLatency.WithLabelValues(instance),
	}
	// Prometheus has no ratio type: the ratio is computed at Gather, as
	// SnapshotStats computes it with runtime.Ratio.
	labels := prometheus.Labels{instanceLabel: instance}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "cdp", Subsystem: "processor", Name: "filter_ratio",
			Help: "Share of messages filtered out.", ConstLabels: labels,
		}, func() float64 {
			den := p.processed.Load()
			if den == 0 {
				return 0
			}
			return float64(p.filtered.Load()) / float64(den)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "cdp", Subsystem: "processor", Name: "buffer_size",
			Help: "Configured buffer size.", ConstLabels: labels,
		}, func() float64 { return float64(bufferSize) }),
	)
	return p
}

// Process records one message exactly as [Processor.Process] does.
func (p *PromProcessor) Process(msg Message) {
	p.inFlight.Inc()
	p.messagesProcessed.Inc()
	p.processed.Add(1)
	p.bytesProcessed.Add(float64(msg.Bytes))
	switch {
	case msg.Failed:
		p.errors.Inc()
	case msg.Filtered:
		p.messagesFiltered.Inc()
		p.filtered.Add(1)
	default:
		p.messagesPassed.Inc()
	}
	p.lastProcessedAt.Set(float64(msg.At.UnixNano()) / 1e9)
	p.processLatency.Observe(msg.Latency.Seconds())
	p.inFlight.Dec()
}
