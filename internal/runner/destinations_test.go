package runner_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/registry"
	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// TestSharedDestinations checks that validate refuses two consumers that
// would clobber one destination, at the second one's place, and accepts
// those that can share it.
func TestSharedDestinations(t *testing.T) {
	dir := pubnetDatastore(t)
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out.jsonl")
	// The same file, spelled differently.
	alias := filepath.Join(tmp, "sub", "..", "out.jsonl")
	pipeline := func(name, consumers string) string {
		return fmt.Sprintf(`  %s:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %s, start_ledger: 58752000, end_ledger: 58752000}
    consumers:
%s`, name, q(dir), consumers)
	}
	file := func(id, path, extra string) string {
		return fmt.Sprintf("      - {type: SaveToJSONFile, id: %s, config: {path: %s%s}}\n", id, q(path), extra)
	}
	pg := "      - {type: SaveToPostgreSQL, id: %s, config: {dsn: \"postgres://u@db.example:5432/d\"}}\n"
	tests := []struct {
		name string
		yaml string
		want string // "" when valid
	}{
		{"two files in one pipeline",
			pipeline("a", file("x", out, "")+file("y", alias, "")),
			"FILE:8:48: pipelines.a.consumers[1]: writes to the same file as pipelines.a.consumers[0] (" + out + ")"},
		{"two files across pipelines",
			pipeline("a", file("x", out, "")) + pipeline("b", file("x", alias, "")),
			"FILE:13:48: pipelines.b.consumers[0]: writes to the same file as pipelines.a.consumers[0]"},
		{"one appends, one replaces",
			pipeline("a", file("x", out, ", append: true")) + pipeline("b", file("x", out, "")),
			"FILE:13:48: pipelines.b.consumers[0]: writes to the same file as pipelines.a.consumers[0]"},
		{"both append", pipeline("a", file("x", out, ", append: true")) + pipeline("b", file("x", alias, ", append: true")), ""},
		{"other files", pipeline("a", file("x", out, "")+file("y", out+"2", "")), ""},
		{"two consumers of one database", pipeline("a", fmt.Sprintf(pg, "x")) + pipeline("b", fmt.Sprintf(pg, "x")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeConfig(t, "pipelines:\n"+tt.yaml+"stats: {live: false}\n")
			err := newRunner(t, cfg).Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, runner.ErrInvalidConfig)
			assert.Contains(t, err.Error(), strings.ReplaceAll(tt.want, "FILE", cfg.File))
		})
	}
}

// TestAppendingPipelinesShareOneFile runs two pipelines appending to one
// file: every line of both arrives, whole.
func TestAppendingPipelinesShareOneFile(t *testing.T) {
	lcm := ledgers.MustPubnet(t)
	seq := lcm.LedgerSequence()
	want := expect(t, lcm, ledgers.PubnetPassphrase)
	dir := pubnetDatastore(t)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	source := fmt.Sprintf("start_ledger: %d, end_ledger: %d", seq, seq)
	s := twoPipelines(dir, source, dir, source)
	for i := range s.Pipelines {
		s.Pipelines[i].Out, s.Pipelines[i].OutConfig = out, "append: true"
	}
	require.NoError(t, waitRun(t, startRun(waitCtx(t), newRunner(t, s.config(t)))))
	assert.Equal(t, 2*want.lines(), countLines(t, out))
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		require.True(t, strings.HasPrefix(line, "{") && strings.HasSuffix(line, "}"), "line %d is whole: %.80s", i+1, line)
	}
}

// TestSharedDestinationsOfAnyType checks that validate refuses two
// consumers of one destination whichever lookup finds their type: the
// runner's own types too, not only the registry's.
func TestSharedDestinationsOfAnyType(t *testing.T) {
	fileConsumer := registry.Entry{Type: "FileConsumer", Kind: registry.KindConsumer,
		Validate: func(map[string]interface{}) error { return nil },
		New:      func(map[string]interface{}) (interface{}, error) { return &sleepConsumer{}, nil },
		Destinations: func(map[string]interface{}) ([]cdp.Destination, error) {
			return []cdp.Destination{{Kind: cdp.DestinationFile, Key: "/out.jsonl"}}, nil
		}}
	r := newRunner(t, writeConfig(t, `pipelines:
  p:
    source: {type: CountingSource, config: {n: 1}}
    consumers: [{type: FileConsumer, id: x}, {type: FileConsumer, id: y}]
`))
	r.WithTypes(testTypes...)
	r.WithTypes(fileConsumer)
	err := r.Validate()
	require.ErrorIs(t, err, runner.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "pipelines.p.consumers[1]: writes to the same file as pipelines.p.consumers[0] (/out.jsonl)")
}
