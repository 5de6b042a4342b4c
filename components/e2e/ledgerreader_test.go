package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/components/processor/ledgerreader"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// transactions returns the LedgerReader transactions r received.
func (r *recorder) transactions() []cdp.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []cdp.Message
	for _, m := range r.messages {
		if _, ok := m.Payload.(ledgerreader.Transaction); ok {
			out = append(out, m)
		}
	}
	return out
}

// readerLedger is a ledger LedgerReader tests run on, with its network.
type readerLedger struct {
	name       string
	lcm        xdr.LedgerCloseMeta
	passphrase string
}

func readerLedgers(t testing.TB) []readerLedger {
	return []readerLedger{
		{"pubnet 58752000", ledgers.MustPubnet(t), network.PublicNetworkPassphrase},
		{"synthetic V4", buildScenario(t, 1000, 4), ledgers.SyntheticPassphrase},
	}
}

// TestLedgerReaderEmitsEveryTransaction checks the transaction messages
// against ledgers.Expect's counts: every transaction in apply order,
// failed ones unless successful_only, then the ledger.
func TestLedgerReaderEmitsEveryTransaction(t *testing.T) {
	for _, l := range readerLedgers(t) {
		want := walk(t, l.lcm, l.passphrase)
		require.NotZero(t, want.FailedTxs, "%s has failed transactions to tell apart", l.name)
		for _, successfulOnly := range []bool{false, true} {
			name := l.name
			if successfulOnly {
				name += " successful_only"
			}
			t.Run(name, func(t *testing.T) {
				lr, err := ledgerreader.New(map[string]interface{}{"successful_only": successfulOnly})
				require.NoError(t, err)
				rec := &recorder{}
				lr.Subscribe(rec)
				require.NoError(t, lr.Process(testContext(t), ledgerMessage(l.lcm, l.passphrase)))

				msgs := rec.transactions()
				wantEmitted, wantFailedEmitted := want.TotalTxs, want.FailedTxs
				if successfulOnly {
					wantEmitted, wantFailedEmitted = want.TotalTxs-want.FailedTxs, 0
				}
				require.Len(t, msgs, wantEmitted)
				require.Len(t, rec.messages, wantEmitted+1, "the transactions, then the ledger")
				assert.Equal(t, []uint32{l.lcm.LedgerSequence()}, rec.ledgers())
				_, last := rec.messages[len(rec.messages)-1].Payload.(xdr.LedgerCloseMeta)
				assert.True(t, last, "the ledger comes after its transactions")

				failed, prevIndex := 0, uint32(0)
				successfulHashes := map[string]bool{}
				for _, m := range msgs {
					tx := m.Payload.(ledgerreader.Transaction)
					assert.Greater(t, tx.Index, prevIndex, "apply order")
					prevIndex = tx.Index
					assert.Equal(t, l.lcm.LedgerSequence(), tx.LedgerSequence)
					assert.Equal(t, l.lcm.ClosedAt().UTC(), tx.ClosedAt)
					assert.Equal(t, tx.Tx.Successful(), tx.Successful)
					assert.Equal(t, tx.Tx.Index, tx.Index)
					assert.Equal(t, l.passphrase, m.Metadata[cdp.MetadataNetworkPassphrase])
					assert.Equal(t, l.lcm.LedgerSequence(), m.Metadata[cdp.MetadataLedgerSequence])
					if !tx.Successful {
						failed++
					} else {
						successfulHashes[tx.Hash] = true
					}
				}
				assert.Equal(t, wantFailedEmitted, failed)
				for _, p := range want.Payments {
					assert.True(t, successfulHashes[p.Hash], "payment transaction %s is emitted as successful", p.Hash)
				}

				if statsOn(t) {
					s := snapshot(lr)
					assert.Equal(t, float64(1), s["ledgers_processed"])
					assert.Equal(t, float64(wantEmitted), s["transactions_emitted"])
					assert.Equal(t, float64(want.FailedTxs), s["failed_transactions"], "failed transactions are counted even when skipped")
					assert.Equal(t, float64(0), s["errors"])
					assert.Equal(t, float64(l.lcm.LedgerSequence()), s["last_ledger"])
					assert.Equal(t, float64(1), s["process_latency_count"])
				}
			})
		}
	}
}

// chainOutput is what a chain ending in a recorder produced, with the
// FilterPayments stats.
type chainOutput struct {
	messages []string
	payments []filterpayments.Payment
	events   []contractevent.Event
	ledgers  []uint32
	stats    map[string]float64
}

// runChain feeds lcms through [LedgerReader →] FilterPayments →
// ContractEvent → recorder.
func runChain(t *testing.T, withReader bool, filter map[string]interface{}, passphrase string, lcms ...xdr.LedgerCloseMeta) chainOutput {
	t.Helper()
	fp, err := filterpayments.New(filter)
	require.NoError(t, err)
	ce, err := contractevent.New(nil)
	require.NoError(t, err)
	rec := &recorder{}
	fp.Subscribe(ce)
	ce.Subscribe(rec)
	var first cdp.Processor = fp
	if withReader {
		lr, err := ledgerreader.New(nil)
		require.NoError(t, err)
		lr.Subscribe(fp)
		first = lr
	}
	ctx := testContext(t)
	for _, lcm := range lcms {
		require.NoError(t, first.Process(ctx, ledgerMessage(lcm, passphrase)))
	}
	var kinds []string
	for _, m := range rec.messages {
		kinds = append(kinds, kindOf(m))
	}
	return chainOutput{messages: kinds, payments: rec.payments(), events: rec.events(), ledgers: rec.ledgers(), stats: snapshot(fp)}
}

func kindOf(m cdp.Message) string {
	switch m.Payload.(type) {
	case filterpayments.Payment:
		return "payment"
	case contractevent.Event:
		return "event"
	case xdr.LedgerCloseMeta:
		return "ledger"
	case ledgerreader.Transaction:
		return "transaction"
	}
	return "other"
}

// TestLedgerReaderThenFilterPayments checks that source → LedgerReader →
// FilterPayments emits exactly what source → FilterPayments does, each
// payment once, and that the processors after it see each ledger once.
func TestLedgerReaderThenFilterPayments(t *testing.T) {
	pubnet := ledgers.MustPubnet(t)
	tests := []struct {
		name       string
		passphrase string
		lcms       []xdr.LedgerCloseMeta
		filter     map[string]interface{}
	}{
		{"pubnet", network.PublicNetworkPassphrase, []xdr.LedgerCloseMeta{pubnet}, nil},
		{"pubnet native at least 1", network.PublicNetworkPassphrase, []xdr.LedgerCloseMeta{pubnet}, map[string]interface{}{"asset": "native", "min_amount": "1"}},
		{"synthetic V4, three ledgers", ledgers.SyntheticPassphrase, syntheticRange(t, 1000, 1002), nil},
		{"synthetic V3", ledgers.SyntheticPassphrase, []xdr.LedgerCloseMeta{buildScenario(t, 1000, 3)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want walked
			var seqs []uint32
			for _, lcm := range tt.lcms {
				w := walk(t, lcm, tt.passphrase)
				want.Payments = append(want.Payments, w.Payments...)
				seqs = append(seqs, lcm.LedgerSequence())
			}
			direct := runChain(t, false, tt.filter, tt.passphrase, tt.lcms...)
			viaReader := runChain(t, true, tt.filter, tt.passphrase, tt.lcms...)

			require.NotEmpty(t, direct.payments)
			assert.Equal(t, direct.payments, viaReader.payments, "same payments, in the same order")
			assert.Equal(t, direct.events, viaReader.events)
			assert.Equal(t, seqs, viaReader.ledgers, "each ledger passed on once")
			assert.NotContains(t, viaReader.messages, "transaction", "FilterPayments replaces transactions with their payments")
			if tt.filter == nil {
				got := paymentKeys(viaReader.payments)
				assert.Equal(t, want.Payments, got, "the oracle's payments, each once")
			}
			if statsOn(t) {
				assert.Equal(t, direct.stats, nonLatency(viaReader.stats, direct.stats))
				assert.Equal(t, float64(len(viaReader.payments)), viaReader.stats["payments_emitted"])
			}
		})
	}
}

// nonLatency returns got with the latency keys taken from like: latency
// is counted per ledger on one path and per transaction on the other.
func nonLatency(got, like map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(got))
	for k, v := range got {
		out[k] = v
	}
	for k, v := range like {
		if strings.HasPrefix(k, "process_latency_") {
			out[k] = v
		}
	}
	return out
}

// TestFilterPaymentsReadsAReplayedLedger checks that the ledger a
// LedgerReader's transactions came from is skipped only once: sent again
// on its own, it is read.
func TestFilterPaymentsReadsAReplayedLedger(t *testing.T) {
	lcm := buildScenario(t, 1000, 4)
	fp, err := filterpayments.New(nil)
	require.NoError(t, err)
	lr, err := ledgerreader.New(nil)
	require.NoError(t, err)
	rec := &recorder{}
	lr.Subscribe(fp)
	fp.Subscribe(rec)
	ctx := testContext(t)
	require.NoError(t, lr.Process(ctx, ledgerMessage(lcm, ledgers.SyntheticPassphrase)))
	once := len(rec.payments())
	require.Equal(t, len(walk(t, lcm, ledgers.SyntheticPassphrase).Payments), once)
	require.NoError(t, fp.Process(ctx, ledgerMessage(lcm, ledgers.SyntheticPassphrase)))
	assert.Len(t, rec.payments(), 2*once)
	assert.Equal(t, []uint32{1000, 1000}, rec.ledgers())
}

func TestLedgerReaderPassesOtherPayloads(t *testing.T) {
	lr, err := ledgerreader.New(nil)
	require.NoError(t, err)
	rec := &recorder{}
	lr.Subscribe(rec)
	require.NoError(t, lr.Process(testContext(t), msgOf("not a ledger")))
	require.Len(t, rec.messages, 1)
	assert.Equal(t, "not a ledger", rec.messages[0].Payload)
}

func TestLedgerReaderErrors(t *testing.T) {
	pubnet := ledgers.MustPubnet(t)
	tests := []struct {
		name    string
		cfg     map[string]interface{}
		msg     cdp.Message
		wantErr []string
	}{
		{"wrong network", nil, ledgerMessage(pubnet, network.TestNetworkPassphrase), []string{"ledger 58752000", "network passphrase"}},
		{"no network", nil, cdp.Message{Payload: pubnet}, []string{"network"}},
		{"network from config", map[string]interface{}{"network": "pubnet"}, cdp.Message{Payload: pubnet}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr, err := ledgerreader.New(tt.cfg)
			require.NoError(t, err)
			rec := &recorder{}
			lr.Subscribe(rec)
			err = lr.Process(testContext(t), tt.msg)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.NotEmpty(t, rec.transactions())
				return
			}
			require.Error(t, err)
			for _, s := range tt.wantErr {
				assert.Contains(t, err.Error(), s)
			}
			assert.Empty(t, rec.messages, "a ledger that cannot be read emits nothing")
			if statsOn(t) {
				assert.Equal(t, float64(1), stat(t, lr, "errors"))
				assert.Equal(t, float64(0), stat(t, lr, "ledgers_processed"))
			}
		})
	}
}

func TestLedgerReaderConfigErrors(t *testing.T) {
	tests := []struct {
		name    string
		cfg     map[string]interface{}
		key     string
		wantMsg string
	}{
		{"unknown key", map[string]interface{}{"successful_onyl": true},
			"successful_onyl", `unknown config key "successful_onyl"; did you mean "successful_only"? (valid: network, successful_only)`},
		{"not a bool", map[string]interface{}{"successful_only": "yes"}, "successful_only", `config key "successful_only"`},
		{"unknown network", map[string]interface{}{"network": "pubnett"}, "network", `unknown network "pubnett"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ledgerreader.New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantMsg)
			var ke *config.KeyError
			require.ErrorAs(t, err, &ke)
			assert.Equal(t, tt.key, ke.Key)
		})
	}
}

// TestFilterPaymentsTransactionErrors checks that a transaction message
// whose payments cannot be read is an error, counted once.
func TestFilterPaymentsTransactionErrors(t *testing.T) {
	lcm := buildScenario(t, 1000, 4)
	lr, err := ledgerreader.New(nil)
	require.NoError(t, err)
	rec := &recorder{}
	lr.Subscribe(rec)
	require.NoError(t, lr.Process(testContext(t), ledgerMessage(lcm, ledgers.SyntheticPassphrase)))
	tx := rec.transactions()[0].Payload.(ledgerreader.Transaction)
	require.True(t, tx.Successful)
	// A result with no operation results cannot be matched to the
	// operations.
	broken := tx
	broken.Tx.Result.Result.Result.Results = &[]xdr.OperationResult{}

	fp, err := filterpayments.New(nil)
	require.NoError(t, err)
	err = fp.Process(context.Background(), cdp.Message{Payload: &broken})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "operations but 0 results")
	if statsOn(t) {
		assert.Equal(t, float64(1), stat(t, fp, "errors"))
	}
}
