package emit

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cdpstats/cdpstats/internal/statsgen/load"
)

// CatalogMD returns STATS.md, the human reference of every stat. entries
// must be sorted with SortCatalog.
func CatalogMD(entries []CatalogEntry) []byte {
	var b bytes.Buffer
	b.WriteString(CatalogMDHeader() + "\n\n")
	b.WriteString("# Stats catalog\n\n")
	b.WriteString("Every stat of every `//cdp:component` in this module, as its `//cdp:stat` markers " +
		"declare it. statsgen writes this file; run `go generate ./...` after changing a marker. " +
		"A metric's key is `<kind>.<id>.<key>`, where the id is the component's " +
		"configured ID or else its type. This file is documentation only: exporters describe " +
		"metrics from each component's StatsDesc. See docs/annotations.md for the markers.\n\n")
	if len(entries) == 0 {
		b.WriteString("No components are annotated yet.\n")
		return b.Bytes()
	}

	b.WriteString("| Type | Kind | Go type | Stats |\n|---|---|---|---|\n")
	for _, e := range entries {
		c := e.Component
		fmt.Fprintf(&b, "| [%s](#%s) | %s | `%s.%s` | %d |\n",
			c.Name, anchor(c.Kind+"-"+c.Name), c.Kind, e.Package, c.GoName, len(c.Stats))
	}
	for _, e := range entries {
		c := e.Component
		fmt.Fprintf(&b, "\n## %s %s\n\n", c.Kind, c.Name)
		fmt.Fprintf(&b, "`%s.%s`\n\n", e.Package, c.GoName)
		if len(c.Stats) == 0 {
			b.WriteString("No stats.\n")
			continue
		}
		b.WriteString("| Stat | Kind | Unit | Keys | Help |\n|---|---|---|---|---|\n")
		for _, s := range c.Stats {
			keys := make([]string, len(s.Keys))
			for i, k := range s.Keys {
				keys[i] = "`" + k + "`"
			}
			kind := s.Kind.String()
			switch {
			case s.Read != nil && s.Read.IsFunc:
				kind += " (`func=" + s.Read.Path + "`)"
			case s.Read != nil:
				kind += " (`field=" + s.Read.Path + "`)"
			case s.Num != nil:
				kind += " (`" + s.Num.Name + "` / `" + s.Den.Name + "`)"
			case s.Labelled():
				kind += " by `" + s.Label + "`"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n",
				s.Name, kind, cell(s.Unit), strings.Join(keys, " "), cell(s.Help))
		}
	}
	return b.Bytes()
}

// CatalogMDHeader returns the first line of STATS.md, which marks it as
// statsgen's output.
func CatalogMDHeader() string {
	return "<!-- " + strings.TrimPrefix(load.Header, "// ") + " -->"
}

// cell escapes text for a markdown table cell.
func cell(s string) string {
	r := strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "`", "\\`", "*", `\*`, "_", `\_`)
	return r.Replace(s)
}

// anchor returns the GitHub anchor of a heading.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
