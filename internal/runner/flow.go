package runner

import (
	"context"
	"sync/atomic"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/runtime"
)

// flowNode counts the messages one component receives and emits, for the
// live line and the summary, and holds its self time. The runner counts
// and times at the edges between components, so the numbers are right for
// any component, annotated or not, and cost three atomic adds and two
// monotonic clock reads per message and edge (see selftime.go).
type flowNode struct {
	kind string // "source", "processor" or "consumer"
	typ  string // the config type, such as "FilterPayments"
	id   string // the instance ID: the config id, or the type
	in   runtime.Counter
	out  runtime.Counter
	// self is the time charged to the component so far, in nanoseconds:
	// time inside it and not inside the components after it.
	self atomic.Int64
	// run is how long a source's Run took, in nanoseconds, once it
	// returned; running is when it started, 0 when it is not running.
	run     atomic.Int64
	running atomic.Int64
	// waiting is when a source began to wait for its next ledger, 0 when
	// it is not waiting: the time not charged to it yet.
	waiting atomic.Int64
}

// inlet counts messages into a component and charges the time of the
// call to it on the pipeline's timeline.
type inlet struct {
	node *flowNode
	p    cdp.Processor
	tl   *timeline
}

func (i *inlet) Process(ctx context.Context, msg cdp.Message) error {
	i.node.in.Inc()
	if !runtime.Enabled {
		return i.p.Process(ctx, msg)
	}
	caller := i.tl.enter(i.node)
	err := i.p.Process(ctx, msg)
	i.tl.leave(caller)
	return err
}

func (i *inlet) Subscribe(p cdp.Processor) { i.p.Subscribe(p) }

// outlet counts messages out of a component and fans them out to the
// inlets of the components after it.
type outlet struct {
	node *flowNode
	subs cdp.Subscribers
}

func (o *outlet) Process(ctx context.Context, msg cdp.Message) error {
	o.node.out.Inc()
	return o.subs.Send(ctx, msg)
}

func (o *outlet) Subscribe(p cdp.Processor) { o.subs.Subscribe(p) }
