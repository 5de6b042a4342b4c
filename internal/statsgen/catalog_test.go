package statsgen_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/cdpstats/cdpstats/internal/statsgen"
	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
)

func loadCatalogCase(t *testing.T) (*goldenCase, map[string][]byte) {
	path := filepath.Join("testdata", "catalog", "catalog.txtar")
	ar, err := txtar.ParseFile(path)
	require.NoError(t, err)
	return &goldenCase{name: "catalog", path: path, ar: ar}, testmod.ArchiveFiles(ar)
}

// TestCatalog generates the catalog of a small module and compares it
// with the golden files, then compiles and runs a program that uses it.
func TestCatalog(t *testing.T) {
	c, files := loadCatalogCase(t)
	dir := testmod.New(t, "example.com/cat", files)
	code, _, stderr := run(t, dir, "./...")
	require.Equal(t, statsgen.ExitOK, code, stderr)

	got := map[string][]byte{
		"want/catalog_generated.go": []byte(readFile(t, filepath.Join(dir, "catalog", "catalog_generated.go"))),
		"want/STATS.md":             []byte(readFile(t, filepath.Join(dir, "catalog", "STATS.md"))),
	}
	compareGolden(t, c, got)

	out, code := testmod.Go(t, dir, "run", "./use")
	require.Equal(t, 0, code, out)
	assert.Equal(t, "consumer Idle example.com/cat/src Idle 0\n"+
		"processor FilterPayments example.com/cat/proc Filter 12\n"+
		"source ledger-source example.com/cat/src Source 2\n"+
		"process_latency latency Time to filter one payment true\n"+
		"by_type counter type [payment path_payment] true\n"+
		"false\n", out)

	code, _, _ = run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitOK, code)

	// Running over one component package does not touch the catalog,
	// which needs every component.
	code, _, _ = run(t, filepath.Join(dir, "src"))
	assert.Equal(t, statsgen.ExitOK, code)
	code, _, _ = run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitOK, code)

	// A changed stat makes the catalog stale too.
	src := strings.Replace(string(files["src/src.go"]), "unit=ledgers", "unit=ledger", 1)
	testmod.WriteFiles(t, dir, map[string][]byte{"src/src.go": []byte(src)})
	code, stdout, _ := run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitStale, code)
	assert.Contains(t, stdout, "+++ b/catalog/catalog_generated.go")
	assert.Contains(t, stdout, "+++ b/catalog/STATS.md")
}

func TestCatalogOrphaned(t *testing.T) {
	_, files := loadCatalogCase(t)
	dir := testmod.New(t, "example.com/cat", files)
	code, _, stderr := run(t, dir, "./...")
	require.Equal(t, statsgen.ExitOK, code, stderr)

	testmod.WriteFiles(t, dir, map[string][]byte{"catalog/doc.go": []byte("package catalog\n")})
	code, stdout, _ := run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitStale, code)
	assert.Contains(t, stdout, "--- a/catalog/catalog_generated.go\n+++ /dev/null\n")
	assert.Contains(t, stdout, "--- a/catalog/STATS.md\n+++ /dev/null\n")

	code, _, stderr = run(t, dir, "./...")
	require.Equal(t, statsgen.ExitOK, code, stderr)
	assert.NoFileExists(t, filepath.Join(dir, "catalog", "catalog_generated.go"))
	assert.NoFileExists(t, filepath.Join(dir, "catalog", "STATS.md"))
}

func TestCatalogErrors(t *testing.T) {
	_, files := loadCatalogCase(t)
	files["dup/dup.go"] = []byte(`package dup

//cdp:component type=processor name=FilterPayments
type Other struct{}
`)
	files["second/doc.go"] = []byte("//cdp:catalog\npackage second\n")
	files["catalog/more.go"] = []byte("//cdp:catalog\npackage catalog\n\n// Lookup is hand-written.\nfunc Lookup() {}\n")
	dir := testmod.New(t, "example.com/cat", files)
	code, _, stderr := run(t, dir, "./...")
	assert.Equal(t, statsgen.ExitErrors, code)
	assert.Equal(t, "catalog/more.go:1:7: duplicate //cdp:catalog; the package already has one at doc.go:3:7\n"+
		"catalog/more.go:5:6: Lookup is declared here, but statsgen generates it in the //cdp:catalog package: rename it\n"+
		"proc/proc.go:5:7: duplicate component processor FilterPayments: "+
		"example.com/cat/dup.Other at dup/dup.go:3:7 has the same type and name, and the catalog needs them "+
		"unique; give one a distinct name=\n"+
		"second/doc.go:1:7: a second //cdp:catalog package in one run: example.com/cat/catalog already holds "+
		"the catalog\n", stderr)
}
