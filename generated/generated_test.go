package generated_test

import (
	"bytes"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/generated"
	"github.com/cdpstats/cdpstats/internal/statsgen"
	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
	"github.com/cdpstats/cdpstats/internal/statsgen/write"
)

// TestGeneratedCodeIsCurrent fails when any checked-in output of statsgen
// in this repository is stale: a component's stats_generated.go, or this
// package's catalog. It runs what `make check` runs from the repository
// root: statsgen -check over every package of every workspace module
// (the pattern ./... would stop at the nested modules).
func TestGeneratedCodeIsCurrent(t *testing.T) {
	root := testmod.RepoRoot(t)
	var diags diag.List
	res, err := statsgen.Generate(statsgen.Options{Dir: root, Patterns: []string{testmod.ModulePath + "/..."}}, &diags)
	require.NoError(t, err)
	var msgs bytes.Buffer
	require.NoError(t, diags.Write(&msgs, root))
	require.Zero(t, diags.Len(), "statsgen reports errors:\n%s", msgs.String())

	var diff bytes.Buffer
	stale, err := write.Check(res.Files, &diff, root)
	require.NoError(t, err)
	assert.False(t, stale, "generated code is stale; run `go generate ./...` and commit the result:\n%s", diff.String())
}

func TestCatalogLookup(t *testing.T) {
	all := generated.Components()
	assert.True(t, sort.SliceIsSorted(all, func(i, j int) bool {
		a, b := all[i].Desc, all[j].Desc
		return a.Type < b.Type || a.Type == b.Type && a.Name < b.Name
	}), "components are sorted by type and name")
	for _, c := range all {
		got, ok := generated.Lookup(c.Desc.Type, c.Desc.Name)
		require.True(t, ok, "%s %s", c.Desc.Type, c.Desc.Name)
		assert.Same(t, c.Desc, got.Desc)
		var keys []string
		for _, s := range c.Desc.Stats {
			keys = append(keys, s.Keys...)
			for _, k := range s.Keys {
				d, ok := generated.Describe(c.Desc.Type, c.Desc.Name, k)
				assert.True(t, ok, k)
				assert.Equal(t, s.Name, d.Name, k)
			}
		}
		assert.Equal(t, keys, c.Desc.Keys, "flattened keys of %s", c.Desc.Name)
	}
	_, ok := generated.Lookup("processor", "no such component")
	assert.False(t, ok)
	_, ok = generated.Describe("processor", "no such component", "x")
	assert.False(t, ok)
}
