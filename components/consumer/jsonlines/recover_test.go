package jsonlines

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// line is a JSON line of ledger seq, as FilterPayments' payments are
// written.
func line(seq uint32, n int) string {
	return fmt.Sprintf(`{"ledger_sequence":%d,"transaction_hash":"%064x","amount":"1.0000000"}`+"\n", seq, n)
}

// ledgerLines is the lines of ledgers first to last, n lines each.
func ledgerLines(first, last uint32, n int) string {
	var b strings.Builder
	for seq := first; seq <= last; seq++ {
		for i := range n {
			b.WriteString(line(seq, i))
		}
	}
	return b.String()
}

func TestRecoverFile(t *testing.T) {
	whole := ledgerLines(10, 12, 3)
	upTo11 := int64(len(ledgerLines(10, 11, 3)))
	// big spans several of the blocks read backwards, with one ledger
	// larger than a block.
	big := ledgerLines(100, 140, 40) + ledgerLines(141, 141, 400)
	tests := []struct {
		name   string
		file   string
		want   recovery
		reason string // when the file cannot be resumed
	}{
		{name: "empty", file: "", reason: "it holds no whole line"},
		{name: "a partial first line", file: `{"ledger_sequence":10,"tra`, reason: "it holds no whole line"},
		{name: "one ledger", file: ledgerLines(10, 10, 3), want: recovery{ok: true, keep: 0, last: 9}},
		{name: "the last ledger is cut off", file: whole, want: recovery{ok: true, keep: upTo11, last: 11}},
		{name: "a truncated last line", file: whole + `{"ledger_sequence":13,"tr`, want: recovery{ok: true, keep: upTo11, last: 11}},
		{name: "a truncated line of the last ledger", file: whole[:len(whole)-5], want: recovery{ok: true, keep: upTo11, last: 11}},
		{name: "a partial last ledger", file: whole + line(13, 0), want: recovery{ok: true, keep: int64(len(whole)), last: 12}},
		{name: "ledgers without lines between", file: ledgerLines(10, 10, 2) + ledgerLines(20, 20, 2), want: recovery{ok: true, keep: int64(len(ledgerLines(10, 10, 2))), last: 19}},
		{name: "across read blocks", file: big, want: recovery{ok: true, keep: int64(len(ledgerLines(100, 140, 40))), last: 140}},
		{name: "an older run's file, lines only", file: ledgerLines(58752000, 58752001, 2), want: recovery{ok: true, keep: int64(len(ledgerLines(58752000, 58752000, 2))), last: 58752000}},
		{name: "lines without a ledger", file: `{"from":"yesterday"}` + "\n", reason: "the line at byte 0 carries no ledger_sequence"},
		{name: "not JSON", file: "hello\n", reason: "the line at byte 0 carries no ledger_sequence"},
		{name: "a foreign line before the last ledger", file: "hello\n" + ledgerLines(10, 10, 1), reason: "the line at byte 0 carries no ledger_sequence"},
		{name: "out of order", file: ledgerLines(12, 12, 1) + ledgerLines(10, 10, 2), reason: "is of ledger 12, after ledger 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := recoverFile(strings.NewReader(tt.file), int64(len(tt.file)))
			require.NoError(t, err)
			if tt.reason != "" {
				assert.False(t, got.ok)
				assert.Contains(t, got.reason, tt.reason)
				return
			}
			assert.Equal(t, tt.want, got)
			kept := tt.file[:got.keep]
			assert.True(t, kept == "" || strings.HasSuffix(kept, "\n"), "whole lines are kept")
		})
	}
}
