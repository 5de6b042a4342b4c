package filterpayments

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/internal/stroops"
)

// candidate is a payment with its amount still in stroops, for filtering.
type candidate struct {
	Payment
	amount stroops.Amount
}

// payments appends the payments of a successful transaction to dst.
func payments(dst []candidate, tx *ingest.LedgerTransaction, closedAt time.Time) ([]candidate, error) {
	results, ok := tx.Result.OperationResults()
	ops := tx.Envelope.Operations()
	if !ok || len(results) != len(ops) {
		return dst, fmt.Errorf("transaction %x has %d operations but %d results", tx.Hash, len(ops), len(results))
	}
	txSource := tx.Envelope.SourceAccount()
	var hash string
	for i, op := range ops {
		var c candidate
		switch op.Body.Type {
		case xdr.OperationTypePayment:
			body := op.Body.MustPaymentOp()
			c.OperationType = OpPayment
			c.amount = stroops.Amount(body.Amount)
			c.Asset = body.Asset.StringCanonical()
			if err := setAddress(&c.To, body.Destination); err != nil {
				return dst, err
			}
		case xdr.OperationTypePathPaymentStrictSend:
			body := op.Body.MustPathPaymentStrictSendOp()
			res, ok := results[i].GetTr()
			if !ok || res.PathPaymentStrictSendResult == nil {
				return dst, fmt.Errorf("transaction %x operation %d: path payment without its result", tx.Hash, i)
			}
			c.OperationType = OpPathPaymentStrictSend
			c.amount = stroops.Amount(res.PathPaymentStrictSendResult.DestAmount())
			c.Asset = body.DestAsset.StringCanonical()
			c.SourceAsset = body.SendAsset.StringCanonical()
			c.SourceAmount = stroops.Amount(body.SendAmount).String()
			if err := setAddress(&c.To, body.Destination); err != nil {
				return dst, err
			}
		case xdr.OperationTypePathPaymentStrictReceive:
			body := op.Body.MustPathPaymentStrictReceiveOp()
			res, ok := results[i].GetTr()
			if !ok || res.PathPaymentStrictReceiveResult == nil {
				return dst, fmt.Errorf("transaction %x operation %d: path payment without its result", tx.Hash, i)
			}
			c.OperationType = OpPathPaymentStrictReceive
			c.amount = stroops.Amount(body.DestAmount)
			c.Asset = body.DestAsset.StringCanonical()
			c.SourceAsset = body.SendAsset.StringCanonical()
			c.SourceAmount = stroops.Amount(res.PathPaymentStrictReceiveResult.SendAmount()).String()
			if err := setAddress(&c.To, body.Destination); err != nil {
				return dst, err
			}
		default:
			continue
		}
		from := txSource
		if op.SourceAccount != nil {
			from = *op.SourceAccount
		}
		if err := setAddress(&c.From, from); err != nil {
			return dst, err
		}
		if hash == "" {
			hash = hex.EncodeToString(tx.Hash[:])
		}
		c.LedgerSequence = tx.Ledger.LedgerSequence()
		c.ClosedAt = closedAt
		c.TransactionHash = hash
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
