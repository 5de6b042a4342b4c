package runner_test

import (
	"bytes"
	"fmt"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/runner"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// TestLiveLineAndSummary runs a bounded pipeline with the live line on and
// checks the status output on a terminal and elsewhere.
func TestLiveLineAndSummary(t *testing.T) {
	dir := pubnetDatastore(t)
	lcm := ledgers.MustPubnet(t)
	seq := lcm.LedgerSequence()
	want := expect(t, lcm, ledgers.PubnetPassphrase)
	p, e := len(want.Payments), len(want.Events)
	// Every processor passes the ledger on after its own output.
	final := fmt.Sprintf("e2e: ledger %d | ", seq) // then the rate over the run
	// then the component with the most self time over the last interval
	flows := fmt.Sprintf(" | BufferedStorageSourceAdapter →1 | FilterPayments 1→%d | ContractEvent %d→%d | SaveToJSONFile %d→ | errors 0 | bottleneck ",
		p+1, p+1, p+e+1, p+e+1)

	tests := []struct {
		name     string
		status   func(*runner.Runner, *bytes.Buffer)
		terminal bool
	}{
		{"plain writer", func(r *runner.Runner, b *bytes.Buffer) { r.Status = b }, false},
		{"plain writer on a terminal", func(r *runner.Runner, b *bytes.Buffer) { r.Status, r.Terminal = b, true }, true},
		{"console", func(r *runner.Runner, b *bytes.Buffer) { r.Status = runner.NewConsole(b, false) }, false},
		{"console on a terminal", func(r *runner.Runner, b *bytes.Buffer) { r.Status = runner.NewConsole(b, true) }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, err := (&spec{
				Pipelines: []pipelineSpec{{Dir: dir, Source: fmt.Sprintf("start_ledger: %d, end_ledger: %d", seq, seq)}},
				Stats:     "interval: 20ms, live: true",
			}).runToEnd(t, func(r *runner.Runner) { tt.status(r, &buf) })
			require.NoError(t, err)

			got := buf.String()
			lines := regexp.MustCompile(`(?m)^.*e2e: ledger .*$`).FindAllString(got, -1)
			require.NotEmpty(t, lines)
			last := lines[len(lines)-1]
			assert.Contains(t, last, final)
			assert.Contains(t, last, flows)
			assert.Regexp(t, ` \| bottleneck \S+ \d+%$`, last)
			if tt.terminal {
				assert.Contains(t, got, "\x1b[", "redrawn in place")
				assert.Contains(t, lines[0], "e2e: ledger - |", "the first line is drawn at once")
			} else {
				assert.NotContains(t, got, "\x1b", "no control sequences outside a terminal")
				assert.Len(t, lines, 1, "a short run outside a terminal prints its final line only")
			}
			assert.Regexp(t, fmt.Sprintf(`(?m)pipeline\s+component\s+kind\s+in\s+out\s+errors\s+latency p50 ms\s+p99 ms\s*\n`+
				`e2e\s+BufferedStorageSourceAdapter\s+source\s+-\s+1\s+0\s+[0-9.]+\s+[0-9.]+\s*\n`+
				`e2e\s+FilterPayments\s+processor\s+1\s+%d\s+0\s`, p+1), got)
			assert.Regexp(t, `(?m)^done in \S+$`, got)
		})
	}
}
