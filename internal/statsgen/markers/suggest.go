package markers

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cdpstats/cdpstats/internal/suggest"
)

// unknownMessage returns the error for a word that is not one of valid:
//
//	unknown stat kind "countr"; did you mean "counter"? (valid: counter, gauge)
//
// prefix is prepended to every spelled choice, such as "//cdp:" for verbs.
func unknownMessage(what, got, prefix string, valid []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "unknown %s %q", what, prefix+got)
	if s, ok := Suggest(got, valid); ok {
		fmt.Fprintf(&b, "; did you mean %q?", prefix+s)
	}
	b.WriteString(" (valid: ")
	for i, v := range sortedCopy(valid) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(prefix + v)
	}
	b.WriteString(")")
	return b.String()
}

// Suggest returns the choice closest to got when it is a likely typo:
// close by edit distance, ignoring case (see [suggest.Nearest]), or
// else an abbreviation, a prefix of at least three letters.
func Suggest(got string, choices []string) (string, bool) {
	if best := suggest.Nearest(got, choices); best != "" {
		return best, true
	}
	if len(got) >= 3 {
		lower := strings.ToLower(got)
		for _, c := range sortedCopy(choices) {
			if strings.HasPrefix(strings.ToLower(c), lower) {
				return c, true
			}
		}
	}
	return "", false
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
