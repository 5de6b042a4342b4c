package ledgers_test

import (
	"encoding/hex"
	"fmt"
	"runtime"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// oracleSpec is a ledger with every kind of payment, a fee bump, a failed
// transaction and contract events of several types.
func oracleSpec(metaVersion int) ledgers.LedgerSpec {
	// The strict-send result delivers more than DestMin, so only an oracle
	// that reads the result gets the amount right.
	strictSend := ledgers.PathPaymentStrictSend(nil, ledgers.Account(2), ledgers.Native(), 50, ledgers.Credit("LONGCODE", 9), 30)
	strictSend.Result.Tr.PathPaymentStrictSendResult.Success.Last.Amount = 31
	return ledgers.LedgerSpec{Sequence: 9, MetaVersion: metaVersion, Transactions: []ledgers.TxSpec{
		{Source: ledgers.Account(1), Operations: []ledgers.Op{
			ledgers.Payment(nil, ledgers.Account(2), ledgers.Native(), 125_000_000),
			ledgers.BumpSequence(),
			ledgers.Payment(nil, ledgers.Muxed(3, 7), ledgers.Credit("USD", 9), 1),
		}},
		{Source: ledgers.Account(1), FeeBump: true, FeeSource: ledgers.Account(4), Operations: []ledgers.Op{
			strictSend,
			ledgers.PathPaymentStrictReceive(nil, ledgers.Account(3), ledgers.Native(), 70, ledgers.Native(), 40),
		}},
		{Source: ledgers.Account(1), Failed: true, Operations: []ledgers.Op{
			ledgers.Payment(nil, ledgers.Account(2), ledgers.Native(), 5),
		}},
		{Source: ledgers.Account(1), Operations: []ledgers.Op{
			ledgers.InvokeContract(ledgers.Contract(5), "transfer",
				ledgers.Event(ledgers.Contract(5), xdr.ContractEventTypeContract, ledgers.I128(1), ledgers.Symbol("transfer")),
				ledgers.Event(ledgers.Contract(5), xdr.ContractEventTypeSystem, ledgers.I128(2)),
				ledgers.Event(ledgers.Contract(6), xdr.ContractEventTypeContract, ledgers.I128(3)),
			),
		}},
	}}
}

// txHashes returns the hex hashes the ledger's results record.
func txHashes(t *testing.T, lcm xdr.LedgerCloseMeta) []string {
	var hashes []string
	for i := range lcm.CountTransactions() {
		h := lcm.TransactionHash(i)
		hashes = append(hashes, hex.EncodeToString(h[:]))
	}
	require.Len(t, hashes, 4)
	return hashes
}

func TestExpect(t *testing.T) {
	usd := "USD:" + ledgers.AccountID(9).Address()
	long := "LONGCODE:" + ledgers.AccountID(9).Address()
	m := ledgers.Muxed(3, 7)
	muxed, err := m.GetAddress()
	require.NoError(t, err)

	for _, metaVersion := range []int{3, 4} {
		t.Run(fmt.Sprintf("meta V%d", metaVersion), func(t *testing.T) {
			lcm, err := ledgers.Build(oracleSpec(metaVersion))
			require.NoError(t, err)
			h := txHashes(t, lcm)

			got := ledgers.Expect(t, lcm, ledgers.SyntheticPassphrase)

			assert.Equal(t, []ledgers.ExpectedPayment{
				{Hash: h[0], OpIndex: 0, Type: "payment", To: ledgers.AccountID(2).Address(), Asset: "native", Amount: "12.5000000", Stroops: 125_000_000},
				{Hash: h[0], OpIndex: 2, Type: "payment", To: muxed, Asset: usd, Amount: "0.0000001", Stroops: 1},
				{Hash: h[1], OpIndex: 0, Type: "path_payment_strict_send", To: ledgers.AccountID(2).Address(), Asset: long, Amount: "0.0000031", Stroops: 31},
				{Hash: h[1], OpIndex: 1, Type: "path_payment_strict_receive", To: ledgers.AccountID(3).Address(), Asset: "native", Amount: "0.0000040", Stroops: 40},
			}, got.Payments)
			assert.Equal(t, []ledgers.ExpectedEvent{
				{Hash: h[3], OpIndex: 0, EventIndex: 0, Contract: ledgers.Contract(5)},
				{Hash: h[3], OpIndex: 0, EventIndex: 2, Contract: ledgers.Contract(6)},
			}, got.Events, "CONTRACT events only, indexed among all their operation's events")
			assert.Equal(t, 1, got.FailedTxs)
			assert.Equal(t, 4, got.TotalTxs)
		})
	}
}

func TestExpectedAdd(t *testing.T) {
	one := ledgers.Expect(t, ledgers.MustBuild(oracleSpec(4)), ledgers.SyntheticPassphrase)
	var sum ledgers.Expected
	sum.Add(one)
	sum.Add(one)
	assert.Equal(t, append(one.Payments, one.Payments...), sum.Payments)
	assert.Equal(t, append(one.Events, one.Events...), sum.Events)
	assert.Equal(t, 2, sum.FailedTxs)
	assert.Equal(t, 8, sum.TotalTxs)
}

// fatalRecorder is a testing.TB whose Fatalf records the message and ends
// the goroutine, as the real one does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestExpectFailsOnAnUnreadableLedger(t *testing.T) {
	tests := []struct {
		name       string
		lcm        xdr.LedgerCloseMeta
		passphrase string
		wantMsg    string
	}{
		{"wrong passphrase", ledgers.MustBuild(oracleSpec(4)), network.PublicNetworkPassphrase, "no envelope hashes to"},
		{"LedgerCloseMeta V0", xdr.LedgerCloseMeta{V: 0, V0: &xdr.LedgerCloseMetaV0{}}, ledgers.SyntheticPassphrase, "LedgerCloseMeta V0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fatalRecorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				ledgers.Expect(r, tt.lcm, tt.passphrase)
			}()
			<-done
			assert.Contains(t, r.msg, tt.wantMsg)
		})
	}
}

func TestPubnetAt(t *testing.T) {
	orig := ledgers.MustPubnet(t)
	lcm, err := ledgers.PubnetAt(ledgers.PubnetSequence + 7)
	require.NoError(t, err)
	assert.Equal(t, ledgers.PubnetSequence+7, lcm.LedgerSequence())
	assert.Equal(t, orig.CountTransactions(), lcm.CountTransactions(), "the transactions stay")
	lcm.V1.LedgerHeader.Header.LedgerSeq = orig.V1.LedgerHeader.Header.LedgerSeq
	assert.Equal(t, orig, lcm, "only the sequence changes")
}
