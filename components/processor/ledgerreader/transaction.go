package ledgerreader

import (
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
)

// Transaction is the payload of the messages LedgerReader emits: one
// transaction of a ledger, with what a processor needs to handle it
// without the rest of the ledger.
//
// It marshals to JSON as a short summary (the ledger, the position, the
// hash and whether it succeeded), so that a JSON consumer right after
// LedgerReader writes one readable line per transaction; Tx itself is
// not marshalled.
type Transaction struct {
	// LedgerSequence is the sequence of the ledger the transaction is in.
	LedgerSequence uint32 `json:"ledger_sequence"`
	// ClosedAt is when that ledger closed, in UTC.
	ClosedAt time.Time `json:"closed_at"`
	// Index is the transaction's 1-based position in the ledger's apply
	// order, as Tx.Index.
	Index uint32 `json:"index"`
	// Hash is the hex hash of the transaction (the outer hash for a fee
	// bump), as Tx.Hash.
	Hash string `json:"transaction_hash"`
	// Successful reports whether the transaction succeeded (for a fee
	// bump, whether its inner transaction did), as Tx.Successful().
	Successful bool `json:"successful"`
	// Tx is the transaction as the SDK's ledger transaction reader returns
	// it: envelope, result, meta and fee changes, checked against the
	// network passphrase. It shares memory with the ledger message's
	// LedgerCloseMeta; treat it as read-only.
	Tx ingest.LedgerTransaction `json:"-"`
}
