package filterpayments

import (
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"

	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

// FilterPayments passes payments that match an asset and a minimum amount.
// It emits one message per matching payment, with a [Payment] payload,
// then passes the ledger on; other payloads pass through unchanged.
//
// A transaction message of a LedgerReader before it emits the matching
// payments of that one transaction and is not passed on: its payments
// replace it, as consumers store payments, not transactions. The ledger
// message LedgerReader passes on after them is passed on without being
// read again.
//
//cdp:component kind=processor name=FilterPayments
type FilterPayments struct {
	ledgerx.Processor
	cfg Config

	// found is reused from transaction to transaction; Process is not
	// called concurrently.
	found []candidate
	names names
	// tally holds the counts of the ledger or Transaction message being
	// handled, added to the stats once it is (settle).
	tally tally

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
	p := &FilterPayments{cfg: cfg, names: newNames()}
	p.Processor = ledgerx.NewTransactionProcessor(cfg.passphrase, &p.stats, p.transaction, nil)
	p.SettleWith(p.settle)
	return p, nil
}

// tally counts payments over one ledger, so that the stats take a few
// atomic adds a ledger rather than several a transaction.
type tally struct {
	filtered, emitted uint64
	// payments, strictSend and strictReceive count the payments found by
	// operation, the values of payments_by_operation.
	payments, strictSend, strictReceive uint64
}

// count counts one payment found, of operation type op (an Op* constant,
// the only types payments() yields).
func (t *tally) count(op string, kept bool) {
	switch op {
	case OpPayment:
		t.payments++
	case OpPathPaymentStrictSend:
		t.strictSend++
	case OpPathPaymentStrictReceive:
		t.strictReceive++
	}
	if kept {
		t.emitted++
	} else {
		t.filtered++
	}
}

// settle adds the tally to the stats and clears it. The counters skip
// adds of 0.
func (p *FilterPayments) settle() {
	t := &p.tally
	p.stats.AddPaymentsFound(t.filtered + t.emitted)
	p.stats.AddPaymentsFiltered(t.filtered)
	p.stats.AddPaymentsEmitted(t.emitted)
	p.stats.AddPaymentsByOperationPayment(t.payments)
	p.stats.AddPaymentsByOperationPathPaymentStrictSend(t.strictSend)
	p.stats.AddPaymentsByOperationPathPaymentStrictReceive(t.strictReceive)
	*t = tally{}
}

// transaction emits the matching payments of one successful transaction.
func (p *FilterPayments) transaction(tx *ingest.LedgerTransaction, closedAt time.Time, out *ledgerx.Output) error {
	if !tx.Successful() {
		return nil
	}
	var err error
	p.found, err = payments(p.found[:0], tx, closedAt, p.names)
	if err != nil {
		return err
	}
	p.mark()
	shared := txShared{tx: tx}
	for i := range p.found {
		c := &p.found[i]
		if !c.kept {
			continue
		}
		if err := c.finish(&shared, p.names); err != nil {
			return err
		}
		out.Emit(ledgerx.Emitted(c.Payment, c.LedgerSequence))
	}
	return nil
}

// mark counts the payments in p.found in the tally and marks those that
// pass the filters.
func (p *FilterPayments) mark() {
	for i := range p.found {
		c := &p.found[i]
		c.kept = p.keep(c)
		p.tally.count(c.OperationType, c.kept)
	}
}

// keep reports whether a payment passes the filters.
func (p *FilterPayments) keep(c *candidate) bool {
	if p.cfg.Asset != "" && c.Asset != p.cfg.Asset {
		return false
	}
	return c.amount >= p.cfg.MinAmount
}
