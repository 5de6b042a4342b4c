package statsgen_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/txtar"

	"github.com/cdpstats/cdpstats/internal/statsgen"
	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
	"github.com/cdpstats/cdpstats/internal/statsgen/write"
)

var update = flag.Bool("update", false, "rewrite the want/ sections of testdata/golden/*.txtar from the current output")

// goldenCase is one testdata/golden archive: the files of a package tree,
// and the outputs statsgen must produce for it under want/: each
// generated file at its path, or want/stderr with the error messages.
type goldenCase struct {
	name string
	path string
	ar   *txtar.Archive
}

// wantsErrors reports whether the case expects errors rather than code.
func (c *goldenCase) wantsErrors() bool {
	for _, f := range c.ar.Files {
		if f.Name == "want/stderr" {
			return true
		}
	}
	return false
}

func loadGoldenCases(t *testing.T) []*goldenCase {
	paths, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	var cases []*goldenCase
	for _, p := range paths {
		ar, err := txtar.ParseFile(p)
		require.NoError(t, err)
		cases = append(cases, &goldenCase{name: strings.TrimSuffix(filepath.Base(p), ".txtar"), path: p, ar: ar})
	}
	return cases
}

// TestGolden runs statsgen over every golden case and compares what it
// generates, or the errors it prints, with the case's want/ files. The
// cases that expect code and those that expect errors are each loaded in
// one run, as statsgen ./... would load them, and their outputs split by
// case directory. Run with -update to rewrite the want/ files.
func TestGolden(t *testing.T) {
	cases := loadGoldenCases(t)
	files := map[string][]byte{}
	for _, c := range cases {
		for name, data := range testmod.ArchiveFiles(c.ar) {
			files["cases/"+c.name+"/"+name] = data
		}
	}
	root := testmod.New(t, "example.com/golden", files)

	for _, wantErrors := range []bool{false, true} {
		var batch []string
		for _, c := range cases {
			if c.wantsErrors() == wantErrors {
				batch = append(batch, "./cases/"+c.name+"/...")
			}
		}
		if len(batch) == 0 {
			continue
		}
		var diags diag.List
		res, err := statsgen.Generate(statsgen.Options{Dir: root, Patterns: batch, Env: testmod.Env()}, &diags)
		require.NoError(t, err)
		if !wantErrors {
			var buf bytes.Buffer
			require.NoError(t, diags.Write(&buf, root))
			require.Empty(t, buf.String(), "cases without want/stderr must generate cleanly")
		}
		if !wantErrors && !*update {
			// The generated code must compile and pass vet against the
			// working tree's runtime package.
			_, err := write.Apply(res.Files)
			require.NoError(t, err)
			out, code := testmod.Go(t, root, append([]string{"vet"}, batch...)...)
			require.Equal(t, 0, code, "go vet of the generated code:\n%s", out)
		}
		for _, c := range cases {
			if c.wantsErrors() != wantErrors {
				continue
			}
			t.Run(c.name, func(t *testing.T) {
				caseDir := filepath.Join(root, "cases", c.name)
				got := map[string][]byte{}
				if wantErrors {
					got["want/stderr"] = caseDiags(t, &diags, caseDir)
				} else {
					for _, f := range res.Files {
						rel, err := filepath.Rel(caseDir, f.Path)
						if err != nil || strings.HasPrefix(rel, "..") {
							continue
						}
						require.NotNil(t, f.Content, "unexpected orphan %s", rel)
						got["want/"+filepath.ToSlash(rel)] = f.Content
					}
				}
				compareGolden(t, c, got)
			})
		}
	}
}

// caseDiags returns the diagnostics located in caseDir, printed with
// paths relative to it.
func caseDiags(t *testing.T, all *diag.List, caseDir string) []byte {
	var mine diag.List
	for _, d := range all.Items() {
		if strings.HasPrefix(d.Pos.Filename, caseDir+string(filepath.Separator)) || d.Pos.Filename == caseDir {
			mine.Addf(d.Pos, "%s", d.Msg)
		}
	}
	var buf bytes.Buffer
	require.NoError(t, mine.Write(&buf, caseDir))
	return buf.Bytes()
}

// compareGolden checks got against the want/ files of c, or rewrites them
// with -update.
func compareGolden(t *testing.T, c *goldenCase, got map[string][]byte) {
	if *update {
		var kept []txtar.File
		for _, f := range c.ar.Files {
			if !strings.HasPrefix(f.Name, "want/") {
				kept = append(kept, f)
			}
		}
		names := make([]string, 0, len(got))
		for name := range got {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			kept = append(kept, txtar.File{Name: name, Data: got[name]})
		}
		c.ar.Files = kept
		require.NoError(t, os.WriteFile(c.path, txtar.Format(c.ar), 0o644))
		return
	}
	want := map[string][]byte{}
	for _, f := range c.ar.Files {
		if strings.HasPrefix(f.Name, "want/") {
			want[f.Name] = f.Data
		}
	}
	assert.ElementsMatch(t, keys(want), keys(got), "generated files (rerun with -update if the change is intended)")
	for name, w := range want {
		if g, ok := got[name]; ok {
			assert.Equal(t, string(w), string(g), "%s (rerun with -update if the change is intended)", name)
		}
	}
}

func keys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
