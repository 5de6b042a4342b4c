package runner_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// TestRunThatCannotStartKeepsOutputs runs a config whose last component
// cannot start (a database that does not answer): the run fails, naming
// the component's place, and the files of yesterday's run, in every mode
// of SaveToJSONFile and in another pipeline, are byte-identical.
func TestRunThatCannotStartKeepsOutputs(t *testing.T) {
	seq := ledgers.MustPubnet(t).LedgerSequence()
	dir := pubnetDatastore(t)
	tmp := t.TempDir()
	outs := map[string]string{}
	for _, mode := range []string{"replace", "append", "atomic"} {
		outs[mode] = filepath.Join(tmp, mode+".jsonl")
		require.NoError(t, os.WriteFile(outs[mode], []byte(`{"yesterday":"`+mode+`"}`+"\n"), 0o644))
	}
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := refused.Addr().String()
	require.NoError(t, refused.Close()) // nothing listens there now

	cfg := writeConfig(t, fmt.Sprintf(`
pipelines:
  first:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %s, start_ledger: %d, end_ledger: %d}
    consumers:
      - {type: SaveToJSONFile, config: {path: %s}}
      - {type: SaveToJSONFile, id: appender, config: {path: %s, append: true}}
  second:
    source:
      type: BufferedStorageSourceAdapter
      config: {path: %s, start_ledger: %d, end_ledger: %d}
    processors: [{type: FilterPayments}]
    consumers:
      - {type: SaveToJSONFile, config: {path: %s, atomic: true}}
      - type: SaveToPostgreSQL
        config: {dsn: "postgres://u@%s/d?sslmode=disable", connect_timeout: 2s}
stats: {interval: 20ms, live: false}
`, q(dir), seq, seq, q(outs["replace"]), q(outs["append"]), q(dir), seq, seq, q(outs["atomic"]), addr))

	err = waitRun(t, startRun(waitCtx(t), newRunner(t, cfg)))
	require.Error(t, err)
	assert.NotErrorIs(t, err, runner.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "starting pipeline second")
	assert.Contains(t, err.Error(), cfg.File+":17:9: pipelines.second.consumers[1]")
	for mode, path := range outs {
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, `{"yesterday":"`+mode+`"}`+"\n", string(got), mode)
	}
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Len(t, entries, len(outs), "no temporary file is left behind")
}
