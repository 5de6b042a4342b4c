package ledgerreader

import (
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

// LedgerReader emits the transactions of each ledger message, one message
// per transaction in apply order with a [Transaction] payload, then passes
// the ledger on; other payloads pass through unchanged. A ledger that
// cannot be read emits none of its transactions.
//
//cdp:component kind=processor name=LedgerReader
type LedgerReader struct {
	ledgerx.Processor
	cfg Config

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
	p := &LedgerReader{cfg: cfg}
	p.Processor = ledgerx.NewLedgerProcessor(cfg.passphrase, &p.stats, p.read)
	return p, nil
}

// read emits the transactions of one ledger.
func (p *LedgerReader) read(l *ledgerx.LedgerInput, out *ledgerx.Output) error {
	txs, err := l.Transactions()
	if err != nil {
		return err
	}
	failed := 0
	for i := range txs {
		tx := &txs[i]
		successful := tx.Successful()
		if !successful {
			failed++
			if p.cfg.SuccessfulOnly {
				continue
			}
		}
		out.Emit(ledgerx.TransactionMessage(l, Transaction{
			LedgerSequence: l.Sequence,
			ClosedAt:       l.ClosedAt,
			Index:          tx.Index,
			Hash:           ledgerx.HashHex(tx.Hash),
			Successful:     successful,
			Tx:             *tx,
		}))
	}
	emitted := len(txs)
	if p.cfg.SuccessfulOnly {
		emitted -= failed
	}
	p.stats.AddTransactionsEmitted(uint64(emitted))
	p.stats.RecordLedgersProcessed()
	p.stats.AddFailedTransactions(uint64(failed))
	p.stats.SetLastLedger(int64(l.Sequence))
	return nil
}
