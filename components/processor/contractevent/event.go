package contractevent

import "time"

// Event is one contract event of a successful transaction, ready to
// marshal as JSON.
type Event struct {
	LedgerSequence uint32    `json:"ledger_sequence"`
	ClosedAt       time.Time `json:"closed_at"`
	// TransactionHash is the hex hash of the transaction.
	TransactionHash string `json:"transaction_hash"`
	// OperationIndex is the 0-based operation that emitted the event.
	OperationIndex uint32 `json:"operation_index"`
	// EventIndex is the event's 0-based position among its operation's
	// events in the meta, counting events of every type, so that it does
	// not change with the contract_ids filter. With TransactionHash and
	// OperationIndex it identifies the event.
	EventIndex uint32 `json:"event_index"`
	// ContractID is the emitting contract, a C... address.
	ContractID string `json:"contract_id"`
	// Topics and Data are the event's topics and data decoded to JSON
	// values; see the package's DecodeScVal for the mapping.
	Topics []interface{} `json:"topics"`
	Data   interface{}   `json:"data"`
	// TopicsXDR and DataXDR are the same values as base64 XDR ScVals.
	TopicsXDR []string `json:"topics_xdr"`
	DataXDR   string   `json:"data_xdr"`
}
