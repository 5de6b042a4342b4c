package bench

import (
	"github.com/cdpstats/cdpstats/runtime"
)

// Processor is a pipeline stage with ten stats of every kind, written the
// way statsgen generates them, so that the collection benchmark measures
// the code a real component runs. (statsgen output cannot be used here:
// the bench module must not depend on the generator.) Its annotation
// would read:
//
//	//cdp:component kind=processor name=BenchProcessor
//	type Processor struct {
//		cfg ProcessorConfig
//
//		//cdp:stat counter   name=messages_processed
//		//cdp:stat counter   name=messages_filtered
//		//cdp:stat counter   name=messages_passed
//		//cdp:stat counter   name=errors
//		//cdp:stat counter   name=bytes_processed unit=bytes
//		//cdp:stat ratio     name=filter_ratio num=messages_filtered den=messages_processed
//		//cdp:stat gauge     name=in_flight
//		//cdp:stat gauge     name=buffer_size field=cfg.BufferSize
//		//cdp:stat timestamp name=last_processed_at
//		//cdp:stat latency   name=process_latency
//		stats processorStats
//	}
type Processor struct {
	cfg   ProcessorConfig
	stats processorStats
}

// ProcessorConfig is the part of a Processor's configuration that a
// field= gauge reads at snapshot time.
type ProcessorConfig struct {
	BufferSize int
}

// NewProcessor returns a Processor with the given buffer size.
func NewProcessor(bufferSize int) *Processor {
	return &Processor{cfg: ProcessorConfig{BufferSize: bufferSize}}
}

// processorStats holds the recording primitives, one per stat, as the
// generated field type does.
type processorStats struct {
	messagesProcessed runtime.Counter
	messagesFiltered  runtime.Counter
	messagesPassed    runtime.Counter
	errors            runtime.Counter
	bytesProcessed    runtime.Counter
	inFlight          runtime.Gauge
	lastProcessedAt   runtime.Timestamp
	processLatency    runtime.Histogram
}

// Process records one message the way a pipeline stage does: it is
// examined, filtered or passed, maybe failed, and timed.
func (p *Processor) Process(m Message) {
	p.stats.inFlight.Add(1)
	p.stats.messagesProcessed.Inc()
	p.stats.bytesProcessed.Add(m.Bytes)
	switch {
	case m.Failed:
		p.stats.errors.Inc()
	case m.Filtered:
		p.stats.messagesFiltered.Inc()
	default:
		p.stats.messagesPassed.Inc()
	}
	p.stats.lastProcessedAt.Set(m.At)
	p.stats.processLatency.Observe(m.Latency)
	p.stats.inFlight.Add(-1)
}

// ProcessorDesc describes the stats of a Processor: nine values and one
// latency in its snapshots.
var ProcessorDesc = runtime.NewComponentDesc("processor", "BenchProcessor",
	runtime.StatDesc{Name: "messages_processed", Kind: runtime.KindCounter},
	runtime.StatDesc{Name: "messages_filtered", Kind: runtime.KindCounter},
	runtime.StatDesc{Name: "messages_passed", Kind: runtime.KindCounter},
	runtime.StatDesc{Name: "errors", Kind: runtime.KindCounter},
	runtime.StatDesc{Name: "bytes_processed", Kind: runtime.KindCounter, Unit: "bytes"},
	runtime.StatDesc{Name: "filter_ratio", Kind: runtime.KindRatio},
	runtime.StatDesc{Name: "in_flight", Kind: runtime.KindGauge},
	runtime.StatDesc{Name: "buffer_size", Kind: runtime.KindGauge},
	runtime.StatDesc{Name: "last_processed_at", Kind: runtime.KindTimestamp},
	runtime.StatDesc{Name: "process_latency", Kind: runtime.KindLatency},
)

// processorValues is how many values a snapshot of ProcessorDesc holds.
const processorValues = 9

// StatsDesc implements runtime.SnapshotProvider.
func (p *Processor) StatsDesc() *runtime.ComponentDesc { return ProcessorDesc }

// SnapshotStats implements runtime.SnapshotProvider: it writes every stat
// of ProcessorDesc and allocates nothing.
func (p *Processor) SnapshotStats(dst runtime.Snapshot) {
	v := dst.Values[:processorValues]
	s := &p.stats
	v[0] = float64(s.messagesProcessed.Load())
	v[1] = float64(s.messagesFiltered.Load())
	v[2] = float64(s.messagesPassed.Load())
	v[3] = float64(s.errors.Load())
	v[4] = float64(s.bytesProcessed.Load())
	v[5] = runtime.Ratio(s.messagesFiltered.Load(), s.messagesProcessed.Load())
	v[6] = float64(s.inFlight.Load())
	v[7] = float64(p.cfg.BufferSize)
	v[8] = s.lastProcessedAt.UnixSeconds()
	dst.Latencies[0] = s.processLatency.Summary()
}

// GetStats implements runtime.StatsProvider: the compatibility map,
// built from the same snapshot.
func (p *Processor) GetStats() runtime.ComponentStats { return runtime.StatsOf(p) }

// compile-time checks that Processor has both collection paths.
var _ runtime.SnapshotProvider = (*Processor)(nil)
