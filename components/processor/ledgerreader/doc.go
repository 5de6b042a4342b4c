// Package ledgerreader provides LedgerReader, the processor that splits
// each ledger a source emits into one message per transaction, so that
// processors after it can work transaction by transaction instead of
// reading the whole ledger themselves.
//
// Each transaction message carries a [Transaction]: the SDK's
// ingest.LedgerTransaction, already matched to its envelope and result and
// hashed under the network passphrase, with the ledger's sequence and
// close time. Its metadata carries the passphrase and the ledger sequence,
// as a ledger message's does.
//
// The processor is chain-friendly: after the transactions of a ledger it
// passes the ledger itself on, and any payload that is not a ledger
// passes through unchanged. Transaction processors after it (FilterPayments,
// ContractEvent) handle each transaction message at once and pass the
// ledger that follows on without reading it again; every processor reads
// the ledger's transactions from the one read LedgerReader made.
package ledgerreader

//go:generate go tool statsgen
