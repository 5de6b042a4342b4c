package main_test

import (
	"encoding/json"
	"go/version"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
)

// maxGo is the newest go directive the root module may declare: every
// requirement of the module that holds the runtime and statsgen is a
// floor for each module that adopts them, the go directive included.
const maxGo = "1.24"

// directRequirements are the only modules the root module may require
// directly: what the stats runtime and the generator need, and testify
// for the tests.
var directRequirements = []string{
	"github.com/dave/jennifer",
	"github.com/stretchr/testify",
	"golang.org/x/tools",
}

// diffLibraries are the small diff libraries statsgen -check may use; the
// root module may require at most one of them directly.
var diffLibraries = []string{
	"github.com/aymanbagabas/go-udiff",
	"github.com/pmezard/go-difflib",
}

// indirectAllowed are the modules the root module may require indirectly:
// those that the direct requirements bring along.
var indirectAllowed = map[string]bool{
	"github.com/davecgh/go-spew":    true,
	"github.com/pmezard/go-difflib": true,
	"github.com/stretchr/objx":      true,
	"gopkg.in/yaml.v3":              true,
	"golang.org/x/mod":              true,
	"golang.org/x/net":              true,
	"golang.org/x/sync":             true,
	"golang.org/x/sys":              true,
	"golang.org/x/telemetry":        true,
	"golang.org/x/text":             true,
}

// goMod is the part of `go mod edit -json` that the check reads.
type goMod struct {
	Go        string
	Toolchain string
	Require   []struct {
		Path     string
		Version  string
		Indirect bool
	}
	Replace []struct {
		Old struct{ Path string }
	}
}

// TestRootModuleRequirements keeps the root module adoptable: a go
// directive no newer than maxGo, no toolchain line raising it, no replace
// directive, and exactly the direct requirements above.
func TestRootModuleRequirements(t *testing.T) {
	mod := readGoMod(t, testmod.RepoRoot(t), testmod.Env())

	assert.LessOrEqual(t, version.Compare("go"+mod.Go, "go"+maxGo+".0"), 0,
		"go directive %s is newer than go %s", mod.Go, maxGo)
	if mod.Toolchain != "" {
		assert.LessOrEqual(t, version.Compare(mod.Toolchain, "go"+maxGo+".0"), 0,
			"toolchain %s raises go %s", mod.Toolchain, maxGo)
	}
	assert.Empty(t, mod.Replace, "a replace directive in the root module does not reach adopters")

	var direct []string
	diffs := 0
	for _, r := range mod.Require {
		switch {
		case r.Indirect:
			assert.True(t, indirectAllowed[r.Path], "unexpected indirect requirement %s %s", r.Path, r.Version)
		case slices.Contains(diffLibraries, r.Path):
			diffs++
		default:
			direct = append(direct, r.Path)
		}
	}
	sort.Strings(direct)
	assert.Equal(t, directRequirements, direct, "direct requirements")
	assert.LessOrEqual(t, diffs, 1, "at most one diff library")
}

// readGoMod reads the go.mod file in dir with `go mod edit -json`.
func readGoMod(t *testing.T, dir string, env []string) goMod {
	t.Helper()
	out, code := testmod.Run(t, dir, env, testmod.GoTool(t), "mod", "edit", "-json")
	require.Equal(t, 0, code, "go mod edit -json: %s", out)
	var mod goMod
	require.NoError(t, json.Unmarshal([]byte(out), &mod))
	return mod
}
