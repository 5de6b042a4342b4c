package statsgen_test

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/statsgen"
	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
)

// TestDeterministic generates every golden case three times, in two
// modules at different paths and with different parallelism, and expects
// byte-identical output: nothing in it may depend on the machine, the
// path, the time or the order work finishes in.
func TestDeterministic(t *testing.T) {
	files := map[string][]byte{}
	for _, c := range loadGoldenCases(t) {
		if c.wantsErrors() {
			continue
		}
		for name, data := range testmod.ArchiveFiles(c.ar) {
			files["cases/"+c.name+"/"+name] = data
		}
	}
	generate := func(dir string) map[string]string {
		var diags diag.List
		res, err := statsgen.Generate(statsgen.Options{Dir: dir, Patterns: []string{"./..."}, Env: testmod.Env()}, &diags)
		require.NoError(t, err)
		require.Zero(t, diags.Len())
		out := map[string]string{}
		for _, f := range res.Files {
			rel, err := filepath.Rel(dir, f.Path)
			require.NoError(t, err)
			out[filepath.ToSlash(rel)] = string(f.Content)
		}
		return out
	}
	// The golden module's path must be the same in both, since import
	// paths are part of the output; only the directory differs.
	first := generate(testmod.New(t, "example.com/golden", files))
	require.NotEmpty(t, first)

	dir := testmod.New(t, "example.com/golden", files)
	prev := runtime.GOMAXPROCS(1)
	second := generate(dir)
	runtime.GOMAXPROCS(prev)
	third := generate(dir)

	assert.Equal(t, first, second)
	assert.Equal(t, first, third)
}
