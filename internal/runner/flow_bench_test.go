package runner

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// The benchmarks measure the runner's edges with counting and timing on;
// run them again with -tags cdpstats_off, which compiles both out, and
// compare (docs/benchmarks.md, "Self time: the cost of timing the edges"):
//
//	go test ./internal/runner -run '^$' -bench Flow -count 10 > on.txt
//	go test ./internal/runner -run '^$' -bench Flow -count 10 -tags cdpstats_off > off.txt
//	benchstat on.txt off.txt

// nop is a consumer that does nothing.
type nop struct{}

func (nop) Process(context.Context, cdp.Message) error { return nil }
func (nop) Subscribe(cdp.Processor)                    {}
func (nop) Close() error                               { return nil }

// BenchmarkFlowEdge is one message across one edge: the outlet of one
// component into the inlet of a consumer that does nothing.
func BenchmarkFlowEdge(b *testing.B) {
	src := &flowNode{kind: "source"}
	tl := &timeline{owner: src, since: monotonic()}
	out := &outlet{node: src}
	out.Subscribe(&inlet{node: &flowNode{kind: "consumer"}, p: nop{}, tl: tl})
	ctx := context.Background()
	msg := cdp.Message{Payload: 1}
	b.ReportAllocs()
	for b.Loop() {
		if err := out.Process(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFlowProcessors is BenchmarkProcessors of components/e2e
// through the runner's edges: the real pubnet ledger, in memory, into
// FilterPayments → ContractEvent → a consumer that does nothing, wired as
// build wires them.
func BenchmarkFlowProcessors(b *testing.B) {
	lcm, err := ledgers.Pubnet()
	require.NoError(b, err)
	msg := cdp.Message{Payload: lcm, LedgerSequence: lcm.LedgerSequence(), Passphrase: ledgers.PubnetPassphrase}
	fp, err := filterpayments.New(nil)
	require.NoError(b, err)
	ce, err := contractevent.New(nil)
	require.NoError(b, err)
	srcNode, fpNode, ceNode, sink := &flowNode{kind: "source"}, &flowNode{kind: "processor"}, &flowNode{kind: "processor"}, &flowNode{kind: "consumer"}
	tl := &timeline{owner: srcNode, since: monotonic()}
	src := &outlet{node: srcNode}
	src.Subscribe(&inlet{node: fpNode, p: fp, tl: tl})
	fpOut := &outlet{node: fpNode}
	fp.Subscribe(fpOut)
	fpOut.Subscribe(&inlet{node: ceNode, p: ce, tl: tl})
	ceOut := &outlet{node: ceNode}
	ce.Subscribe(ceOut)
	ceOut.Subscribe(&inlet{node: sink, p: nop{}, tl: tl})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		msg.Transactions = &cdp.Transactions{} // a fresh ledger message, as the source sends
		if err := src.Process(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ledgers/s")
	edges := fpNode.in.Load() + ceNode.in.Load() + sink.in.Load()
	b.ReportMetric(float64(edges)/float64(b.N), "edges/ledger")
}
