package model

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNames(t *testing.T) {
	tests := []struct {
		snake, camel, field string
	}{
		{"messages_processed", "MessagesProcessed", "messagesProcessed"},
		{"errors", "Errors", "errors"},
		{"p99_ms", "P99Ms", "p99Ms"},
		{"x", "X", "x"},
		{"http_2xx", "Http2xx", "http2xx"},
		{"type", "Type", "type_"},
		{"go_to", "GoTo", "goTo"},
		{"range", "Range", "range_"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.camel, camelCase(tt.snake), tt.snake)
		assert.Equal(t, tt.field, fieldIdent(tt.snake), tt.snake)
	}
}
