package contractevent_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// counter is the end of a test pipeline: it counts the events it
// receives and keeps nothing.
type counter struct{ events int }

func (c *counter) Process(_ context.Context, msg cdp.Message) error {
	if _, ok := msg.Payload.(contractevent.Event); ok {
		c.events++
	}
	return nil
}

func (c *counter) Subscribe(cdp.Processor) {}

// syntheticPipeline returns a ContractEvent with no filter feeding a
// counter, and the message of synthetic ledger 0 (2 events) with its
// transactions already read, as a processor after the first finds it:
// what is measured is the processor's own work per ledger.
func syntheticPipeline(tb testing.TB) (*contractevent.ContractEvent, *counter, cdp.Message) {
	tb.Helper()
	lcm, err := ledgers.SyntheticAt(0)
	require.NoError(tb, err)
	p, err := contractevent.New(nil)
	require.NoError(tb, err)
	c := &counter{}
	p.Subscribe(c)
	msg := cdp.Message{Payload: lcm, LedgerSequence: lcm.LedgerSequence(), Passphrase: ledgers.SyntheticPassphrase, Transactions: &cdp.Transactions{}}
	require.NoError(tb, p.Process(context.Background(), msg)) // reads the transactions into msg
	require.Equal(tb, 2, c.events)
	return p, c, msg
}

// maxAllocsPerLedger bounds the allocations ContractEvent makes for
// synthetic ledger 0, so that none creeps back unnoticed. Raise it only
// for a reason a reviewer accepts.
const maxAllocsPerLedger = 21

func TestAllocationsPerLedger(t *testing.T) {
	p, c, msg := syntheticPipeline(t)
	ctx := context.Background()
	allocs := testing.AllocsPerRun(100, func() {
		if err := p.Process(ctx, msg); err != nil {
			t.Fatal(err)
		}
	})
	assert.LessOrEqual(t, allocs, float64(maxAllocsPerLedger), "allocations per ledger")
	assert.Equal(t, 2*102, c.events, "events emitted, warm-up and AllocsPerRun's extra run included")
}

// BenchmarkProcessLedger measures one synthetic ledger through
// ContractEvent, its transactions already read. The same ledger again and
// again finds every contract and account address cached: the work of a
// run whose ledgers hear from the same contracts and accounts, as
// synthetic runs do.
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
