package ledgers

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// SyntheticPassphrase is the network passphrase synthetic ledgers use when
// their spec names none.
const SyntheticPassphrase = network.TestNetworkPassphrase

// LedgerSpec describes a synthetic ledger for [Build].
type LedgerSpec struct {
	Sequence  uint32
	CloseTime time.Time
	// MetaVersion is the TransactionMeta version: 4 (the default; a
	// protocol 23 LedgerCloseMeta V2) or 3 (a protocol 22 LedgerCloseMeta
	// V1, where contract events sit in SorobanMeta).
	MetaVersion int
	// Passphrase defaults to SyntheticPassphrase.
	Passphrase   string
	Transactions []TxSpec
}

// TxSpec describes one transaction of a synthetic ledger.
type TxSpec struct {
	Source xdr.MuxedAccount
	// FeeBump wraps the transaction in a fee bump paid by FeeSource.
	FeeBump   bool
	FeeSource xdr.MuxedAccount
	// Failed makes the transaction fail: its result is txFAILED and its
	// operations' results opNO_ACCOUNT. Its operations keep their events,
	// so that tests can check that consumers skip them.
	Failed     bool
	Operations []Op
	// TransactionEvents are V4's transaction-level events (fees).
	TransactionEvents []xdr.TransactionEvent
	// DiagnosticEvents go into the meta's diagnostic events.
	DiagnosticEvents []xdr.DiagnosticEvent
}

// Op is one operation with its successful result and the contract events
// it emitted.
type Op struct {
	Operation xdr.Operation
	Result    xdr.OperationResult
	Events    []xdr.ContractEvent
}

// Account returns the account whose ed25519 key is n repeated 32 times.
func Account(n byte) xdr.MuxedAccount {
	var key xdr.Uint256
	for i := range key {
		key[i] = n
	}
	return xdr.MuxedAccount{Type: xdr.CryptoKeyTypeKeyTypeEd25519, Ed25519: &key}
}

// AccountID returns the account ID of [Account](n).
func AccountID(n byte) xdr.AccountId {
	return Account(n).ToAccountId()
}

// Muxed returns the muxed account (an M... address) of [Account](n) with
// the given ID.
func Muxed(n byte, id uint64) xdr.MuxedAccount {
	key := *Account(n).Ed25519
	return xdr.MuxedAccount{
		Type:     xdr.CryptoKeyTypeKeyTypeMuxedEd25519,
		Med25519: &xdr.MuxedAccountMed25519{Id: xdr.Uint64(id), Ed25519: key},
	}
}

// Contract returns the contract ID whose bytes are n repeated.
func Contract(n byte) xdr.ContractId {
	var id xdr.ContractId
	for i := range id {
		id[i] = n
	}
	return id
}

// Native is the native asset, XLM.
func Native() xdr.Asset { return xdr.MustNewNativeAsset() }

// Credit returns the credit asset code issued by [Account](issuer).
func Credit(code string, issuer byte) xdr.Asset {
	acct := Account(issuer)
	return xdr.MustNewCreditAsset(code, acct.Address())
}

func withSource(op xdr.Operation, source *xdr.MuxedAccount) xdr.Operation {
	op.SourceAccount = source
	return op
}

// Payment is a payment operation of amount stroops. source, when not nil,
// overrides the transaction's source account for this operation.
func Payment(source *xdr.MuxedAccount, to xdr.MuxedAccount, asset xdr.Asset, amount int64) Op {
	return Op{
		Operation: withSource(xdr.Operation{Body: xdr.OperationBody{
			Type:      xdr.OperationTypePayment,
			PaymentOp: &xdr.PaymentOp{Destination: to, Asset: asset, Amount: xdr.Int64(amount)},
		}}, source),
		Result: xdr.OperationResult{Code: xdr.OperationResultCodeOpInner, Tr: &xdr.OperationResultTr{
			Type:          xdr.OperationTypePayment,
			PaymentResult: &xdr.PaymentResult{Code: xdr.PaymentResultCodePaymentSuccess},
		}},
	}
}

// PathPaymentStrictSend sends sendAmount of sendAsset, and its result says
// the destination received destAmount of destAsset.
func PathPaymentStrictSend(source *xdr.MuxedAccount, to xdr.MuxedAccount, sendAsset xdr.Asset, sendAmount int64, destAsset xdr.Asset, destAmount int64) Op {
	return Op{
		Operation: withSource(xdr.Operation{Body: xdr.OperationBody{
			Type: xdr.OperationTypePathPaymentStrictSend,
			PathPaymentStrictSendOp: &xdr.PathPaymentStrictSendOp{
				SendAsset: sendAsset, SendAmount: xdr.Int64(sendAmount),
				Destination: to, DestAsset: destAsset, DestMin: xdr.Int64(destAmount),
			},
		}}, source),
		Result: xdr.OperationResult{Code: xdr.OperationResultCodeOpInner, Tr: &xdr.OperationResultTr{
			Type: xdr.OperationTypePathPaymentStrictSend,
			PathPaymentStrictSendResult: &xdr.PathPaymentStrictSendResult{
				Code: xdr.PathPaymentStrictSendResultCodePathPaymentStrictSendSuccess,
				Success: &xdr.PathPaymentStrictSendResultSuccess{
					Last: xdr.SimplePaymentResult{Destination: to.ToAccountId(), Asset: destAsset, Amount: xdr.Int64(destAmount)},
				},
			},
		}},
	}
}

// PathPaymentStrictReceive delivers destAmount of destAsset, paying
// sendAmount of sendAsset (the result records it as one offer claimed).
func PathPaymentStrictReceive(source *xdr.MuxedAccount, to xdr.MuxedAccount, sendAsset xdr.Asset, sendAmount int64, destAsset xdr.Asset, destAmount int64) Op {
	var offers []xdr.ClaimAtom
	if !sendAsset.Equals(destAsset) {
		offers = []xdr.ClaimAtom{{
			Type: xdr.ClaimAtomTypeClaimAtomTypeOrderBook,
			OrderBook: &xdr.ClaimOfferAtom{
				SellerId: AccountID(0xEE), OfferId: 1,
				AssetSold: destAsset, AmountSold: xdr.Int64(destAmount),
				AssetBought: sendAsset, AmountBought: xdr.Int64(sendAmount),
			},
		}}
	}
	return Op{
		Operation: withSource(xdr.Operation{Body: xdr.OperationBody{
			Type: xdr.OperationTypePathPaymentStrictReceive,
			PathPaymentStrictReceiveOp: &xdr.PathPaymentStrictReceiveOp{
				SendAsset: sendAsset, SendMax: xdr.Int64(sendAmount),
				Destination: to, DestAsset: destAsset, DestAmount: xdr.Int64(destAmount),
			},
		}}, source),
		Result: xdr.OperationResult{Code: xdr.OperationResultCodeOpInner, Tr: &xdr.OperationResultTr{
			Type: xdr.OperationTypePathPaymentStrictReceive,
			PathPaymentStrictReceiveResult: &xdr.PathPaymentStrictReceiveResult{
				Code: xdr.PathPaymentStrictReceiveResultCodePathPaymentStrictReceiveSuccess,
				Success: &xdr.PathPaymentStrictReceiveResultSuccess{
					Offers: offers,
					Last:   xdr.SimplePaymentResult{Destination: to.ToAccountId(), Asset: destAsset, Amount: xdr.Int64(destAmount)},
				},
			},
		}},
	}
}

// BumpSequence is an operation that is not a payment and emits nothing.
func BumpSequence() Op {
	return Op{
		Operation: xdr.Operation{Body: xdr.OperationBody{
			Type: xdr.OperationTypeBumpSequence, BumpSequenceOp: &xdr.BumpSequenceOp{BumpTo: 1},
		}},
		Result: xdr.OperationResult{Code: xdr.OperationResultCodeOpInner, Tr: &xdr.OperationResultTr{
			Type:          xdr.OperationTypeBumpSequence,
			BumpSeqResult: &xdr.BumpSequenceResult{Code: xdr.BumpSequenceResultCodeBumpSequenceSuccess},
		}},
	}
}

// InvokeContract calls fn on contract, emitting events. A transaction with
// this operation is a Soroban transaction.
func InvokeContract(contract xdr.ContractId, fn string, events ...xdr.ContractEvent) Op {
	id := contract
	success := xdr.Hash{}
	return Op{
		Operation: xdr.Operation{Body: xdr.OperationBody{
			Type: xdr.OperationTypeInvokeHostFunction,
			InvokeHostFunctionOp: &xdr.InvokeHostFunctionOp{HostFunction: xdr.HostFunction{
				Type: xdr.HostFunctionTypeHostFunctionTypeInvokeContract,
				InvokeContract: &xdr.InvokeContractArgs{
					ContractAddress: xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeContract, ContractId: &id},
					FunctionName:    xdr.ScSymbol(fn),
				},
			}},
		}},
		Result: xdr.OperationResult{Code: xdr.OperationResultCodeOpInner, Tr: &xdr.OperationResultTr{
			Type: xdr.OperationTypeInvokeHostFunction,
			InvokeHostFunctionResult: &xdr.InvokeHostFunctionResult{
				Code: xdr.InvokeHostFunctionResultCodeInvokeHostFunctionSuccess, Success: &success,
			},
		}},
		Events: events,
	}
}

// Event returns a contract event of type typ emitted by contract.
func Event(contract xdr.ContractId, typ xdr.ContractEventType, data xdr.ScVal, topics ...xdr.ScVal) xdr.ContractEvent {
	id := contract
	return xdr.ContractEvent{
		ContractId: &id,
		Type:       typ,
		Body:       xdr.ContractEventBody{V: 0, V0: &xdr.ContractEventV0{Topics: topics, Data: data}},
	}
}

// Symbol returns an ScVal symbol.
func Symbol(s string) xdr.ScVal {
	sym := xdr.ScSymbol(s)
	return xdr.ScVal{Type: xdr.ScValTypeScvSymbol, Sym: &sym}
}

// AddressVal returns an ScVal address of an account.
func AddressVal(account xdr.MuxedAccount) xdr.ScVal {
	id := account.ToAccountId()
	return xdr.ScVal{Type: xdr.ScValTypeScvAddress, Address: &xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeAccount, AccountId: &id}}
}

// I128 returns an ScVal i128 of v.
func I128(v int64) xdr.ScVal {
	hi := xdr.Int64(0)
	if v < 0 {
		hi = -1
	}
	return xdr.ScVal{Type: xdr.ScValTypeScvI128, I128: &xdr.Int128Parts{Hi: hi, Lo: xdr.Uint64(uint64(v))}}
}

// Build assembles the ledger that spec describes.
func Build(spec LedgerSpec) (xdr.LedgerCloseMeta, error) {
	passphrase := spec.Passphrase
	if passphrase == "" {
		passphrase = SyntheticPassphrase
	}
	metaVersion := spec.MetaVersion
	if metaVersion == 0 {
		metaVersion = 4
	}
	if metaVersion != 3 && metaVersion != 4 {
		return xdr.LedgerCloseMeta{}, fmt.Errorf("meta version %d: want 3 or 4", metaVersion)
	}
	protocol := uint32(23)
	if metaVersion == 3 {
		protocol = 22
	}

	var classic, soroban []xdr.TransactionEnvelope
	results := make([]xdr.TransactionResultPair, 0, len(spec.Transactions))
	metas := make([]xdr.TransactionMeta, 0, len(spec.Transactions))
	for i, tx := range spec.Transactions {
		env, isSoroban := envelope(tx, spec.Sequence, i)
		hash, err := network.HashTransactionInEnvelope(env, passphrase)
		if err != nil {
			return xdr.LedgerCloseMeta{}, fmt.Errorf("transaction %d: %w", i, err)
		}
		if isSoroban {
			soroban = append(soroban, env)
		} else {
			classic = append(classic, env)
		}
		results = append(results, result(tx, hash, env, passphrase))
		meta, err := txMeta(tx, metaVersion, isSoroban)
		if err != nil {
			return xdr.LedgerCloseMeta{}, fmt.Errorf("transaction %d: %w", i, err)
		}
		metas = append(metas, meta)
	}

	header := xdr.LedgerHeaderHistoryEntry{
		Hash: sha256.Sum256(fmt.Appendf(nil, "synthetic ledger %d", spec.Sequence)),
		Header: xdr.LedgerHeader{
			LedgerVersion: xdr.Uint32(protocol),
			LedgerSeq:     xdr.Uint32(spec.Sequence),
			ScpValue:      xdr.StellarValue{CloseTime: xdr.TimePoint(spec.CloseTime.Unix())},
			BaseFee:       100,
			BaseReserve:   5_000_000,
			MaxTxSetSize:  1000,
		},
	}
	txSet := xdr.GeneralizedTransactionSet{V: 1, V1TxSet: &xdr.TransactionSetV1{Phases: []xdr.TransactionPhase{
		phase(classic), phase(soroban),
	}}}

	if metaVersion == 3 {
		processing := make([]xdr.TransactionResultMeta, len(results))
		for i := range results {
			processing[i] = xdr.TransactionResultMeta{Result: results[i], TxApplyProcessing: metas[i]}
		}
		return xdr.LedgerCloseMeta{V: 1, V1: &xdr.LedgerCloseMetaV1{
			LedgerHeader: header, TxSet: txSet, TxProcessing: processing,
		}}, nil
	}
	processing := make([]xdr.TransactionResultMetaV1, len(results))
	for i := range results {
		processing[i] = xdr.TransactionResultMetaV1{Result: results[i], TxApplyProcessing: metas[i]}
	}
	return xdr.LedgerCloseMeta{V: 2, V2: &xdr.LedgerCloseMetaV2{
		LedgerHeader: header, TxSet: txSet, TxProcessing: processing,
	}}, nil
}

// MustBuild is [Build] that panics on error, for specs fixed in test code.
func MustBuild(spec LedgerSpec) xdr.LedgerCloseMeta {
	lcm, err := Build(spec)
	if err != nil {
		panic(err)
	}
	return lcm
}

func phase(txs []xdr.TransactionEnvelope) xdr.TransactionPhase {
	baseFee := xdr.Int64(100)
	components := []xdr.TxSetComponent{{
		Type:                  xdr.TxSetComponentTypeTxsetCompTxsMaybeDiscountedFee,
		TxsMaybeDiscountedFee: &xdr.TxSetComponentTxsMaybeDiscountedFee{BaseFee: &baseFee, Txs: txs},
	}}
	return xdr.TransactionPhase{V: 0, V0Components: &components}
}

// envelope builds tx's envelope; the sequence number makes every
// transaction of every ledger hash differently.
func envelope(tx TxSpec, ledger uint32, index int) (xdr.TransactionEnvelope, bool) {
	ops := make([]xdr.Operation, len(tx.Operations))
	isSoroban := false
	for i, op := range tx.Operations {
		ops[i] = op.Operation
		isSoroban = isSoroban || op.Operation.Body.Type == xdr.OperationTypeInvokeHostFunction
	}
	inner := xdr.Transaction{
		SourceAccount: tx.Source,
		Fee:           xdr.Uint32(100 * max(len(ops), 1)),
		SeqNum:        xdr.SequenceNumber(int64(ledger)<<12 | int64(index)),
		Cond:          xdr.Preconditions{Type: xdr.PreconditionTypePrecondNone},
		Memo:          xdr.Memo{Type: xdr.MemoTypeMemoNone},
		Operations:    ops,
	}
	if isSoroban {
		inner.Ext = xdr.TransactionExt{V: 1, SorobanData: &xdr.SorobanTransactionData{ResourceFee: 1000}}
	}
	v1 := &xdr.TransactionV1Envelope{Tx: inner}
	if !tx.FeeBump {
		return xdr.TransactionEnvelope{Type: xdr.EnvelopeTypeEnvelopeTypeTx, V1: v1}, isSoroban
	}
	return xdr.TransactionEnvelope{Type: xdr.EnvelopeTypeEnvelopeTypeTxFeeBump, FeeBump: &xdr.FeeBumpTransactionEnvelope{
		Tx: xdr.FeeBumpTransaction{
			FeeSource: tx.FeeSource,
			Fee:       xdr.Int64(inner.Fee) * 2,
			InnerTx:   xdr.FeeBumpTransactionInnerTx{Type: xdr.EnvelopeTypeEnvelopeTypeTx, V1: v1},
		},
	}}, isSoroban
}

func result(tx TxSpec, hash [32]byte, env xdr.TransactionEnvelope, passphrase string) xdr.TransactionResultPair {
	opResults := make([]xdr.OperationResult, len(tx.Operations))
	for i, op := range tx.Operations {
		opResults[i] = op.Result
		if tx.Failed {
			opResults[i] = xdr.OperationResult{Code: xdr.OperationResultCodeOpNoAccount}
		}
	}
	code := xdr.TransactionResultCodeTxSuccess
	if tx.Failed {
		code = xdr.TransactionResultCodeTxFailed
	}
	fee := xdr.Int64(100 * max(len(tx.Operations), 1))
	res := xdr.TransactionResult{FeeCharged: fee, Result: xdr.TransactionResultResult{Code: code, Results: &opResults}}
	if tx.FeeBump {
		innerHash, _ := network.HashTransactionInEnvelope(
			xdr.TransactionEnvelope{Type: xdr.EnvelopeTypeEnvelopeTypeTx, V1: env.FeeBump.Tx.InnerTx.V1}, passphrase)
		outer := xdr.TransactionResultCodeTxFeeBumpInnerSuccess
		if tx.Failed {
			outer = xdr.TransactionResultCodeTxFeeBumpInnerFailed
		}
		res = xdr.TransactionResult{FeeCharged: fee * 2, Result: xdr.TransactionResultResult{
			Code: outer,
			InnerResultPair: &xdr.InnerTransactionResultPair{
				TransactionHash: innerHash,
				Result: xdr.InnerTransactionResult{FeeCharged: fee, Result: xdr.InnerTransactionResultResult{
					Code: code, Results: &opResults,
				}},
			},
		}}
	}
	return xdr.TransactionResultPair{TransactionHash: hash, Result: res}
}

func txMeta(tx TxSpec, version int, isSoroban bool) (xdr.TransactionMeta, error) {
	if version == 3 {
		ops := make([]xdr.OperationMeta, len(tx.Operations))
		meta := &xdr.TransactionMetaV3{Operations: ops}
		var events []xdr.ContractEvent
		for i, op := range tx.Operations {
			if len(op.Events) > 0 && !isSoroban {
				return xdr.TransactionMeta{}, fmt.Errorf("operation %d: TransactionMeta V3 has contract events only for Soroban transactions", i)
			}
			events = append(events, op.Events...)
		}
		if isSoroban {
			meta.SorobanMeta = &xdr.SorobanTransactionMeta{
				Events:           events,
				ReturnValue:      xdr.ScVal{Type: xdr.ScValTypeScvVoid},
				DiagnosticEvents: tx.DiagnosticEvents,
			}
		}
		return xdr.TransactionMeta{V: 3, V3: meta}, nil
	}
	ops := make([]xdr.OperationMetaV2, len(tx.Operations))
	for i, op := range tx.Operations {
		ops[i] = xdr.OperationMetaV2{Events: op.Events}
	}
	return xdr.TransactionMeta{V: 4, V4: &xdr.TransactionMetaV4{
		Operations:       ops,
		Events:           tx.TransactionEvents,
		DiagnosticEvents: tx.DiagnosticEvents,
	}}, nil
}
