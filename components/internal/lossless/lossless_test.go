package lossless

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
)

func TestLossless(t *testing.T) {
	tests := []struct {
		name   string
		in     interface{}
		want   interface{}
		unsafe bool
	}{
		{"a safe string", "plain", "plain", false},
		{"NUL", "a\x00b", map[string]interface{}{"base64": "YQBi"}, true},
		{"not UTF-8", "\xff", map[string]interface{}{"base64": "/w=="}, true},
		{"a number", 1.5, 1.5, false},
		{"nested", []interface{}{"ok", map[string]interface{}{"k\x00": "\xff", "s": "x"}},
			[]interface{}{"ok", map[string]interface{}{"base64:awA=": map[string]interface{}{"base64": "/w=="}, "s": "x"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, JSON(tt.in))
			assert.Equal(t, tt.unsafe, Unsafe(tt.in))
		})
	}
	assert.Equal(t, "plain", Text("plain"))
	assert.Equal(t, "base64:YQBi", Text("a\x00b"))
}

func TestPaymentAndEvent(t *testing.T) {
	p := filterpayments.Payment{TransactionHash: "h", OperationType: "payment", From: "G1", To: "G2", Asset: "native", Amount: "1.0000000"}
	got, changed := Payment(p)
	assert.False(t, changed)
	assert.Equal(t, p, got)
	p.Asset, p.SourceAsset = "a\x00b", "\xff"
	got, changed = Payment(p)
	assert.True(t, changed)
	want := p
	want.Asset, want.SourceAsset = "base64:YQBi", "base64:/w=="
	assert.Equal(t, want, got)

	e := contractevent.Event{ContractID: "C1", Topics: []interface{}{"t"}, Data: "d", DataXDR: "\xff"}
	gotE, changed := Event(e)
	assert.False(t, changed)
	assert.Equal(t, e, gotE)
	e.Topics = []interface{}{"t", "\xff"}
	gotE, changed = Event(e)
	assert.True(t, changed)
	wantE := e
	wantE.Topics = []interface{}{"t", map[string]interface{}{"base64": "/w=="}}
	assert.Equal(t, wantE, gotE, "the raw XDR fields stay as they are")
	assert.Equal(t, "\xff", e.Topics[1], "the event given is not changed")
}
