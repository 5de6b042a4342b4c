// Package filterpayments provides FilterPayments, the processor that turns
// the ledgers a source emits into one JSON-ready [Payment] per payment
// operation of a successful transaction, keeping those that match an asset
// and a minimum amount.
//
// What counts as a payment: the operations that move an asset from one
// account to another on the account's instruction, which are payment,
// path_payment_strict_send and path_payment_strict_receive. A path
// payment's amount is what the destination received, in the destination
// asset; what the sender paid is in source_amount and source_asset.
// create_account, account_merge, claimable balances and Soroban token
// transfers are not payments here: they have their own shapes and,
// for Soroban, their own events (see the contractevent package).
//
// The processor is chain-friendly: after its payments it passes the ledger
// itself on, and any payload that is not a ledger passes through
// unchanged, so that processors after it in a pipeline see every ledger.
//
// It also reads the per-transaction messages of a LedgerReader (package
// ledgerreader) placed before it: each yields the payments of its
// transaction, and the ledger message that LedgerReader passes on after
// them is passed on without being read again, so no payment is counted or
// emitted twice.
package filterpayments

//go:generate go tool statsgen
