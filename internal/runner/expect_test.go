package runner_test

import (
	"testing"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/require"
)

// The expectations here are read straight from a ledger's XDR, without
// the SDK's ingest package that the components use: envelopes are matched
// to their results by hashing them, and payments and events are taken from
// the operations and the meta.

// payment is what a test expects of one payment: what the destination
// received.
type payment struct {
	native  bool
	stroops int64
}

// expected is what the components should find in a ledger.
type expected struct {
	payments  []payment // payment operations of successful transactions
	events    int       // CONTRACT events of successful transactions
	failedTxs int
}

// lines is how many JSON lines FilterPayments (no filter) followed by
// ContractEvent produce for the ledger.
func (e expected) lines() int { return len(e.payments) + e.events }

// count returns how many payments keep passes.
func (e expected) count(keep func(payment) bool) int {
	n := 0
	for _, p := range e.payments {
		if keep(p) {
			n++
		}
	}
	return n
}

// expect walks lcm, closed on the network of passphrase.
func expect(t testing.TB, lcm xdr.LedgerCloseMeta, passphrase string) expected {
	t.Helper()
	type applied struct {
		result xdr.TransactionResultPair
		meta   xdr.TransactionMeta
	}
	var txs []applied
	var phases []xdr.TransactionPhase
	switch lcm.V {
	case 1:
		for _, p := range lcm.V1.TxProcessing {
			txs = append(txs, applied{p.Result, p.TxApplyProcessing})
		}
		phases = lcm.V1.TxSet.V1TxSet.Phases
	case 2:
		for _, p := range lcm.V2.TxProcessing {
			txs = append(txs, applied{p.Result, p.TxApplyProcessing})
		}
		phases = lcm.V2.TxSet.V1TxSet.Phases
	default:
		t.Fatalf("expect: LedgerCloseMeta V%d", lcm.V)
	}
	envelopes := map[xdr.Hash]xdr.TransactionEnvelope{}
	addEnvelope := func(env xdr.TransactionEnvelope) {
		h, err := network.HashTransactionInEnvelope(env, passphrase)
		require.NoError(t, err)
		envelopes[h] = env
	}
	for _, phase := range phases {
		if phase.V0Components != nil {
			for _, c := range *phase.V0Components {
				for _, env := range c.TxsMaybeDiscountedFee.Txs {
					addEnvelope(env)
				}
			}
		}
		if phase.ParallelTxsComponent != nil {
			for _, stage := range phase.ParallelTxsComponent.ExecutionStages {
				for _, cluster := range stage {
					for _, env := range cluster {
						addEnvelope(env)
					}
				}
			}
		}
	}

	var e expected
	for _, tx := range txs {
		env, ok := envelopes[tx.result.TransactionHash]
		require.True(t, ok, "no envelope hashes to %x", tx.result.TransactionHash)
		res := tx.result.Result
		var ops []xdr.Operation
		var results []xdr.OperationResult
		switch res.Result.Code {
		case xdr.TransactionResultCodeTxSuccess:
			ops, results = env.Operations(), *res.Result.Results
		case xdr.TransactionResultCodeTxFeeBumpInnerSuccess:
			ops, results = env.Operations(), *res.Result.InnerResultPair.Result.Result.Results
		default:
			e.failedTxs++
			continue
		}
		for i, op := range ops {
			switch op.Body.Type {
			case xdr.OperationTypePayment:
				body := op.Body.PaymentOp
				e.payments = append(e.payments, payment{body.Asset.IsNative(), int64(body.Amount)})
			case xdr.OperationTypePathPaymentStrictSend:
				last := results[i].Tr.PathPaymentStrictSendResult.Success.Last
				e.payments = append(e.payments, payment{op.Body.PathPaymentStrictSendOp.DestAsset.IsNative(), int64(last.Amount)})
			case xdr.OperationTypePathPaymentStrictReceive:
				body := op.Body.PathPaymentStrictReceiveOp
				e.payments = append(e.payments, payment{body.DestAsset.IsNative(), int64(body.DestAmount)})
			}
		}
		for _, ev := range contractEvents(tx.meta) {
			if ev.Type == xdr.ContractEventTypeContract {
				e.events++
			}
		}
	}
	return e
}

// contractEvents returns a transaction's contract events: V3 keeps them in
// the Soroban meta, V4 with each operation.
func contractEvents(meta xdr.TransactionMeta) []xdr.ContractEvent {
	switch meta.V {
	case 3:
		if meta.V3.SorobanMeta != nil {
			return meta.V3.SorobanMeta.Events
		}
	case 4:
		var out []xdr.ContractEvent
		for _, op := range meta.V4.Operations {
			out = append(out, op.Events...)
		}
		return out
	}
	return nil
}
