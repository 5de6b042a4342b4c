package statsgen_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/statsgen"
	"github.com/cdpstats/cdpstats/internal/statsgen/load"
	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
)

const counterSource = `package comp

//cdp:component kind=processor
type Comp struct {
	//cdp:stat counter name=processed
	stats compStats
}
`

// run runs statsgen in dir as the command line would, with the go command
// kept offline, and returns the exit code and what it printed.
func run(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("GOFLAGS", "-mod=mod")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")
	var out, errOut bytes.Buffer
	code = statsgen.Run(args, dir, &out, &errOut)
	return code, out.String(), errOut.String()
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

func TestMainUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderrIn string
	}{
		{"unknown flag", []string{"-bogus"}, statsgen.ExitUsage, "", "flag provided but not defined: -bogus"},
		{"help", []string{"-h"}, statsgen.ExitOK, "", "usage: statsgen [flags] [packages]"},
		{"markers", []string{"-markers"}, statsgen.ExitOK, "//cdp:stat KIND name=NAME", ""},
		{"markers with packages", []string{"-markers", "./..."}, statsgen.ExitUsage, "", "-markers takes no packages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := run(t, dir, tt.args...)
			assert.Equal(t, tt.code, code)
			assert.Contains(t, stdout, tt.stdout)
			assert.Contains(t, stderr, tt.stderrIn)
		})
	}
}

func TestMainGenerateAndCheck(t *testing.T) {
	dir := testmod.New(t, "example.com/m", map[string][]byte{"comp/comp.go": []byte(counterSource)})
	out := filepath.Join(dir, "comp", "stats_generated.go")

	code, _, stderr := run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitStale, code, "a missing output is stale")
	assert.Contains(t, stderr, "stale")
	assert.NoFileExists(t, out, "-check writes nothing")

	code, _, stderr = run(t, dir, "-v", "./...")
	require.Equal(t, statsgen.ExitOK, code, stderr)
	assert.Contains(t, stderr, "wrote comp/stats_generated.go")
	assert.True(t, strings.HasPrefix(readFile(t, out), load.Header+"\n"))

	code, stdout, _ := run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitOK, code)
	assert.Empty(t, stdout)

	// Running in the package directory with no arguments works the same,
	// as go generate does it.
	code, _, stderr = run(t, filepath.Join(dir, "comp"), "-check")
	assert.Equal(t, statsgen.ExitOK, code, stderr)

	// Edit an annotation: -check prints a diff, exits 3 and writes nothing.
	before := readFile(t, out)
	src := strings.Replace(counterSource, "name=processed", "name=handled", 1)
	testmod.WriteFiles(t, dir, map[string][]byte{"comp/comp.go": []byte(src)})
	code, stdout, _ = run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitStale, code)
	assert.Contains(t, stdout, "--- a/comp/stats_generated.go\n+++ b/comp/stats_generated.go\n")
	assert.Contains(t, stdout, "-\tprocessed runtime.Counter\n+\thandled runtime.Counter\n")
	assert.Equal(t, before, readFile(t, out))

	code, _, stderr = run(t, dir, "./...")
	require.Equal(t, statsgen.ExitOK, code, stderr)
	code, _, _ = run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitOK, code)
}

func TestMainWritesOnlyChangedFiles(t *testing.T) {
	dir := testmod.New(t, "example.com/m", map[string][]byte{"comp/comp.go": []byte(counterSource)})
	out := filepath.Join(dir, "comp", "stats_generated.go")
	code, _, stderr := run(t, dir, "./...")
	require.Equal(t, statsgen.ExitOK, code, stderr)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	require.NoError(t, os.Chtimes(out, old, old))

	code, _, stderr = run(t, dir, "-v", "./...")
	require.Equal(t, statsgen.ExitOK, code)
	assert.Empty(t, stderr, "nothing to write")
	fi, err := os.Stat(out)
	require.NoError(t, err)
	assert.True(t, fi.ModTime().Equal(old), "an unchanged file is not rewritten")

	entries, err := os.ReadDir(filepath.Join(dir, "comp"))
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary files are left behind")
}

func TestMainErrorsWriteNothing(t *testing.T) {
	bad := `package bad

//cdp:component kind=processor
type Bad struct {
	//cdp:stat countr name=x
	//cdp:stat counter name=Y
	stats badStats
}
`
	dir := testmod.New(t, "example.com/m", map[string][]byte{
		"comp/comp.go": []byte(counterSource),
		"bad/bad.go":   []byte(bad),
	})
	code, stdout, stderr := run(t, dir, "./...")
	assert.Equal(t, statsgen.ExitErrors, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "bad/bad.go:5:13: unknown stat kind \"countr\"; did you mean \"counter\"? "+
		"(valid: counter, gauge, latency, ratio, timestamp)\n"+
		"bad/bad.go:6:26: invalid stat name \"Y\": use snake_case (lower-case letters and digits in words "+
		"joined by single underscores, starting with a letter), such as \"y\"\n", stderr)
	assert.NoFileExists(t, filepath.Join(dir, "comp", "stats_generated.go"), "nothing is written when any package has errors")

	code, _, _ = run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitErrors, code, "errors win over staleness")
}

func TestMainMissingPackage(t *testing.T) {
	dir := testmod.New(t, "example.com/m", nil)
	code, _, stderr := run(t, dir, "./nope")
	assert.Equal(t, statsgen.ExitErrors, code)
	assert.Contains(t, stderr, "nope")
}

func TestMainRemovesOrphans(t *testing.T) {
	dir := testmod.New(t, "example.com/m", map[string][]byte{"comp/comp.go": []byte(counterSource)})
	out := filepath.Join(dir, "comp", "stats_generated.go")
	code, _, stderr := run(t, dir, "./...")
	require.Equal(t, statsgen.ExitOK, code, stderr)
	require.FileExists(t, out)

	// A second statsgen file under another name, say from an older
	// version, is an orphan even while the package has annotations.
	stray := filepath.Join(dir, "comp", "old_stats.go")
	testmod.WriteFiles(t, dir, map[string][]byte{"comp/old_stats.go": []byte(load.Header + "\n\npackage comp\n")})
	// A file of another generator is left alone.
	other := filepath.Join(dir, "comp", "other_generated.go")
	testmod.WriteFiles(t, dir, map[string][]byte{
		"comp/other_generated.go": []byte("// Code generated by stringer. DO NOT EDIT.\n\npackage comp\n"),
	})

	code, stdout, _ := run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitStale, code)
	assert.Contains(t, stdout, "--- a/comp/old_stats.go\n+++ /dev/null\n")

	testmod.WriteFiles(t, dir, map[string][]byte{"comp/comp.go": []byte("package comp\n\ntype Comp struct{}\n")})
	code, stdout, _ = run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitStale, code)
	assert.Contains(t, stdout, "--- a/comp/stats_generated.go\n+++ /dev/null\n")

	code, _, stderr = run(t, dir, "-v", "./...")
	require.Equal(t, statsgen.ExitOK, code, stderr)
	assert.Contains(t, stderr, "removed comp/stats_generated.go")
	assert.NoFileExists(t, out)
	assert.NoFileExists(t, stray)
	assert.FileExists(t, other)
}

// TestMainBrokenOutputDoesNotBlock checks that statsgen never loads its
// own output: a stale output that no longer compiles, or one that is not
// even Go, is simply replaced.
func TestMainBrokenOutputDoesNotBlock(t *testing.T) {
	tests := map[string]string{
		"stale":                 load.Header + "\n\npackage comp\n\nfunc (c *Comp) GetStats() int { return c.stats.gone }\n",
		"garbage":               load.Header + "\n\npackage comp\n\nfunc {{{ not go\n",
		"other header position": "// Some leading comment.\n" + load.Header + "\n\npackage comp\n\nvar x = undefined\n",
	}
	for name, broken := range tests {
		t.Run(name, func(t *testing.T) {
			dir := testmod.New(t, "example.com/m", map[string][]byte{
				"comp/comp.go":            []byte(counterSource),
				"comp/stats_generated.go": []byte(broken),
			})
			code, _, stderr := run(t, dir, "./...")
			require.Equal(t, statsgen.ExitOK, code, stderr)
			out, code := testmod.Go(t, dir, "vet", "./...")
			assert.Equal(t, 0, code, out)
		})
	}
}

// TestMainKeepsBuildConstraint checks that an output excluded by the
// current build context is never taken for an orphan.
func TestMainKeepsBuildConstraint(t *testing.T) {
	src := "//go:build ignore_me\n\n" + counterSource
	dir := testmod.New(t, "example.com/m", map[string][]byte{
		"comp/comp.go":  []byte(src),
		"comp/other.go": []byte("package comp\n"),
	})
	code, _, stderr := run(t, dir, "-tags", "ignore_me", "./...")
	require.Equal(t, statsgen.ExitOK, code, stderr)
	out := filepath.Join(dir, "comp", "stats_generated.go")
	assert.Contains(t, readFile(t, out), "//go:build ignore_me\n")

	code, _, stderr = run(t, dir, "-check", "./...")
	assert.Equal(t, statsgen.ExitOK, code, "without the tag neither the source nor the output is loaded: %s", stderr)
	assert.FileExists(t, out)
}
