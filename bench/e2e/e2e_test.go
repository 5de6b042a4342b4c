package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// TestFloorAndPipelineAgree writes small datastores, and checks that the
// floor counts what expected says and that the pipeline writes one line
// per payment and event: both do the work compare measures.
func TestFloorAndPipelineAgree(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, generate(dir, 5, 2))
	tests := []struct {
		set        string
		passphrase string
		start      uint32
		n          int
	}{
		{"synthetic", ledgers.SyntheticPassphrase, ledgers.SyntheticStart, 5},
		{"pubnet", ledgers.PubnetPassphrase, ledgers.PubnetSequence, 2},
	}
	for _, tt := range tests {
		t.Run(tt.set, func(t *testing.T) {
			path := filepath.Join(dir, tt.set)
			end := tt.start + uint32(tt.n) - 1
			c, err := floor(context.Background(), path, tt.passphrase, tt.start, end)
			require.NoError(t, err)
			assert.Equal(t, tt.n, c.Ledgers)
			assert.Equal(t, expected(tt.set, tt.n), c.Payments+c.Events)

			cfg, out := filepath.Join(dir, tt.set+".yaml"), filepath.Join(dir, tt.set+".jsonl")
			require.NoError(t, writeConfig(cfg, path, tt.start, end, "        decode_workers: 3\n", out))
			var stderr bytes.Buffer
			require.NoError(t, pipelineCommand([]string{"-config", cfg}, &stderr), stderr.String())
			raw, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, expected(tt.set, tt.n), bytes.Count(raw, []byte{'\n'}))
		})
	}
}

// TestGenerateOnce checks that a datastore already holding the ledgers
// asked for is kept.
func TestGenerateOnce(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, generate(dir, 3, 1))
	ready := filepath.Join(dir, syntheticDir, readyFile)
	before, err := os.Stat(ready)
	require.NoError(t, err)
	require.NoError(t, generate(dir, 2, 1))
	after, err := os.Stat(ready)
	require.NoError(t, err)
	assert.Equal(t, before.ModTime(), after.ModTime())
}
