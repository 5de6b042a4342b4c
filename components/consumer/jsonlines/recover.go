package jsonlines

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// recovery is what an existing output file says about the run that wrote
// it, read from its end by recoverFile.
type recovery struct {
	// ok says the file can be resumed: keep and last are valid.
	ok bool
	// keep is the length of the file to keep: the lines of the ledgers up
	// to last. What follows is cut off.
	keep int64
	// last is the last ledger whose lines are all in the file.
	last uint32
	// reason says why the file cannot be resumed, when it cannot.
	reason string
}

// recoverFile finds the last complete ledger of a JSON lines file that
// SaveToJSONFile wrote, reading backwards from its end. Every line carries
// the sequence of its ledger in a top-level "ledger_sequence" field, and
// ledgers are written in order. A ledger is complete once a line of a
// later ledger follows it; the last ledger in the file may lack lines (a
// run killed while writing it), so it is cut off, with any partial last
// line, and resumed: the file keeps the ledgers before it.
//
// The file cannot be resumed, and is then replaced, when it holds no whole
// line, when its last lines carry no ledger sequence (the output of other
// processors, or not JSON lines), or when they are out of order.
func recoverFile(r io.ReaderAt, size int64) (recovery, error) {
	t := &tail{r: r, size: size, off: size}
	end, err := t.lastNewline(size)
	if err != nil {
		return recovery{}, err
	}
	if end < 0 {
		return recovery{reason: "it holds no whole line"}, nil
	}
	lineEnd := end + 1 // just past the newline
	var group uint32
	for lineEnd > 0 {
		prev, err := t.lastNewline(lineEnd - 1)
		if err != nil {
			return recovery{}, err
		}
		start := prev + 1
		seq, ok := lineLedger(t.bytes(start, lineEnd-1))
		switch {
		case !ok:
			return recovery{reason: fmt.Sprintf("the line at byte %d carries no ledger_sequence", start)}, nil
		case group == 0:
			group = seq
		case seq > group:
			return recovery{reason: fmt.Sprintf("the line at byte %d is of ledger %d, after ledger %d", start, seq, group)}, nil
		case seq < group:
			return recovery{ok: true, keep: lineEnd, last: group - 1}, nil
		}
		lineEnd = start
	}
	return recovery{ok: true, keep: 0, last: group - 1}, nil
}

// lineLedger returns the ledger_sequence of a JSON line, and false when it
// is not a JSON object with one.
func lineLedger(line []byte) (uint32, bool) {
	var v struct {
		LedgerSequence *uint32 `json:"ledger_sequence"`
	}
	if err := json.Unmarshal(line, &v); err != nil || v.LedgerSequence == nil || *v.LedgerSequence == 0 {
		return 0, false
	}
	return *v.LedgerSequence, true
}

// tail is the end of a file, read backwards in blocks as far as needed.
type tail struct {
	r    io.ReaderAt
	size int64
	off  int64  // where data starts in the file
	data []byte // the file from off to size
}

const tailBlock = 64 << 10

// lastNewline returns the position of the last newline before pos, or -1.
func (t *tail) lastNewline(pos int64) (int64, error) {
	for {
		if pos > t.off {
			if i := bytes.LastIndexByte(t.data[:pos-t.off], '\n'); i >= 0 {
				return t.off + int64(i), nil
			}
		}
		if t.off == 0 {
			return -1, nil
		}
		if err := t.grow(); err != nil {
			return 0, err
		}
	}
}

// grow reads the block before off.
func (t *tail) grow() error {
	n := min(int64(tailBlock), t.off)
	block := make([]byte, n, n+int64(len(t.data)))
	if _, err := t.r.ReadAt(block, t.off-n); err != nil {
		return fmt.Errorf("reading back the file: %w", err)
	}
	t.data = append(block, t.data...)
	t.off -= n
	return nil
}

// bytes returns the file from start to end, which lastNewline has read.
func (t *tail) bytes(start, end int64) []byte {
	return t.data[start-t.off : end-t.off]
}
