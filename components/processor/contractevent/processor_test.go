package contractevent_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/internal/proctest"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
)

// maxAllocsPerLedger bounds the allocations ContractEvent makes for
// synthetic ledger 0, so that none creeps back unnoticed. Raise it only
// for a reason a reviewer accepts.
const maxAllocsPerLedger = 21

func TestAllocationsPerLedger(t *testing.T) {
	p, err := contractevent.New(nil)
	require.NoError(t, err)
	c := &proctest.Counter[contractevent.Event]{}
	p.Subscribe(c)
	msg := proctest.SyntheticLedger(t, p)
	require.Equal(t, 2, c.N, "events of synthetic ledger 0")
	assert.LessOrEqual(t, proctest.AllocsPerLedger(t, p, msg), float64(maxAllocsPerLedger), "allocations per ledger")
	assert.Equal(t, 2*102, c.N, "events emitted, AllocsPerRun's runs included")
}

// BenchmarkProcessLedger measures one synthetic ledger through
// ContractEvent, its transactions already read. The same ledger again and
// again finds every contract and account address cached: the work of a
// run whose ledgers hear from the same contracts and accounts, as
// synthetic runs do.
func BenchmarkProcessLedger(b *testing.B) {
	p, err := contractevent.New(nil)
	require.NoError(b, err)
	proctest.BenchmarkLedger(b, p, proctest.SyntheticLedger(b, p))
}
