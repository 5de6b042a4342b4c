package runner

import (
	"context"
	"sync/atomic"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/runtime"
)

// flowNode counts the messages one component receives and emits, for the
// live line and the summary, and times the calls across its edges, for
// its self time. The runner counts at the edges between components, so
// the numbers are right for any component, annotated or not, and cost one
// atomic add and two monotonic clock reads per message and edge.
type flowNode struct {
	kind string // "source", "processor" or "consumer"
	typ  string // the config type, such as "FilterPayments"
	id   string // the instance ID: the config id, or the type
	in   runtime.Counter
	out  runtime.Counter
	// busy is the time spent inside the component (in its Process, a
	// consumer's Close, a source's Run); down is the part of it spent in
	// the components after it. Both are nanoseconds; see selftime.go.
	busy atomic.Int64
	down atomic.Int64
	// running is when the source's Run started, 0 when it is not running.
	running atomic.Int64
}

// inlet counts messages into a component.
type inlet struct {
	node *flowNode
	p    cdp.Processor
}

func (i *inlet) Process(ctx context.Context, msg cdp.Message) error {
	i.node.in.Inc()
	if !runtime.Enabled {
		return i.p.Process(ctx, msg)
	}
	t0 := monotonic()
	err := i.p.Process(ctx, msg)
	i.node.busy.Add(monotonic() - t0)
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
	if !runtime.Enabled {
		return o.subs.Send(ctx, msg)
	}
	t0 := monotonic()
	err := o.subs.Send(ctx, msg)
	o.node.down.Add(monotonic() - t0)
	return err
}

func (o *outlet) Subscribe(p cdp.Processor) { o.subs.Subscribe(p) }
