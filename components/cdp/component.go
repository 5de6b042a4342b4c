package cdp

import "context"

// Processor receives messages, does its work and passes results to the
// processors subscribed to it.
//
// Process is called from one goroutine at a time per pipeline. An error
// stops the pipeline: the source returns it from Run.
type Processor interface {
	Process(ctx context.Context, msg Message) error
	Subscribe(p Processor)
}

// Source produces messages, one per ledger for the sources of this project,
// and pushes them into its subscribers. Run returns nil when a bounded range
// is done, ctx.Err() when ctx ends first, and any other error otherwise.
type Source interface {
	Run(ctx context.Context) error
	Subscribe(p Processor)
}

// Consumer is a processor at the end of a pipeline that writes messages
// somewhere. Close flushes everything the consumer buffers and releases its
// resources; a message whose Process returned nil is written by the time
// Close returns nil.
type Consumer interface {
	Processor
	Close() error
}
