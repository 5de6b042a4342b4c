package e2e

import (
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/require"
)

// The expectations here are computed from the LedgerCloseMeta directly,
// without the SDK's ingest package or any component code: envelopes are
// matched to results by hashing them, and payments and events are read
// straight from the XDR.

// wantPayment is what a test expects of one payment.
type wantPayment struct {
	Hash    string
	OpIndex uint32
	Type    string
	To      string
	Asset   string
	Amount  string
}

// wantEvent is what a test expects of one contract event.
type wantEvent struct {
	Hash       string
	OpIndex    uint32
	EventIndex uint32
	Contract   xdr.ContractId
}

// walked is everything a test expects of a ledger.
type walked struct {
	Payments    []wantPayment
	Events      []wantEvent
	FailedTxs   int
	TotalTxs    int
	ContractEvs int // CONTRACT events in successful transactions
}

type txRecord struct {
	result xdr.TransactionResultPair
	meta   xdr.TransactionMeta
}

// walk reads a ledger's expectations straight from its XDR.
func walk(t testing.TB, lcm xdr.LedgerCloseMeta, passphrase string) walked {
	t.Helper()
	var records []txRecord
	var phases []xdr.TransactionPhase
	switch lcm.V {
	case 1:
		for _, p := range lcm.V1.TxProcessing {
			records = append(records, txRecord{p.Result, p.TxApplyProcessing})
		}
		phases = lcm.V1.TxSet.V1TxSet.Phases
	case 2:
		for _, p := range lcm.V2.TxProcessing {
			records = append(records, txRecord{p.Result, p.TxApplyProcessing})
		}
		phases = lcm.V2.TxSet.V1TxSet.Phases
	default:
		t.Fatalf("walk: LedgerCloseMeta V%d", lcm.V)
	}
	envelopes := map[xdr.Hash]xdr.TransactionEnvelope{}
	for _, phase := range phases {
		var components []xdr.TxSetComponent
		if phase.V0Components != nil {
			components = *phase.V0Components
		}
		for _, c := range components {
			for _, env := range c.TxsMaybeDiscountedFee.Txs {
				h, err := network.HashTransactionInEnvelope(env, passphrase)
				require.NoError(t, err)
				envelopes[h] = env
			}
		}
		if phase.ParallelTxsComponent != nil {
			for _, stage := range phase.ParallelTxsComponent.ExecutionStages {
				for _, cluster := range stage {
					for _, env := range cluster {
						h, err := network.HashTransactionInEnvelope(env, passphrase)
						require.NoError(t, err)
						envelopes[h] = env
					}
				}
			}
		}
	}

	var w walked
	for _, rec := range records {
		w.TotalTxs++
		env, ok := envelopes[rec.result.TransactionHash]
		require.True(t, ok, "no envelope for %x", rec.result.TransactionHash)
		code := rec.result.Result.Result.Code
		if code != xdr.TransactionResultCodeTxSuccess && code != xdr.TransactionResultCodeTxFeeBumpInnerSuccess {
			w.FailedTxs++
			continue
		}
		hash := hex.EncodeToString(rec.result.TransactionHash[:])
		var ops []xdr.Operation
		var opResults []xdr.OperationResult
		if env.Type == xdr.EnvelopeTypeEnvelopeTypeTxFeeBump {
			ops = env.FeeBump.Tx.InnerTx.V1.Tx.Operations
			opResults = *rec.result.Result.Result.InnerResultPair.Result.Result.Results
		} else if env.Type == xdr.EnvelopeTypeEnvelopeTypeTx {
			ops = env.V1.Tx.Operations
			opResults = *rec.result.Result.Result.Results
		} else {
			ops = env.V0.Tx.Operations
			opResults = *rec.result.Result.Result.Results
		}
		for i, op := range ops {
			p := wantPayment{Hash: hash, OpIndex: uint32(i)}
			switch op.Body.Type {
			case xdr.OperationTypePayment:
				p.Type, p.To = "payment", address(t, op.Body.PaymentOp.Destination)
				p.Asset, p.Amount = assetName(op.Body.PaymentOp.Asset), decimal(int64(op.Body.PaymentOp.Amount))
			case xdr.OperationTypePathPaymentStrictSend:
				body := op.Body.PathPaymentStrictSendOp
				p.Type, p.To = "path_payment_strict_send", address(t, body.Destination)
				p.Asset = assetName(body.DestAsset)
				p.Amount = decimal(int64(opResults[i].Tr.PathPaymentStrictSendResult.Success.Last.Amount))
			case xdr.OperationTypePathPaymentStrictReceive:
				body := op.Body.PathPaymentStrictReceiveOp
				p.Type, p.To = "path_payment_strict_receive", address(t, body.Destination)
				p.Asset, p.Amount = assetName(body.DestAsset), decimal(int64(body.DestAmount))
			default:
				continue
			}
			w.Payments = append(w.Payments, p)
		}
		for opIndex, events := range eventsOf(rec.meta) {
			for eventIndex, ev := range events {
				if ev.Type != xdr.ContractEventTypeContract {
					continue
				}
				w.ContractEvs++
				w.Events = append(w.Events, wantEvent{Hash: hash, OpIndex: uint32(opIndex), EventIndex: uint32(eventIndex), Contract: *ev.ContractId})
			}
		}
	}
	return w
}

// eventsOf returns a transaction's contract events by operation.
func eventsOf(meta xdr.TransactionMeta) [][]xdr.ContractEvent {
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

func address(t testing.TB, m xdr.MuxedAccount) string {
	a, err := m.GetAddress()
	require.NoError(t, err)
	return a
}

func assetName(a xdr.Asset) string {
	switch a.Type {
	case xdr.AssetTypeAssetTypeNative:
		return "native"
	case xdr.AssetTypeAssetTypeCreditAlphanum4:
		code := trimZero(a.AlphaNum4.AssetCode[:])
		return code + ":" + a.AlphaNum4.Issuer.Address()
	default:
		code := trimZero(a.AlphaNum12.AssetCode[:])
		return code + ":" + a.AlphaNum12.Issuer.Address()
	}
}

func trimZero(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// decimal formats stroops with math/big, independently of the stroops
// package.
func decimal(stroops int64) string {
	return new(big.Rat).SetFrac(big.NewInt(stroops), big.NewInt(10_000_000)).FloatString(7)
}
