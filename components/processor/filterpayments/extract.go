package filterpayments

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/internal/stroops"
)

// candidate is a payment with its amount still in stroops and its
// accounts, transaction hash and source asset and amount not yet
// encoded, for filtering: only the payments that pass pay for the
// encodings.
type candidate struct {
	Payment
	amount   stroops.Amount
	from, to xdr.MuxedAccount
	hash     *xdr.Hash
	// path is set for a path payment, whose source asset and amount are
	// sendAsset and sendAmount.
	path       bool
	sendAsset  xdr.Asset
	sendAmount stroops.Amount
}

// finish encodes the accounts, the transaction hash and the amount of a
// payment that passed the filters. hash caches the hex hash of the
// transaction across its payments.
func (c *candidate) finish(hash *string) (Payment, error) {
	if *hash == "" {
		*hash = hex.EncodeToString(c.hash[:])
	}
	p := c.Payment
	p.TransactionHash = *hash
	p.Amount = c.amount.String()
	if c.path {
		p.SourceAsset = c.sendAsset.StringCanonical()
		p.SourceAmount = c.sendAmount.String()
	}
	if err := setAddress(&p.From, c.from); err != nil {
		return p, err
	}
	if err := setAddress(&p.To, c.to); err != nil {
		return p, err
	}
	return p, nil
}

// payments appends the payments of a successful transaction to dst.
func payments(dst []candidate, tx *ingest.LedgerTransaction, closedAt time.Time) ([]candidate, error) {
	results, ok := tx.Result.OperationResults()
	ops := tx.Envelope.Operations()
	if !ok || len(results) != len(ops) {
		return dst, fmt.Errorf("transaction %x has %d operations but %d results", tx.Hash, len(ops), len(results))
	}
	txSource := tx.Envelope.SourceAccount()
	for i, op := range ops {
		var c candidate
		switch op.Body.Type {
		case xdr.OperationTypePayment:
			body := op.Body.MustPaymentOp()
			c.OperationType = OpPayment
			c.amount = stroops.Amount(body.Amount)
			c.Asset = body.Asset.StringCanonical()
			c.to = body.Destination
		case xdr.OperationTypePathPaymentStrictSend:
			body := op.Body.MustPathPaymentStrictSendOp()
			res, ok := results[i].GetTr()
			if !ok || res.PathPaymentStrictSendResult == nil {
				return dst, fmt.Errorf("transaction %x operation %d: path payment without its result", tx.Hash, i)
			}
			c.OperationType = OpPathPaymentStrictSend
			c.amount = stroops.Amount(res.PathPaymentStrictSendResult.DestAmount())
			c.Asset = body.DestAsset.StringCanonical()
			c.path, c.sendAsset, c.sendAmount = true, body.SendAsset, stroops.Amount(body.SendAmount)
			c.to = body.Destination
		case xdr.OperationTypePathPaymentStrictReceive:
			body := op.Body.MustPathPaymentStrictReceiveOp()
			res, ok := results[i].GetTr()
			if !ok || res.PathPaymentStrictReceiveResult == nil {
				return dst, fmt.Errorf("transaction %x operation %d: path payment without its result", tx.Hash, i)
			}
			c.OperationType = OpPathPaymentStrictReceive
			c.amount = stroops.Amount(body.DestAmount)
			c.Asset = body.DestAsset.StringCanonical()
			c.path, c.sendAsset, c.sendAmount = true, body.SendAsset, stroops.Amount(res.PathPaymentStrictReceiveResult.SendAmount())
			c.to = body.Destination
		default:
			continue
		}
		from := txSource
		if op.SourceAccount != nil {
			from = *op.SourceAccount
		}
		c.from = from
		c.hash = &tx.Hash
		c.LedgerSequence = tx.Ledger.LedgerSequence()
		c.ClosedAt = closedAt
		c.OperationIndex = uint32(i)
		dst = append(dst, c)
	}
	return dst, nil
}

// setAddress writes the G... or M... address of account to dst.
func setAddress(dst *string, account xdr.MuxedAccount) error {
	addr, err := account.GetAddress()
	if err != nil {
		return fmt.Errorf("account address: %w", err)
	}
	*dst = addr
	return nil
}
