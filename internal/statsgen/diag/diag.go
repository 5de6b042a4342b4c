// Package diag collects statsgen's positioned error messages and prints
// them the way go vet does: "file:line:col: message", sorted, one a line.
package diag

import (
	"fmt"
	"go/token"
	"io"
	"path/filepath"
	"sort"
	"strings"
)

// Diagnostic is one error at one place in the source.
type Diagnostic struct {
	// Pos is where the offending token starts. Filename is absolute.
	Pos token.Position
	// Msg says what is wrong and how to fix it.
	Msg string
}

// List is every diagnostic of one run. The zero value is empty and ready.
type List struct {
	items []Diagnostic
}

// Addf adds a diagnostic at pos.
func (l *List) Addf(pos token.Position, format string, args ...any) {
	l.items = append(l.items, Diagnostic{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// Len returns the number of diagnostics.
func (l *List) Len() int { return len(l.items) }

// Items returns the diagnostics sorted by file, line, column and message,
// without duplicates.
func (l *List) Items() []Diagnostic {
	items := append([]Diagnostic(nil), l.items...)
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Pos.Filename != b.Pos.Filename {
			return a.Pos.Filename < b.Pos.Filename
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Column != b.Pos.Column {
			return a.Pos.Column < b.Pos.Column
		}
		return a.Msg < b.Msg
	})
	out := items[:0]
	for i, d := range items {
		if i == 0 || d != items[i-1] {
			out = append(out, d)
		}
	}
	return out
}

// Write prints every diagnostic, sorted, as "file:line:col: message",
// with file names relative to dir when they are inside it.
func (l *List) Write(w io.Writer, dir string) error {
	for _, d := range l.Items() {
		if _, err := fmt.Fprintf(w, "%s: %s\n", Position(d.Pos, dir), d.Msg); err != nil {
			return err
		}
	}
	return nil
}

// Position formats pos as "file:line:col", with the file relative to dir
// when it is inside dir, and absolute otherwise.
func Position(pos token.Position, dir string) string {
	name := RelPath(pos.Filename, dir)
	switch {
	case name == "":
		name = "-"
	case pos.Line == 0:
		return name
	case pos.Column == 0:
		return fmt.Sprintf("%s:%d", name, pos.Line)
	}
	return fmt.Sprintf("%s:%d:%d", name, pos.Line, pos.Column)
}

// RelPath returns path relative to dir, in slash form, when path is
// inside dir; otherwise path unchanged.
func RelPath(path, dir string) string {
	if dir == "" || path == "" || !filepath.IsAbs(path) {
		return path
	}
	rel, err := filepath.Rel(dir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return filepath.ToSlash(rel)
}
