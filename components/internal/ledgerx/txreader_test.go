package ledgerx

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// readSDK reads the transactions of lcm with the SDK's reader, as read did
// before txReader: the oracle txReader must match.
func readSDK(lcm xdr.LedgerCloseMeta, passphrase string) ([]ingest.LedgerTransaction, error) {
	reader, err := ingest.NewLedgerTransactionReaderFromLedgerCloseMeta(passphrase, lcm)
	if err != nil {
		return nil, fmt.Errorf("ledger %d: %w", lcm.LedgerSequence(), err)
	}
	defer reader.Close()
	txs := make([]ingest.LedgerTransaction, 0, lcm.CountTransactions())
	for {
		tx, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return txs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("ledger %d: %w (is the network passphrase right?)", lcm.LedgerSequence(), err)
		}
		txs = append(txs, tx)
	}
}

// scenario is a synthetic ledger of every kind of transaction the
// fixtures build: muxed accounts, an operation source, credit assets, both
// path payments in a fee bump, a failed transaction, a failed fee bump, a
// transaction with no payment, and a Soroban call with contract, system
// and diagnostic events (and, in meta V4, transaction events).
func scenario(seq uint32, metaVersion int) ledgers.LedgerSpec {
	alice, erin, dave := ledgers.Account(1), ledgers.Account(5), ledgers.Account(4)
	bobMux, carlMux := ledgers.Muxed(2, 7), ledgers.Muxed(3, 1<<40)
	usdc, eurt := ledgers.Credit("USDC", 9), ledgers.Credit("EURTOKEN", 8)
	contract := ledgers.Contract(0xC1)
	pay := ledgers.Payment(nil, bobMux, ledgers.Native(), 125_000_000)
	if metaVersion == 4 {
		pay.Events = []xdr.ContractEvent{ledgers.Event(contract, xdr.ContractEventTypeContract, ledgers.I128(125_000_000), ledgers.Symbol("transfer"))}
	}
	mint := ledgers.InvokeContract(contract, "mint",
		ledgers.Event(contract, xdr.ContractEventTypeContract, ledgers.I128(-5), ledgers.Symbol("mint"), ledgers.AddressVal(alice)),
		ledgers.Event(contract, xdr.ContractEventTypeSystem, ledgers.Symbol("ignored"), ledgers.Symbol("system")),
	)
	diagnostic := []xdr.DiagnosticEvent{{InSuccessfulContractCall: true, Event: ledgers.Event(contract, xdr.ContractEventTypeDiagnostic, ledgers.Symbol("fn_call"))}}
	var txEvents []xdr.TransactionEvent
	if metaVersion == 4 {
		txEvents = []xdr.TransactionEvent{{Stage: xdr.TransactionEventStageTransactionEventStageBeforeAllTxs, Event: ledgers.Event(contract, xdr.ContractEventTypeContract, ledgers.I128(100), ledgers.Symbol("fee"))}}
	}
	return ledgers.LedgerSpec{
		Sequence:    seq,
		CloseTime:   time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC).Add(time.Duration(seq) * 5 * time.Second),
		MetaVersion: metaVersion,
		Transactions: []ledgers.TxSpec{
			{Source: alice, Operations: []ledgers.Op{pay, ledgers.Payment(&carlMux, dave, usdc, 1)}},
			{Source: erin, FeeBump: true, FeeSource: ledgers.Muxed(6, 3), Operations: []ledgers.Op{
				ledgers.PathPaymentStrictSend(nil, dave, ledgers.Native(), 1_000_000_000, usdc, 33_333_333),
				ledgers.PathPaymentStrictReceive(nil, dave, usdc, 70_000_000, eurt, 20_000_000),
			}},
			{Source: alice, Failed: true, Operations: []ledgers.Op{ledgers.Payment(nil, dave, ledgers.Native(), 1)}},
			{Source: carlMux, Failed: true, FeeBump: true, FeeSource: alice, Operations: []ledgers.Op{ledgers.Payment(nil, dave, eurt, 2)}},
			{Source: dave, Operations: []ledgers.Op{ledgers.BumpSequence()}},
			{Source: erin, Operations: []ledgers.Op{mint}, DiagnosticEvents: diagnostic, TransactionEvents: txEvents},
		},
	}
}

// benchmarkLedger is the synthetic ledger of the end-to-end benchmark
// (bench/e2e): ten transactions of two payments each, one failed
// transaction and one Soroban transaction with two contract events.
func benchmarkLedger(seq uint32) ledgers.LedgerSpec {
	spec := ledgers.LedgerSpec{Sequence: seq, CloseTime: time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC)}
	for t := range 10 {
		from := byte(10 + t)
		spec.Transactions = append(spec.Transactions, ledgers.TxSpec{Source: ledgers.Account(from), Operations: []ledgers.Op{
			ledgers.Payment(nil, ledgers.Account(from+1), ledgers.Native(), int64(10_000_000*(t+1))),
			ledgers.Payment(nil, ledgers.Account(from+2), ledgers.Credit("USDC", 1), int64(1_234_567+t)),
		}})
	}
	spec.Transactions = append(spec.Transactions,
		ledgers.TxSpec{Source: ledgers.Account(30), Failed: true, Operations: []ledgers.Op{
			ledgers.Payment(nil, ledgers.Account(31), ledgers.Native(), 1),
		}},
		ledgers.TxSpec{Source: ledgers.Account(32), Operations: []ledgers.Op{
			ledgers.InvokeContract(ledgers.Contract(1), "transfer",
				ledgers.Event(ledgers.Contract(1), xdr.ContractEventTypeContract, ledgers.I128(7), ledgers.Symbol("transfer"), ledgers.AddressVal(ledgers.Account(32))),
				ledgers.Event(ledgers.Contract(1), xdr.ContractEventTypeContract, ledgers.Symbol("done"), ledgers.Symbol("log")),
			),
		}},
	)
	return spec
}

// envelopes returns the envelopes of lcm's transaction set, in its order,
// to be changed in place.
func envelopes(lcm xdr.LedgerCloseMeta) []*xdr.TransactionEnvelope {
	var envs []*xdr.TransactionEnvelope
	add := func(txs []xdr.TransactionEnvelope) {
		for i := range txs {
			envs = append(envs, &txs[i])
		}
	}
	if lcm.V == 0 {
		add(lcm.V0.TxSet.Txs)
		return envs
	}
	for _, phase := range generalized(lcm).V1TxSet.Phases {
		if phase.V == 0 {
			for _, c := range *phase.V0Components {
				add(c.TxsMaybeDiscountedFee.Txs)
			}
			continue
		}
		for _, stage := range phase.ParallelTxsComponent.ExecutionStages {
			for _, cluster := range stage {
				add(cluster)
			}
		}
	}
	return envs
}

// generalized returns the transaction set of a V1 or V2 lcm.
func generalized(lcm xdr.LedgerCloseMeta) *xdr.GeneralizedTransactionSet {
	if lcm.V == 1 {
		return &lcm.V1.TxSet
	}
	return &lcm.V2.TxSet
}

// results returns the results of lcm, in apply order, to be changed in
// place.
func results(lcm xdr.LedgerCloseMeta) []*xdr.TransactionResultPair {
	var rs []*xdr.TransactionResultPair
	for i := range lcm.CountTransactions() {
		switch lcm.V {
		case 0:
			rs = append(rs, &lcm.V0.TxProcessing[i].Result)
		case 1:
			rs = append(rs, &lcm.V1.TxProcessing[i].Result)
		case 2:
			rs = append(rs, &lcm.V2.TxProcessing[i].Result)
		}
	}
	return rs
}

// mutate applies f to every envelope of lcm and gives the results the
// envelopes' new hashes under passphrase.
func mutate(t testing.TB, lcm xdr.LedgerCloseMeta, passphrase string, f func(i int, env *xdr.TransactionEnvelope)) xdr.LedgerCloseMeta {
	t.Helper()
	rehash := map[xdr.Hash]xdr.Hash{}
	for i, env := range envelopes(lcm) {
		before, err := network.HashTransactionInEnvelope(*env, passphrase)
		require.NoError(t, err)
		f(i, env)
		after, err := network.HashTransactionInEnvelope(*env, passphrase)
		require.NoError(t, err)
		rehash[before] = after
	}
	for _, r := range results(lcm) {
		if h, ok := rehash[r.TransactionHash]; ok {
			r.TransactionHash = h
		}
	}
	return lcm
}

// asV0 turns a LedgerCloseMeta V1 with one classic phase into a
// LedgerCloseMeta V0 with a classic transaction set.
func asV0(t testing.TB, lcm xdr.LedgerCloseMeta) xdr.LedgerCloseMeta {
	t.Helper()
	require.Equal(t, int32(1), lcm.V)
	var txs []xdr.TransactionEnvelope
	for _, env := range envelopes(lcm) {
		txs = append(txs, *env)
	}
	v1 := lcm.V1
	return xdr.LedgerCloseMeta{V: 0, V0: &xdr.LedgerCloseMetaV0{
		LedgerHeader:       v1.LedgerHeader,
		TxSet:              xdr.TransactionSet{PreviousLedgerHash: v1.LedgerHeader.Header.PreviousLedgerHash, Txs: txs},
		TxProcessing:       v1.TxProcessing,
		UpgradesProcessing: v1.UpgradesProcessing,
		ScpInfo:            v1.ScpInfo,
	}}
}

// toV0Envelope turns env into the TransactionV0 envelope that hashes the
// same, when its transaction has one (an ed25519 source, no
// preconditions but time bounds, no Soroban data).
func toV0Envelope(env *xdr.TransactionEnvelope) bool {
	if env.Type != xdr.EnvelopeTypeEnvelopeTypeTx {
		return false
	}
	tx := env.V1.Tx
	if tx.SourceAccount.Type != xdr.CryptoKeyTypeKeyTypeEd25519 || tx.Ext.V != 0 ||
		(tx.Cond.Type != xdr.PreconditionTypePrecondNone && tx.Cond.Type != xdr.PreconditionTypePrecondTime) {
		return false
	}
	*env = xdr.TransactionEnvelope{Type: xdr.EnvelopeTypeEnvelopeTypeTxV0, V0: &xdr.TransactionV0Envelope{
		Tx: xdr.TransactionV0{
			SourceAccountEd25519: *tx.SourceAccount.Ed25519,
			Fee:                  tx.Fee,
			SeqNum:               tx.SeqNum,
			TimeBounds:           tx.Cond.TimeBounds,
			Memo:                 tx.Memo,
			Operations:           tx.Operations,
		},
		Signatures: env.V1.Signatures,
	}}
	return true
}

// feeChange is a fee change to put in a meta.
func feeChange(n byte) xdr.LedgerEntryChanges {
	id := ledgers.AccountID(n)
	return xdr.LedgerEntryChanges{{
		Type:    xdr.LedgerEntryChangeTypeLedgerEntryRemoved,
		Removed: &xdr.LedgerKey{Type: xdr.LedgerEntryTypeAccount, Account: &xdr.LedgerKeyAccount{AccountId: id}},
	}}
}

// readCase is a ledger shape to read transactions from.
type readCase struct {
	name       string
	lcm        func(t *testing.T) xdr.LedgerCloseMeta
	passphrase string
	wantTxs    int    // transactions read, when wantErr is empty
	wantErr    string // what the error says, besides being the SDK's
}

// readCases are every ledger shape the readers are checked on: each kind
// of transaction set, envelope and meta, real pubnet ledgers, and every
// error.
func readCases() []readCase {
	const testnet = ledgers.SyntheticPassphrase
	build := func(spec ledgers.LedgerSpec) func(t *testing.T) xdr.LedgerCloseMeta {
		return func(t *testing.T) xdr.LedgerCloseMeta {
			lcm, err := ledgers.Build(spec)
			require.NoError(t, err)
			return lcm
		}
	}
	v0Ledger := func(t *testing.T) xdr.LedgerCloseMeta { return asV0(t, build(scenario(40, 3))(t)) }
	return []readCase{
		{name: "empty V2", lcm: build(ledgers.LedgerSpec{Sequence: 1}), passphrase: testnet},
		{name: "empty V1", lcm: build(ledgers.LedgerSpec{Sequence: 2, MetaVersion: 3}), passphrase: testnet},
		{name: "empty V0", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			return asV0(t, build(ledgers.LedgerSpec{Sequence: 3, MetaVersion: 3})(t))
		}, passphrase: testnet},
		{name: "empty ledger, empty passphrase", lcm: build(ledgers.LedgerSpec{Sequence: 4}), passphrase: ""},
		{name: "every kind, meta V4 (LedgerCloseMeta V2)", lcm: build(scenario(10, 4)), passphrase: testnet, wantTxs: 6},
		{name: "every kind, meta V3 (LedgerCloseMeta V1)", lcm: build(scenario(11, 3)), passphrase: testnet, wantTxs: 6},
		{name: "benchmark ledger", lcm: build(benchmarkLedger(12)), passphrase: testnet, wantTxs: 12},
		{name: "another network", lcm: build(ledgers.LedgerSpec{
			Sequence: 13, Passphrase: network.FutureNetworkPassphrase, Transactions: scenario(13, 4).Transactions,
		}), passphrase: network.FutureNetworkPassphrase, wantTxs: 6},
		{name: "LedgerCloseMeta V0, classic transaction set", lcm: v0Ledger, passphrase: testnet, wantTxs: 6},
		{name: "TransactionV0 envelopes", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			lcm := v0Ledger(t)
			converted := 0
			for _, env := range envelopes(lcm) {
				if toV0Envelope(env) {
					converted++
				}
			}
			require.Equal(t, 3, converted)
			return lcm
		}, passphrase: testnet, wantTxs: 6},
		{name: "TransactionV0 envelopes with time bounds and a memo", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			return mutate(t, v0Ledger(t), testnet, func(i int, env *xdr.TransactionEnvelope) {
				if env.Type == xdr.EnvelopeTypeEnvelopeTypeTx {
					env.V1.Tx.Cond = xdr.NewPreconditionsWithTimeBounds(&xdr.TimeBounds{MinTime: 1, MaxTime: xdr.TimePoint(100 + i)})
					env.V1.Tx.Memo = xdr.MemoText("hello")
				}
				toV0Envelope(env)
			})
		}, passphrase: testnet, wantTxs: 6},
		{name: "apply order is not the set's order", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			lcm := build(scenario(14, 4))(t)
			slices.Reverse(lcm.V2.TxProcessing)
			return lcm
		}, passphrase: testnet, wantTxs: 6},
		{name: "parallel Soroban phase", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			spec := scenario(15, 4)
			spec.Transactions = append(spec.Transactions, spec.Transactions[5], spec.Transactions[5])
			spec.Transactions[6].Source = ledgers.Account(20)
			spec.Transactions[7].Source = ledgers.Account(21)
			lcm := build(spec)(t)
			phases := lcm.V2.TxSet.V1TxSet.Phases
			soroban := (*phases[1].V0Components)[0].TxsMaybeDiscountedFee.Txs
			require.Len(t, soroban, 3)
			baseFee := xdr.Int64(100)
			phases[1] = xdr.TransactionPhase{V: 1, ParallelTxsComponent: &xdr.ParallelTxsComponent{
				BaseFee: &baseFee,
				ExecutionStages: []xdr.ParallelTxExecutionStage{
					{xdr.DependentTxCluster{soroban[2]}},
					{xdr.DependentTxCluster{soroban[1]}, xdr.DependentTxCluster{soroban[0]}},
				},
			}}
			return lcm
		}, passphrase: testnet, wantTxs: 8},
		{name: "fee changes before and after apply", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			lcm := build(scenario(16, 4))(t)
			for i := range lcm.V2.TxProcessing {
				lcm.V2.TxProcessing[i].FeeProcessing = feeChange(byte(i))
				lcm.V2.TxProcessing[i].PostTxApplyFeeProcessing = feeChange(byte(100 + i))
			}
			return lcm
		}, passphrase: testnet, wantTxs: 6},
		{name: "two envelopes of one hash: the later wins", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			lcm := build(scenario(17, 4))(t)
			phase := (*lcm.V2.TxSet.V1TxSet.Phases[0].V0Components)[0].TxsMaybeDiscountedFee
			signed := *phase.Txs[0].V1
			signed.Signatures = []xdr.DecoratedSignature{{Hint: xdr.SignatureHint{1, 2, 3, 4}, Signature: xdr.Signature{5, 6}}}
			phase.Txs = append(phase.Txs, xdr.TransactionEnvelope{Type: xdr.EnvelopeTypeEnvelopeTypeTx, V1: &signed})
			return lcm
		}, passphrase: testnet, wantTxs: 6},
		{name: "protocol 9 with meta V2 or later", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			lcm := v0Ledger(t)
			lcm.V0.LedgerHeader.Header.LedgerVersion = 9
			lcm.V0.TxProcessing[2].FeeProcessing = feeChange(1)
			return lcm
		}, passphrase: testnet, wantTxs: 6},
		{name: "pubnet ledger", lcm: func(t *testing.T) xdr.LedgerCloseMeta { return ledgers.MustPubnet(t) }, passphrase: ledgers.PubnetPassphrase, wantTxs: 249},
		{name: "galexie pubnet ledger", lcm: func(t *testing.T) xdr.LedgerCloseMeta { return ledgers.MustGalexie(t) }, passphrase: ledgers.PubnetPassphrase, wantTxs: 163},

		{name: "wrong passphrase", lcm: func(t *testing.T) xdr.LedgerCloseMeta { return ledgers.MustPubnet(t) }, passphrase: testnet,
			wantErr: "ledger 58752000: unknown tx hash in LedgerCloseMeta: "},
		{name: "wrong passphrase, synthetic", lcm: build(scenario(20, 4)), passphrase: ledgers.PubnetPassphrase,
			wantErr: "(is the network passphrase right?)"},
		{name: "empty passphrase", lcm: build(scenario(21, 4)), passphrase: "",
			wantErr: "ledger 21: error extracting transactions from ledger close meta: could not hash transaction 0 in TxSet: empty network passphrase"},
		{name: "blank passphrase", lcm: build(scenario(22, 3)), passphrase: " \t",
			wantErr: "empty network passphrase"},
		{name: "an envelope missing", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			lcm := build(scenario(23, 4))(t)
			phase := (*lcm.V2.TxSet.V1TxSet.Phases[0].V0Components)[0].TxsMaybeDiscountedFee
			phase.Txs = phase.Txs[1:]
			return lcm
		}, passphrase: testnet, wantErr: "ledger 23: unknown tx hash in LedgerCloseMeta: "},
		{name: "an envelope of no known type", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			lcm := build(scenario(24, 4))(t)
			envelopes(lcm)[2].Type = xdr.EnvelopeTypeEnvelopeTypeScpvalue
			return lcm
		}, passphrase: testnet, wantErr: "could not hash transaction 2 in TxSet: invalid transaction type"},
		{name: "an envelope that does not encode", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			lcm := build(scenario(25, 4))(t)
			envelopes(lcm)[0].V1.Tx.Memo.Type = 99
			return lcm
		}, passphrase: testnet, wantErr: "could not hash transaction 0 in TxSet: marshal tx failed: "},
		{name: "protocol 9 with meta V1", lcm: func(t *testing.T) xdr.LedgerCloseMeta {
			lcm := v0Ledger(t)
			lcm.V0.LedgerHeader.Header.LedgerVersion = 9
			lcm.V0.TxProcessing[2].FeeProcessing = feeChange(1)
			lcm.V0.TxProcessing[2].TxApplyProcessing = xdr.TransactionMeta{V: 1, V1: &xdr.TransactionMetaV1{}}
			return lcm
		}, passphrase: testnet, wantErr: "ledger 40: error extracting transactions from ledger close meta: TransactionMeta.V=2 is required"},
	}
}

// TestReadTransactionsMatchesSDK checks that txReader reads every ledger
// shape exactly as the SDK's reader does: the same transactions, field for
// field, or the same error.
func TestReadTransactionsMatchesSDK(t *testing.T) {
	for _, tt := range readCases() {
		t.Run(tt.name, func(t *testing.T) {
			lcm := tt.lcm(t)
			want, wantErr := readSDK(lcm, tt.passphrase)
			got, err := read(lcm, tt.passphrase)
			if tt.wantErr != "" {
				require.Error(t, wantErr, "the SDK's reader")
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, wantErr.Error(), err.Error())
				assert.Nil(t, got)
				return
			}
			require.NoError(t, wantErr, "the SDK's reader")
			require.NoError(t, err)
			assert.Equal(t, tt.wantTxs, len(got), "transactions")
			assert.Equal(t, want, got)
		})
	}
}

// TestTxReaderAllocatesOnlyTheTransactions checks that a txReader that has
// read a ledger reads the next one with no allocation but the slice it
// returns: no buffer per envelope, no map per ledger. The ledger has no
// string in its transactions, which the SDK's encoder copies.
func TestTxReaderAllocatesOnlyTheTransactions(t *testing.T) {
	spec := benchmarkLedger(5)
	spec.Transactions = spec.Transactions[:10]
	spec.Transactions[3].FeeBump, spec.Transactions[3].FeeSource = true, ledgers.Account(40)
	lcm, err := ledgers.Build(spec)
	require.NoError(t, err)
	var r txReader
	_, err = r.read(lcm, ledgers.SyntheticPassphrase)
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := r.read(lcm, ledgers.SyntheticPassphrase); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, 1.0, allocs)
}

// TestTxReaderKeepsNothingOfALedger checks that a txReader holds no
// reference into the ledger it read, from its decoded form or from its
// bytes, so that a pooled one keeps no ledger alive, and that it reads the
// next ledger as a new one would.
func TestTxReaderKeepsNothingOfALedger(t *testing.T) {
	var r txReader
	for _, lcm := range []xdr.LedgerCloseMeta{
		asV0(t, ledgers.MustBuild(scenario(1, 3))),
		ledgers.MustBuild(scenario(2, 4)),
		ledgers.MustPubnet(t),
	} {
		passphrase := ledgers.SyntheticPassphrase
		if lcm.LedgerSequence() == ledgers.PubnetSequence {
			passphrase = ledgers.PubnetPassphrase
		}
		for _, env := range envelopes(lcm) {
			toV0Envelope(env)
		}
		want, err := readSDK(lcm, passphrase)
		require.NoError(t, err)
		raw, err := lcm.MarshalBinary()
		require.NoError(t, err)
		for name, read := range map[string]func() ([]ingest.LedgerTransaction, error){
			"read":     func() ([]ingest.LedgerTransaction, error) { return r.read(lcm, passphrase) },
			"readView": func() ([]ingest.LedgerTransaction, error) { return r.readView(lcm, raw, passphrase) },
		} {
			got, err := read()
			require.NoError(t, err, name)
			assert.Equal(t, want, got, "%s: ledger %d", name, lcm.LedgerSequence())
			assert.Empty(t, r.byHash, name)
			assert.Equal(t, xdr.TransactionSignaturePayloadTaggedTransaction{}, r.payload.TaggedTransaction, name)
			assert.Equal(t, xdr.Transaction{}, r.v0, name)
		}
	}
}

// BenchmarkReadTransactions reads the transactions of a synthetic ledger
// (the end-to-end benchmark's) and of pubnet ledger 58752000 with the SDK's
// reader (impl=sdk, what read did before txReader) and with read
// (impl=ledgerx).
func BenchmarkReadTransactions(b *testing.B) {
	synthetic, err := ledgers.Build(benchmarkLedger(100))
	require.NoError(b, err)
	pubnet := ledgers.MustPubnet(b)
	impls := []struct {
		name string
		read func(xdr.LedgerCloseMeta, string) ([]ingest.LedgerTransaction, error)
	}{{"sdk", readSDK}, {"ledgerx", read}}
	for _, l := range []struct {
		name       string
		lcm        xdr.LedgerCloseMeta
		passphrase string
	}{
		{"synthetic", synthetic, ledgers.SyntheticPassphrase},
		{"pubnet", pubnet, ledgers.PubnetPassphrase},
	} {
		for _, impl := range impls {
			b.Run("ledger="+l.name+"/impl="+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := impl.read(l.lcm, l.passphrase); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
