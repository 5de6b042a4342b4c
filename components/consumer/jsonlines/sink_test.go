package jsonlines

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// writes records each Write call.
type writes struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	w.calls = append(w.calls, string(p))
	return len(p), nil
}

func (w *writes) get() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.calls...)
}

type payment struct {
	LedgerSequence uint32 `json:"ledger_sequence"`
	N              int    `json:"n"`
}

func ledgerMsg(t *testing.T, seq uint32) cdp.Message {
	t.Helper()
	return cdp.Message{Payload: ledgers.MustBuild(ledgers.LedgerSpec{Sequence: seq})}
}

// feedLedgers writes n lines for each ledger first..last, each followed by
// its ledger message, and returns the lines and bytes handed to the sink.
func feedLedgers(t *testing.T, l *lines, first, last uint32, n int) (count, size int) {
	t.Helper()
	for seq := first; seq <= last; seq++ {
		for i := range n {
			c, b, err := l.write(cdp.Message{Payload: payment{seq, i}})
			require.NoError(t, err)
			count, size = count+c, size+b
		}
		c, b, err := l.write(ledgerMsg(t, seq))
		require.NoError(t, err)
		count, size = count+c, size+b
	}
	return count, size
}

// ledgersOf returns the ledgers whose lines a write holds, checking that
// it holds whole lines.
func ledgersOf(t *testing.T, write string) map[uint32]int {
	t.Helper()
	require.True(t, strings.HasSuffix(write, "\n"), "a write ends a line")
	out := map[uint32]int{}
	for _, l := range strings.SplitAfter(strings.TrimSuffix(write, "\n"), "\n") {
		seq, ok := lineLedger([]byte(l))
		require.True(t, ok, l)
		out[seq]++
	}
	return out
}

func TestSinkWritesWholeLedgers(t *testing.T) {
	const perLedger = 7
	lineSize := len(`{"ledger_sequence":10,"n":0}` + "\n")
	tests := []struct {
		name       string
		bufferSize int
		ledgers    uint32
		wantWrites int // before close
	}{
		{"buffered until close", 1 << 20, 20, 0},
		{"a write when the buffer fills", 3 * perLedger * lineSize, 20, 20 / 3},
		{"a ledger larger than the buffer", lineSize, 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &writes{}
			s := newSink(w, tt.bufferSize, time.Hour)
			l := newLines(s)
			count, size := feedLedgers(t, l, 10, 10+tt.ledgers-1, perLedger)
			assert.Equal(t, int(tt.ledgers)*perLedger, count)
			assert.Equal(t, count*lineSize, size)
			assert.Len(t, w.get(), tt.wantWrites)
			require.NoError(t, s.close(true))

			seen := map[uint32]int{}
			for _, write := range w.get() {
				for seq, n := range ledgersOf(t, write) {
					assert.Equal(t, perLedger, n, "ledger %d is whole in one write", seq)
					seen[seq] += n
				}
			}
			assert.Len(t, seen, int(tt.ledgers), "every ledger is written once")
		})
	}
}

func TestSinkFlushesOnItsInterval(t *testing.T) {
	w := &writes{}
	s := newSink(w, 1<<20, time.Millisecond)
	l := newLines(s)
	feedLedgers(t, l, 10, 11, 2)
	_, _, err := l.write(cdp.Message{Payload: payment{12, 0}}) // ledger 12 has not ended
	require.NoError(t, err)
	require.Eventually(t, func() bool { return len(w.get()) > 0 }, time.Minute, time.Millisecond)
	require.NoError(t, s.close(true))
	var got []map[uint32]int
	for _, write := range w.get() {
		got = append(got, ledgersOf(t, write))
	}
	assert.Equal(t, []map[uint32]int{{10: 2, 11: 2}}, got, "only ended ledgers are written")
}

func TestLinesSkipLedgersAlreadyWritten(t *testing.T) {
	w := &writes{}
	s := newSink(w, 1<<20, time.Hour)
	l := newLines(s)
	l.skipThrough = 11
	count, _ := feedLedgers(t, l, 10, 13, 2)
	assert.Equal(t, 4, count, "ledgers 12 and 13")
	require.NoError(t, s.close(true))
	require.Len(t, w.get(), 1)
	assert.Equal(t, map[uint32]int{12: 2, 13: 2}, ledgersOf(t, w.get()[0]))
}

func TestSinkKeepsTheFirstWriteError(t *testing.T) {
	boom := errors.New("disk full")
	w := &writes{err: boom}
	s := newSink(w, 1, time.Hour)
	l := newLines(s)
	_, _, err := l.write(cdp.Message{Payload: payment{10, 0}})
	require.NoError(t, err)
	_, _, err = l.write(ledgerMsg(t, 10))
	require.ErrorIs(t, err, boom)
	w.err = nil
	_, _, err = l.write(ledgerMsg(t, 11))
	assert.ErrorIs(t, err, boom, "nothing is written after a failed write")
	assert.ErrorIs(t, s.close(true), boom)
	assert.Empty(t, w.get())
}

// BenchmarkLines encodes lines of 20-line ledgers into a sink that
// discards them: the JSON consumers' cost per line, allocations included.
func BenchmarkLines(b *testing.B) {
	l := newLines(newSink(discardWriter{}, DefaultBufferSize, time.Hour))
	type row struct {
		LedgerSequence uint32    `json:"ledger_sequence"`
		ClosedAt       time.Time `json:"closed_at"`
		Hash           string    `json:"transaction_hash"`
		Amount         string    `json:"amount"`
	}
	msg := cdp.Message{Payload: &row{LedgerSequence: 10, ClosedAt: time.Unix(1700000000, 0).UTC(), Hash: strings.Repeat("ab", 32), Amount: "12.5000000"}}
	end := cdp.Message{Payload: ledgers.MustBuild(ledgers.LedgerSpec{Sequence: 10})}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, _, err := l.write(msg); err != nil {
			b.Fatal(err)
		}
		if i%20 == 19 {
			if _, _, err := l.write(end); err != nil {
				b.Fatal(err)
			}
		}
	}
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
