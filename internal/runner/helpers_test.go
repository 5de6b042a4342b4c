package runner_test

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// waitTimeout bounds every wait for something the pipeline does. It is
// never an expectation of speed: only how long a broken test hangs.
const waitTimeout = 20 * time.Second

// waitCtx returns a context that ends after waitTimeout or with the test.
func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// noEnv hides the environment from the runner, so that flowctl variables
// set where the tests run do not change them.
func noEnv(string) (string, bool) { return "", false }

// envOf returns a lookup of the given variables only.
func envOf(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

// testLogger logs to the test's output, so that a failing test shows what
// the runner said.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, nil))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// writeConfig writes a config file into a fresh directory and loads it.
func writeConfig(t *testing.T, yaml string) *runner.Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pipeline.yaml")
	require.NoError(t, os.WriteFile(path, []byte(yaml), 0o644))
	cfg, err := runner.LoadConfig(path)
	require.NoError(t, err, "config:\n%s", yaml)
	return cfg
}

// newRunner returns a runner of cfg that sees no environment and logs to
// the test.
func newRunner(t *testing.T, cfg *runner.Config) *runner.Runner {
	return &runner.Runner{Config: cfg, Logger: testLogger(t), Env: noEnv}
}

// startRun runs r in the background until ctx ends; the channel receives
// Run's result.
func startRun(ctx context.Context, r *runner.Runner) <-chan error {
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	return done
}

// waitRun waits for Run's result.
func waitRun(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(waitTimeout):
		t.Fatal("Run did not return")
		return nil
	}
}

// realLedger is one of the real pubnet ledgers the SDK ships, in a
// datastore of its own.
type realLedger struct {
	name string
	lcm  xdr.LedgerCloseMeta
	dir  string // the datastore
}

// realLedgers returns both real ledgers, each in a fresh datastore: ledger
// 58752000 re-encoded from its raw XDR, and ledger 53312000 as galexie
// wrote it.
func realLedgers(t *testing.T) []realLedger {
	t.Helper()
	galexie := t.TempDir()
	require.NoError(t, ledgers.WriteDatastore(galexie, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles))
	require.NoError(t, ledgers.WriteGalexieFile(galexie))
	return []realLedger{
		{name: "pubnet 58752000", lcm: ledgers.MustPubnet(t), dir: pubnetDatastore(t)},
		{name: "galexie 53312000", lcm: ledgers.MustGalexie(t), dir: galexie},
	}
}

// pubnetDatastore writes ledger 58752000 into a fresh datastore.
func pubnetDatastore(t *testing.T) string {
	return ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, ledgers.MustPubnet(t))
}

// ledgerFileSize returns the size of the datastore file holding seq.
func ledgerFileSize(t *testing.T, dir string, seq uint32) float64 {
	t.Helper()
	info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(ledgers.SingleLedgerFiles.ObjectKey(seq))))
	require.NoError(t, err)
	return float64(info.Size())
}

// countLines returns the lines of a file, 0 when it does not exist yet.
func countLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return 0
	}
	require.NoError(t, err)
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		n++
	}
	require.NoError(t, sc.Err())
	return n
}

// fileSize returns the size of a file.
func fileSize(t *testing.T, path string) float64 {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err)
	return float64(info.Size())
}

// q quotes a string for a YAML flow scalar.
func q(s string) string { return fmt.Sprintf("%q", s) }

// waitUntil polls cond until it holds, failing the test after
// waitTimeout. It is for what only shows outside the runner, such as lines
// in an output file.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", waitTimeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
