// Package ledgers provides real and synthetic Stellar ledgers for tests,
// and writes them into filesystem datastores that the SDK's
// BufferedStorageBackend reads.
//
// Real ledgers come from the go-stellar-sdk module itself, which ships two:
// pubnet ledger 58752000 as a raw LedgerCloseMeta, and pubnet ledger
// 53312000 as a galexie datastore file. Both are protocol 21/22 ledgers
// with TransactionMeta V3. Synthetic ledgers ([Build]) cover what those do
// not: protocol 23 ledgers with TransactionMeta V4 and their contract
// events, muxed accounts, fee bumps and failed transactions. They are valid
// in the sense that matters to the SDK: each transaction's hash is the hash
// of its envelope under the ledger's network passphrase.
//
// [Expect] is the tests' oracle: it reads the payments and contract events
// a ledger should yield straight from its XDR, without the SDK's ingest
// package or any component code, so that tests check the components
// against an independent reading.
package ledgers
