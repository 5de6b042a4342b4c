// Package proctest holds what the tests of the ledger processors share: a
// counting end of a pipeline, and synthetic ledger 0 as a processor after
// the first receives it, to measure a processor's own work per ledger.
package proctest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// Counter is the end of a test pipeline: it counts the messages whose
// payload is a T, and keeps nothing.
type Counter[T any] struct {
	// N is the number of T payloads received.
	N int
}

// Process counts msg when its payload is a T.
func (c *Counter[T]) Process(_ context.Context, msg cdp.Message) error {
	if _, ok := msg.Payload.(T); ok {
		c.N++
	}
	return nil
}

// Subscribe does nothing: a Counter passes nothing on.
func (c *Counter[T]) Subscribe(cdp.Processor) {}

// SyntheticLedger returns the message of synthetic ledger 0 after p has
// processed it once, which read its transactions into the message: p then
// finds them read, as a processor after the first does.
func SyntheticLedger(tb testing.TB, p cdp.Processor) cdp.Message {
	tb.Helper()
	lcm, err := ledgers.SyntheticAt(0)
	require.NoError(tb, err)
	msg := cdp.Message{Payload: lcm, LedgerSequence: lcm.LedgerSequence(), Passphrase: ledgers.SyntheticPassphrase, Transactions: &cdp.Transactions{}}
	require.NoError(tb, p.Process(context.Background(), msg))
	return msg
}

// AllocsPerLedger returns the allocations of one p.Process(msg), averaged
// over 100 runs by testing.AllocsPerRun (which runs it once more first).
func AllocsPerLedger(tb testing.TB, p cdp.Processor, msg cdp.Message) float64 {
	tb.Helper()
	ctx := context.Background()
	return testing.AllocsPerRun(100, func() {
		if err := p.Process(ctx, msg); err != nil {
			tb.Fatal(err)
		}
	})
}

// BenchmarkLedger measures p.Process(msg), allocations included.
func BenchmarkLedger(b *testing.B, p cdp.Processor, msg cdp.Message) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Process(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}
