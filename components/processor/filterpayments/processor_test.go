package filterpayments_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// counter is the end of a test pipeline: it counts the payments it
// receives and keeps nothing.
type counter struct{ payments int }

func (c *counter) Process(_ context.Context, msg cdp.Message) error {
	if _, ok := msg.Payload.(filterpayments.Payment); ok {
		c.payments++
	}
	return nil
}

func (c *counter) Subscribe(cdp.Processor) {}

// syntheticPipeline returns a FilterPayments with no filters feeding a
// counter, and the message of synthetic ledger 0 (20 payments) with its
// transactions already read, as a processor after the first finds it:
// what is measured is the processor's own work per ledger.
func syntheticPipeline(tb testing.TB) (*filterpayments.FilterPayments, *counter, cdp.Message) {
	tb.Helper()
	lcm, err := ledgers.SyntheticAt(0)
	require.NoError(tb, err)
	p, err := filterpayments.New(nil)
	require.NoError(tb, err)
	c := &counter{}
	p.Subscribe(c)
	msg := cdp.Message{Payload: lcm, LedgerSequence: lcm.LedgerSequence(), Passphrase: ledgers.SyntheticPassphrase, Transactions: &cdp.Transactions{}}
	require.NoError(tb, p.Process(context.Background(), msg)) // reads the transactions into msg
	require.Equal(tb, 20, c.payments)
	return p, c, msg
}

// maxAllocsPerLedger bounds the allocations FilterPayments makes for
// synthetic ledger 0, so that none creeps back unnoticed. Raise it only
// for a reason a reviewer accepts.
const maxAllocsPerLedger = 51

func TestAllocationsPerLedger(t *testing.T) {
	p, c, msg := syntheticPipeline(t)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		if err := p.Process(ctx, msg); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, float64(maxAllocsPerLedger), "allocations per ledger")
	assert.Equal(t, 20*102, c.payments, "payments emitted, warm-up and AllocsPerRun's extra run included")
}

// BenchmarkProcessLedger measures one synthetic ledger through
// FilterPayments, its transactions already read. The same ledger again
// and again finds every asset name and address cached: the work of a run
// whose ledgers pay among the same accounts, as synthetic runs do.
func BenchmarkProcessLedger(b *testing.B) {
	p, _, msg := syntheticPipeline(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Process(ctx, msg); err != nil {
			b.Fatal(err)
		}
	}
}
