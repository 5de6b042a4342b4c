package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/statsgen/testmod"
)

// adopterGoMod is the go.mod of a repository that adopts statsgen: its own
// go directive and its own pinned versions, none of them the newest.
const adopterGoMod = `module example.com/adopter

go 1.24.0

require (
	github.com/stretchr/testify v1.9.0
	golang.org/x/text v0.14.0
)
`

// adopterMain uses the adopter's pinned golang.org/x/text.
const adopterMain = `package main

import (
	"fmt"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

func main() { fmt.Println(cases.Title(language.English).String("ledgers")) }
`

// adopterTest uses the adopter's pinned testify.
const adopterTest = `package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTitle(t *testing.T) { assert.NotEmpty(t, "Ledgers") }
`

// adopterComponent is the adopter's first component, annotated: the
// Filter of TestEndToEnd, with go generate running the tool.
const adopterComponent = "// Package filter holds a processor.\npackage filter\n\n//go:generate go tool statsgen\n" + filterComponent

// TestAdoption takes up the runtime and statsgen the way a CDP repository
// does, in a module outside this one with its own go directive and pinned
// requirements, this checkout standing in for a release through a replace
// directive: go get the runtime, go get -tool statsgen, annotate a
// component, then go generate, go mod tidy, go generate, go build and go
// vet. Every step must succeed, and the adopter's go directive and pinned
// versions must come out as they went in. It needs the module proxy.
func TestAdoption(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches modules and builds statsgen")
	}
	env := adopterEnv(t)
	dir := t.TempDir()
	testmod.WriteFiles(t, dir, map[string][]byte{
		"go.mod":               []byte(adopterGoMod + "\n" + testmod.Replace(t)),
		"cmd/app/main.go":      []byte(adopterMain),
		"cmd/app/main_test.go": []byte(adopterTest),
	})
	goCmd := func(args ...string) {
		t.Helper()
		out, code := testmod.Run(t, dir, env, testmod.GoTool(t), args...)
		require.Equal(t, 0, code, "go %s:\n%s", strings.Join(args, " "), out)
	}
	goCmd("mod", "tidy") // the adopter's repository as it was: tidy, with its go.sum
	before := readGoMod(t, dir, env)

	goCmd("get", testmod.ModulePath+"/runtime")
	goCmd("get", "-tool", testmod.ModulePath+"/cmd/statsgen")
	testmod.WriteFiles(t, dir, map[string][]byte{"filter/filter.go": []byte(adopterComponent)})
	goCmd("generate", "./...")
	goCmd("mod", "tidy")
	goCmd("generate", "./...")
	goCmd("build", "./...")
	goCmd("vet", "./...")
	assert.FileExists(t, filepath.Join(dir, "filter", "stats_generated.go"))

	after := readGoMod(t, dir, env)
	assert.Equal(t, before.Go, after.Go, "the go directive")
	assert.Empty(t, after.Toolchain, "no toolchain line")
	versions := map[string]string{}
	for _, r := range after.Require {
		versions[r.Path] = r.Version
	}
	for _, r := range before.Require {
		assert.Equal(t, r.Version, versions[r.Path], "pinned %s", r.Path)
	}
	assert.Equal(t, testmod.ModulePath+"/cmd/statsgen", toolOf(t, dir), "the tool directive")
}

// toolOf returns the tool directive of the go.mod file in dir.
func toolOf(t *testing.T, dir string) string {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		if path, ok := strings.CutPrefix(line, "tool "); ok {
			return strings.TrimSpace(path)
		}
	}
	return ""
}

// adopterEnv returns the environment of the go command in the adopter's
// module: its defaults (go.mod read-only, no workspace, this toolchain),
// the module cache of this machine, and the module proxy of this
// environment as the only source. Any error from the proxy means "no such
// module" ("|off"), and nothing goes direct to a VCS: this checkout's module
// is not published, and go get asks the proxy about
// github.com/cdpstats/cdpstats/cmd/statsgen as a module path of its own,
// which a mirror may refuse with 403 rather than 404. Without a proxy the
// test fails under CI and is skipped elsewhere.
func adopterEnv(t *testing.T) []string {
	t.Helper()
	out, code := testmod.Run(t, t.TempDir(), os.Environ(), testmod.GoTool(t), "env", "GOPROXY")
	require.Equal(t, 0, code, "go env GOPROXY: %s", out)
	var proxies []string
	for _, p := range strings.FieldsFunc(strings.TrimSpace(out), func(r rune) bool { return r == ',' || r == '|' }) {
		if p != "direct" && p != "off" {
			proxies = append(proxies, p)
		}
	}
	if len(proxies) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the adoption test needs a module proxy; GOPROXY is %q", strings.TrimSpace(out))
		}
		t.Skipf("no module proxy (GOPROXY=%q)", strings.TrimSpace(out))
	}
	env := testmod.Environ("GOFLAGS", "GOWORK", "GOPROXY", "GOTOOLCHAIN", "GO111MODULE", "GOPRIVATE", "GONOPROXY", "GONOSUMDB")
	return append(env, "GOWORK=off", "GOTOOLCHAIN=local", "GO111MODULE=on",
		"GOPROXY="+strings.Join(proxies, "|")+"|off")
}
