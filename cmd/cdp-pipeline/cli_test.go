package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/controlplane"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/internal/testfixtures/pgtest"
)

// pubnetLines is what FilterPayments and ContractEvent find in pubnet
// ledger 58752000: 159 payments and 18 contract events (see
// examples/datastore/README.md; internal/runner's tests compute them from
// the XDR).
const pubnetLines = 159 + 18

// pipelineYAML is one pipeline over the real ledger in dir, FilterPayments
// and ContractEvent, with the given source range keys and consumer.
func pipelineYAML(dir, rangeKeys, consumer string) string {
	return fmt.Sprintf(`pipelines:
  p:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %q, %s}
    processors:
      - type: FilterPayments
      - type: ContractEvent
    consumers:
      - %s
stats: {interval: 50ms}
`, dir, rangeKeys, consumer)
}

// oneLedger is the source range of the real ledger alone; unbounded reads
// it and then waits for more until stopped.
var (
	oneLedger = fmt.Sprintf("start_ledger: %d, end_ledger: %d", ledgers.PubnetSequence, ledgers.PubnetSequence)
	unbounded = fmt.Sprintf("start_ledger: %d, retry_wait: 50ms", ledgers.PubnetSequence)
)

func jsonFileConsumer(path string) string {
	return fmt.Sprintf("{type: SaveToJSONFile, config: {path: %q}}", path)
}

func TestVersion(t *testing.T) {
	res := cli(t, repoRoot, nil, "version")
	assert.Equal(t, 0, res.code)
	assert.Equal(t, "cdp-pipeline "+testVersion+"\n", res.stdout)
	assert.Empty(t, res.stderr)
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no command", nil, "usage:"},
		{"unknown command", []string{"runn"}, `cdp-pipeline: unknown command "runn"`},
		{"run without -config", []string{"run"}, "cdp-pipeline run: -config is required"},
		{"unknown flag", []string{"validate", "-confg", "x.yaml"}, "flag provided but not defined: -confg"},
		{"bad log format", []string{"run", "-config", "x.yaml", "-log-format", "xml"}, `-log-format "xml": want text or json`},
		{"missing config file", []string{"validate", "-config", "nope.yaml"}, "reading config: open nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cli(t, t.TempDir(), nil, tt.args...)
			assert.Equal(t, 2, res.code)
			assert.Contains(t, res.stderr, tt.stderr)
			assert.Empty(t, res.stdout)
		})
	}
}

func TestValidate(t *testing.T) {
	tmp := t.TempDir()
	dir := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, ledgers.MustPubnet(t))
	out := filepath.Join(tmp, "out.jsonl")
	good := writeFile(t, tmp, "good.yaml", pipelineYAML(dir, oneLedger, jsonFileConsumer(out)))
	badType := writeFile(t, tmp, "bad-type.yaml", strings.Replace(pipelineYAML(dir, oneLedger, jsonFileConsumer(out)),
		"type: FilterPayments", "type: FilterPayment", 1))
	badYAML := writeFile(t, tmp, "bad-key.yaml", pipelineYAML(dir, oneLedger, jsonFileConsumer(out))+"metric: {enabled: true}\n")
	endless := writeFile(t, tmp, "unbounded.yaml", pipelineYAML(dir, unbounded, jsonFileConsumer(out)))

	tests := []struct {
		name   string
		args   []string
		env    []string
		code   int
		stderr string
	}{
		{"local example", []string{"-config", "examples/local/pipeline.yaml"}, nil, 0, "examples/local/pipeline.yaml: ok\n"},
		{"postgres example", []string{"-config", "examples/postgres/pipeline.yaml"}, nil, 0, "examples/postgres/pipeline.yaml: ok\n"},
		{"one pipeline of the example", []string{"-config", "examples/local/pipeline.yaml", "-pipeline", "pubnet-sample"}, nil, 0, "ok\n"},
		{"good", []string{"-config", good}, nil, 0, good + ": ok\n"},
		{"unknown type", []string{"-config", badType}, nil, 2,
			badType + `:7:15: pipelines.p.processors[0].type: unknown processor type "FilterPayment"; did you mean "FilterPayments"?`},
		{"unknown top-level key", []string{"-config", badYAML}, nil, 2,
			badYAML + `:12:1: metric: unknown key "metric"; did you mean "metrics"?`},
		{"unknown pipeline", []string{"-config", "examples/local/pipeline.yaml", "-pipeline", "pubnet"}, nil, 2,
			`examples/local/pipeline.yaml: no pipeline "pubnet"`},
		{"bad flowctl env var", []string{"-config", good}, []string{"FLOWCTL_HEARTBEAT_INTERVAL=abc"}, 2,
			`FLOWCTL_HEARTBEAT_INTERVAL="abc": want a duration such as 10s, or a number of seconds`},
		{"a shard", []string{"-config", good, "-shard", "1/2"}, nil, 0, good + ": ok\n"},
		{"a shard of an indexed job", []string{"-config", good}, []string{"JOB_COMPLETION_INDEX=1", "CDP_SHARD_COUNT=2"}, 0, good + ": ok\n"},
		{"a shard index out of range", []string{"-config", good, "-shard", "2/2"}, nil, 2,
			`cdp-pipeline validate: -shard "2/2": shard index 2 is out of range for 2 shards`},
		{"a shard count without an index", []string{"-config", good}, []string{"CDP_SHARD_COUNT=2"}, 2,
			`cdp-pipeline validate: CDP_SHARD_COUNT="2" is set but JOB_COMPLETION_INDEX is not`},
		{"flag and env disagree", []string{"-config", good, "-shard", "0/2"}, []string{"CDP_SHARD=1/2"}, 2,
			`-shard says shard 0/2 but CDP_SHARD says 1/2`},
		{"a shard of an unbounded range", []string{"-config", endless, "-shard", "0/2"}, nil, 2,
			endless + `:4:7: pipelines.p.source.config.end_ledger: end_ledger is 0, an unbounded range (run until stopped), which cannot be split into shards: set end_ledger; shard 0/2 was asked for`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cli(t, repoRoot, tt.env, append([]string{"validate"}, tt.args...)...)
			assert.Equal(t, tt.code, res.code, res.stderr)
			assert.Contains(t, res.stderr, tt.stderr)
			assert.Empty(t, res.stdout)
			assert.NoFileExists(t, out, "validate runs nothing")
		})
	}
}

// exampleDir is a directory laid out like the repository root for the
// local example, which reads examples/datastore and writes into out/.
func exampleDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	examples, err := filepath.Abs(filepath.Join(repoRoot, "examples"))
	require.NoError(t, err)
	require.NoError(t, os.Symlink(examples, filepath.Join(dir, "examples")))
	return dir // no out/: the run creates it, as in a fresh checkout
}

// TestRunExample runs the README's main command.
func TestRunExample(t *testing.T) {
	dir := exampleDir(t)
	res := cli(t, dir, nil, "run", "-config", "examples/local/pipeline.yaml")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Empty(t, res.stdout, "stdout stays clean")
	assert.Equal(t, pubnetLines, countLines(t, filepath.Join(dir, "out/pubnet-sample.jsonl")))

	// The second pipeline keeps USDC payments of at least 100.
	f, err := os.Open(filepath.Join(dir, "out/pubnet-2024-usdc.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		var p struct{ Asset, Amount string }
		require.NoError(t, json.Unmarshal(sc.Bytes(), &p))
		assert.Equal(t, "USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN", p.Asset)
		assert.Regexp(t, `^([1-9][0-9]{2,})\.[0-9]{7}$`, p.Amount, "at least 100")
	}
	assert.Positive(t, n)

	assert.Contains(t, res.stderr, "pubnet-sample: ledger 58752000 | ", "the live line")
	assert.Regexp(t, `(?m)^pubnet-2024-usdc\s+usdc-100\s+processor\s`, res.stderr, "the summary")
	assert.Regexp(t, `(?m)^done in `, res.stderr)
	assert.Contains(t, res.stderr, `level=INFO msg="pipelines started" count=2`)
}

// TestRunStdoutConsumer checks that with StdoutConsumer stdout holds the
// JSON lines only, and the live line, summary and logs go to stderr.
func TestRunStdoutConsumer(t *testing.T) {
	tmp := t.TempDir()
	dir := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, ledgers.MustPubnet(t))
	cfg := writeFile(t, tmp, "p.yaml", pipelineYAML(dir, oneLedger, "{type: StdoutConsumer}"))
	res := cli(t, tmp, nil, "run", "-config", cfg)
	require.Equal(t, 0, res.code, res.stderr)
	lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
	assert.Len(t, lines, pubnetLines)
	for _, l := range lines {
		if !assert.True(t, json.Valid([]byte(l)) && strings.HasPrefix(l, "{"), "not a JSON object: %q", l) {
			break
		}
	}
	assert.Contains(t, res.stderr, "p: ledger 58752000 | ")
	assert.Regexp(t, `(?m)^done in `, res.stderr)
}

// TestSignalDrains stops an unbounded run with a signal: it drains,
// flushes the consumer and exits 0.
func TestSignalDrains(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			dir := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, ledgers.MustPubnet(t))
			out := filepath.Join(tmp, "out.jsonl")
			cfg := writeFile(t, tmp, "p.yaml", pipelineYAML(dir, unbounded, jsonFileConsumer(out)))
			cmd, stdout, stderr := command(t, tmp, nil, "run", "-config", cfg)
			require.NoError(t, cmd.Start())

			// The ledger is written once it is read; then the run waits for
			// the next ledger, which never comes, until the signal.
			deadline := time.Now().Add(time.Minute)
			for countLines(t, out) < pubnetLines {
				require.True(t, time.Now().Before(deadline), "the ledger was not processed:\n%s", stderr)
				time.Sleep(10 * time.Millisecond)
			}
			require.NoError(t, cmd.Process.Signal(sig))
			res := finish(t, cmd.Wait(), stdout, stderr)

			assert.Equal(t, 0, res.code, res.stderr)
			assert.Empty(t, res.stdout)
			assert.Equal(t, pubnetLines, countLines(t, out))
			assert.Contains(t, res.stderr, `msg="pipeline stopping" pipeline=p reason=signal`)
			assert.Contains(t, res.stderr, `msg="pipeline drained" pipeline=p error=<nil>`)
			assert.Regexp(t, `(?m)^p\s+SaveToJSONFile\s+consumer\s+`+fmt.Sprint(pubnetLines+1)+`\s`, res.stderr, "the summary after the drain")
		})
	}
}

// TestRunFailures checks that a pipeline that fails exits 1 with the
// error, and a bad config exits 2 with nothing run.
func TestRunFailures(t *testing.T) {
	tmp := t.TempDir()
	dir := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, ledgers.MustPubnet(t))
	out := filepath.Join(tmp, "out.jsonl")
	pastTheEnd := fmt.Sprintf("start_ledger: %d, end_ledger: %d", ledgers.PubnetSequence, ledgers.PubnetSequence+1)
	require.NoError(t, os.WriteFile(filepath.Join(tmp, "a-file"), nil, 0o644))

	// A datastore whose second ledger is corrupt: the first is read and
	// written, then the run fails.
	corrupt := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, ledgers.MustPubnet(t))
	next := filepath.Join(corrupt, filepath.FromSlash(ledgers.SingleLedgerFiles.ObjectKey(ledgers.PubnetSequence+1)))
	require.NoError(t, os.WriteFile(next, []byte("not a zstd stream"), 0o644))

	tests := []struct {
		name   string
		yaml   string
		code   int
		stderr []string
		lines  int // in out afterwards; -1 for any
	}{
		{
			name: "a corrupt ledger file",
			yaml: pipelineYAML(corrupt, pastTheEnd, jsonFileConsumer(out)),
			code: 1,
			stderr: []string{
				`level=ERROR msg="pipeline failed" error="pipeline p: reading ledger 58752001`,
				"decompressing",
			},
			lines: pubnetLines, // the ledger before was written and flushed
		},
		{
			name: "a ledger missing from the datastore",
			yaml: pipelineYAML(dir, pastTheEnd, jsonFileConsumer(out)),
			code: 1,
			stderr: []string{
				`level=ERROR msg="pipeline failed" error="pipeline p: ledger 58752001 (file FC7F83FF--58752000-58815999/FC7F83FE--58752001.xdr.zst) is missing from datastore`,
				"file does not exist",
			},
			lines: -1, // what the consumer wrote of ledger 58752000 before the failure is its business
		},
		{
			name:   "an output path that cannot be created",
			yaml:   pipelineYAML(dir, oneLedger, jsonFileConsumer(filepath.Join(tmp, "a-file", "out.jsonl"))),
			code:   1,
			stderr: []string{`level=ERROR msg="pipeline failed"`, `:10:41: pipelines.p.consumers[0].config.path: config key \"path\": cannot create the directory`},
		},
		{
			name:   "a datastore that is not there",
			yaml:   pipelineYAML(filepath.Join(tmp, "nowhere"), oneLedger, jsonFileConsumer(out)),
			code:   2,
			stderr: []string{`:5:16: pipelines.p.source.config.path: datastore directory`},
		},
		{
			name:   "an unknown component type",
			yaml:   strings.Replace(pipelineYAML(dir, oneLedger, jsonFileConsumer(out)), "ContractEvent", "ContractEvents", 1),
			code:   2,
			stderr: []string{`:8:15: pipelines.p.processors[1].type: unknown processor type "ContractEvents"; did you mean "ContractEvent"?`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(out)
			cfg := writeFile(t, tmp, "p.yaml", tt.yaml)
			res := cli(t, tmp, nil, "run", "-config", cfg)
			assert.Equal(t, tt.code, res.code, res.stderr)
			for _, s := range tt.stderr {
				assert.Contains(t, res.stderr, s)
			}
			assert.Empty(t, res.stdout)
			if tt.lines >= 0 {
				assert.Equal(t, tt.lines, countLines(t, out))
			}
			if tt.lines == 0 {
				assert.NoFileExists(t, out, "nothing ran")
			}
		})
	}
}

// TestJSONLogs checks -log-format json: every log line is a JSON object;
// the live line and the summary stay plain text.
func TestJSONLogs(t *testing.T) {
	tmp := t.TempDir()
	dir := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, ledgers.MustPubnet(t))
	cfg := writeFile(t, tmp, "p.yaml", pipelineYAML(dir, oneLedger, jsonFileConsumer(filepath.Join(tmp, "out.jsonl"))))
	res := cli(t, tmp, nil, "run", "-config", cfg, "-log-format", "json")
	require.Equal(t, 0, res.code, res.stderr)

	var msgs []string
	for _, line := range strings.Split(strings.TrimSuffix(res.stderr, "\n"), "\n") {
		if !strings.HasPrefix(line, "{") {
			assert.NotContains(t, line, "level=", "a text log line")
			continue
		}
		var entry struct {
			Time  time.Time
			Level string
			Msg   string
		}
		require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
		assert.False(t, entry.Time.IsZero(), line)
		assert.NotEmpty(t, entry.Level, line)
		msgs = append(msgs, entry.Msg)
	}
	assert.Contains(t, msgs, "pipelines started")
	assert.Contains(t, msgs, "pipeline drained")
	assert.Regexp(t, regexp.MustCompile(`(?m)^done in `), res.stderr)
}

// TestFlowctlFromEnv runs the command the way flowctl v0.0.5's process
// orchestrator starts it, with its env vars and nothing about flowctl in
// the config, and checks what a control plane like v0.0.5 received.
func TestFlowctlFromEnv(t *testing.T) {
	cp, err := controlplane.Start(controlplane.WithMode(controlplane.ModeV005))
	require.NoError(t, err)
	t.Cleanup(cp.Stop)
	tmp := t.TempDir()
	dir := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, ledgers.MustPubnet(t))
	cfg := writeFile(t, tmp, "p.yaml", pipelineYAML(dir, oneLedger, jsonFileConsumer(filepath.Join(tmp, "out.jsonl"))))

	res := cli(t, tmp, []string{
		"ENABLE_FLOWCTL=true",
		"FLOWCTL_ENDPOINT=" + cp.Addr(),
		"FLOWCTL_SERVICE_ID=payments-1",
		"FLOWCTL_COMPONENT_ID=payments-1",
		"FLOWCTL_HEARTBEAT_INTERVAL=50ms",
	}, "run", "-config", cfg)
	require.Equal(t, 0, res.code, res.stderr)

	snap := cp.Snapshot()
	require.Len(t, snap.Registrations, 5, "the pipeline and its four components")
	assert.Equal(t, "payments-1", snap.Registrations[0].ServiceID)
	assert.Equal(t, "payments-1", snap.Registrations[0].ComponentID)
	assert.Equal(t, controlplane.Legacy, snap.Registrations[0].API, "auto falls back to legacy on v0.0.5")
	var final controlplane.Heartbeat // the one sent last: see internal/runner's tests
	for _, hb := range snap.AcceptedFor("payments-1") {
		if hb.Timestamp.After(final.Timestamp) {
			final = hb
		}
	}
	assert.Equal(t, 1.0, final.Metrics["source.BufferedStorageSourceAdapter.ledgers_processed"])
	assert.Equal(t, float64(pubnetLines), final.Metrics["consumer.SaveToJSONFile.messages_written"])
	assert.Contains(t, res.stderr, `msg="flowctl: sent final heartbeat"`)
	assert.Contains(t, res.stderr, `msg="flowctl: using API legacy"`)
	assert.NotContains(t, res.stderr, "conflicting env vars", "flowctl sets both ID variables to one value")
}

// TestConfigRefusals checks config errors that validate and run both
// refuse with exit code 2: a second YAML document, at the line of its
// marker, and a bad value under a secret-looking key, which is never
// echoed.
func TestConfigRefusals(t *testing.T) {
	tmp := t.TempDir()
	dir := ledgers.NewDatastore(t, ledgers.PubnetPassphrase, ledgers.SingleLedgerFiles, ledgers.MustPubnet(t))
	out := filepath.Join(tmp, "out.jsonl")
	good := pipelineYAML(dir, oneLedger, jsonFileConsumer(out))
	tests := []struct {
		name   string
		yaml   string
		stderr string
		absent string
	}{
		{"a second document", good + "---\nstats: {live: false}\n",
			":12:1: ---: a second YAML document; a config file holds one document", ""},
		{"a numeric password", pipelineYAML(dir, oneLedger, "{type: SaveToPostgreSQL, config: {host: /nowhere, password: 987654321}}"),
			`:10:59: pipelines.p.consumers[0].config.password: must be a string, got an integer (the value is not shown: the key may hold a secret)`,
			"987654321"},
	}
	for _, tt := range tests {
		cfg := writeFile(t, tmp, "p.yaml", tt.yaml)
		for _, cmd := range []string{"validate", "run"} {
			t.Run(tt.name+"/"+cmd, func(t *testing.T) {
				res := cli(t, tmp, nil, cmd, "-config", cfg)
				assert.Equal(t, 2, res.code, res.stderr)
				assert.Contains(t, res.stderr, tt.stderr)
				if tt.absent != "" {
					assert.NotContains(t, res.stderr, tt.absent)
				}
				assert.NoFileExists(t, out)
			})
		}
	}
}

// TestComponentLogsFollowTheFlags kills PostgreSQL while SaveToPostgreSQL
// writes, so that it retries and logs at WARN: the component's logs go
// through the runner's logger, so -log-format json -log-level error
// prints no text line and no WARN line, and -log-level warn prints the
// component's WARN lines as JSON.
func TestComponentLogsFollowTheFlags(t *testing.T) {
	tests := []struct {
		level string
		warn  bool
	}{
		{"error", false},
		{"warn", true},
	}
	for _, tt := range tests {
		t.Run(tt.level, func(t *testing.T) {
			pg := pgtest.Start(t)
			res := pgFault(t, pg, pg.Host(), pg.Kill, pg.Start, "-log-level", tt.level)
			assertLogs(t, res.stderr, strings.ToUpper(tt.level))
			if tt.warn {
				assert.Contains(t, res.stderr, `"level":"WARN","msg":"writing batch failed; retrying"`)
			} else {
				assert.NotContains(t, res.stderr, "WARN")
			}
		})
	}
}
