package ledgerx

import (
	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/cdp"
)

// Transactions returns the transactions of lcm, the ledger msg carries, in
// apply order. It reads (and hashes) them at most once per message,
// whatever number of processors ask: the result, error included, is kept
// in msg.Transactions for the processors after. A message without it is
// read each time. A ledger whose transactions do not match its envelopes
// under passphrase (the wrong network, or a corrupt ledger) is an error
// that names the ledger.
//
// The transactions share memory with lcm and with every other processor
// of the message: treat them as read-only.
func Transactions(msg cdp.Message, lcm xdr.LedgerCloseMeta, passphrase string) ([]ingest.LedgerTransaction, error) {
	c := msg.Transactions
	if c == nil {
		return read(lcm, passphrase)
	}
	if c.Reads == 0 || c.Sequence != lcm.LedgerSequence() || c.Passphrase != passphrase {
		Fill(c, lcm, passphrase)
	}
	return c.Txs, c.Err
}

// Fill reads the transactions of lcm under passphrase into c, counting
// the read.
func Fill(c *cdp.Transactions, lcm xdr.LedgerCloseMeta, passphrase string) {
	FillView(c, lcm, nil, passphrase)
}

// TransactionReads returns how many times the transactions of msg's
// ledger were read from its LedgerCloseMeta by [Transactions].
func TransactionReads(msg cdp.Message) int {
	if msg.Transactions != nil {
		return msg.Transactions.Reads
	}
	return 0
}

// FillView is Fill for a ledger whose wire bytes are at hand: view is the
// LedgerCloseMeta lcm was decoded from, and each envelope is hashed from
// its bytes in view instead of being encoded again. The transactions, or
// the error, are Fill's. Nothing of view is kept: its bytes may be reused
// once FillView returns. A nil view is Fill: every envelope is encoded.
func FillView(c *cdp.Transactions, lcm xdr.LedgerCloseMeta, view xdr.LedgerCloseMetaView, passphrase string) {
	txs, err := readView(lcm, view, passphrase)
	*c = cdp.Transactions{Sequence: lcm.LedgerSequence(), Passphrase: passphrase, Txs: txs, Err: err, Reads: c.Reads + 1}
}
