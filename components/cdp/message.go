package cdp

import "github.com/stellar/go-stellar-sdk/ingest"

// Message is one unit of data flowing through a pipeline.
//
// Payload is the data itself: an xdr.LedgerCloseMeta from a source, or a
// JSON-ready struct from a processor. The typed fields carry facts about
// the payload that later components may need but that are not part of it;
// they cost no allocation per message, unlike a map.
type Message struct {
	Payload interface{}
	// LedgerSequence is the sequence number of the ledger the message
	// comes from; 0 when unknown.
	LedgerSequence uint32
	// Passphrase is the network passphrase the ledger was closed under;
	// "" when unknown. Processors need it to hash transaction envelopes;
	// the source sets it on every ledger message.
	Passphrase string
	// Transactions is where the transactions of the ledger are kept once
	// read, shared by every processor the message reaches (see
	// ledgerx.Transactions); nil when the message carries no ledger, and
	// then the ledger is read each time a processor asks.
	Transactions *Transactions
	// Metadata is for components written outside this project that pass
	// facts as a map, as CDP's components do. This project's components
	// leave it nil; they read only [MetadataNetworkPassphrase] from it,
	// as the passphrase of a message whose Passphrase is "".
	Metadata map[string]interface{}
}

// MetadataNetworkPassphrase is the [Message.Metadata] key of the network
// passphrase (a string), for messages from components that set no
// [Message.Passphrase].
const MetadataNetworkPassphrase = "network_passphrase"

// Transactions is the transactions of one ledger under one passphrase, as
// ledgerx's reader returned them (what the SDK's transaction reader
// returns), or the error it returned.
// The source allocates it empty (or filled, when it reads transactions
// ahead) with each ledger message; the first processor that needs the
// transactions fills it, and the processors after it read it.
//
// The transactions share memory with the ledger's LedgerCloseMeta and with
// every processor of the message: treat them as read-only.
type Transactions struct {
	// Sequence is the ledger's sequence number; 0 while not read.
	Sequence uint32
	// Passphrase is the network passphrase the transactions were read
	// under.
	Passphrase string
	// Txs is the ledger's transactions in apply order.
	Txs []ingest.LedgerTransaction
	// Err is the error reading them, naming the ledger.
	Err error
	// Reads counts the times the ledger was read for this message.
	Reads int
}
