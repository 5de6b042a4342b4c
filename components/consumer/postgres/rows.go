package postgres

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgtype"

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
// strings to exact numerics, never through a float.
func paymentRow(p *filterpayments.Payment) ([]interface{}, error) {
	amount, err := numeric(p.Amount)
	if err != nil {
		return nil, fmt.Errorf("payment %s/%d amount: %w", p.TransactionHash, p.OperationIndex, err)
	}
	var sourceAsset interface{}
	sourceAmount := pgtype.Numeric{}
	if p.SourceAmount != "" {
		sourceAsset = p.SourceAsset
		if sourceAmount, err = numeric(p.SourceAmount); err != nil {
			return nil, fmt.Errorf("payment %s/%d source amount: %w", p.TransactionHash, p.OperationIndex, err)
		}
	}
	if sourceAsset != nil {
		sourceAsset = storableText(p.SourceAsset)
	}
	return []interface{}{
		p.TransactionHash, int32(p.OperationIndex), int64(p.LedgerSequence), p.ClosedAt, storableText(p.OperationType),
		storableText(p.From), storableText(p.To), storableText(p.Asset), amount, sourceAsset, sourceAmount,
	}, nil
}

// eventRow converts a contract event to its row; topics and data become
// jsonb, their strings made storable (see storableJSON).
func eventRow(e *contractevent.Event) ([]interface{}, error) {
	topics, err := json.Marshal(storableJSON(e.Topics))
	if err != nil {
		return nil, fmt.Errorf("event %s/%d/%d topics: %w", e.TransactionHash, e.OperationIndex, e.EventIndex, err)
	}
	data, err := json.Marshal(storableJSON(e.Data))
	if err != nil {
		return nil, fmt.Errorf("event %s/%d/%d data: %w", e.TransactionHash, e.OperationIndex, e.EventIndex, err)
	}
	topicsXDR := e.TopicsXDR
	if topicsXDR == nil {
		topicsXDR = []string{}
	}
	return []interface{}{
		e.TransactionHash, int32(e.OperationIndex), int32(e.EventIndex), int64(e.LedgerSequence), e.ClosedAt,
		storableText(e.ContractID), topics, data, topicsXDR, e.DataXDR,
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

// Strings PostgreSQL cannot store: text and jsonb refuse the NUL
// character, and JSON cannot carry bytes that are not UTF-8 (encoding/json
// would replace them). Soroban strings and symbols are arbitrary bytes, so
// a contract can emit either. Such a string is stored in a form that loses
// nothing, and the raw XDR columns keep the original as it is:
//
//   - a jsonb string value becomes the object {"base64": "<the bytes in
//     standard base64>"};
//   - a jsonb object key becomes "base64:<the bytes in standard base64>";
//   - a text column value becomes "base64:<the bytes in standard base64>".
//
// Every other string is stored unchanged.

// base64Prefix marks a key or a text value stored in base64.
const base64Prefix = "base64:"

// storable reports whether PostgreSQL text and jsonb can hold s as it is.
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// storableText returns s, or its base64 form when PostgreSQL cannot store
// it.
func storableText(s string) string {
	if storable(s) {
		return s
	}
	return base64Prefix + base64.StdEncoding.EncodeToString([]byte(s))
}

// storableJSON returns v, a value decoded from an ScVal, with every string
// PostgreSQL cannot store replaced by its base64 form. It copies only what
// it changes.
func storableJSON(v interface{}) interface{} {
	if !hasUnstorable(v) {
		return v
	}
	switch x := v.(type) {
	case string:
		return map[string]interface{}{"base64": base64.StdEncoding.EncodeToString([]byte(x))}
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = storableJSON(e)
		}
		return out
	case map[string]interface{}:
		out := make(map[string]interface{}, len(x))
		for k, e := range x {
			out[storableText(k)] = storableJSON(e)
		}
		return out
	}
	return v
}

// hasUnstorable reports whether v holds a string or a key that PostgreSQL
// cannot store.
func hasUnstorable(v interface{}) bool {
	switch x := v.(type) {
	case string:
		return !storable(x)
	case []interface{}:
		for _, e := range x {
			if hasUnstorable(e) {
				return true
			}
		}
	case map[string]interface{}:
		for k, e := range x {
			if !storable(k) || hasUnstorable(e) {
				return true
			}
		}
	}
	return false
}
