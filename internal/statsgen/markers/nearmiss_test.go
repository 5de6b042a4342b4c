package markers_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/cdpstats/cdpstats/internal/statsgen/markers"
)

func TestNearMiss(t *testing.T) {
	tests := []struct {
		comment string
		ok      bool
		offset  int
		msg     string
	}{
		{"// cdp:stat counter name=x", true, 0, `malformed marker "// cdp:stat", which statsgen would ignore; write it as //cdp:stat counter name=x`},
		{"//cdp: stat counter name=x", true, 0, `malformed marker "//cdp: stat", which statsgen would ignore; write it as //cdp:stat counter name=x`},
		{"//+cdp:stat counter name=x", true, 0, `malformed marker "//+cdp:stat", which statsgen would ignore; write it as //cdp:stat counter name=x`},
		{"// +cdp:component kind=source", true, 0, `malformed marker "// +cdp:component", which statsgen would ignore; write it as //cdp:component kind=source`},
		{"//\tcdp:catalog", true, 0, `malformed marker "//\tcdp:catalog", which statsgen would ignore; write it as //cdp:catalog`},
		{"// cdp: stats counter name=x", true, 0, `malformed marker "// cdp: stats", which statsgen would ignore; write it as //cdp:stat counter name=x`},
		{"//cdp:stats counter name=x", true, 6, `unknown marker "//cdp:stats"; write it as //cdp:stat counter name=x`},
		{"//cdp:components kind=source", true, 6, `unknown marker "//cdp:components"; write it as //cdp:component kind=source`},
		{"//cdp:stat counter name=x", false, 0, ""},
		{"//cdp:metric counter", false, 0, ""},
		{"// cdp: the prefix of every marker", false, 0, ""},
		{"// the cdp:stat marker", false, 0, ""},
		{"//go:generate go tool statsgen", false, 0, ""},
		{"/* cdp:stat counter name=x */", false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.comment, func(t *testing.T) {
			e, ok := markers.NearMiss(tt.comment)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.offset, e.Offset)
			assert.Equal(t, tt.msg, e.Msg)
		})
	}
}
