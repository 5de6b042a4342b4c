package config

import "github.com/cdpstats/cdpstats/internal/suggest"

// Suggest returns the candidate nearest to s, or "" when none is near
// enough to be a likely typo. A candidate that differs only in case and
// separators ("BufferSize", "buffer-size" for "buffer_size") wins outright;
// otherwise the project's shared edit-distance rule decides, so that config
// keys, component types and markers get the same hints.
func Suggest(s string, candidates []string) string {
	for _, c := range candidates {
		if normalize(c) == normalize(s) {
			return c
		}
	}
	return suggest.Nearest(s, candidates)
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
