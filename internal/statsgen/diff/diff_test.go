package diff_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/statsgen/diff"
)

func TestUnified(t *testing.T) {
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
			assert.Equal(t, tt.want, string(diff.Unified("old", "new", []byte(tt.old), []byte(tt.new))))
		})
	}
}

func TestUnifiedSeparatesDistantHunks(t *testing.T) {
	var a, b []string
	for i := range 30 {
		a = append(a, fmt.Sprint(i))
		b = append(b, fmt.Sprint(i))
	}
	b[2], b[25] = "x", "y"
	d := string(diff.Unified("a", "b", []byte(strings.Join(a, "\n")+"\n"), []byte(strings.Join(b, "\n")+"\n")))
	assert.Equal(t, 2, strings.Count(d, "@@ -"), d)
	assert.Contains(t, d, "@@ -1,6 +1,6 @@\n 0\n 1\n-2\n+x\n 3\n 4\n 5\n")
	assert.Contains(t, d, "@@ -23,7 +23,7 @@\n 22\n 23\n 24\n-25\n+y\n 26\n 27\n 28\n")
}

// TestUnifiedAppliesWithPatch checks generated diffs against the patch
// tool, when the machine has it: applying the diff to old must give new.
func TestUnifiedAppliesWithPatch(t *testing.T) {
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
		d := diff.Unified("f", "f", []byte(c[0]), []byte(c[1]))
		cmd := exec.Command(patch, "-s", file)
		cmd.Stdin = strings.NewReader(string(d))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "case %d: %s\n%s", i, out, d)
		got, err := os.ReadFile(file)
		require.NoError(t, err)
		assert.Equal(t, c[1], string(got), "case %d", i)
	}
}
