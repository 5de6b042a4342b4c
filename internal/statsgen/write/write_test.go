package write_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/statsgen/write"
)

func TestApply(t *testing.T) {
	dir := t.TempDir()
	same := filepath.Join(dir, "same.go")
	changed := filepath.Join(dir, "changed.go")
	created := filepath.Join(dir, "created.go")
	orphan := filepath.Join(dir, "orphan.go")
	absent := filepath.Join(dir, "absent.go")
	require.NoError(t, os.WriteFile(same, []byte("same\n"), 0o644))
	require.NoError(t, os.WriteFile(changed, []byte("old\n"), 0o600))
	require.NoError(t, os.WriteFile(orphan, []byte("orphan\n"), 0o644))
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	require.NoError(t, os.Chtimes(same, old, old))

	changes, err := write.Apply([]write.File{
		{Path: same, Content: []byte("same\n")},
		{Path: changed, Content: []byte("new\n")},
		{Path: created, Content: []byte("created\n")},
		{Path: orphan},
		{Path: absent},
	})
	require.NoError(t, err)
	assert.Equal(t, []write.Change{{Path: changed}, {Path: created}, {Path: orphan, Removed: true}}, changes)

	fi, err := os.Stat(same)
	require.NoError(t, err)
	assert.True(t, fi.ModTime().Equal(old), "an unchanged file is not rewritten")
	data, err := os.ReadFile(changed)
	require.NoError(t, err)
	assert.Equal(t, "new\n", string(data))
	fi, err = os.Stat(changed)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "a rewritten file keeps its mode")
	fi, err = os.Stat(created)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	assert.NoFileExists(t, orphan)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 3, "no temporary file is left")
}

func TestApplyFailsInMissingDirectory(t *testing.T) {
	_, err := write.Apply([]write.File{{Path: filepath.Join(t.TempDir(), "nope", "x.go"), Content: []byte("x")}})
	assert.Error(t, err)
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	current := filepath.Join(dir, "current.go")
	stale := filepath.Join(dir, "pkg", "stale.go")
	orphan := filepath.Join(dir, "orphan.go")
	require.NoError(t, os.MkdirAll(filepath.Dir(stale), 0o755))
	require.NoError(t, os.WriteFile(current, []byte("ok\n"), 0o644))
	require.NoError(t, os.WriteFile(stale, []byte("old\n"), 0o644))
	require.NoError(t, os.WriteFile(orphan, []byte("gone\n"), 0o644))

	var out bytes.Buffer
	isStale, err := write.Check([]write.File{{Path: current, Content: []byte("ok\n")}}, &out, dir)
	require.NoError(t, err)
	assert.False(t, isStale)
	assert.Empty(t, out.String())

	isStale, err = write.Check([]write.File{
		{Path: current, Content: []byte("ok\n")},
		{Path: stale, Content: []byte("new\n")},
		{Path: filepath.Join(dir, "missing.go"), Content: []byte("m\n")},
		{Path: orphan},
	}, &out, dir)
	require.NoError(t, err)
	assert.True(t, isStale)
	assert.Equal(t, "--- a/pkg/stale.go\n+++ b/pkg/stale.go\n@@ -1 +1 @@\n-old\n+new\n"+
		"--- /dev/null\n+++ b/missing.go\n@@ -0,0 +1 @@\n+m\n"+
		"--- a/orphan.go\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n", out.String())
	data, err := os.ReadFile(stale)
	require.NoError(t, err)
	assert.Equal(t, "old\n", string(data), "Check writes nothing")
}
