package runner

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// block is a status block as a terminal Console draws it.
func block(lines ...string) string {
	s := ansiWrapOff
	for _, l := range lines {
		s += l + "\n"
	}
	return s + ansiWrapOn
}

// erase is what moves back over a status block of n lines and clears it.
func erase(n int) string { return fmt.Sprintf(ansiUpFormat, n) + ansiClearDown }

func TestConsole(t *testing.T) {
	type step struct {
		status []string // setStatus when not nil
		log    string   // Write when not empty
		keep   bool     // keepStatus
	}
	tests := []struct {
		name     string
		terminal bool
		steps    []step
		want     string
	}{
		{
			name:     "terminal: logs scroll above the status block",
			terminal: true,
			steps: []step{
				{log: "before\n"},
				{status: []string{"a 1", "b 1"}},
				{log: "log 1\n"},
				{status: []string{"a 2", "b 2"}},
				{log: "log 2"},
			},
			want: "before\n" +
				block("a 1", "b 1") +
				erase(2) + "log 1\n" + block("a 1", "b 1") +
				erase(2) + block("a 2", "b 2") +
				erase(2) + "log 2\n" + block("a 2", "b 2"),
		},
		{
			name:     "terminal: a kept block stays and what follows goes below",
			terminal: true,
			steps: []step{
				{status: []string{"final"}},
				{keep: true},
				{log: "summary\n"},
			},
			want: block("final") + "summary\n",
		},
		{
			name: "elsewhere: everything in order, no control sequences",
			steps: []step{
				{status: []string{"a 1", "b 1"}},
				{log: "log 1\n"},
				{status: []string{"a 2", "b 2"}},
				{keep: true},
				{log: "summary\n"},
			},
			want: "a 1\nb 1\nlog 1\na 2\nb 2\nsummary\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			c := NewConsole(&buf, tt.terminal)
			assert.Equal(t, tt.terminal, c.Terminal())
			for _, s := range tt.steps {
				switch {
				case s.status != nil:
					c.setStatus(s.status)
				case s.keep:
					c.keepStatus()
				default:
					n, err := c.Write([]byte(s.log))
					assert.NoError(t, err)
					assert.Equal(t, len(s.log), n)
				}
			}
			assert.Equal(t, tt.want, buf.String())
		})
	}
}

// TestConsoleConcurrent writes logs and status from several goroutines,
// for the race detector, and checks that no write is torn.
func TestConsoleConcurrent(t *testing.T) {
	var buf bytes.Buffer
	c := NewConsole(&buf, true)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 50 {
				fmt.Fprintf(c, "log %d\n", i)
			}
		}()
		go func() {
			defer wg.Done()
			for range 50 {
				c.setStatus([]string{fmt.Sprintf("status %d", i)})
			}
		}()
	}
	wg.Wait()
	for i := range 4 {
		assert.Equal(t, 50, bytes.Count(buf.Bytes(), fmt.Appendf(nil, "log %d\n", i)))
	}
}
