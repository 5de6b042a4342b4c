package e2e

import (
	"testing"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// ledgerEnd is the ledger message of an empty synthetic ledger seq, which
// ends that ledger's output for a consumer.
func ledgerEnd(t testing.TB, seq uint32) cdp.Message {
	t.Helper()
	return ledgerMessage(ledgers.MustBuild(ledgers.LedgerSpec{Sequence: seq}), ledgers.SyntheticPassphrase)
}
