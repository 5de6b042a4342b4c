package e2e

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/processor/contractevent"
	"github.com/cdpstats/cdpstats/components/processor/filterpayments"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// recorder is a processor that keeps every message it receives.
type recorder struct {
	mu       sync.Mutex
	messages []cdp.Message
}

func (r *recorder) Process(_ context.Context, msg cdp.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, msg)
	return nil
}

func (r *recorder) Subscribe(cdp.Processor) {}

func (r *recorder) payments() []filterpayments.Payment {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []filterpayments.Payment
	for _, m := range r.messages {
		if p, ok := m.Payload.(filterpayments.Payment); ok {
			out = append(out, p)
		}
	}
	return out
}

func (r *recorder) events() []contractevent.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []contractevent.Event
	for _, m := range r.messages {
		if e, ok := m.Payload.(contractevent.Event); ok {
			out = append(out, e)
		}
	}
	return out
}

func (r *recorder) ledgers() []uint32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []uint32
	for _, m := range r.messages {
		if l, ok := m.Payload.(xdr.LedgerCloseMeta); ok {
			out = append(out, l.LedgerSequence())
		}
	}
	return out
}

// ledgerMessage is the message the source sends for lcm.
func ledgerMessage(lcm xdr.LedgerCloseMeta, passphrase string) cdp.Message {
	return cdp.Message{Payload: lcm, LedgerSequence: lcm.LedgerSequence(), Passphrase: passphrase, Transactions: &cdp.Transactions{}}
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// The accounts, assets and contracts of the synthetic scenario.
var (
	alice   = ledgers.Account(1)
	bobMux  = ledgers.Muxed(2, 42)
	carlMux = ledgers.Muxed(3, 7)
	dave    = ledgers.Account(4)
	erin    = ledgers.Account(5)
	frank   = ledgers.Account(6)
	feePay  = ledgers.Account(8)
	usdc    = ledgers.Credit("USDC", 9)
	eurt    = ledgers.Credit("EURT", 9)

	sacContract  = ledgers.Contract(0xAA)
	mintContract = ledgers.Contract(0xC1)
	sideContract = ledgers.Contract(0xC2)
)

// transferEvent is a Stellar Asset Contract transfer event.
func transferEvent(from, to xdr.MuxedAccount, amount int64) xdr.ContractEvent {
	return ledgers.Event(sacContract, xdr.ContractEventTypeContract, ledgers.I128(amount),
		ledgers.Symbol("transfer"), ledgers.AddressVal(from), ledgers.AddressVal(to), strVal("native"))
}

func strVal(s string) xdr.ScVal {
	str := xdr.ScString(s)
	return xdr.ScVal{Type: xdr.ScValTypeScvString, Str: &str}
}

func u64Val(v uint64) xdr.ScVal {
	u := xdr.Uint64(v)
	return xdr.ScVal{Type: xdr.ScValTypeScvU64, U64: &u}
}

func mapVal(entries ...xdr.ScMapEntry) xdr.ScVal {
	m := xdr.ScMap(entries)
	pm := &m
	return xdr.ScVal{Type: xdr.ScValTypeScvMap, Map: &pm}
}

// scenario returns a synthetic ledger exercising every case the processors
// handle: muxed accounts, an operation source, credit assets, both path
// payments in a fee bump, a failed transaction, a transaction with no
// payment, and a Soroban call whose events include a SYSTEM event.
// Classic operations carry SAC transfer events only in meta V4, as in
// protocol 23.
func scenario(seq uint32, metaVersion int) ledgers.LedgerSpec {
	pay1 := ledgers.Payment(nil, bobMux, ledgers.Native(), 125_000_000)
	pay2 := ledgers.Payment(&carlMux, dave, usdc, 1)
	failedPay := ledgers.Payment(nil, dave, ledgers.Native(), 10_000_000_000)
	if metaVersion == 4 {
		pay1.Events = []xdr.ContractEvent{transferEvent(alice, bobMux, 125_000_000)}
		pay2.Events = []xdr.ContractEvent{transferEvent(carlMux, dave, 1)}
		failedPay.Events = []xdr.ContractEvent{transferEvent(alice, dave, 10_000_000_000)}
	}
	mint := ledgers.InvokeContract(mintContract, "mint",
		ledgers.Event(mintContract, xdr.ContractEventTypeContract,
			mapVal(xdr.ScMapEntry{Key: ledgers.Symbol("amount"), Val: ledgers.I128(-5)}, xdr.ScMapEntry{Key: ledgers.Symbol("memo"), Val: strVal("hi")}),
			ledgers.Symbol("mint"), ledgers.AddressVal(alice), u64Val(1<<60)),
		ledgers.Event(mintContract, xdr.ContractEventTypeSystem, ledgers.Symbol("ignored"), ledgers.Symbol("system")),
		ledgers.Event(sideContract, xdr.ContractEventTypeContract, xdr.ScVal{Type: xdr.ScValTypeScvVoid}, ledgers.Symbol("side")),
	)
	return ledgers.LedgerSpec{
		Sequence:    seq,
		CloseTime:   time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC).Add(time.Duration(seq) * 5 * time.Second),
		MetaVersion: metaVersion,
		Transactions: []ledgers.TxSpec{
			{Source: alice, Operations: []ledgers.Op{pay1, pay2}},
			{Source: erin, FeeBump: true, FeeSource: feePay, Operations: []ledgers.Op{
				ledgers.PathPaymentStrictSend(nil, frank, ledgers.Native(), 1_000_000_000, usdc, 33_333_333),
				ledgers.PathPaymentStrictReceive(nil, frank, usdc, 70_000_000, eurt, 20_000_000),
			}},
			{Source: alice, Failed: true, Operations: []ledgers.Op{failedPay}},
			{Source: dave, Operations: []ledgers.Op{ledgers.BumpSequence()}},
			{Source: erin, Operations: []ledgers.Op{mint}},
		},
	}
}

func buildScenario(t testing.TB, seq uint32, metaVersion int) xdr.LedgerCloseMeta {
	t.Helper()
	lcm, err := ledgers.Build(scenario(seq, metaVersion))
	require.NoError(t, err)
	return lcm
}

func addr(m xdr.MuxedAccount) string {
	a, err := m.GetAddress()
	if err != nil {
		panic(err)
	}
	return a
}

func msgOf(payload interface{}) cdp.Message { return cdp.Message{Payload: payload} }

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}
