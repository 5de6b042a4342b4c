package filterpayments

import (
	"fmt"
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
	"github.com/cdpstats/cdpstats/components/internal/stroops"
)

// candidate is a payment with its amounts still in stroops and its
// accounts, ledger and transaction hash not yet filled in, for filtering:
// only the payments that pass pay for the encodings.
type candidate struct {
	Payment
	// kept is set when the payment passes the filters.
	kept   bool
	amount stroops.Amount
	// from is the operation's source account, nil for the transaction's.
	from *xdr.MuxedAccount
	to   *xdr.MuxedAccount
	// path is set for a path payment, whose source amount is sendAmount
	// (and source asset Payment.SourceAsset).
	path       bool
	sendAmount stroops.Amount
}

// txShared holds what the payments of one transaction share, each worked
// out once, when a payment first needs it.
type txShared struct {
	tx     *ingest.LedgerTransaction
	seq    uint32
	hash   string
	source string
}

// ledgerSequence returns the sequence of the transaction's ledger. Reading
// it copies the ledger header, so it is read once per transaction, and
// only for one with a payment that passes.
func (t *txShared) ledgerSequence() uint32 {
	if t.seq == 0 {
		t.seq = t.tx.Ledger.LedgerSequence()
	}
	return t.seq
}

// transactionHash returns the hex hash of the transaction.
func (t *txShared) transactionHash() string {
	if t.hash == "" {
		t.hash = ledgerx.HashHex(t.tx.Hash)
	}
	return t.hash
}

// sourceAddress returns the address of the transaction's source account.
func (t *txShared) sourceAddress(n names) (string, error) {
	if t.source == "" {
		source := t.tx.Envelope.SourceAccount()
		addr, err := n.address(&source)
		if err != nil {
			return "", err
		}
		t.source = addr
	}
	return t.source, nil
}

// finish fills in the ledger, the transaction hash, the amounts and the
// accounts of a payment that passed the filters, completing c.Payment.
func (c *candidate) finish(tx *txShared, n names) error {
	c.LedgerSequence = tx.ledgerSequence()
	c.TransactionHash = tx.transactionHash()
	c.Amount = c.amount.String()
	if c.path {
		c.SourceAmount = c.sendAmount.String()
	}
	var err error
	if c.from == nil {
		c.From, err = tx.sourceAddress(n)
	} else {
		c.From, err = n.address(c.from)
	}
	if err != nil {
		return err
	}
	c.To, err = n.address(c.to)
	return err
}

// payments appends the payments of a successful transaction to dst.
func payments(dst []candidate, tx *ingest.LedgerTransaction, closedAt time.Time, n names) ([]candidate, error) {
	results, ok := tx.Result.OperationResults()
	ops := tx.Envelope.Operations()
	if !ok || len(results) != len(ops) {
		return dst, fmt.Errorf("transaction %x has %d operations but %d results", tx.Hash, len(ops), len(results))
	}
	for i := range ops {
		op := &ops[i]
		var c candidate
		switch op.Body.Type {
		case xdr.OperationTypePayment:
			body := op.Body.PaymentOp
			c.OperationType = OpPayment
			c.amount = stroops.Amount(body.Amount)
			c.Asset = n.asset(body.Asset)
			c.to = &body.Destination
		case xdr.OperationTypePathPaymentStrictSend:
			body := op.Body.PathPaymentStrictSendOp
			res, ok := results[i].GetTr()
			if !ok || res.PathPaymentStrictSendResult == nil {
				return dst, fmt.Errorf("transaction %x operation %d: path payment without its result", tx.Hash, i)
			}
			c.OperationType = OpPathPaymentStrictSend
			c.amount = stroops.Amount(res.PathPaymentStrictSendResult.DestAmount())
			c.Asset = n.asset(body.DestAsset)
			c.path, c.SourceAsset, c.sendAmount = true, n.asset(body.SendAsset), stroops.Amount(body.SendAmount)
			c.to = &body.Destination
		case xdr.OperationTypePathPaymentStrictReceive:
			body := op.Body.PathPaymentStrictReceiveOp
			res, ok := results[i].GetTr()
			if !ok || res.PathPaymentStrictReceiveResult == nil {
				return dst, fmt.Errorf("transaction %x operation %d: path payment without its result", tx.Hash, i)
			}
			c.OperationType = OpPathPaymentStrictReceive
			c.amount = stroops.Amount(body.DestAmount)
			c.Asset = n.asset(body.DestAsset)
			c.path, c.SourceAsset, c.sendAmount = true, n.asset(body.SendAsset), stroops.Amount(res.PathPaymentStrictReceiveResult.SendAmount())
			c.to = &body.Destination
		default:
			continue
		}
		c.from = op.SourceAccount
		c.ClosedAt = closedAt
		c.OperationIndex = uint32(i)
		dst = append(dst, c)
	}
	return dst, nil
}
