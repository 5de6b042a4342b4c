package ledgerreader

import (
	"context"
	"encoding/hex"

	"github.com/stellar/go-stellar-sdk/ingest"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

// LedgerReader emits the transactions of each ledger message, one message
// per transaction in apply order with a [Transaction] payload, then passes
// the ledger on.
//
//cdp:component kind=processor name=LedgerReader
type LedgerReader struct {
	cfg         Config
	subscribers cdp.Subscribers

	// txs is reused from ledger to ledger; Process is not called
	// concurrently. Messages carry copies of its elements.
	txs []Transaction

	//cdp:stat counter name=ledgers_processed    unit=ledgers      help="Ledgers read"
	//cdp:stat counter name=transactions_emitted unit=transactions help="Transaction messages emitted"
	//cdp:stat counter name=failed_transactions  unit=transactions help="Failed transactions read"
	//cdp:stat counter name=errors                                 help="Ledgers or transactions that could not be read or decoded"
	//cdp:stat gauge   name=last_ledger                            help="Sequence of the last ledger processed"
	//cdp:stat latency name=process_latency help="Time to process one message (a ledger or a transaction), not counting the processors after"
	stats ledgerReaderStats
}

// New returns a LedgerReader for a config map (see [Config] for the keys).
func New(raw map[string]interface{}) (*LedgerReader, error) {
	cfg, err := ParseConfig(raw)
	if err != nil {
		return nil, err
	}
	return &LedgerReader{cfg: cfg}, nil
}

// NewFromConfig returns a LedgerReader for a configuration built in Go,
// checking it as New does.
func NewFromConfig(cfg Config) (*LedgerReader, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &LedgerReader{cfg: cfg}, nil
}

// Subscribe adds a processor that receives the transactions and the
// ledgers.
func (p *LedgerReader) Subscribe(next cdp.Processor) { p.subscribers.Subscribe(next) }

// Process emits the transactions of a ledger message and then the ledger
// itself; other payloads pass through unchanged. A ledger that cannot be
// read emits none of its transactions.
func (p *LedgerReader) Process(ctx context.Context, msg cdp.Message) error {
	lcm, ok := ledgerx.Ledger(msg)
	if !ok {
		return p.subscribers.Send(ctx, msg)
	}
	done := p.stats.TimeProcessLatency()
	passphrase, err := ledgerx.MessagePassphrase(msg, p.cfg.passphrase)
	if err != nil {
		p.stats.RecordErrors()
		return err
	}
	seq := lcm.LedgerSequence()
	closedAt := lcm.ClosedAt().UTC()
	p.txs = p.txs[:0]
	failed := 0
	err = ledgerx.Transactions(lcm, passphrase, func(tx *ingest.LedgerTransaction) error {
		successful := tx.Successful()
		if !successful {
			failed++
			if p.cfg.SuccessfulOnly {
				return nil
			}
		}
		p.txs = append(p.txs, Transaction{
			LedgerSequence: seq,
			ClosedAt:       closedAt,
			Index:          tx.Index,
			Hash:           hex.EncodeToString(tx.Hash[:]),
			Successful:     successful,
			Tx:             *tx,
		})
		return nil
	})
	if err != nil {
		p.stats.RecordErrors()
		return err
	}
	p.stats.RecordLedgersProcessed()
	p.stats.AddFailedTransactions(uint64(failed))
	p.stats.SetLastLedger(int64(seq))
	done()

	for i := range p.txs {
		// Each message gets its own metadata map: a processor after this
		// one may add keys to it.
		meta := map[string]interface{}{
			cdp.MetadataNetworkPassphrase: passphrase,
			cdp.MetadataLedgerSequence:    seq,
		}
		if err := p.subscribers.Send(ctx, cdp.Message{Payload: p.txs[i], Metadata: meta}); err != nil {
			return err
		}
		p.stats.RecordTransactionsEmitted()
	}
	return p.subscribers.Send(ctx, msg)
}
