package statsgen_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/cdpstats/cdpstats/internal/statsgen"
	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
)

// TestGeneratedCodeUnderRace generates the code of a component with every
// kind and runs, under the race detector, the module's own test: 8
// goroutines record while a reader snapshots, and the final stats must
// equal a mutex-guarded reference implementation exactly (quantiles
// within the histogram's 0.5%), on both the map and the allocation-free
// paths.
func TestGeneratedCodeUnderRace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a test binary with -race")
	}
	ar, err := txtar.ParseFile(filepath.Join("testdata", "race", "module.txtar"))
	require.NoError(t, err)
	dir := testmod.New(t, "example.com/race", testmod.ArchiveFiles(ar))

	code, _, stderr := run(t, dir, "./...")
	require.Equal(t, statsgen.ExitOK, code, stderr)

	out, code := testmod.Go(t, dir, "test", "-race", "-count=1", "-v", "./...")
	require.Equal(t, 0, code, "go test -race of the generated code:\n%s", out)
	for _, name := range []string{"TestConcurrentRecordsMatchReference", "TestEmptyStats", "TestCollector"} {
		assert.Contains(t, out, "--- PASS: "+name)
	}
}
