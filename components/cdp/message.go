package cdp

// Message is one unit of data flowing through a pipeline.
//
// Payload is the data itself: an xdr.LedgerCloseMeta from a source, or a
// JSON-ready struct from a processor. Metadata carries facts about the
// payload that later components may need but that are not part of it, such
// as the network passphrase a ledger was closed under (see the Metadata*
// keys). Metadata may be nil.
type Message struct {
	Payload  interface{}
	Metadata map[string]interface{}
}

// Metadata keys set by this project's components.
const (
	// MetadataNetworkPassphrase is the network passphrase (a string) of the
	// ledger a message comes from. Processors need it to hash transaction
	// envelopes; the source sets it on every ledger message.
	MetadataNetworkPassphrase = "network_passphrase"
	// MetadataLedgerSequence is the sequence number (a uint32) of the ledger
	// a message comes from.
	MetadataLedgerSequence = "ledger_sequence"
)
