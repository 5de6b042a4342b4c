package suggest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNearest(t *testing.T) {
	choices := []string{"FilterPayments", "ContractEvent", "SaveToPostgreSQL", "StdoutConsumer"}
	tests := []struct {
		name, in, want string
	}{
		{"one letter missing", "FilterPayment", "FilterPayments"},
		{"case only", "filterpayments", "FilterPayments"},
		{"transposition", "ContractEvnet", "ContractEvent"},
		{"nothing close", "Kafka", ""},
		{"one edit in a short name", "Filter", ""},
		{"empty input", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Nearest(tt.in, choices))
		})
	}
	assert.Equal(t, "", Nearest("x", nil))
	assert.Equal(t, "v1", Nearest("v2", []string{"legacy", "v1"}), "one edit is a typo even in a short name")
}

func TestNearestKeys(t *testing.T) {
	keys := []string{"buffer_size", "num_workers", "start_ledger", "end_ledger", "path"}
	tests := []struct{ in, want string }{
		{"bufer_size", "buffer_size"},
		{"BufferSize", "buffer_size"},
		{"buffer-size", "buffer_size"},
		{"start", ""},
		{"start_leger", "start_ledger"},
		{"pth", "path"},
		{"xyz", ""},
		{"endledger", "end_ledger"},
		{"num_wokrers", "num_workers"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, Nearest(tt.in, keys))
		})
	}
}

func TestHint(t *testing.T) {
	assert.Equal(t, `; did you mean "min_amount"? (valid: asset, min_amount)`, Hint("min_amout", []string{"min_amount", "asset"}))
	assert.Equal(t, " (valid: asset, min_amount)", Hint("zzzzzzzz", []string{"min_amount", "asset"}))
	assert.Equal(t, "", Hint("x", nil))
}

func TestDistance(t *testing.T) {
	assert.Equal(t, 0, distance("abc", "abc"))
	assert.Equal(t, 3, distance("", "abc"))
	assert.Equal(t, 1, distance("abc", "acb"))
	assert.Equal(t, 1, distance("kitten", "sitten"))
	assert.Equal(t, 3, distance("kitten", "sitting"))
}
