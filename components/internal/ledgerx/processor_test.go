package ledgerx

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
	"github.com/cdpstats/cdpstats/runtime"
)

// nopStats is a Stats that records errors only.
type nopStats struct{ errors int }

func (s *nopStats) RecordErrors()                          { s.errors++ }
func (s *nopStats) StartProcessLatency() runtime.Stopwatch { return runtime.Stopwatch{} }

// TestSettleFollowsEveryMessage checks that a transaction processor's
// settle hook runs once after every ledger or Transaction message its
// function handled, also when the function failed, so that counts kept
// over a ledger always reach the stats.
func TestSettleFollowsEveryMessage(t *testing.T) {
	lcm, err := ledgers.SyntheticAt(0)
	require.NoError(t, err)
	boom := errors.New("boom")
	tests := []struct {
		name       string
		failAt     int // the transaction that fails, 0 for none
		message    func(l *LedgerInput, txs []ingest.LedgerTransaction) Transaction
		wantSettle int
		wantCalls  int
	}{
		{name: "a ledger", wantSettle: 1, wantCalls: lcm.CountTransactions()},
		{name: "a ledger that fails at its third transaction", failAt: 3, wantSettle: 1, wantCalls: 3},
		{name: "a Transaction message", message: func(l *LedgerInput, txs []ingest.LedgerTransaction) Transaction {
			return Transaction{LedgerSequence: l.Sequence, ClosedAt: l.ClosedAt, Tx: txs[0]}
		}, wantSettle: 1, wantCalls: 1},
		{name: "a Transaction message that fails", failAt: 1, message: func(l *LedgerInput, txs []ingest.LedgerTransaction) Transaction {
			return Transaction{LedgerSequence: l.Sequence, ClosedAt: l.ClosedAt, Tx: txs[0]}
		}, wantSettle: 1, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stats nopStats
			calls, settled := 0, 0
			p := NewTransactionProcessor(ledgers.SyntheticPassphrase, &stats, func(*ingest.LedgerTransaction, time.Time, *Output) error {
				calls++
				if calls == tt.failAt {
					return boom
				}
				return nil
			}, nil)
			p.SettleWith(func() { settled++ })
			msg := LedgerMessage(lcm, ledgers.SyntheticPassphrase)
			if tt.message != nil {
				l := &LedgerInput{Msg: msg, LCM: lcm, Sequence: lcm.LedgerSequence(), ClosedAt: lcm.ClosedAt().UTC(), Passphrase: ledgers.SyntheticPassphrase}
				txs, err := l.Transactions()
				require.NoError(t, err)
				msg = TransactionMessage(l, tt.message(l, txs))
			}
			err := p.Process(context.Background(), msg)
			if tt.failAt != 0 {
				assert.ErrorIs(t, err, boom)
				assert.Equal(t, 1, stats.errors)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tt.wantCalls, calls)
			assert.Equal(t, tt.wantSettle, settled)
		})
	}
}

func TestHashHex(t *testing.T) {
	var h xdr.Hash
	for i := range h {
		h[i] = byte(i * 7)
	}
	assert.Equal(t, hex.EncodeToString(h[:]), HashHex(h))
	assert.Equal(t, strings.Repeat("0", 64), HashHex(xdr.Hash{}))
}
