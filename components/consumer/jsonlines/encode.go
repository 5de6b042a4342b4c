package jsonlines

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
)

// appender appends the payloads the JSON line consumers write most,
// filterpayments.Payment and contractevent.Event (by value or by
// pointer), as JSON lines without reflection. Its output is byte for byte
// what a json.Encoder with default settings writes: the fields in
// declaration order, Payment's omitempty fields left out when empty,
// closed_at as time.Time's MarshalJSON writes it, strings escaped as
// encoding/json escapes them (<, > and & as \u003c, \u003e and \u0026,
// U+2028 and U+2029, control characters, and each byte that is not UTF-8
// as \ufffd), map keys sorted, and a newline.
//
// Event's Topics and Data hold the values DecodeScVal makes (nil, bool,
// uint32, int32, string, []interface{}, map[string]interface{}); the
// appender also writes the other integer types, and hands any other value
// to encoding/json, so that its output never differs.
//
// An appender is used from one goroutine; it keeps its scratch memory
// from one line to the next, so that a line allocates nothing.
type appender struct {
	// entries holds the entries of the maps being written, each map's
	// sorted at the end of those of the maps enclosing it.
	entries []mapEntry
}

// mapEntry is one entry of a map[string]interface{} being written.
type mapEntry struct {
	key   string
	value interface{}
}

// maxDepth is how deeply lists and maps nest before the appender hands
// the rest of a value to encoding/json, which detects cycles and reports
// them as errors instead of recursing without end.
const maxDepth = 1000

// appendLine appends payload to b as one JSON line and reports whether it
// did. It returns false, with what it appended to be discarded, when
// payload is not a type it knows or a value in it cannot be encoded (a
// time outside RFC 3339, a value encoding/json refuses): the caller then
// encodes payload with encoding/json, which writes it or reports the
// error.
func (a *appender) appendLine(b []byte, payload interface{}) ([]byte, bool) {
	var ok bool
	switch p := payload.(type) {
	case filterpayments.Payment:
		b, ok = appendPayment(b, &p)
	case *filterpayments.Payment:
		if p == nil {
			return b, false
		}
		b, ok = appendPayment(b, p)
	case contractevent.Event:
		b, ok = a.appendEvent(b, &p)
	case *contractevent.Event:
		if p == nil {
			return b, false
		}
		b, ok = a.appendEvent(b, p)
	}
	if !ok {
		return b, false
	}
	return append(b, '\n'), true
}

// appendPayment appends p as a JSON object.
func appendPayment(b []byte, p *filterpayments.Payment) ([]byte, bool) {
	b = append(b, `{"ledger_sequence":`...)
	b = strconv.AppendUint(b, uint64(p.LedgerSequence), 10)
	b = append(b, `,"closed_at":`...)
	b, ok := appendTime(b, p.ClosedAt)
	if !ok {
		return b, false
	}
	b = append(b, `,"transaction_hash":`...)
	b = appendString(b, p.TransactionHash)
	b = append(b, `,"operation_index":`...)
	b = strconv.AppendUint(b, uint64(p.OperationIndex), 10)
	b = append(b, `,"operation_type":`...)
	b = appendString(b, p.OperationType)
	b = append(b, `,"from":`...)
	b = appendString(b, p.From)
	b = append(b, `,"to":`...)
	b = appendString(b, p.To)
	b = append(b, `,"asset":`...)
	b = appendString(b, p.Asset)
	b = append(b, `,"amount":`...)
	b = appendString(b, p.Amount)
	if p.SourceAsset != "" {
		b = append(b, `,"source_asset":`...)
		b = appendString(b, p.SourceAsset)
	}
	if p.SourceAmount != "" {
		b = append(b, `,"source_amount":`...)
		b = appendString(b, p.SourceAmount)
	}
	return append(b, '}'), true
}

// appendEvent appends e as a JSON object.
func (a *appender) appendEvent(b []byte, e *contractevent.Event) ([]byte, bool) {
	b = append(b, `{"ledger_sequence":`...)
	b = strconv.AppendUint(b, uint64(e.LedgerSequence), 10)
	b = append(b, `,"closed_at":`...)
	b, ok := appendTime(b, e.ClosedAt)
	if !ok {
		return b, false
	}
	b = append(b, `,"transaction_hash":`...)
	b = appendString(b, e.TransactionHash)
	b = append(b, `,"operation_index":`...)
	b = strconv.AppendUint(b, uint64(e.OperationIndex), 10)
	b = append(b, `,"event_index":`...)
	b = strconv.AppendUint(b, uint64(e.EventIndex), 10)
	b = append(b, `,"contract_id":`...)
	b = appendString(b, e.ContractID)
	b = append(b, `,"topics":`...)
	if b, ok = a.appendList(b, e.Topics, 0); !ok {
		return b, false
	}
	b = append(b, `,"data":`...)
	if b, ok = a.appendValue(b, e.Data, 0); !ok {
		return b, false
	}
	b = append(b, `,"topics_xdr":`...)
	b = appendStrings(b, e.TopicsXDR)
	b = append(b, `,"data_xdr":`...)
	b = appendString(b, e.DataXDR)
	return append(b, '}'), true
}

// appendTime appends t as time.Time's MarshalJSON does: quoted RFC 3339
// with nanoseconds. It returns false for a time RFC 3339 cannot hold,
// for which MarshalJSON fails; the text it writes needs no escaping.
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return b, false
	}
	return append(b, '"'), true
}

// appendStrings appends s as a JSON array of strings, null when nil.
func appendStrings(b []byte, s []string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, e := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, e)
	}
	return append(b, ']')
}

// appendList appends l as a JSON array, null when nil; depth is how
// deeply l is nested in the value being written.
func (a *appender) appendList(b []byte, l []interface{}, depth int) ([]byte, bool) {
	if l == nil {
		return append(b, "null"...), true
	}
	b = append(b, '[')
	for i, e := range l {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = a.appendValue(b, e, depth+1); !ok {
			return b, false
		}
	}
	return append(b, ']'), true
}

// appendMap appends m as a JSON object with its keys sorted, null when
// nil; depth is how deeply m is nested in the value being written.
func (a *appender) appendMap(b []byte, m map[string]interface{}, depth int) ([]byte, bool) {
	if m == nil {
		return append(b, "null"...), true
	}
	start := len(a.entries)
	for k, v := range m {
		a.entries = append(a.entries, mapEntry{k, v})
	}
	// Nested maps append their entries after these and drop them before
	// returning: a.entries may move, but these stay at start.
	defer func() {
		clear(a.entries[start:]) // hold no payload past its line
		a.entries = a.entries[:start]
	}()
	slices.SortFunc(a.entries[start:], func(x, y mapEntry) int { return strings.Compare(x.key, y.key) })
	b = append(b, '{')
	for i := start; i < start+len(m); i++ {
		if i > start {
			b = append(b, ',')
		}
		e := a.entries[i]
		b = appendString(b, e.key)
		b = append(b, ':')
		var ok bool
		if b, ok = a.appendValue(b, e.value, depth+1); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// appendValue appends v, a value decoded to interface{}, as JSON; depth
// is how deeply v is nested in the value being written.
func (a *appender) appendValue(b []byte, v interface{}, depth int) ([]byte, bool) {
	if depth > maxDepth {
		return appendMarshaled(b, v)
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendString(b, x), true
	case bool:
		return strconv.AppendBool(b, x), true
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10), true
	case int32:
		return strconv.AppendInt(b, int64(x), 10), true
	case []interface{}:
		return a.appendList(b, x, depth)
	case map[string]interface{}:
		return a.appendMap(b, x, depth)
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	case int8:
		return strconv.AppendInt(b, int64(x), 10), true
	case int16:
		return strconv.AppendInt(b, int64(x), 10), true
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case uint:
		return strconv.AppendUint(b, uint64(x), 10), true
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10), true
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10), true
	case uint64:
		return strconv.AppendUint(b, x, 10), true
	}
	return appendMarshaled(b, v)
}

// appendMarshaled appends v as encoding/json writes it: the value types
// the appender does not know.
func appendMarshaled(b []byte, v interface{}) ([]byte, bool) {
	out, err := json.Marshal(v)
	if err != nil {
		return b, false
	}
	return append(b, out...), true
}

// appendString appends s as a quoted JSON string, escaped as
// encoding/json escapes it with HTML escaping on.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is yet to be appended, as it is
	for i := 0; i < len(s); {
		for i < len(s) && plain[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default: // the other control characters, <, > and &
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"

// plain holds the bytes a JSON string carries as they are, whatever
// follows them: the ASCII characters but the control characters, the
// quote, the backslash, and <, > and &, which encoding/json escapes for
// HTML.
var plain = func() (set [256]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		set[c] = true
	}
	for _, c := range `"\<>&` {
		set[c] = false
	}
	return set
}()
