package diag_test

import (
	"bytes"
	"go/token"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
)

func TestListSortsAndDeduplicates(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.go")
	b := filepath.Join(dir, "sub", "b.go")
	var l diag.List
	l.Addf(token.Position{Filename: b, Line: 1, Column: 1}, "b1")
	l.Addf(token.Position{Filename: a, Line: 10, Column: 2}, "a10")
	l.Addf(token.Position{Filename: a, Line: 2, Column: 9}, "a2 %s", "late")
	l.Addf(token.Position{Filename: a, Line: 2, Column: 3}, "a2 early")
	l.Addf(token.Position{Filename: a, Line: 2, Column: 3}, "a2 early")
	l.Addf(token.Position{Filename: "/elsewhere/c.go", Line: 1, Column: 1}, "outside")
	l.Addf(token.Position{Filename: dir}, "package-level")
	require.Equal(t, 7, l.Len())

	var buf bytes.Buffer
	require.NoError(t, l.Write(&buf, dir))
	assert.Equal(t, "/elsewhere/c.go:1:1: outside\n"+
		".: package-level\n"+
		"a.go:2:3: a2 early\n"+
		"a.go:2:9: a2 late\n"+
		"a.go:10:2: a10\n"+
		"sub/b.go:1:1: b1\n", buf.String())
}

func TestRelPath(t *testing.T) {
	assert.Equal(t, "x/y.go", diag.RelPath("/r/x/y.go", "/r"))
	assert.Equal(t, "/other/y.go", diag.RelPath("/other/y.go", "/r"))
	assert.Equal(t, "/r2/y.go", diag.RelPath("/r2/y.go", "/r"))
	assert.Equal(t, "rel.go", diag.RelPath("rel.go", "/r"))
}
