// Package contractevent provides ContractEvent, the processor that emits
// the contract events of successful transactions, each as a JSON-ready
// [Event] with its topics and data decoded and kept as raw XDR beside.
//
// Events are read from TransactionMeta V3 (Soroban transactions, whose
// events sit in the meta's SorobanMeta) and V4 (protocol 23 on, where every
// operation has its own events, including the Stellar Asset Contract events
// that classic payments emit). Only events of type CONTRACT are emitted:
// SYSTEM and DIAGNOSTIC events, and V4's transaction-level fee events,
// which belong to no operation, are not.
//
// Like the other processors it is chain-friendly: the ledger is passed on
// after its events, and other payloads pass through unchanged.
package contractevent

//go:generate go tool statsgen
