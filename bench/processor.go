package bench

import (
	"time"

	"github.com/cdpstats/cdpstats/runtime"
)

// Processor is a pipeline stage with ten stats of every kind, written the
// way statsgen generates them, so that the collection benchmark measures
// the code a real component runs. (statsgen output cannot be used here:
// the bench module must not depend on the generator.) Its annotation
// would read:
//
//	//cdp:component type=processor name=BenchProcessor
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

// processorKeyCount is len(processorKeys), as a constant for arrays.
const processorKeyCount = 15

// processorKeys is the flat layout of SnapshotStats: one key per stat,
// six for the latency.
var processorKeys = []string{
	"messages_processed", "messages_filtered", "messages_passed", "errors", "bytes_processed",
	"filter_ratio", "in_flight", "buffer_size", "last_processed_at",
	"process_latency_count", "process_latency_avg_ms", "process_latency_p50_ms",
	"process_latency_p90_ms", "process_latency_p99_ms", "process_latency_max_ms",
}

// latencyOffset is where process_latency's keys start in processorKeys.
const latencyOffset = 9

// ProcessorDesc describes the stats of a Processor.
var ProcessorDesc = &runtime.ComponentDesc{
	Type: "processor",
	Name: "BenchProcessor",
	Stats: []runtime.StatDesc{
		{Name: "messages_processed", Kind: runtime.KindCounter, Keys: processorKeys[0:1]},
		{Name: "messages_filtered", Kind: runtime.KindCounter, Keys: processorKeys[1:2]},
		{Name: "messages_passed", Kind: runtime.KindCounter, Keys: processorKeys[2:3]},
		{Name: "errors", Kind: runtime.KindCounter, Keys: processorKeys[3:4]},
		{Name: "bytes_processed", Kind: runtime.KindCounter, Unit: "bytes", Keys: processorKeys[4:5]},
		{Name: "filter_ratio", Kind: runtime.KindRatio, Keys: processorKeys[5:6]},
		{Name: "in_flight", Kind: runtime.KindGauge, Keys: processorKeys[6:7]},
		{Name: "buffer_size", Kind: runtime.KindGauge, Keys: processorKeys[7:8]},
		{Name: "last_processed_at", Kind: runtime.KindTimestamp, Keys: processorKeys[8:9]},
		{Name: "process_latency", Kind: runtime.KindLatency, Keys: processorKeys[latencyOffset:]},
	},
	Keys: processorKeys,
}

// StatsDesc implements runtime.SnapshotProvider.
func (p *Processor) StatsDesc() *runtime.ComponentDesc { return ProcessorDesc }

// SnapshotStats implements runtime.SnapshotProvider: it writes every key
// of ProcessorDesc, in order, and allocates nothing.
func (p *Processor) SnapshotStats(dst []float64) {
	_ = dst[processorKeyCount-1]
	s := &p.stats
	dst[0] = float64(s.messagesProcessed.Load())
	dst[1] = float64(s.messagesFiltered.Load())
	dst[2] = float64(s.messagesPassed.Load())
	dst[3] = float64(s.errors.Load())
	dst[4] = float64(s.bytesProcessed.Load())
	dst[5] = runtime.Ratio(s.messagesFiltered.Load(), s.messagesProcessed.Load())
	dst[6] = float64(s.inFlight.Load())
	dst[7] = float64(p.cfg.BufferSize)
	dst[8] = s.lastProcessedAt.UnixSeconds()
	s.processLatency.WriteSummary(dst[latencyOffset:])
}

// GetStats implements runtime.StatsProvider: the compatibility map,
// built from the same snapshot.
func (p *Processor) GetStats() runtime.ComponentStats {
	var values [processorKeyCount]float64
	p.SnapshotStats(values[:])
	stats := make(map[string]interface{}, processorKeyCount)
	for i, k := range processorKeys {
		stats[k] = values[i]
	}
	return runtime.ComponentStats{
		ComponentType: ProcessorDesc.Type,
		ComponentName: ProcessorDesc.Name,
		Stats:         stats,
		LastUpdated:   time.Now(),
	}
}

// compile-time checks that Processor has both collection paths.
var _ runtime.SnapshotProvider = (*Processor)(nil)
