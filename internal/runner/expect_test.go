package runner_test

import (
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// The expectations here come from [ledgers.Expect], which reads them
// straight from a ledger's XDR, without the SDK's ingest package that the
// components use.

// expected is what the components should find in one or more ledgers.
type expected struct{ ledgers.Expected }

// expect reads what the components should find in lcm, closed on the
// network of passphrase.
func expect(t testing.TB, lcm xdr.LedgerCloseMeta, passphrase string) expected {
	t.Helper()
	return expected{ledgers.Expect(t, lcm, passphrase)}
}

// lines is how many JSON lines FilterPayments (no filter) followed by
// ContractEvent produce.
func (e expected) lines() int { return len(e.Payments) + len(e.Events) }

// count returns how many payments keep passes.
func (e expected) count(keep func(ledgers.ExpectedPayment) bool) int {
	n := 0
	for _, p := range e.Payments {
		if keep(p) {
			n++
		}
	}
	return n
}
