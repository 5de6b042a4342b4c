package generated_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
