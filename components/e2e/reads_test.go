package e2e

import (
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/components/processor/ledgerreader"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// TestTransactionsReadOncePerLedger checks that however many processors of
// transactions a ledger goes through, its transactions are read (and
// their envelopes hashed) once.
func TestTransactionsReadOncePerLedger(t *testing.T) {
	newFP := func(t *testing.T) cdp.Processor {
		p, err := filterpayments.New(nil)
		require.NoError(t, err)
		return p
	}
	newCE := func(t *testing.T) cdp.Processor {
		p, err := contractevent.New(nil)
		require.NoError(t, err)
		return p
	}
	newLR := func(t *testing.T) cdp.Processor {
		p, err := ledgerreader.New(nil)
		require.NoError(t, err)
		return p
	}
	type ctor func(t *testing.T) cdp.Processor
	tests := []struct {
		name  string
		chain []ctor
	}{
		{"FilterPayments", []ctor{newFP}},
		{"FilterPayments → ContractEvent", []ctor{newFP, newCE}},
		{"ContractEvent → FilterPayments → ContractEvent", []ctor{newCE, newFP, newCE}},
		{"LedgerReader → FilterPayments", []ctor{newLR, newFP}},
		{"LedgerReader → FilterPayments → ContractEvent", []ctor{newLR, newFP, newCE}},
		{"LedgerReader → ContractEvent → FilterPayments", []ctor{newLR, newCE, newFP}},
	}
	lcms := syntheticRange(t, 1000, 1002)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			chain := make([]cdp.Processor, len(tt.chain))
			for i, newProc := range tt.chain {
				chain[i] = newProc(t)
				if i > 0 {
					chain[i-1].Subscribe(chain[i])
				}
			}
			chain[len(chain)-1].Subscribe(rec)
			ctx := testContext(t)
			for _, lcm := range lcms {
				require.NoError(t, chain[0].Process(ctx, ledgerMessage(lcm, ledgers.SyntheticPassphrase)))
			}
			var seen []uint32
			for _, m := range rec.messages {
				if lcm, ok := m.Payload.(xdr.LedgerCloseMeta); ok {
					seen = append(seen, lcm.LedgerSequence())
					assert.Equal(t, 1, ledgerx.TransactionReads(m), "ledger %d", lcm.LedgerSequence())
				}
			}
			assert.Equal(t, []uint32{1000, 1001, 1002}, seen, "each ledger passed on once")
		})
	}
}

// TestTransactionsReadAgainUnderAnotherPassphrase checks that the cached
// transactions are only reused under the passphrase they were read with.
func TestTransactionsReadAgainUnderAnotherPassphrase(t *testing.T) {
	lcm := buildScenario(t, 1000, 4)
	msg := ledgerMessage(lcm, ledgers.SyntheticPassphrase)
	txs, err := ledgerx.Transactions(msg, lcm, ledgers.SyntheticPassphrase)
	require.NoError(t, err)
	again, err := ledgerx.Transactions(msg, lcm, ledgers.SyntheticPassphrase)
	require.NoError(t, err)
	assert.Equal(t, len(txs), len(again))
	assert.Equal(t, 1, ledgerx.TransactionReads(msg))

	_, err = ledgerx.Transactions(msg, lcm, "Other Network ; 2024")
	require.Error(t, err)
	assert.Equal(t, 2, ledgerx.TransactionReads(msg))

	bare := cdp.Message{Payload: lcm}
	_, err = ledgerx.Transactions(bare, lcm, ledgers.SyntheticPassphrase)
	require.NoError(t, err)
	assert.Equal(t, 0, ledgerx.TransactionReads(bare), "a message without metadata keeps nothing")
}
