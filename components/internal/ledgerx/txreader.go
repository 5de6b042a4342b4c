package ledgerx

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// This file reads the transactions of a ledger as the SDK's
// ingest.LedgerTransactionReader does, field for field and error for
// error, at a fraction of its cost: the SDK marshals every envelope's
// signature payload into a fresh buffer and keeps a fresh map per ledger;
// a txReader encodes into one reused buffer and reuses its map.

// errOldMeta is the error of a ledger before protocol 10 whose meta is
// older than TransactionMeta V2, in the SDK reader's words.
var errOldMeta = errors.New("TransactionMeta.V=2 is required in protocol version older than version 10. " +
	"Please process ledgers again using the latest stellar-core version.")

// txReaders keeps the txReaders of the goroutines that read ledgers, so
// that their buffers and maps outlive one ledger.
var txReaders = sync.Pool{New: func() any { return &txReader{} }}

// read returns the transactions of lcm in apply order, as
// [txReader.read] does, with a pooled txReader.
func read(lcm xdr.LedgerCloseMeta, passphrase string) ([]ingest.LedgerTransaction, error) {
	r := txReaders.Get().(*txReader)
	defer txReaders.Put(r)
	return r.read(lcm, passphrase)
}

// A txReader reads the transactions of ledgers, one ledger at a time. It
// keeps its buffers from one ledger to the next, and nothing of a ledger
// after read returns. Its zero value is ready to use; it is not safe for
// concurrent use.
type txReader struct {
	// passphrase is the passphrase whose network ID payload holds.
	passphrase string
	// payload is the signature payload of the envelope being hashed; a
	// field, not a local, so that encoding it does not move it to the
	// heap once per envelope.
	payload xdr.TransactionSignaturePayload
	// v0 and v0Source are the Transaction a TransactionV0 is hashed as.
	v0       xdr.Transaction
	v0Source xdr.Uint256
	// enc holds the encoded payload.
	enc *xdr.EncodingBuffer
	// byHash maps each envelope's hash to the envelope.
	byHash map[xdr.Hash]*xdr.TransactionEnvelope
}

// read returns the transactions of lcm in apply order, each with its
// envelope (found by the hash of the envelope under passphrase), result,
// meta and fee changes, exactly as ingest.LedgerTransactionReader reads
// them. A result whose hash no envelope has is an error that names the
// ledger and suspects the passphrase.
func (r *txReader) read(lcm xdr.LedgerCloseMeta, passphrase string) ([]ingest.LedgerTransaction, error) {
	defer r.forget()
	if r.enc == nil {
		r.enc = xdr.NewEncodingBuffer()
	}
	if r.payload.NetworkId == (xdr.Hash{}) || r.passphrase != passphrase {
		r.passphrase = passphrase
		r.payload.NetworkId = network.ID(passphrase)
	}
	header := lcm.LedgerHeaderHistoryEntry()
	seq := uint32(header.Header.LedgerSeq)
	version := uint32(header.Header.LedgerVersion)
	n := lcm.CountTransactions()
	if err := r.index(lcm, passphrase, version, n); err != nil {
		return nil, fmt.Errorf("ledger %d: error extracting transactions from ledger close meta: %w", seq, err)
	}
	txs := make([]ingest.LedgerTransaction, n)
	for i := range txs {
		tx := &txs[i]
		switch lcm.V {
		case 0:
			p := &lcm.V0.TxProcessing[i]
			tx.Result, tx.FeeChanges, tx.UnsafeMeta = p.Result, p.FeeProcessing, p.TxApplyProcessing
		case 1:
			p := &lcm.V1.TxProcessing[i]
			tx.Result, tx.FeeChanges, tx.UnsafeMeta = p.Result, p.FeeProcessing, p.TxApplyProcessing
		case 2:
			p := &lcm.V2.TxProcessing[i]
			tx.Result, tx.FeeChanges, tx.UnsafeMeta = p.Result, p.FeeProcessing, p.TxApplyProcessing
			tx.PostTxApplyFeeChanges = p.PostTxApplyFeeProcessing
		}
		env, ok := r.byHash[tx.Result.TransactionHash]
		if !ok {
			return nil, fmt.Errorf("ledger %d: unknown tx hash in LedgerCloseMeta: %s (is the network passphrase right?)",
				seq, hex.EncodeToString(tx.Result.TransactionHash[:]))
		}
		tx.Index = uint32(i + 1)
		tx.Envelope = *env
		tx.LedgerVersion = version
		tx.Ledger = lcm
		tx.Hash = tx.Result.TransactionHash
	}
	return txs, nil
}

// index hashes every envelope of lcm's transaction set under passphrase
// into r.byHash (a later envelope wins a hash two share) and checks, before
// protocol 10, that the meta is V2 or later, in the order and with the
// errors of the SDK reader.
func (r *txReader) index(lcm xdr.LedgerCloseMeta, passphrase string, version uint32, n int) error {
	if r.byHash == nil {
		r.byHash = make(map[xdr.Hash]*xdr.TransactionEnvelope, n)
	}
	i := 0
	add := func(env *xdr.TransactionEnvelope) error {
		h, err := r.hash(env, passphrase)
		if err != nil {
			return fmt.Errorf("could not hash transaction %d in TxSet: %w", i, err)
		}
		r.byHash[h] = env
		// The SDK reader checks the meta at the envelope's index, as good
		// as any since every meta is checked; an envelope past the metas
		// has none to check.
		if version < 10 && i < n {
			if meta, fees := lcm.TxApplyProcessing(i), lcm.FeeProcessing(i); meta.V < 2 && len(fees) > 0 {
				return errOldMeta
			}
		}
		i++
		return nil
	}
	if lcm.V == 0 {
		for j := range lcm.V0.TxSet.Txs {
			if err := add(&lcm.V0.TxSet.Txs[j]); err != nil {
				return err
			}
		}
		return nil
	}
	var phases []xdr.TransactionPhase
	switch lcm.V {
	case 1:
		phases = lcm.V1.TxSet.V1TxSet.Phases
	case 2:
		phases = lcm.V2.TxSet.V1TxSet.Phases
	}
	for _, phase := range phases {
		switch phase.V {
		case 0:
			for _, c := range *phase.V0Components {
				txs := c.TxsMaybeDiscountedFee.Txs
				for j := range txs {
					if err := add(&txs[j]); err != nil {
						return err
					}
				}
			}
		case 1:
			for _, stage := range phase.ParallelTxsComponent.ExecutionStages {
				for _, cluster := range stage {
					for j := range cluster {
						if err := add(&cluster[j]); err != nil {
							return err
						}
					}
				}
			}
		default:
			panic(fmt.Sprintf("Unsupported phase type: %d", phase.V))
		}
	}
	return nil
}

// hash returns the hash of env under passphrase, the SHA-256 of its
// TransactionSignaturePayload as network.HashTransactionInEnvelope
// computes it, encoding the payload into r's buffer.
func (r *txReader) hash(env *xdr.TransactionEnvelope, passphrase string) (xdr.Hash, error) {
	tagged := &r.payload.TaggedTransaction
	switch env.Type {
	case xdr.EnvelopeTypeEnvelopeTypeTx:
		*tagged = xdr.TransactionSignaturePayloadTaggedTransaction{Type: xdr.EnvelopeTypeEnvelopeTypeTx, Tx: &env.V1.Tx}
	case xdr.EnvelopeTypeEnvelopeTypeTxV0:
		tx := &env.V0.Tx
		r.v0Source = tx.SourceAccountEd25519
		r.v0 = xdr.Transaction{
			SourceAccount: xdr.MuxedAccount{Type: xdr.CryptoKeyTypeKeyTypeEd25519, Ed25519: &r.v0Source},
			Fee:           tx.Fee,
			Memo:          tx.Memo,
			Operations:    tx.Operations,
			SeqNum:        tx.SeqNum,
			Cond:          xdr.NewPreconditionsWithTimeBounds(tx.TimeBounds),
		}
		*tagged = xdr.TransactionSignaturePayloadTaggedTransaction{Type: xdr.EnvelopeTypeEnvelopeTypeTx, Tx: &r.v0}
	case xdr.EnvelopeTypeEnvelopeTypeTxFeeBump:
		*tagged = xdr.TransactionSignaturePayloadTaggedTransaction{Type: xdr.EnvelopeTypeEnvelopeTypeTxFeeBump, FeeBump: &env.FeeBump.Tx}
	default:
		return xdr.Hash{}, errors.New("invalid transaction type")
	}
	if strings.TrimSpace(passphrase) == "" {
		return xdr.Hash{}, errors.New("empty network passphrase")
	}
	b, err := r.enc.UnsafeMarshalBinary(&r.payload)
	if err != nil {
		return xdr.Hash{}, fmt.Errorf("marshal tx failed: %w", err)
	}
	return sha256.Sum256(b), nil
}

// forget drops every reference r holds into the ledger it read, keeping
// its buffers.
func (r *txReader) forget() {
	clear(r.byHash)
	r.payload.TaggedTransaction = xdr.TransactionSignaturePayloadTaggedTransaction{}
	r.v0 = xdr.Transaction{}
}
