package filterpayments

import "time"

// Operation types a Payment can come from, as they appear in
// Payment.OperationType.
const (
	OpPayment                  = "payment"
	OpPathPaymentStrictSend    = "path_payment_strict_send"
	OpPathPaymentStrictReceive = "path_payment_strict_receive"
)

// Payment is one payment operation of a successful transaction, ready to
// marshal as JSON. Amounts are exact decimal strings with seven places.
type Payment struct {
	LedgerSequence uint32    `json:"ledger_sequence"`
	ClosedAt       time.Time `json:"closed_at"`
	// TransactionHash is the hex hash of the transaction (the outer hash
	// for a fee bump).
	TransactionHash string `json:"transaction_hash"`
	// OperationIndex is the operation's 0-based position in the
	// transaction. With TransactionHash it identifies the payment.
	OperationIndex uint32 `json:"operation_index"`
	// OperationType is one of the Op* constants.
	OperationType string `json:"operation_type"`
	// From is the operation's source account, or else the transaction's,
	// as a G... or (for a muxed account) M... address.
	From string `json:"from"`
	// To is the destination, a G... or M... address.
	To string `json:"to"`
	// Asset is what To received: "native" or "CODE:ISSUER".
	Asset string `json:"asset"`
	// Amount is how much To received, such as "12.5000000".
	Amount string `json:"amount"`
	// SourceAsset and SourceAmount are what From paid, for path payments
	// only.
	SourceAsset  string `json:"source_asset,omitempty"`
	SourceAmount string `json:"source_amount,omitempty"`
}
