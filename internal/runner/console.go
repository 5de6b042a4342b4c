package runner

import (
	"bytes"
	"fmt"
	"io"
	"sync"
)

// ANSI control sequences for redrawing the status block on a terminal.
const (
	ansiClearDown = "\x1b[J"   // erase from the cursor to the end of the screen
	ansiWrapOff   = "\x1b[?7l" // long lines are cut at the margin instead of wrapping,
	ansiWrapOn    = "\x1b[?7h" // so each status line takes exactly one screen line
	ansiUpFormat  = "\x1b[%dA" // move the cursor up n lines
)

// Console is the stream (stderr) that the live status block and the logs
// share. On a terminal the status block stays at the bottom, redrawn in
// place, and log lines scroll above it; without a Console, a redraw would
// move the cursor up over log lines written since the last one and
// overwrite them. Elsewhere (a file, a pipe, CI) it writes everything as
// it comes.
//
// Give the Console to the logger as its writer and to [Runner.Status].
// Its methods are safe for concurrent use.
type Console struct {
	w        io.Writer
	terminal bool

	mu     sync.Mutex
	status []byte // the status block on screen, redrawn after each log write
	lines  int    // lines of status
}

// NewConsole returns a Console writing to w. terminal says whether w is a
// terminal, where the status block may be redrawn in place.
func NewConsole(w io.Writer, terminal bool) *Console {
	return &Console{w: w, terminal: terminal}
}

// Terminal reports whether the console redraws in place.
func (c *Console) Terminal() bool { return c.terminal }

// Write writes log output. On a terminal it goes above the status block,
// which is drawn again below it.
func (c *Console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lines == 0 {
		return c.w.Write(p)
	}
	var b bytes.Buffer
	c.erase(&b)
	b.Write(p)
	if len(p) > 0 && p[len(p)-1] != '\n' {
		b.WriteByte('\n') // the status block starts on a line of its own
	}
	b.Write(c.status)
	if _, err := c.w.Write(b.Bytes()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// setStatus shows lines as the status block: on a terminal it replaces
// the block drawn before; elsewhere it prints them.
func (c *Console) setStatus(lines []string) {
	var block bytes.Buffer
	if c.terminal {
		block.WriteString(ansiWrapOff)
	}
	for _, l := range lines {
		block.WriteString(l)
		block.WriteByte('\n')
	}
	if c.terminal {
		block.WriteString(ansiWrapOn)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.terminal {
		_, _ = c.w.Write(block.Bytes())
		return
	}
	var b bytes.Buffer
	c.erase(&b)
	b.Write(block.Bytes())
	_, _ = c.w.Write(b.Bytes())
	c.status, c.lines = block.Bytes(), len(lines)
}

// keepStatus leaves the status block on screen as it is and stops
// redrawing it: what is written next goes below it.
func (c *Console) keepStatus() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status, c.lines = nil, 0
}

// erase moves the cursor back to the first line of the status block and
// clears the screen from there; c.mu is held.
func (c *Console) erase(b *bytes.Buffer) {
	if c.lines > 0 {
		fmt.Fprintf(b, ansiUpFormat, c.lines)
		b.WriteString(ansiClearDown)
	}
}
