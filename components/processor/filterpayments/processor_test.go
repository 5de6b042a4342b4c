package filterpayments_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/internal/proctest"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
)

// maxAllocsPerLedger bounds the allocations FilterPayments makes for
// synthetic ledger 0, so that none creeps back unnoticed. Raise it only
// for a reason a reviewer accepts.
const maxAllocsPerLedger = 51

func TestAllocationsPerLedger(t *testing.T) {
	p, err := filterpayments.New(nil)
	require.NoError(t, err)
	c := &proctest.Counter[filterpayments.Payment]{}
	p.Subscribe(c)
	msg := proctest.SyntheticLedger(t, p)
	require.Equal(t, 20, c.N, "payments of synthetic ledger 0")
	assert.LessOrEqual(t, proctest.AllocsPerLedger(t, p, msg), float64(maxAllocsPerLedger), "allocations per ledger")
	assert.Equal(t, 20*102, c.N, "payments emitted, AllocsPerRun's runs included")
}

// BenchmarkProcessLedger measures one synthetic ledger through
// FilterPayments, its transactions already read. The same ledger again
// and again finds every asset name and address cached: the work of a run
// whose ledgers pay among the same accounts, as synthetic runs do.
func BenchmarkProcessLedger(b *testing.B) {
	p, err := filterpayments.New(nil)
	require.NoError(b, err)
	proctest.BenchmarkLedger(b, p, proctest.SyntheticLedger(b, p))
}
