package jsonlines

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Defaults of the buffer_size and flush_interval keys.
const (
	DefaultBufferSize    = 1 << 20
	DefaultFlushInterval = time.Second
)

// sink buffers whole ledgers of JSON lines and writes them to w with one
// write per flush: when the buffer reaches size, when the oldest ledger in
// it has waited interval, and at Close. It is safe for concurrent use: the
// consumers appending to one file share it, and the interval flush runs on
// a timer's goroutine.
type sink struct {
	w        io.Writer
	size     int
	interval time.Duration

	mu    sync.Mutex
	buf   []byte
	timer *time.Timer // armed while buf holds lines; nil until first armed
	armed bool
	// err is the first write failure; the sink writes nothing after it.
	err    error
	closed bool
}

func newSink(w io.Writer, size int, interval time.Duration) *sink {
	return &sink{w: w, size: size, interval: interval, buf: make([]byte, 0, size)}
}

// commit adds p, whole ledgers of lines, to the buffer, and writes the
// buffer when it is full.
func (s *sink) commit(p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if s.closed {
		return fmt.Errorf("writing JSON lines: closed")
	}
	s.buf = append(s.buf, p...)
	if len(s.buf) >= s.size {
		return s.flushLocked()
	}
	if !s.armed && len(s.buf) > 0 {
		s.armed = true
		if s.timer == nil {
			s.timer = time.AfterFunc(s.interval, s.tick)
		} else {
			s.timer.Reset(s.interval)
		}
	}
	return nil
}

// tick is the interval flush. A failure is returned by the next commit or
// flush.
func (s *sink) tick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed = false
	if !s.closed && s.err == nil {
		s.flushLocked() //nolint:errcheck // kept in s.err
	}
}

// flush writes what is buffered.
func (s *sink) flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.flushLocked()
}

func (s *sink) flushLocked() error {
	if s.err != nil || len(s.buf) == 0 {
		return s.err
	}
	_, err := s.w.Write(s.buf)
	s.buf = s.buf[:0]
	if err != nil {
		s.err = fmt.Errorf("writing JSON lines: %w", err)
	}
	return s.err
}

// close stops the interval flush; when flush is true it first writes what
// is buffered, otherwise it drops it. Nothing is written after close.
func (s *sink) close(flush bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	if flush {
		err = s.flushLocked()
	}
	s.closed = true
	s.buf = nil
	if s.timer != nil {
		s.timer.Stop()
	}
	return err
}
