// Package suggest finds the nearest valid choice for a misspelt name, for
// "did you mean" hints in error messages.
package suggest

import (
	"fmt"
	"sort"
	"strings"
)

// Nearest returns the choice closest to name, or "" when none is close
// enough to be a plausible typo. A choice that differs only in case and
// separators ("BufferSize" or "buffer-size" for "buffer_size") wins
// outright; otherwise the nearest by edit distance, ignoring case, wins
// unless it is more than one edit from a short name, more than a third of
// a longer one, or has nothing in common with it.
func Nearest(name string, choices []string) string {
	for _, c := range choices {
		if normalize(c) == normalize(name) {
			return c
		}
	}
	best, bestDist := "", -1
	lname := strings.ToLower(name)
	for _, c := range choices {
		d := distance(lname, strings.ToLower(c))
		if bestDist < 0 || d < bestDist || (d == bestDist && c < best) {
			best, bestDist = c, d
		}
	}
	if longer := max(len(name), len(best)); best == "" || bestDist > max(1, longer/3) || bestDist >= longer {
		return ""
	}
	return best
}

// Hint returns `; did you mean "x"?` for the nearest choice, followed by
// the sorted valid choices, ready to append to an error message.
func Hint(name string, choices []string) string {
	sorted := append([]string(nil), choices...)
	sort.Strings(sorted)
	return Format(Nearest(name, sorted), sorted)
}

// Format is the text of [Hint] for a suggestion already chosen ("" for
// none) and the valid choices, in the order given.
func Format(suggestion string, choices []string) string {
	var b strings.Builder
	if suggestion != "" {
		fmt.Fprintf(&b, "; did you mean %q?", suggestion)
	}
	if len(choices) > 0 {
		fmt.Fprintf(&b, " (valid: %s)", strings.Join(choices, ", "))
	}
	return b.String()
}

// distance is the Levenshtein distance between a and b, counting an
// adjacent transposition as one edit.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// normalize lowercases s and drops underscores, dashes and dots.
func normalize(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c == '-' || c == '.':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}
