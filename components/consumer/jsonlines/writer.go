package jsonlines

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

// maxLedgerBytes bounds the output of one ledger held back until the
// ledger ends: a stream without ledger messages (a program that feeds
// payloads alone) is written in parts of this size rather than held in
// memory until Close.
const maxLedgerBytes = 64 << 20

// lines encodes one consumer's payloads as JSON lines and hands them to
// its sink ledger by ledger: the lines of a ledger are held until its
// ledger message, which ends it, so that the sink only ever holds and
// writes whole ledgers. A pipeline calls it from one goroutine.
type lines struct {
	out *sink
	// ledger holds the lines of the ledger being processed; enc encodes
	// into it, reusing its memory from one ledger to the next.
	ledger bytes.Buffer
	enc    *json.Encoder
	count  int // lines in ledger
	// skipThrough is the last ledger an earlier run wrote in full: its
	// lines, and those of the ledgers before it, are dropped when the
	// pipeline gives them again.
	skipThrough uint32
}

func newLines(out *sink) *lines {
	l := &lines{out: out}
	l.enc = json.NewEncoder(&l.ledger)
	return l
}

// ledgerEnd returns the sequence of the ledger msg carries, and false when
// msg is not a ledger message. Processors pass the ledger message on after
// their output for it, so it ends that ledger's lines.
func ledgerEnd(msg cdp.Message) (uint32, bool) {
	lcm, ok := ledgerx.Ledger(msg)
	if !ok {
		return 0, false
	}
	return lcm.LedgerSequence(), true
}

// write encodes msg's payload as one line of the current ledger or, when
// msg is a ledger message, hands the ledger's lines to the sink. It
// returns the lines and bytes handed to the sink, which are 0 until a
// ledger ends.
func (l *lines) write(msg cdp.Message) (count, n int, err error) {
	if seq, ok := ledgerEnd(msg); ok {
		if seq <= l.skipThrough {
			l.drop()
			return 0, 0, nil
		}
		return l.commit()
	}
	if err := encodeLine(l.enc, msg.Payload); err != nil {
		return 0, 0, err
	}
	l.count++
	if l.ledger.Len() >= maxLedgerBytes {
		return l.commit()
	}
	return 0, 0, nil
}

// encodeLine appends payload to enc's buffer as one JSON line, strings
// that JSON cannot carry in the lossless form (strings.go). On an error it
// appends nothing.
func encodeLine(enc *json.Encoder, payload interface{}) error {
	if err := enc.Encode(losslessPayload(payload)); err != nil {
		return fmt.Errorf("encoding %T as JSON: %w", payload, err)
	}
	return nil
}

// commit hands the current ledger's lines to the sink.
func (l *lines) commit() (count, n int, err error) {
	count, n = l.count, l.ledger.Len()
	err = l.out.commit(l.ledger.Bytes())
	l.drop()
	if err != nil {
		return 0, 0, err
	}
	return count, n, nil
}

// drop forgets the current ledger's lines.
func (l *lines) drop() {
	l.ledger.Reset()
	l.count = 0
}
