package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/consumer/jsonlines"
)

const yesterday = "{\"from\":\"yesterday\"}\n"

// TestSaveToJSONFileKeepsTheOldFileUntilTheRunWrites runs SaveToJSONFile
// over a file holding yesterday's output, in every mode, through each way
// a run can end.
func TestSaveToJSONFileKeepsTheOldFileUntilTheRunWrites(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]interface{}
		write  bool // the run writes a line and ends its ledger
		abort  bool // the run does not complete
		want   string
	}{
		{"built only", nil, false, false, yesterday},
		{"started then aborted", nil, false, true, yesterday},
		{"completed without a line", nil, false, false, ""},
		{"completed", nil, true, false, "{\"n\":1}\n"},
		{"aborted after writing", nil, true, true, "{\"n\":1}\n"},
		{"append, aborted", map[string]interface{}{"append": true}, true, true, yesterday + "{\"n\":1}\n"},
		{"append, completed", map[string]interface{}{"append": true}, true, false, yesterday + "{\"n\":1}\n"},
		{"atomic, aborted after writing", map[string]interface{}{"atomic": true}, true, true, yesterday},
		{"atomic, completed", map[string]interface{}{"atomic": true}, true, false, "{\"n\":1}\n"},
		{"atomic, completed without a line", map[string]interface{}{"atomic": true}, false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.jsonl")
			require.NoError(t, os.WriteFile(path, []byte(yesterday), 0o644))
			cfg := map[string]interface{}{"path": path}
			for k, v := range tt.config {
				cfg[k] = v
			}
			c, err := jsonlines.NewFile(cfg)
			require.NoError(t, err)
			if tt.name != "built only" {
				require.NoError(t, c.Start(testContext(t), cdp.Env{}))
			}
			if tt.write {
				require.NoError(t, c.Process(testContext(t), msgOf(map[string]int{"n": 1})))
				require.NoError(t, c.Process(testContext(t), ledgerEnd(t, 7)))
			}
			if tt.abort || tt.name == "built only" {
				require.NoError(t, c.Abort())
			} else {
				require.NoError(t, c.Close())
			}
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file is left behind")
			if !tt.abort && tt.name != "built only" {
				info, err := os.Stat(path)
				require.NoError(t, err)
				assert.Equal(t, os.FileMode(0o644), info.Mode().Perm())
			}
		})
	}
}

func TestSaveToJSONFileRefusesAtomicAppend(t *testing.T) {
	_, err := jsonlines.NewFile(map[string]interface{}{"path": filepath.Join(t.TempDir(), "x"), "append": true, "atomic": true})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `config key "atomic"`)
}

// TestSaveToJSONFileAppendersShareOneWriter has two consumers append to
// one file at once: every line of both arrives, whole.
func TestSaveToJSONFileAppendersShareOneWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	const perConsumer = 5000
	payload := map[string]string{"pad": strings.Repeat("x", 100)}
	var wg sync.WaitGroup
	consumers := make([]*jsonlines.SaveToJSONFile, 2)
	for i := range consumers {
		c, err := jsonlines.NewFile(map[string]interface{}{"path": path, "append": true})
		require.NoError(t, err)
		require.NoError(t, c.Start(testContext(t), cdp.Env{}))
		consumers[i] = c
	}
	for _, c := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perConsumer {
				assert.NoError(t, c.Process(testContext(t), msgOf(payload)))
			}
		}()
	}
	wg.Wait()
	for _, c := range consumers {
		require.NoError(t, c.Close())
	}
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	assert.Len(t, lines, 2*perConsumer)
	want := `{"pad":"` + strings.Repeat("x", 100) + `"}`
	for i, l := range lines {
		if !assert.Equal(t, want, l, "line %d", i+1) {
			break
		}
	}
}
