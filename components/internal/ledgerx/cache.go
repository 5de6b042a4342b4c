package ledgerx

import (
	"errors"
	"fmt"
	"io"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/cdp"
)

// metadataTransactions is the metadata key under which a ledger message
// carries its transactions once read: a *transactions. Processors pass
// the ledger message on with its metadata map, so every processor after
// the first reads the cache instead of the ledger.
const metadataTransactions = "cdpstats.transactions"

// transactions is the transactions of one ledger under one passphrase, as
// the SDK's transaction reader returned them, or the error it returned.
type transactions struct {
	seq        uint32
	passphrase string
	txs        []ingest.LedgerTransaction
	err        error
	// reads counts the times the ledger was read for this message.
	reads int
}

// Transactions returns the transactions of lcm, the ledger msg carries, in
// apply order. It reads (and hashes) them at most once per message,
// whatever number of processors ask: the result, error included, is kept
// in msg's metadata for the processors after. A message without metadata
// is read each time. A ledger whose transactions do not match its
// envelopes under passphrase (the wrong network, or a corrupt ledger) is
// an error that names the ledger.
//
// The transactions share memory with lcm and with every other processor
// of the message: treat them as read-only.
func Transactions(msg cdp.Message, lcm xdr.LedgerCloseMeta, passphrase string) ([]ingest.LedgerTransaction, error) {
	c := cacheOf(msg)
	if c != nil && c.seq == lcm.LedgerSequence() && c.passphrase == passphrase {
		return c.txs, c.err
	}
	reads := 1
	if c != nil {
		reads += c.reads
	}
	c = &transactions{seq: lcm.LedgerSequence(), passphrase: passphrase, reads: reads}
	c.txs, c.err = read(lcm, passphrase)
	if msg.Metadata != nil {
		msg.Metadata[metadataTransactions] = c
	}
	return c.txs, c.err
}

// TransactionReads returns how many times the transactions of msg's
// ledger were read from its LedgerCloseMeta by [Transactions].
func TransactionReads(msg cdp.Message) int {
	if c := cacheOf(msg); c != nil {
		return c.reads
	}
	return 0
}

// cacheOf returns the transactions msg carries, or nil.
func cacheOf(msg cdp.Message) *transactions {
	c, _ := msg.Metadata[metadataTransactions].(*transactions)
	return c
}

// read reads every transaction of lcm.
func read(lcm xdr.LedgerCloseMeta, passphrase string) ([]ingest.LedgerTransaction, error) {
	reader, err := ingest.NewLedgerTransactionReaderFromLedgerCloseMeta(passphrase, lcm)
	if err != nil {
		return nil, fmt.Errorf("ledger %d: %w", lcm.LedgerSequence(), err)
	}
	defer reader.Close()
	txs := make([]ingest.LedgerTransaction, 0, lcm.CountTransactions())
	for {
		tx, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return txs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("ledger %d: %w (is the network passphrase right?)", lcm.LedgerSequence(), err)
		}
		txs = append(txs, tx)
	}
}
