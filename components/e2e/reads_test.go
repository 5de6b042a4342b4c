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
// their envelopes hashed) once, and that each chain still emits the
// oracle's payments and events, each once.
func TestTransactionsReadOncePerLedger(t *testing.T) {
	tests := []struct {
		name  string
		chain []string
	}{
		{"FilterPayments", []string{"fp"}},
		{"FilterPayments → ContractEvent", []string{"fp", "ce"}},
		{"ContractEvent → FilterPayments → ContractEvent", []string{"ce", "fp", "ce"}},
		{"LedgerReader → FilterPayments", []string{"lr", "fp"}},
		{"LedgerReader → FilterPayments → ContractEvent", []string{"lr", "fp", "ce"}},
		{"LedgerReader → ContractEvent → FilterPayments", []string{"lr", "ce", "fp"}},
	}
	lcms := syntheticRange(t, 1000, 1002)
	var want walked
	for _, lcm := range lcms {
		w := walk(t, lcm, ledgers.SyntheticPassphrase)
		want.Payments = append(want.Payments, w.Payments...)
		want.Events = append(want.Events, w.Events...)
	}
	require.NotEmpty(t, want.Payments)
	require.NotEmpty(t, want.Events)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			chain := make([]cdp.Processor, len(tt.chain))
			for i, name := range tt.chain {
				chain[i] = newProcessor(t, name)
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
			if payments := rec.payments(); len(payments) > 0 {
				assert.Equal(t, want.Payments, paymentKeys(payments))
			}
			if events := rec.events(); len(events) > 0 {
				assert.Len(t, events, len(want.Events)*occurrences(tt.chain, "ce"), "each ContractEvent emits every event once")
			}
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

// newProcessor returns a processor with no config: "fp" FilterPayments,
// "ce" ContractEvent, "lr" LedgerReader.
func newProcessor(t *testing.T, name string) cdp.Processor {
	t.Helper()
	var p cdp.Processor
	var err error
	switch name {
	case "fp":
		p, err = filterpayments.New(nil)
	case "ce":
		p, err = contractevent.New(nil)
	case "lr":
		p, err = ledgerreader.New(nil)
	default:
		t.Fatalf("no processor %q", name)
	}
	require.NoError(t, err)
	return p
}

// occurrences returns how many times s occurs in list.
func occurrences(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}
