package postgres

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/cdpstats/cdpstats/components/internal/lossless"
	"github.com/cdpstats/cdpstats/components/internal/stroops"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
)

// Column lists, in the order the row slices hold their values.
var (
	paymentColumns = []string{
		"transaction_hash", "operation_index", "ledger_sequence", "closed_at", "operation_type",
		"from_address", "to_address", "asset", "amount", "source_asset", "source_amount",
	}
	eventColumns = []string{
		"transaction_hash", "operation_index", "event_index", "ledger_sequence", "closed_at",
		"contract_id", "topics", "data", "topics_xdr", "data_xdr",
	}
)

// paymentRow converts a payment to its row. Amounts go from their decimal
// strings to exact numerics, never through a float; strings that
// PostgreSQL cannot store go in base64 (lossless.Payment).
func paymentRow(p *filterpayments.Payment) ([]interface{}, error) {
	amount, err := numeric(p.Amount)
	if err != nil {
		return nil, fmt.Errorf("payment %s/%d amount: %w", p.TransactionHash, p.OperationIndex, err)
	}
	q, _ := lossless.Payment(*p)
	var sourceAsset interface{}
	sourceAmount := pgtype.Numeric{}
	if p.SourceAmount != "" {
		sourceAsset = q.SourceAsset
		if sourceAmount, err = numeric(p.SourceAmount); err != nil {
			return nil, fmt.Errorf("payment %s/%d source amount: %w", p.TransactionHash, p.OperationIndex, err)
		}
	}
	return []interface{}{
		p.TransactionHash, int32(p.OperationIndex), int64(p.LedgerSequence), p.ClosedAt, q.OperationType,
		q.From, q.To, q.Asset, amount, sourceAsset, sourceAmount,
	}, nil
}

// eventRow converts a contract event to its row; topics and data become
// jsonb, their strings that PostgreSQL cannot store in base64
// (lossless.Event).
func eventRow(e *contractevent.Event) ([]interface{}, error) {
	l, _ := lossless.Event(*e)
	topics, err := json.Marshal(l.Topics)
	if err != nil {
		return nil, fmt.Errorf("event %s/%d/%d topics: %w", e.TransactionHash, e.OperationIndex, e.EventIndex, err)
	}
	data, err := json.Marshal(l.Data)
	if err != nil {
		return nil, fmt.Errorf("event %s/%d/%d data: %w", e.TransactionHash, e.OperationIndex, e.EventIndex, err)
	}
	topicsXDR := e.TopicsXDR
	if topicsXDR == nil {
		topicsXDR = []string{}
	}
	return []interface{}{
		e.TransactionHash, int32(e.OperationIndex), int32(e.EventIndex), int64(e.LedgerSequence), e.ClosedAt,
		l.ContractID, topics, data, topicsXDR, e.DataXDR,
	}, nil
}

// numeric converts a 7-place decimal amount string to an exact numeric.
func numeric(s string) (pgtype.Numeric, error) {
	a, err := stroops.Parse(s)
	if err != nil {
		return pgtype.Numeric{}, err
	}
	return pgtype.Numeric{Int: big.NewInt(int64(a)), Exp: -7, Valid: true}, nil
}
