package runner

import (
	"context"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/runtime"
)

// flowNode counts the messages one component receives and emits, for the
// live line and the summary. The runner counts at the edges between
// components, so the numbers are right for any component, annotated or
// not, and cost one atomic add per message and edge.
type flowNode struct {
	kind string // "source", "processor" or "consumer"
	typ  string // the config type, such as "FilterPayments"
	id   string // the instance ID: the config id, or the type
	in   runtime.Counter
	out  runtime.Counter
}

// inlet counts messages into a component.
type inlet struct {
	node *flowNode
	p    cdp.Processor
}

func (i *inlet) Process(ctx context.Context, msg cdp.Message) error {
	i.node.in.Inc()
	return i.p.Process(ctx, msg)
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
