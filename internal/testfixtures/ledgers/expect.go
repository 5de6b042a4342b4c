package ledgers

import (
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// Expected is what components that read payments and contract events
// should find in a ledger, as [Expect] reads it; [Expected.Add] sums
// several ledgers.
type Expected struct {
	// Payments are the payment, path_payment_strict_send and
	// path_payment_strict_receive operations of successful transactions,
	// in the order the ledger applied them.
	Payments []ExpectedPayment
	// Events are the CONTRACT events (not SYSTEM or DIAGNOSTIC) that
	// successful transactions emitted, in order.
	Events []ExpectedEvent
	// FailedTxs counts the transactions that failed; their operations and
	// events are in neither list.
	FailedTxs int
	// TotalTxs counts every transaction in the ledger, failed or not.
	TotalTxs int
}

// ExpectedPayment is what a component should report of one payment: what
// its destination received.
type ExpectedPayment struct {
	// Hash is the hex transaction hash; the outer hash for a fee bump.
	Hash string
	// OpIndex is the operation's 0-based position in its transaction.
	OpIndex uint32
	// Type is "payment", "path_payment_strict_send" or
	// "path_payment_strict_receive".
	Type string
	// To is the destination's G... or (muxed) M... address.
	To string
	// Asset is "native" or "CODE:ISSUER".
	Asset string
	// Amount is Stroops as a decimal with seven places, such as
	// "12.5000000".
	Amount string
	// Stroops is the amount received, in stroops.
	Stroops int64
}

// ExpectedEvent identifies one CONTRACT event a component should report.
type ExpectedEvent struct {
	// Hash is the hex transaction hash; the outer hash for a fee bump.
	Hash string
	// OpIndex is the position of the operation that emitted the event.
	OpIndex uint32
	// EventIndex is the event's position among its operation's events.
	EventIndex uint32
	// Contract is the contract that emitted the event.
	Contract xdr.ContractId
}

// Add appends what more expects to e, for tests that feed a component
// several ledgers.
func (e *Expected) Add(more Expected) {
	e.Payments = append(e.Payments, more.Payments...)
	e.Events = append(e.Events, more.Events...)
	e.FailedTxs += more.FailedTxs
	e.TotalTxs += more.TotalTxs
}

// Expect is the test oracle for components that read payments and contract
// events: it reads what they should find in lcm, a ledger closed on the
// network of passphrase, straight from the XDR. It deliberately shares no
// code with the components or with the SDK's ingest package they are built
// on, so that a bug there cannot hide by agreeing with the oracle.
// Envelopes are matched to their results by hashing them under passphrase,
// which also checks that passphrase is the ledger's.
//
// Expect fails t on a ledger it cannot read: an unknown LedgerCloseMeta
// version, a result without an envelope, or a successful strict-send path
// payment without its result.
func Expect(t testing.TB, lcm xdr.LedgerCloseMeta, passphrase string) Expected {
	t.Helper()
	txs, phases := appliedTransactions(t, lcm)
	envelopes := envelopesByHash(t, phases, passphrase)
	var e Expected
	for _, tx := range txs {
		e.TotalTxs++
		env, ok := envelopes[tx.result.TransactionHash]
		if !ok {
			t.Fatalf("ledgers.Expect: no envelope hashes to %x under %q", tx.result.TransactionHash, passphrase)
		}
		results, ok := operationResults(tx.result.Result)
		if !ok {
			e.FailedTxs++
			continue
		}
		hash := hex.EncodeToString(tx.result.TransactionHash[:])
		for i, op := range env.Operations() {
			if p, ok := paymentOf(t, op, results, i); ok {
				p.Hash, p.OpIndex = hash, uint32(i)
				e.Payments = append(e.Payments, p)
			}
		}
		for opIndex, events := range contractEventsByOperation(tx.meta) {
			for eventIndex, ev := range events {
				if ev.Type != xdr.ContractEventTypeContract {
					continue
				}
				e.Events = append(e.Events, ExpectedEvent{
					Hash: hash, OpIndex: uint32(opIndex), EventIndex: uint32(eventIndex), Contract: *ev.ContractId,
				})
			}
		}
	}
	return e
}

// appliedTransaction is one transaction as the ledger applied it.
type appliedTransaction struct {
	result xdr.TransactionResultPair
	meta   xdr.TransactionMeta
}

// appliedTransactions returns lcm's transactions in the order they were
// applied, and the phases of its transaction set, where their envelopes are.
func appliedTransactions(t testing.TB, lcm xdr.LedgerCloseMeta) ([]appliedTransaction, []xdr.TransactionPhase) {
	t.Helper()
	var txs []appliedTransaction
	switch lcm.V {
	case 1:
		for _, p := range lcm.V1.TxProcessing {
			txs = append(txs, appliedTransaction{p.Result, p.TxApplyProcessing})
		}
		return txs, lcm.V1.TxSet.V1TxSet.Phases
	case 2:
		for _, p := range lcm.V2.TxProcessing {
			txs = append(txs, appliedTransaction{p.Result, p.TxApplyProcessing})
		}
		return txs, lcm.V2.TxSet.V1TxSet.Phases
	}
	t.Fatalf("ledgers.Expect: LedgerCloseMeta V%d, want V1 or V2", lcm.V)
	return nil, nil
}

// envelopesByHash indexes the envelopes of every phase, classic
// components and parallel Soroban stages alike, by their transaction hash.
func envelopesByHash(t testing.TB, phases []xdr.TransactionPhase, passphrase string) map[xdr.Hash]xdr.TransactionEnvelope {
	t.Helper()
	envelopes := map[xdr.Hash]xdr.TransactionEnvelope{}
	add := func(env xdr.TransactionEnvelope) {
		h, err := network.HashTransactionInEnvelope(env, passphrase)
		if err != nil {
			t.Fatalf("ledgers.Expect: hashing an envelope: %v", err)
		}
		envelopes[h] = env
	}
	for _, phase := range phases {
		if phase.V0Components != nil {
			for _, c := range *phase.V0Components {
				for _, env := range c.TxsMaybeDiscountedFee.Txs {
					add(env)
				}
			}
		}
		if phase.ParallelTxsComponent != nil {
			for _, stage := range phase.ParallelTxsComponent.ExecutionStages {
				for _, cluster := range stage {
					for _, env := range cluster {
						add(env)
					}
				}
			}
		}
	}
	return envelopes
}

// operationResults returns the operation results of a successful
// transaction (the inner transaction's, for a fee bump), and false for a
// failed one.
func operationResults(res xdr.TransactionResult) ([]xdr.OperationResult, bool) {
	switch res.Result.Code {
	case xdr.TransactionResultCodeTxSuccess:
		return *res.Result.Results, true
	case xdr.TransactionResultCodeTxFeeBumpInnerSuccess:
		return *res.Result.InnerResultPair.Result.Result.Results, true
	}
	return nil, false
}

// paymentOf returns what the destination of op, the i-th operation of a
// successful transaction with results, received, and false if op is not a
// payment. A strict-send path payment's amount is only in its result.
func paymentOf(t testing.TB, op xdr.Operation, results []xdr.OperationResult, i int) (ExpectedPayment, bool) {
	t.Helper()
	var p ExpectedPayment
	switch op.Body.Type {
	case xdr.OperationTypePayment:
		body := op.Body.PaymentOp
		p = ExpectedPayment{Type: "payment", To: address(t, body.Destination), Asset: assetName(body.Asset), Stroops: int64(body.Amount)}
	case xdr.OperationTypePathPaymentStrictSend:
		body := op.Body.PathPaymentStrictSendOp
		if i >= len(results) || results[i].Tr == nil || results[i].Tr.PathPaymentStrictSendResult == nil ||
			results[i].Tr.PathPaymentStrictSendResult.Success == nil {
			t.Fatalf("ledgers.Expect: operation %d is a path_payment_strict_send without a successful result", i)
		}
		last := results[i].Tr.PathPaymentStrictSendResult.Success.Last
		p = ExpectedPayment{Type: "path_payment_strict_send", To: address(t, body.Destination), Asset: assetName(body.DestAsset), Stroops: int64(last.Amount)}
	case xdr.OperationTypePathPaymentStrictReceive:
		body := op.Body.PathPaymentStrictReceiveOp
		p = ExpectedPayment{Type: "path_payment_strict_receive", To: address(t, body.Destination), Asset: assetName(body.DestAsset), Stroops: int64(body.DestAmount)}
	default:
		return ExpectedPayment{}, false
	}
	p.Amount = decimal(p.Stroops)
	return p, true
}

// contractEventsByOperation returns a transaction's contract events, one
// slice per operation: meta V3 keeps them in the Soroban meta (a Soroban
// transaction has a single operation), V4 with each operation.
func contractEventsByOperation(meta xdr.TransactionMeta) [][]xdr.ContractEvent {
	switch meta.V {
	case 3:
		if meta.V3.SorobanMeta == nil {
			return nil
		}
		return [][]xdr.ContractEvent{meta.V3.SorobanMeta.Events}
	case 4:
		out := make([][]xdr.ContractEvent, len(meta.V4.Operations))
		for i, op := range meta.V4.Operations {
			out[i] = op.Events
		}
		return out
	}
	return nil
}

// address returns m's G... or M... address.
func address(t testing.TB, m xdr.MuxedAccount) string {
	t.Helper()
	a, err := m.GetAddress()
	if err != nil {
		t.Fatalf("ledgers.Expect: %v", err)
	}
	return a
}

// assetName returns "native" or "CODE:ISSUER", the code without its zero
// padding.
func assetName(a xdr.Asset) string {
	switch a.Type {
	case xdr.AssetTypeAssetTypeNative:
		return "native"
	case xdr.AssetTypeAssetTypeCreditAlphanum4:
		return trimZeros(a.AlphaNum4.AssetCode[:]) + ":" + a.AlphaNum4.Issuer.Address()
	default:
		return trimZeros(a.AlphaNum12.AssetCode[:]) + ":" + a.AlphaNum12.Issuer.Address()
	}
}

// trimZeros returns b up to its first zero byte.
func trimZeros(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// decimal formats stroops with seven decimal places using math/big, so
// that the oracle does not share the components' stroops formatting.
func decimal(stroops int64) string {
	return new(big.Rat).SetFrac(big.NewInt(stroops), big.NewInt(10_000_000)).FloatString(7)
}
