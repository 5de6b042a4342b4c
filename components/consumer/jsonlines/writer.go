package jsonlines

import (
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
	// ledger holds the lines of the ledger being processed, its memory
	// reused from one ledger to the next. app appends the payloads it
	// knows to it, and enc, through ledgerWriter, the others.
	ledger []byte
	app    appender
	enc    *json.Encoder
	count  int // lines in ledger
	// skipThrough is the last ledger an earlier run wrote in full: its
	// lines, and those of the ledgers before it, are dropped when the
	// pipeline gives them again.
	skipThrough uint32
}

func newLines(out *sink) *lines {
	l := &lines{out: out}
	l.enc = json.NewEncoder((*ledgerWriter)(l))
	return l
}

// ledgerWriter appends what is written to it to the lines' ledger: the
// writer of their json.Encoder, which writes each line with one call.
type ledgerWriter lines

func (w *ledgerWriter) Write(p []byte) (int, error) {
	w.ledger = append(w.ledger, p...)
	return len(p), nil
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
	if err := l.encodeLine(msg.Payload); err != nil {
		return 0, 0, err
	}
	l.count++
	if len(l.ledger) >= maxLedgerBytes {
		return l.commit()
	}
	return 0, 0, nil
}

// encodeLine appends payload to the ledger as one JSON line, strings that
// JSON cannot carry in the lossless form (strings.go): with the appender
// when it knows the payload (encode.go), with encoding/json otherwise,
// byte for byte alike. On an error it appends nothing.
func (l *lines) encodeLine(payload interface{}) error {
	v := losslessPayload(payload)
	if b, ok := l.app.appendLine(l.ledger, v); ok {
		l.ledger = b
		return nil
	}
	return encodeJSON(l.enc, payload, v)
}

// encodeJSON writes v, the lossless form of payload, with enc as one JSON
// line.
func encodeJSON(enc *json.Encoder, payload, v interface{}) error {
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding %T as JSON: %w", payload, err)
	}
	return nil
}

// commit hands the current ledger's lines to the sink.
func (l *lines) commit() (count, n int, err error) {
	count, n = l.count, len(l.ledger)
	err = l.out.commit(l.ledger)
	l.drop()
	if err != nil {
		return 0, 0, err
	}
	return count, n, nil
}

// drop forgets the current ledger's lines.
func (l *lines) drop() {
	l.ledger = l.ledger[:0]
	l.count = 0
}
