package filterpayments

import (
	"context"

	"github.com/stellar/go-stellar-sdk/ingest"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
	"github.com/cdpstats/cdpstats/components/processor/ledgerreader"
)

// FilterPayments passes payments that match an asset and a minimum amount.
// It emits one message per matching payment, with a [Payment] payload,
// then passes the ledger on.
//
// It reads ledger messages, and also the per-transaction messages of a
// LedgerReader before it (see [FilterPayments.Process]).
//
//cdp:component kind=processor name=FilterPayments
type FilterPayments struct {
	cfg         Config
	subscribers cdp.Subscribers

	// found is reused from ledger to ledger; Process is not called
	// concurrently.
	found []candidate

	// readLedger is the sequence of the ledger whose transaction messages
	// came last, and hasReadLedger whether there is one: that ledger's
	// payments are already out, so its ledger message, which LedgerReader
	// passes on after them, is not read again.
	readLedger    uint32
	hasReadLedger bool

	//cdp:stat counter name=payments_found    unit=payments help="Payments found: the payment operations of successful transactions"
	//cdp:stat counter name=payments_filtered unit=payments help="Payments dropped by the asset and min_amount filters"
	//cdp:stat counter name=payments_emitted  unit=payments help="Payments emitted"
	//cdp:stat counter name=errors                         help="Ledgers or transactions that could not be read or decoded"
	//cdp:stat counter name=payments_by_operation unit=payments label=operation values=payment,path_payment_strict_send,path_payment_strict_receive help="Payments found, by operation"
	//cdp:stat ratio   name=filter_ratio num=payments_filtered den=payments_found help="Share of the payments found that the filters dropped"
	//cdp:stat latency name=process_latency help="Time to process one message (a ledger or a transaction), not counting the processors after"
	stats filterPaymentsStats
}

// New returns a FilterPayments for a config map (see [Config] for the keys).
func New(raw map[string]interface{}) (*FilterPayments, error) {
	cfg, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	return &FilterPayments{cfg: cfg}, nil
}

// NewFromConfig returns a FilterPayments for a configuration built in Go,
// checking it as New does.
func NewFromConfig(cfg Config) (*FilterPayments, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &FilterPayments{cfg: cfg}, nil
}

// Subscribe adds a processor that receives the payments and the ledgers.
func (p *FilterPayments) Subscribe(next cdp.Processor) { p.subscribers.Subscribe(next) }

// Process emits the matching payments of a ledger message and then the
// ledger itself; other payloads pass through unchanged.
//
// A [ledgerreader.Transaction] message (from a LedgerReader before this
// processor) emits the matching payments of that one transaction, and is
// not passed on: its payments replace it, as consumers store payments,
// not transactions. LedgerReader passes each ledger on after its
// transactions, so a ledger message whose sequence is that of the last
// transaction message is passed on without being read, and its payments
// are neither counted nor emitted twice.
func (p *FilterPayments) Process(ctx context.Context, msg cdp.Message) error {
	switch tx := msg.Payload.(type) {
	case ledgerreader.Transaction:
		return p.processTransaction(ctx, &tx)
	case *ledgerreader.Transaction:
		if tx != nil {
			return p.processTransaction(ctx, tx)
		}
	}
	lcm, ok := ledgerx.Ledger(msg)
	if !ok {
		return p.subscribers.Send(ctx, msg)
	}
	if p.hasReadLedger && p.readLedger == lcm.LedgerSequence() {
		// Forget it, so that the same ledger sent again on its own (a
		// replay) is read.
		p.hasReadLedger = false
		return p.subscribers.Send(ctx, msg)
	}
	done := p.stats.TimeProcessLatency()
	passphrase, err := ledgerx.MessagePassphrase(msg, p.cfg.passphrase)
	if err != nil {
		p.stats.RecordErrors()
		return err
	}
	closedAt := lcm.ClosedAt().UTC()
	p.found = p.found[:0]
	err = ledgerx.Transactions(lcm, passphrase, func(tx *ingest.LedgerTransaction) error {
		if !tx.Successful() {
			return nil
		}
		var err error
		p.found, err = payments(p.found, tx, closedAt)
		return err
	})
	if err != nil {
		p.stats.RecordErrors()
		return err
	}
	passed := p.filter()
	done()

	if err := p.emit(ctx, passed); err != nil {
		return err
	}
	return p.subscribers.Send(ctx, msg)
}

// processTransaction emits the matching payments of one transaction of a
// LedgerReader, and remembers its ledger as read.
func (p *FilterPayments) processTransaction(ctx context.Context, tx *ledgerreader.Transaction) error {
	// The ledger counts as read even when this transaction failed: its
	// ledger message must not bring the other transactions back.
	p.readLedger, p.hasReadLedger = tx.LedgerSequence, true
	if !tx.Tx.Successful() {
		return nil
	}
	done := p.stats.TimeProcessLatency()
	var err error
	p.found, err = payments(p.found[:0], &tx.Tx, tx.ClosedAt.UTC())
	if err != nil {
		p.stats.RecordErrors()
		return err
	}
	passed := p.filter()
	done()
	return p.emit(ctx, passed)
}

// filter counts the payments in p.found and returns those that pass the
// filters, reusing p.found's memory.
func (p *FilterPayments) filter() []candidate {
	passed := p.found[:0]
	for _, c := range p.found {
		// The values of payments_by_operation are the Op* constants, the only
		// operation types payments() yields, so none goes uncounted.
		p.stats.RecordPaymentsByOperation(c.OperationType)
		if p.keep(c) {
			passed = append(passed, c)
		}
	}
	p.stats.AddPaymentsFound(uint64(len(p.found)))
	p.stats.AddPaymentsFiltered(uint64(len(p.found) - len(passed)))
	p.stats.AddPaymentsEmitted(uint64(len(passed)))
	return passed
}

// emit sends one message per payment.
func (p *FilterPayments) emit(ctx context.Context, passed []candidate) error {
	for i := range passed {
		out := passed[i].Payment
		out.Amount = passed[i].amount.String()
		meta := map[string]interface{}{cdp.MetadataLedgerSequence: out.LedgerSequence}
		if err := p.subscribers.Send(ctx, cdp.Message{Payload: out, Metadata: meta}); err != nil {
			return err
		}
	}
	return nil
}

// keep reports whether a payment passes the filters.
func (p *FilterPayments) keep(c candidate) bool {
	if p.cfg.Asset != "" && c.Asset != p.cfg.Asset {
		return false
	}
	return c.amount >= p.cfg.MinAmount
}
