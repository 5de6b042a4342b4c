package contractevent

import (
	"fmt"
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

// ContractEvent emits the contract events of successful transactions, one
// message per event with an [Event] payload, then passes the ledger on;
// other payloads pass through unchanged. A transaction message of a
// LedgerReader before it is replaced by its events, and the ledger message
// that follows is passed on without being read again.
//
//cdp:component kind=processor name=ContractEvent
type ContractEvent struct {
	ledgerx.Processor
	cfg Config

	// events, opEvents and enc are reused from transaction to
	// transaction, and dec keeps addresses across ledgers; Process is not
	// called concurrently.
	events   []Event
	opEvents [][]xdr.ContractEvent
	enc      *xdr.EncodingBuffer
	dec      decoder
	// tally holds the counts of the ledger or Transaction message being
	// handled, added to the stats once it is (settle).
	tally tally

	//cdp:stat counter name=ledgers_processed   unit=ledgers      help="Ledgers read"
	//cdp:stat counter name=events_found        unit=events       help="CONTRACT events in successful transactions"
	//cdp:stat counter name=events_emitted      unit=events       help="Events emitted, after the contract_ids filter"
	//cdp:stat counter name=failed_transactions unit=transactions help="Failed transactions read"
	//cdp:stat counter name=errors                                help="Ledgers or transactions that could not be read or decoded"
	//cdp:stat gauge   name=last_ledger                           help="Sequence of the last ledger processed"
	//cdp:stat latency name=process_latency help="Time to process one message (a ledger or a transaction), not counting the processors after"
	stats contractEventStats
}

// New returns a ContractEvent for a config map (see [Config] for the keys).
func New(raw map[string]interface{}) (*ContractEvent, error) {
	cfg, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	p := &ContractEvent{cfg: cfg, enc: xdr.NewEncodingBuffer(), dec: newDecoder()}
	p.Processor = ledgerx.NewTransactionProcessor(cfg.passphrase, &p.stats, p.transaction, p.ledgerDone)
	p.SettleWith(p.settle)
	return p, nil
}

// tally counts events and failed transactions over one ledger, so that
// the stats take a few atomic adds a ledger rather than several a
// transaction.
type tally struct {
	found, emitted, failed uint64
}

// settle adds the tally to the stats and clears it.
func (p *ContractEvent) settle() {
	p.stats.AddEventsFound(p.tally.found)
	p.stats.AddEventsEmitted(p.tally.emitted)
	p.stats.AddFailedTransactions(p.tally.failed)
	p.tally = tally{}
}

// transaction emits the wanted events of one transaction.
func (p *ContractEvent) transaction(tx *ingest.LedgerTransaction, closedAt time.Time, out *ledgerx.Output) error {
	if !tx.Successful() {
		p.tally.failed++
		return nil
	}
	p.events = p.events[:0]
	found, err := p.collect(tx, closedAt)
	if err != nil {
		return err
	}
	p.tally.found += uint64(found)
	p.tally.emitted += uint64(len(p.events))
	for i := range p.events {
		out.Emit(ledgerx.Emitted(p.events[i], p.events[i].LedgerSequence))
	}
	return nil
}

// ledgerDone records a ledger whose transactions were all handled.
func (p *ContractEvent) ledgerDone(seq uint32) {
	p.stats.RecordLedgersProcessed()
	p.stats.SetLastLedger(int64(seq))
}

// collect appends the wanted CONTRACT events of tx to p.events and returns
// how many CONTRACT events tx has.
func (p *ContractEvent) collect(tx *ingest.LedgerTransaction, closedAt time.Time) (int, error) {
	opEvents, err := p.operationEvents(tx)
	if err != nil {
		return 0, fmt.Errorf("ledger %d transaction %x: %w", tx.Ledger.LedgerSequence(), tx.Hash, err)
	}
	found := 0
	// The ledger and hash of the transaction, found on its first wanted
	// event: most transactions have none.
	var seq uint32
	var hash string
	for opIndex, events := range opEvents {
		for eventIndex := range events {
			ev := &events[eventIndex]
			if ev.Type != xdr.ContractEventTypeContract || ev.ContractId == nil {
				continue
			}
			found++
			if !p.cfg.wants(*ev.ContractId) {
				continue
			}
			if hash == "" {
				seq = tx.Ledger.LedgerSequence()
				hash = ledgerx.HashHex(tx.Hash)
			}
			out, err := p.decodeEvent(ev)
			if err != nil {
				return found, fmt.Errorf("ledger %d transaction %s operation %d event %d: %w",
					seq, hash, opIndex, eventIndex, err)
			}
			out.LedgerSequence = seq
			out.ClosedAt = closedAt
			out.TransactionHash = hash
			out.OperationIndex = uint32(opIndex)
			out.EventIndex = uint32(eventIndex)
			p.events = append(p.events, out)
		}
	}
	return found, nil
}

// operationEvents returns the contract events of each operation of tx, as
// tx.GetTransactionEvents().OperationEvents does. Those of meta V4, which
// current ledgers carry, are gathered into p.opEvents, reused from
// transaction to transaction, where GetTransactionEvents would allocate a
// slice for every transaction, with events or not.
func (p *ContractEvent) operationEvents(tx *ingest.LedgerTransaction) ([][]xdr.ContractEvent, error) {
	if meta, ok := tx.UnsafeMeta.GetV4(); ok {
		p.opEvents = p.opEvents[:0]
		for i := range meta.Operations {
			p.opEvents = append(p.opEvents, meta.Operations[i].Events)
		}
		return p.opEvents, nil
	}
	events, err := tx.GetTransactionEvents()
	return events.OperationEvents, err
}

// decodeEvent fills the contract, topics and data of an Event.
func (p *ContractEvent) decodeEvent(ev *xdr.ContractEvent) (Event, error) {
	var out Event
	id, err := p.dec.contract(*ev.ContractId)
	if err != nil {
		return out, err
	}
	out.ContractID = id
	body := ev.Body.V0
	if ev.Body.V != 0 || body == nil {
		return out, fmt.Errorf("unsupported contract event body version %d", ev.Body.V)
	}
	out.Topics = make([]interface{}, len(body.Topics))
	out.TopicsXDR = make([]string, len(body.Topics))
	for i := range body.Topics {
		topic := &body.Topics[i]
		if out.Topics[i], err = p.dec.decode(*topic); err != nil {
			return out, fmt.Errorf("topic %d: %w", i, err)
		}
		if out.TopicsXDR[i], err = p.enc.MarshalBase64(topic); err != nil {
			return out, fmt.Errorf("topic %d: %w", i, err)
		}
	}
	if out.Data, err = p.dec.decode(body.Data); err != nil {
		return out, fmt.Errorf("data: %w", err)
	}
	if out.DataXDR, err = p.enc.MarshalBase64(&body.Data); err != nil {
		return out, fmt.Errorf("data: %w", err)
	}
	return out, nil
}
