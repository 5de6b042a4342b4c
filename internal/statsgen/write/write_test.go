package write_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

func TestDiff(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"new file", "", "a\nb\n", "--- old\n+++ new\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"removed file", "a\n", "", "--- old\n+++ new\n@@ -1 +0,0 @@\n-a\n"},
		{"change in the middle with context",
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
			"--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"},
		{"insert at start", "b\nc\n", "a\nb\nc\n", "--- old\n+++ new\n@@ -1,2 +1,3 @@\n+a\n b\n c\n"},
		{"no newline at end", "a\nb", "a\nc", "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, string(write.Diff("old", "new", []byte(tt.old), []byte(tt.new))))
		})
	}
}

func TestDiffSeparatesDistantHunks(t *testing.T) {
	var a, b []string
	for i := range 30 {
		a = append(a, fmt.Sprint(i))
		b = append(b, fmt.Sprint(i))
	}
	b[2], b[25] = "x", "y"
	d := string(write.Diff("a", "b", []byte(strings.Join(a, "\n")+"\n"), []byte(strings.Join(b, "\n")+"\n")))
	assert.Equal(t, 2, strings.Count(d, "@@ -"), d)
	assert.Contains(t, d, "@@ -1,6 +1,6 @@\n 0\n 1\n-2\n+x\n 3\n 4\n 5\n")
	assert.Contains(t, d, "@@ -23,7 +23,7 @@\n 22\n 23\n 24\n-25\n+y\n 26\n 27\n 28\n")
}

// TestDiffAppliesWithPatch checks generated diffs against the patch
// tool, when the machine has it: applying the diff to old must give new.
func TestDiffAppliesWithPatch(t *testing.T) {
	patch, err := exec.LookPath("patch")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("patch is not installed (CI=true: scripts/setup.sh installs it)")
		}
		t.Skip("patch is not installed")
	}
	cases := [][2]string{
		{"a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "a\nB\nc\nd\ne\nf\ng\nh\nI\nj\nk\n"},
		{"x\ny\nz\n", "y\n"},
		{"one\n", "one\ntwo\nthree\n"},
		{"p\nq\nr\ns\nt\nu\nv\nw\nx\ny\nz\n", "q\nr\ns\nT\nu\nv\nw\nX\ny\n"},
	}
	for i, c := range cases {
		dir := t.TempDir()
		file := filepath.Join(dir, "f")
		require.NoError(t, os.WriteFile(file, []byte(c[0]), 0o644))
		d := write.Diff("f", "f", []byte(c[0]), []byte(c[1]))
		cmd := exec.Command(patch, "-s", file)
		cmd.Stdin = strings.NewReader(string(d))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "case %d: %s\n%s", i, out, d)
		got, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Equal(t, c[1], string(got), "case %d", i)
	}
}
