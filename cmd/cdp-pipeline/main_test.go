package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// binary is the cdp-pipeline binary TestMain builds, stamped with
// testVersion.
var binary string

const testVersion = "v0.0.0-clitest"

// The examples' paths are relative to the repository root.
const repoRoot = "../.."

// TestMain builds the command once for every test, which run it as a user
// would, and stops the PostgreSQL they share (pgtest.Shared).
func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "cdp-pipeline-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "cdp-pipeline")
	build := exec.Command("go", "build", "-o", binary, "-ldflags", "-X main.version="+testVersion, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building cdp-pipeline: %v\n%s", err, out)
		return 1
	}
	code := m.Run()
	pgtest.StopShared()
	if code == 0 {
		// OpenCensus, which the SDK's cloud datastores import, starts a
		// worker in an init function that lives as long as the process.
		if err := goleak.Find(goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return code
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

// cleanEnv is the test's environment without the variables flowctl sets,
// which would change what the binary does.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "ENABLE_FLOWCTL", name == "HEARTBEAT_INTERVAL_SECONDS", strings.HasPrefix(name, "FLOWCTL_"):
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// command returns the binary with args, run in dir, that the test kills
// if it hangs.
func command(t *testing.T, dir string, env []string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv(env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// cli runs the binary to the end.
func cli(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd, stdout, stderr := command(t, dir, env, args...)
	return finish(t, cmd.Run(), stdout, stderr)
}

func finish(t *testing.T, err error, stdout, stderr *bytes.Buffer) result {
	t.Helper()
	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running cdp-pipeline: %v", err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// writeFile writes a file into dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// countLines counts the lines of a file, 0 when it does not exist.
func countLines(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(data, []byte("\n"))
}
