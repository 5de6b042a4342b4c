// Package testmod makes throwaway Go modules for statsgen's tests: a temp
// directory with a go.mod that requires this repository through a replace
// directive, so generated code compiles against the working tree's
// runtime package, and an environment that keeps the go command offline.
package testmod

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// ModulePath is the module path of this repository.
const ModulePath = "github.com/cdpstats/cdpstats"

// RepoRoot returns the root of this repository: the nearest directory
// above the working directory whose go.mod declares [ModulePath].
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(data, []byte("module "+ModulePath+"\n")) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod for %s above the working directory", ModulePath)
		}
		dir = parent
	}
}

// New creates a module named modPath in a new temp directory, with files
// (slash-separated paths relative to the module root) written into it,
// and returns its root. The module requires this repository, replaced by
// its working tree, and reuses the repository's go.sum, so the go command
// needs nothing beyond the module cache.
func New(t testing.TB, modPath string, files map[string][]byte) string {
	t.Helper()
	root := RepoRoot(t)
	dir := t.TempDir()
	gomod := "module " + modPath + "\n\ngo 1.26\n\nrequire " + ModulePath + " v0.0.0\n\n" + Replace(t)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	WriteFiles(t, dir, map[string][]byte{"go.mod": []byte(gomod), "go.sum": sum})
	WriteFiles(t, dir, files)
	return dir
}

// Replace returns the replace directive that points [ModulePath] at this
// checkout, as a line of a go.mod file.
func Replace(t testing.TB) string {
	t.Helper()
	return "replace " + ModulePath + " => " + filepath.ToSlash(RepoRoot(t)) + "\n"
}

// WriteFiles writes files (slash-separated paths relative to dir).
func WriteFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ArchiveFiles returns the files of a txtar archive whose names do not
// start with prefix "want/", as New takes them.
func ArchiveFiles(ar *txtar.Archive) map[string][]byte {
	files := map[string][]byte{}
	for _, f := range ar.Files {
		if !strings.HasPrefix(f.Name, "want/") {
			files[f.Name] = f.Data
		}
	}
	return files
}

// Env returns the environment for the go command in a test module:
// module mode with -mod=mod, no workspace, and no network, so a test can
// never fetch anything.
func Env() []string {
	goflags := strings.TrimSpace(os.Getenv("GOFLAGS") + " -mod=mod")
	return append(Environ("GOFLAGS", "GOPROXY", "GOWORK", "GO111MODULE"),
		"GOFLAGS="+goflags, "GOPROXY=off", "GOWORK=off", "GO111MODULE=on")
}

// Environ returns this process's environment without the variables
// named in drop, for a go command whose settings a test makes its own.
func Environ(drop ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(drop, name) {
			env = append(env, kv)
		}
	}
	return env
}

// Go runs the go command with args in the test module dir and returns
// its combined output and exit code; it fails t only when the command
// cannot start.
func Go(t testing.TB, dir string, args ...string) (string, int) {
	t.Helper()
	return Run(t, dir, Env(), GoTool(t), args...)
}

// Run runs the program with args in dir with the environment env.
func Run(t testing.TB, dir string, env []string, program string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(program, args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		t.Fatalf("running %s %s: %v", program, strings.Join(args, " "), err)
	}
	return string(out), 0
}

// GoTool returns the path of the go command that runs the tests.
func GoTool(t testing.TB) string {
	t.Helper()
	if goroot := os.Getenv("GOROOT"); goroot != "" {
		if p := filepath.Join(goroot, "bin", "go"); fileExists(p) {
			return p
		}
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed: %v", err)
	}
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// BuildStatsgen builds cmd/statsgen of this repository into dir and
// returns the binary's path. It builds in the repository with the
// ordinary environment, which must not touch the repository's go.mod.
func BuildStatsgen(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "statsgen")
	out, code := Run(t, RepoRoot(t), os.Environ(), GoTool(t), "build", "-o", bin, "./cmd/statsgen")
	if code != 0 {
		t.Fatalf("building statsgen: %s", out)
	}
	return bin
}
