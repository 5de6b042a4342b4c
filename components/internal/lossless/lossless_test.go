package lossless

import (
	"testing"

	"github.com/stretchr/testify/assert"
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
