package markers

import (
	"fmt"
	"strings"
)

// NearMiss reports whether the text of a comment, "//" included, is a
// marker spelled in a way statsgen does not read: a space or a "+" between
// "//" and "cdp:" ("// cdp:stat", "//+cdp:stat"), a space after the colon
// ("//cdp: stat"), or a misspelled verb ("//cdp:stats"). Such a comment
// would be ignored, and the stats it declares silently missing, so it is
// an error. NearMiss returns the error, at an offset in the comment, with
// the marker as it should be written.
//
// A comment that is a marker with a known verb, or whose words after
// "cdp:" are not close to any verb, is not a near miss.
func NearMiss(comment string) (Error, bool) {
	body, ok := strings.CutPrefix(comment, "//")
	if !ok {
		return Error{}, false
	}
	i := skipSpace(body, 0)
	plus := i < len(body) && body[i] == '+'
	if plus {
		i = skipSpace(body, i+1)
	}
	const word = "cdp:"
	if !strings.HasPrefix(body[i:], word) {
		return Error{}, false
	}
	malformed := plus || i > 0
	verbStart := skipSpace(body, i+len(word))
	malformed = malformed || verbStart > i+len(word)
	verbEnd := verbStart
	for verbEnd < len(body) && !isSpace(body[verbEnd]) {
		verbEnd++
	}
	verb := body[verbStart:verbEnd]
	fixed, known := verb, isVerb(verb)
	if !known {
		s, ok := Suggest(verb, verbNames())
		if !ok {
			// Not close to any verb: prose, or an unknown marker that
			// Parse reports with the list of verbs.
			return Error{}, false
		}
		fixed = s
	}
	if known && !malformed {
		return Error{}, false
	}
	marker := Prefix + fixed + body[verbEnd:]
	if malformed {
		return Error{Offset: 0, Msg: fmt.Sprintf("malformed marker %q, which statsgen would ignore; write it as %s",
			"//"+body[:verbEnd], marker)}, true
	}
	return Error{Offset: len(Prefix), Msg: fmt.Sprintf("unknown marker %q; write it as %s", Prefix+verb, marker)}, true
}

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

func isVerb(s string) bool {
	for _, v := range verbs {
		if v.name == s {
			return true
		}
	}
	return false
}

func verbNames() []string {
	names := make([]string, len(verbs))
	for i, v := range verbs {
		names[i] = v.name
	}
	return names
}
