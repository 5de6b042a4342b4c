package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunReportAndCompare runs the README's example twice with -report,
// the second time with one pipeline only, and compares the two reports.
func TestRunReportAndCompare(t *testing.T) {
	dir := exampleDir(t)
	res := cli(t, dir, nil, "run", "-config", "examples/local/pipeline.yaml", "-report", "a.json")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Regexp(t, `(?m)^pubnet-sample: (source-bound \(waiting on I/O\)|cpu-bound|sink-bound) in \w+ \S+ \(\d+% of self time\); self time shares of `, res.stderr,
		"the bottleneck after the summary")

	data, err := os.ReadFile(filepath.Join(dir, "a.json"))
	require.NoError(t, err)
	var rep struct {
		Version   string `json:"version"`
		Pipelines []struct {
			Name        string `json:"name"`
			LedgersDone int    `json:"ledgers_done"`
		} `json:"pipelines"`
	}
	require.NoError(t, json.Unmarshal(data, &rep), string(data))
	assert.Equal(t, testVersion, rep.Version)
	require.Len(t, rep.Pipelines, 2)
	assert.Equal(t, "pubnet-sample", rep.Pipelines[0].Name)
	assert.Equal(t, 1, rep.Pipelines[0].LedgersDone)

	res = cli(t, dir, nil, "run", "-config", "examples/local/pipeline.yaml", "-pipeline", "pubnet-sample", "-report", "b.json")
	require.Equal(t, 0, res.code, res.stderr)

	res = cli(t, dir, nil, "compare", "a.json", "b.json")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, "same config")
	assert.Regexp(t, `(?m)^pubnet-sample\s+ledgers/s\s+[0-9.]+\s+[0-9.]+\s+([+-][0-9.]+%|0%)`, res.stdout)
	assert.Regexp(t, `(?m)^pubnet-sample\s+CPU s per 1000 ledgers\s`, res.stdout)
	assert.Regexp(t, `(?m)^pubnet-sample\s+bottleneck\s`, res.stdout)
	assert.Regexp(t, `(?m)^pubnet-2024-usdc\s+\(only in A\)`, res.stdout)
}

func TestCompareErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "bad.json", "{")
	writeFile(t, dir, "old.json", `{"schema_version": 0}`)
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"one report", []string{"compare", "a.json"}, "want two run reports: A.json B.json"},
		{"missing", []string{"compare", "nope.json", "bad.json"}, "open nope.json"},
		{"not JSON", []string{"compare", "bad.json", "bad.json"}, "report: bad.json: unexpected end of JSON input"},
		{"another layout", []string{"compare", "old.json", "old.json"}, "report: old.json: schema_version 0, want 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := cli(t, dir, nil, tt.args...)
			assert.Equal(t, 2, res.code)
			assert.Contains(t, res.stderr, tt.stderr)
		})
	}
}
