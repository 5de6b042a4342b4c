package statsgen_test

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/cdpstats/cdpstats/internal/statsgen"
	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
)

// TestGoCommandFailures runs statsgen ./... in each testdata/gocmd
// archive, a whole module with its own go.mod, with the go command as an
// adopter runs it: go.mod read-only, offline, no workspace. Where the go
// command fails, or cannot list a matched package, statsgen must exit 1
// with the go command's message (want/stderr, the module's directory
// written $WORK) and write nothing. Run with -update to rewrite want/.
func TestGoCommandFailures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "gocmd", "*.txtar"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	t.Setenv("GOFLAGS", "")
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")
	for _, path := range paths {
		ar, err := txtar.ParseFile(path)
		require.NoError(t, err)
		c := &goldenCase{name: strings.TrimSuffix(filepath.Base(path), ".txtar"), path: path, ar: ar}
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			testmod.WriteFiles(t, dir, testmod.ArchiveFiles(ar))
			var stdout, stderr bytes.Buffer
			code := statsgen.Run([]string{"./..."}, dir, &stdout, &stderr)
			assert.Equal(t, statsgen.ExitErrors, code)
			assert.Empty(t, stdout.String())
			assert.Empty(t, generatedFiles(t, dir), "nothing is written")
			got := strings.ReplaceAll(stderr.String(), dir, "$WORK")
			compareGolden(t, c, map[string][]byte{"want/stderr": []byte(got)})
		})
	}
}

// generatedFiles returns the stats_generated.go files under dir.
func generatedFiles(t *testing.T, dir string) []string {
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "stats_generated.go" {
			found = append(found, path)
		}
		return err
	})
	require.NoError(t, err)
	return found
}
