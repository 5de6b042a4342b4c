package ledgerreader

import "github.com/cdpstats/cdpstats/components/internal/ledgerx"

// Transaction is the payload of the messages LedgerReader emits: one
// transaction of a ledger, with what a processor needs to handle it
// without the rest of the ledger (see the fields of ledgerx.Transaction:
// LedgerSequence, ClosedAt, Index, Hash, Successful and Tx). It marshals
// to JSON as a short summary; Tx itself is not marshalled.
type Transaction = ledgerx.Transaction
