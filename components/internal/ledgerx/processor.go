package ledgerx

import (
	"context"
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/runtime"
)

// Stats is what the base records for every processor of ledgers: the
// stats every such processor declares with
//
//	//cdp:stat counter name=errors
//	//cdp:stat latency name=process_latency
//
// and that statsgen generates these methods for.
type Stats interface {
	RecordErrors()
	StartProcessLatency() runtime.Stopwatch
}

// Transaction is one transaction of a ledger, with what a processor needs
// to handle it without the rest of the ledger: the payload of the messages
// LedgerReader emits (as ledgerreader.Transaction).
//
// It marshals to JSON as a short summary (the ledger, the position, the
// hash and whether it succeeded), so that a JSON consumer right after
// LedgerReader writes one readable line per transaction; Tx itself is
// not marshalled.
type Transaction struct {
	// LedgerSequence is the sequence of the ledger the transaction is in.
	LedgerSequence uint32 `json:"ledger_sequence"`
	// ClosedAt is when that ledger closed, in UTC.
	ClosedAt time.Time `json:"closed_at"`
	// Index is the transaction's 1-based position in the ledger's apply
	// order, as Tx.Index.
	Index uint32 `json:"index"`
	// Hash is the hex hash of the transaction (the outer hash for a fee
	// bump), as Tx.Hash.
	Hash string `json:"transaction_hash"`
	// Successful reports whether the transaction succeeded (for a fee
	// bump, whether its inner transaction did), as Tx.Successful().
	Successful bool `json:"successful"`
	// Tx is the transaction as ledgerx's reader returns it, which is what
	// the SDK's ingest.LedgerTransactionReader returns: envelope, result, meta and fee changes, checked against the
	// network passphrase. It shares memory with the ledger message's
	// LedgerCloseMeta; treat it as read-only.
	Tx ingest.LedgerTransaction `json:"-"`
}

// LedgerInput is one ledger message being processed.
type LedgerInput struct {
	// Msg is the ledger message, passed on after the processor's output.
	Msg cdp.Message
	// LCM is the ledger it carries.
	LCM xdr.LedgerCloseMeta
	// Sequence is LCM's sequence number.
	Sequence uint32
	// ClosedAt is when the ledger closed, in UTC.
	ClosedAt time.Time
	// Passphrase is the ledger's network passphrase: the message's, or the
	// processor's network key.
	Passphrase string
}

// Transactions returns the ledger's transactions in apply order, read at
// most once per message (see [Transactions]).
func (l *LedgerInput) Transactions() ([]ingest.LedgerTransaction, error) {
	return Transactions(l.Msg, l.LCM, l.Passphrase)
}

// Output collects the messages a processor emits for one ledger or one
// transaction. The base sends them after the processing time is recorded
// and before it passes the ledger on.
type Output struct{ msgs []cdp.Message }

// Emit adds one message.
func (o *Output) Emit(msg cdp.Message) { o.msgs = append(o.msgs, msg) }

// LedgerFunc handles one ledger, emitting its output to out.
type LedgerFunc func(l *LedgerInput, out *Output) error

// TransactionFunc handles one transaction of a ledger closed at closedAt,
// emitting its output to out.
type TransactionFunc func(tx *ingest.LedgerTransaction, closedAt time.Time, out *Output) error

// Processor is the skeleton of every processor of ledgers. Embedded in a
// component, it provides Subscribe and Process: Process passes every
// message on after the component's own output, and for each ledger
// message gets the ledger and its passphrase, times the work and counts
// its errors, calling the component's function of one ledger
// ([NewLedgerProcessor]) or of one transaction ([NewTransactionProcessor]).
//
// Process is not safe for concurrent use, as cdp processors are not.
type Processor struct {
	subscribers cdp.Subscribers
	// passphrase is the network key's, for messages that carry none.
	passphrase string
	stats      Stats
	ledger     LedgerFunc
	tx         TransactionFunc
	// done, when set, is called after each ledger a TransactionFunc handled.
	done func(seq uint32)
	// settle, when set, is called after every ledger or Transaction
	// message the component's function handled, failed or not.
	settle func()
	out    Output
	// covered is the ledger whose transactions came last as Transaction
	// messages, already handled one by one.
	covered *cdp.Transactions
}

// NewLedgerProcessor returns the base of a processor written as a function
// of one ledger. passphrase is the processor's network key ("" when not
// set) and stats its generated stats.
func NewLedgerProcessor(passphrase string, stats Stats, fn LedgerFunc) Processor {
	return Processor{passphrase: passphrase, stats: stats, ledger: fn}
}

// NewTransactionProcessor returns the base of a processor written as a
// function of one transaction. It calls fn for every transaction of each
// ledger, in apply order, and then done (when not nil) with the ledger's
// sequence.
//
// A [Transaction] message (from a LedgerReader before it) is handled on
// its own at once and replaced by fn's output. LedgerReader passes the
// ledger on after its transactions, with the same transactions attached:
// that ledger message is passed on without calling fn again, so each
// transaction is handled once, and a ledger sent again in a new message
// is read again.
func NewTransactionProcessor(passphrase string, stats Stats, fn TransactionFunc, done func(seq uint32)) Processor {
	return Processor{passphrase: passphrase, stats: stats, tx: fn, done: done}
}

// SettleWith has the base call settle after every ledger or Transaction
// message the component's function handled, whether it failed or not: the
// place for a component that counts per transaction to add its counts to
// its stats once a ledger, instead of several atomic adds per transaction.
func (p *Processor) SettleWith(settle func()) { p.settle = settle }

// Subscribe adds a processor that receives the output and every message.
func (p *Processor) Subscribe(next cdp.Processor) { p.subscribers.Subscribe(next) }

// Process handles one message: see [Processor].
func (p *Processor) Process(ctx context.Context, msg cdp.Message) error {
	if p.tx != nil {
		switch tx := msg.Payload.(type) {
		case Transaction:
			return p.transaction(ctx, msg, &tx)
		case *Transaction:
			if tx != nil {
				return p.transaction(ctx, msg, tx)
			}
		}
	}
	lcm, ok := Ledger(msg)
	if !ok {
		return p.subscribers.Send(ctx, msg)
	}
	covered := p.covered
	p.covered = nil // hold no ledger longer than its message
	if c := msg.Transactions; c != nil && c == covered {
		if p.done != nil {
			p.done(lcm.LedgerSequence())
		}
		return p.subscribers.Send(ctx, msg)
	}
	p.out.msgs = p.out.msgs[:0]
	err := p.read(msg, lcm)
	if p.settle != nil {
		p.settle()
	}
	if err != nil {
		p.stats.RecordErrors()
		return err
	}
	if err := p.flush(ctx); err != nil {
		return err
	}
	return p.subscribers.Send(ctx, msg)
}

// read runs the component's function over one ledger, timed.
func (p *Processor) read(msg cdp.Message, lcm xdr.LedgerCloseMeta) error {
	defer p.stats.StartProcessLatency().Stop()
	passphrase, err := MessagePassphrase(msg, p.passphrase)
	if err != nil {
		return err
	}
	l := &LedgerInput{Msg: msg, LCM: lcm, Sequence: lcm.LedgerSequence(), ClosedAt: lcm.ClosedAt().UTC(), Passphrase: passphrase}
	if p.ledger != nil {
		return p.ledger(l, &p.out)
	}
	txs, err := l.Transactions()
	if err != nil {
		return err
	}
	for i := range txs {
		if err := p.tx(&txs[i], l.ClosedAt, &p.out); err != nil {
			return err
		}
	}
	if p.done != nil {
		p.done(l.Sequence)
	}
	return nil
}

// transaction handles one Transaction message and remembers its ledger as
// covered, even when fn fails: its ledger message must not bring the
// other transactions back.
func (p *Processor) transaction(ctx context.Context, msg cdp.Message, tx *Transaction) error {
	p.covered = msg.Transactions
	p.out.msgs = p.out.msgs[:0]
	sw := p.stats.StartProcessLatency()
	err := p.tx(&tx.Tx, tx.ClosedAt.UTC(), &p.out)
	sw.Stop()
	if p.settle != nil {
		p.settle()
	}
	if err != nil {
		p.stats.RecordErrors()
		return err
	}
	return p.flush(ctx)
}

// flush sends the collected output.
func (p *Processor) flush(ctx context.Context) error {
	for i := range p.out.msgs {
		if err := p.subscribers.Send(ctx, p.out.msgs[i]); err != nil {
			return err
		}
	}
	return nil
}

// TransactionMessage returns the message for one transaction of l. It
// carries l's passphrase and sequence, as a ledger message does, and l's
// transactions, so that a transaction processor after it knows the ledger
// message that follows as already handled.
func TransactionMessage(l *LedgerInput, tx Transaction) cdp.Message {
	return cdp.Message{Payload: tx, LedgerSequence: l.Sequence, Passphrase: l.Passphrase, Transactions: l.Msg.Transactions}
}

// Emitted returns the message a processor emits for payload, from the
// ledger numbered seq.
func Emitted(payload interface{}, seq uint32) cdp.Message {
	return cdp.Message{Payload: payload, LedgerSequence: seq}
}
