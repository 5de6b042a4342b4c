package promexport

import (
	"slices"
	"strings"
)

// sanitize makes s a valid part of a metric name: every character outside
// [a-zA-Z0-9_] becomes '_'.
func sanitize(s string) string {
	ok := true
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			ok = false
			break
		}
	}
	if ok && s != "" {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; isNameByte(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

func isNameByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// unit is how a //cdp:stat unit= converts to a Prometheus base unit.
type unit struct {
	suffix  string   // base unit name appended to metric names
	scale   float64  // multiply a value by scale to get base units
	aliases []string // spellings of the source unit that may end a stat name
}

// baseUnits maps the unit= spellings exporters can convert. Other units
// (ledgers, rows, messages) are counts of things: they stay in HELP only,
// as Prometheus conventions reserve name suffixes for base units.
var baseUnits = func() map[string]unit {
	m := make(map[string]unit)
	add := func(u unit) {
		for _, a := range u.aliases {
			m[a] = u
		}
	}
	add(unit{"bytes", 1, []string{"bytes", "byte"}})
	add(unit{"seconds", 1, []string{"seconds", "second", "s", "sec", "secs"}})
	add(unit{"seconds", 1e-3, []string{"milliseconds", "millisecond", "ms", "millis"}})
	add(unit{"seconds", 1e-6, []string{"microseconds", "microsecond", "us", "µs", "micros"}})
	add(unit{"seconds", 1e-9, []string{"nanoseconds", "nanosecond", "ns", "nanos"}})
	add(unit{"seconds", 60, []string{"minutes", "minute", "min", "mins"}})
	add(unit{"seconds", 3600, []string{"hours", "hour", "h"}})
	add(unit{"ratio", 0.01, []string{"percent", "%", "pct"}})
	add(unit{"ratio", 1, []string{"ratio"}})
	return m
}()

// lookupUnit returns the conversion for a unit= text, or false.
func lookupUnit(text string) (unit, bool) {
	u, ok := baseUnits[strings.ToLower(strings.TrimSpace(text))]
	return u, ok
}

// withUnit returns name carrying the base unit u: unchanged when it
// already names the base unit as a word and no conversion happens, else
// with any trailing spelling of the source unit replaced by the base unit.
func withUnit(name string, u unit) string {
	words := strings.Split(name, "_")
	if u.scale == 1 && slices.Contains(words, u.suffix) {
		return name
	}
	for _, a := range u.aliases {
		if trimmed, ok := strings.CutSuffix(name, "_"+a); ok && trimmed != "" {
			name = trimmed
			break
		}
	}
	if strings.HasSuffix(name, "_"+u.suffix) {
		return name
	}
	return name + "_" + u.suffix
}

// trimSuffixes removes the first of suffixes that ends name, keeping at
// least one character.
func trimSuffixes(name string, suffixes ...string) string {
	for _, s := range suffixes {
		if trimmed, ok := strings.CutSuffix(name, s); ok && trimmed != "" {
			return trimmed
		}
	}
	return name
}
