package contractevent

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/cdp"
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

	// events is reused from transaction to transaction; Process is not
	// called concurrently.
	events []Event

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
	p := &ContractEvent{cfg: cfg}
	p.Processor = ledgerx.NewTransactionProcessor(cfg.passphrase, &p.stats, p.transaction, p.ledgerDone)
	return p, nil
}

// transaction emits the wanted events of one transaction.
func (p *ContractEvent) transaction(tx *ingest.LedgerTransaction, closedAt time.Time, out *ledgerx.Output) error {
	if !tx.Successful() {
		p.stats.RecordFailedTransactions()
		return nil
	}
	p.events = p.events[:0]
	found, err := p.collect(tx, closedAt)
	if err != nil {
		return err
	}
	p.stats.AddEventsFound(uint64(found))
	p.stats.AddEventsEmitted(uint64(len(p.events)))
	for i := range p.events {
		out.Emit(cdp.Message{Payload: p.events[i], Metadata: map[string]interface{}{cdp.MetadataLedgerSequence: p.events[i].LedgerSequence}})
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
	events, err := tx.GetTransactionEvents()
	if err != nil {
		return 0, fmt.Errorf("ledger %d transaction %x: %w", tx.Ledger.LedgerSequence(), tx.Hash, err)
	}
	found := 0
	var hash string
	for opIndex, opEvents := range events.OperationEvents {
		for eventIndex, ev := range opEvents {
			if ev.Type != xdr.ContractEventTypeContract || ev.ContractId == nil {
				continue
			}
			found++
			if !p.cfg.wants(*ev.ContractId) {
				continue
			}
			if hash == "" {
				hash = hex.EncodeToString(tx.Hash[:])
			}
			out, err := decodeEvent(ev)
			if err != nil {
				return found, fmt.Errorf("ledger %d transaction %s operation %d event %d: %w",
					tx.Ledger.LedgerSequence(), hash, opIndex, eventIndex, err)
			}
			out.LedgerSequence = tx.Ledger.LedgerSequence()
			out.ClosedAt = closedAt
			out.TransactionHash = hash
			out.OperationIndex = uint32(opIndex)
			out.EventIndex = uint32(eventIndex)
			p.events = append(p.events, out)
		}
	}
	return found, nil
}

// decodeEvent fills the contract, topics and data of an Event.
func decodeEvent(ev xdr.ContractEvent) (Event, error) {
	var out Event
	id, err := strkey.Encode(strkey.VersionByteContract, ev.ContractId[:])
	if err != nil {
		return out, err
	}
	out.ContractID = id
	body, ok := ev.Body.GetV0()
	if !ok {
		return out, fmt.Errorf("unsupported contract event body version %d", ev.Body.V)
	}
	out.Topics = make([]interface{}, len(body.Topics))
	out.TopicsXDR = make([]string, len(body.Topics))
	for i, topic := range body.Topics {
		if out.Topics[i], err = DecodeScVal(topic); err != nil {
			return out, fmt.Errorf("topic %d: %w", i, err)
		}
		if out.TopicsXDR[i], err = xdr.MarshalBase64(topic); err != nil {
			return out, fmt.Errorf("topic %d: %w", i, err)
		}
	}
	if out.Data, err = DecodeScVal(body.Data); err != nil {
		return out, fmt.Errorf("data: %w", err)
	}
	if out.DataXDR, err = xdr.MarshalBase64(body.Data); err != nil {
		return out, fmt.Errorf("data: %w", err)
	}
	return out, nil
}
