package bench

import (
	"fmt"

	"github.com/cdpstats/cdpstats/runtime"
)

// Fleet is the collection benchmark's pipeline: n Processors and their
// Prometheus twins, fed the same messages.
type Fleet struct {
	// Processors are the cdpstats components, in instance order.
	Processors []*Processor
	// Providers wraps each Processor with its instance ID, as the runner
	// does, for runtime.StatsCollector.Prepare.
	Providers []runtime.StatsProvider
	// Prom holds the Prometheus twins' registry.
	Prom *PromMetrics
}

// InstanceID returns the instance ID of the i-th processor of a Fleet.
func InstanceID(i int) string { return fmt.Sprintf("proc-%02d", i) }

// NewFleet builds n processors of each kind and records messagesEach
// messages into each pair, processor i starting at message i*7919 so that
// their histograms differ.
func NewFleet(n, messagesEach int) *Fleet {
	f := &Fleet{Prom: NewPromMetrics()}
	for i := 0; i < n; i++ {
		bufferSize := 64 << (i % 4)
		ours := NewProcessor(bufferSize)
		theirs := f.Prom.NewProcessor(InstanceID(i), bufferSize)
		for j := 0; j < messagesEach; j++ {
			m := MessageAt(i*7919 + j)
			ours.Process(m)
			theirs.Process(m)
		}
		f.Processors = append(f.Processors, ours)
		f.Providers = append(f.Providers, runtime.InstanceProvider(ours, InstanceID(i)))
	}
	return f
}

// MapOnly hides the snapshot path of a provider, so that a collection
// pass goes through GetStats and its map, as code written before
// SnapshotProvider does.
type MapOnly struct {
	P runtime.StatsProvider
}

// GetStats implements runtime.StatsProvider.
func (m MapOnly) GetStats() runtime.ComponentStats { return m.P.GetStats() }
