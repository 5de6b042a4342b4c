package model

import (
	"go/token"
	"strings"
	"unicode"
	"unicode/utf8"
)

// camelCase turns a snake_case stat name into the CamelCase of its helper
// names: messages_processed gives MessagesProcessed, p99_ms gives P99Ms.
func camelCase(snake string) string {
	var b strings.Builder
	for _, word := range strings.Split(snake, "_") {
		b.WriteString(upperFirst(word))
	}
	return b.String()
}

// fieldIdent returns the unexported field name of a stat in the stats
// type: the lowerCamelCase of its name, with a trailing underscore when
// that is a Go keyword (a stat named "type" gets the field type_).
func fieldIdent(snake string) string {
	name := lowerFirst(camelCase(snake))
	if token.IsKeyword(name) {
		name += "_"
	}
	return name
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
