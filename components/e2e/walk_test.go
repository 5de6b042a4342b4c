package e2e

import (
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// The expectations here come from [ledgers.Expect], which reads them
// straight from the LedgerCloseMeta without the SDK's ingest package or
// any component code.

// wantPayment is what a test expects of one payment: the fields that
// FilterPayments and the PostgreSQL consumer report, so that their output
// compares to it directly.
type wantPayment struct {
	Hash    string
	OpIndex uint32
	Type    string
	To      string
	Asset   string
	Amount  string
}

// wantEvent is what a test expects of one contract event.
type wantEvent = ledgers.ExpectedEvent

// walked is everything a test expects of a ledger.
type walked struct {
	Payments  []wantPayment
	Events    []wantEvent
	FailedTxs int
	TotalTxs  int
}

// walk reads a ledger's expectations with [ledgers.Expect].
func walk(t testing.TB, lcm xdr.LedgerCloseMeta, passphrase string) walked {
	t.Helper()
	e := ledgers.Expect(t, lcm, passphrase)
	w := walked{Events: e.Events, FailedTxs: e.FailedTxs, TotalTxs: e.TotalTxs}
	for _, p := range e.Payments {
		w.Payments = append(w.Payments, wantPayment{Hash: p.Hash, OpIndex: p.OpIndex, Type: p.Type, To: p.To, Asset: p.Asset, Amount: p.Amount})
	}
	return w
}
