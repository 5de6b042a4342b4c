// Package lossless is the one form in which the consumers write a string
// that their destination cannot hold as it is, so that nothing is lost and
// every consumer writes it alike.
//
// PostgreSQL text and jsonb refuse the NUL character, and JSON cannot
// carry bytes that are not UTF-8 (encoding/json replaces them with
// U+FFFD). Soroban strings and symbols are arbitrary bytes, so a contract
// can emit either. Such a string is written in base64, marked:
//
//   - a JSON string value becomes the object {"base64": "<the bytes in
//     standard base64>"};
//   - a JSON object key becomes "base64:<the bytes in standard base64>";
//   - a plain string field (a text column, or a string field of a JSON
//     line) becomes "base64:<the bytes in standard base64>".
//
// Every other string is written unchanged.
package lossless

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"

	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
)

// Prefix marks a key or a plain string written in base64.
const Prefix = "base64:"

// Key is the key of the object that replaces a JSON string value.
const Key = "base64"

// Safe reports whether s can be written as it is: it is UTF-8 and holds
// no NUL.
func Safe(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// Text returns s, or its marked base64 form when it is not [Safe].
func Text(s string) string {
	if Safe(s) {
		return s
	}
	return marked(s)
}

func marked(s string) string {
	return Prefix + base64.StdEncoding.EncodeToString([]byte(s))
}

// Payment returns p with its strings in the lossless form: the operation
// type, the addresses and the assets (the processor writes the hash and
// the amounts, always safe). changed reports whether any string was not
// [Safe]; p is returned as it is otherwise.
func Payment(p filterpayments.Payment) (out filterpayments.Payment, changed bool) {
	for _, s := range [...]*string{&p.OperationType, &p.From, &p.To, &p.Asset, &p.SourceAsset} {
		if !Safe(*s) {
			*s, changed = marked(*s), true
		}
	}
	return p, changed
}

// Event returns e with its contract ID, topics and data in the lossless
// form ([Text] and [JSON]); the raw XDR fields stay as they are. changed
// reports whether any string was not [Safe]; e is returned as it is
// otherwise.
func Event(e contractevent.Event) (out contractevent.Event, changed bool) {
	if Safe(e.ContractID) && !Unsafe(e.Topics) && !Unsafe(e.Data) {
		return e, false
	}
	e.ContractID = Text(e.ContractID)
	if topics, ok := JSON(e.Topics).([]interface{}); ok {
		e.Topics = topics
	}
	e.Data = JSON(e.Data)
	return e, true
}

// JSON returns v, a value decoded into interface{} (strings, lists, maps
// with string keys, numbers, booleans, nil), with every string that is
// not [Safe] replaced by its base64 form: {"base64": …} for a value,
// "base64:…" for a key. It copies only what it changes.
func JSON(v interface{}) interface{} {
	if !Unsafe(v) {
		return v
	}
	switch x := v.(type) {
	case string:
		return map[string]interface{}{Key: base64.StdEncoding.EncodeToString([]byte(x))}
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = JSON(e)
		}
		return out
	case map[string]interface{}:
		out := make(map[string]interface{}, len(x))
		for k, e := range x {
			out[Text(k)] = JSON(e)
		}
		return out
	}
	return v
}

// Unsafe reports whether v, a value as [JSON] takes it, holds a string or
// a key that is not [Safe]: whether JSON would change it.
func Unsafe(v interface{}) bool {
	switch x := v.(type) {
	case string:
		return !Safe(x)
	case []interface{}:
		for _, e := range x {
			if Unsafe(e) {
				return true
			}
		}
	case map[string]interface{}:
		for k, e := range x {
			if !Safe(k) || Unsafe(e) {
				return true
			}
		}
	}
	return false
}
