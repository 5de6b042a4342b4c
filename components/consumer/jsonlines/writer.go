package jsonlines

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

// lines writes payloads as JSON lines through a buffer. It is safe for
// concurrent use, although pipelines call it from one goroutine.
type lines struct {
	mu  sync.Mutex
	buf *bufio.Writer
	// line is reused to marshal into, so that each message is written with
	// one call.
	line []byte
}

func newLines(w io.Writer) *lines {
	return &lines{buf: bufio.NewWriterSize(w, 64<<10)}
}

// write writes msg's payload as one line and returns the bytes written, or
// flushes when msg is a ledger (written is then false).
func (l *lines) write(msg cdp.Message) (n int, written bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, isLedger := ledgerx.Ledger(msg); isLedger {
		return 0, false, l.flushLocked()
	}
	line, err := json.Marshal(losslessPayload(msg.Payload))
	if err != nil {
		return 0, false, fmt.Errorf("encoding %T as JSON: %w", msg.Payload, err)
	}
	line = append(line, '\n')
	n, err = l.buf.Write(line)
	if err != nil {
		return n, false, fmt.Errorf("writing JSON line: %w", err)
	}
	return n, true, nil
}

func (l *lines) flush() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.flushLocked()
}

func (l *lines) flushLocked() error {
	if err := l.buf.Flush(); err != nil {
		return fmt.Errorf("flushing JSON lines: %w", err)
	}
	return nil
}
