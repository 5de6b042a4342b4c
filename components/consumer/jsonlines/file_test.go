package jsonlines

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// fsizeChild is the variable that makes TestFailedWriteKeepsWholeLedgers,
// run again as a child process, write under a file-size limit: it holds
// "path mode".
const fsizeChild = "JSONLINES_FSIZE_CHILD"

// fsizeLimit is the child's file-size limit (RLIMIT_FSIZE) in bytes: a
// few ledgers of 3 lines fit, then a write fails midway with EFBIG.
const fsizeLimit = 2000

// TestFailedWriteKeepsWholeLedgers writes ledgers of 3 lines, one ledger
// a write, in a child process whose file-size limit makes a write fail
// midway (EFBIG, as on a full disk), and checks that the error is loud,
// that the file holds whole ledgers only and ends with a newline, and that
// a run started after it resumes after its last complete ledger.
func TestFailedWriteKeepsWholeLedgers(t *testing.T) {
	if spec := os.Getenv(fsizeChild); spec != "" {
		writeUnderLimit(t, spec)
		return
	}
	const perLedger, first, last = 3, 10, 100
	tests := []struct {
		mode   string
		config map[string]interface{}
	}{
		{mode: "default", config: map[string]interface{}{}},
		{mode: "append", config: map[string]interface{}{"append": true}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.jsonl")
			cmd := exec.Command(os.Args[0], "-test.run=^TestFailedWriteKeepsWholeLedgers$", "-test.count=1")
			cmd.Env = append(os.Environ(), fsizeChild+"="+path+" "+tt.mode)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, string(out))
			assert.Contains(t, string(out), "file too large", "the failed write is reported")

			data, err := os.ReadFile(path)
			require.NoError(t, err)
			require.NotEmpty(t, data, "some ledgers fit under the limit")
			assert.Less(t, len(data), fsizeLimit)
			seen := ledgersOf(t, string(data)) // checks the final newline
			for seq := uint32(first); seq < first+uint32(len(seen)); seq++ {
				assert.Equal(t, perLedger, seen[seq], "ledger %d is whole", seq)
			}
			assert.Len(t, seen, len(data)/len(ledgerLines(first, first, perLedger)), "only whole ledgers")

			if tt.mode != "default" {
				return // only the default mode resumes
			}
			c, err := NewFile(map[string]interface{}{"path": path})
			require.NoError(t, err)
			require.NoError(t, c.Start(t.Context(), cdp.Env{}))
			resumed, ok := c.Checkpoint()
			require.True(t, ok)
			for seq := uint32(first); seq <= last; seq++ {
				processLedger(t, c, seq, perLedger)
			}
			require.NoError(t, c.Close())
			assert.Less(t, resumed, uint32(first+len(seen)), "resumes at or before the last ledger the file held")
			data, err = os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, ledgerLines(first, last, perLedger), string(data), "every ledger once")
		})
	}
}

// writeUnderLimit is the child of TestFailedWriteKeepsWholeLedgers: it
// writes ledgers to the file of spec, in its mode, under the file-size
// limit, until a write fails, and prints the error.
func writeUnderLimit(t *testing.T, spec string) {
	path, mode, _ := strings.Cut(spec, " ")
	require.NoError(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: fsizeLimit, Max: fsizeLimit}))
	c, err := NewFile(map[string]interface{}{"path": path, "append": mode == "append", "buffer_size": 1})
	require.NoError(t, err)
	require.NoError(t, c.Start(t.Context(), cdp.Env{}))
	for seq := uint32(10); ; seq++ {
		if err := processLedgerErr(c, seq, 3); err != nil {
			fmt.Println("ledger", seq, "failed:", err)
			break
		}
	}
	err = c.Close()
	require.Error(t, err, "Close reports the failed write")
	fmt.Println("close:", err)
}

// processLedger gives c n lines of ledger seq, as line writes them, then
// the ledger message that ends them.
func processLedger(t *testing.T, c *SaveToJSONFile, seq uint32, n int) {
	t.Helper()
	require.NoError(t, processLedgerErr(c, seq, n))
}

func processLedgerErr(c *SaveToJSONFile, seq uint32, n int) error {
	for i := range n {
		if err := c.Process(context.Background(), cdp.Message{Payload: rawLine(line(seq, i))}); err != nil {
			return err
		}
	}
	return c.Process(context.Background(), cdp.Message{Payload: ledgers.MustBuild(ledgers.LedgerSpec{Sequence: seq})})
}

// rawLine is a payload that encodes as the JSON line l.
func rawLine(l string) json.RawMessage { return json.RawMessage(strings.TrimSuffix(l, "\n")) }
