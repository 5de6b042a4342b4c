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

// errHashCount is the error of a ledger given more or fewer hashes than
// its transaction set has envelopes.
var errHashCount = errors.New("as many hashes as envelopes are needed")

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

// readView returns the transactions of lcm in apply order, as
// [txReader.readView] does, with a pooled txReader.
func readView(lcm xdr.LedgerCloseMeta, view xdr.LedgerCloseMetaView, passphrase string) ([]ingest.LedgerTransaction, error) {
	r := txReaders.Get().(*txReader)
	defer txReaders.Put(r)
	return r.readView(lcm, view, passphrase)
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
	// viewHasher hashes envelopes from their wire bytes under
	// viewPassphrase; nil until readView needs it.
	viewHasher     *network.TransactionViewHasher
	viewPassphrase string
	// hashes are the hashes of the envelopes of the ledger readView reads,
	// in transaction-set order.
	hashes []xdr.Hash
}

// read returns the transactions of lcm in apply order, each with its
// envelope (found by the hash of the envelope under passphrase), result,
// meta and fee changes, exactly as ingest.LedgerTransactionReader reads
// them. A result whose hash no envelope has is an error that names the
// ledger and suspects the passphrase.
func (r *txReader) read(lcm xdr.LedgerCloseMeta, passphrase string) ([]ingest.LedgerTransaction, error) {
	return r.readHashed(lcm, passphrase, nil)
}

// readView returns what read returns, hashing each envelope from view,
// the wire bytes lcm was decoded from, instead of encoding its signature
// payload: the same hash, since bytes that decode are the canonical
// encoding. A ledger the view cannot be walked over as read walks lcm, or
// that does not read with the view's hashes, is read again with read, so
// that it fails with read's error. readView keeps nothing of view.
func (r *txReader) readView(lcm xdr.LedgerCloseMeta, view xdr.LedgerCloseMetaView, passphrase string) ([]ingest.LedgerTransaction, error) {
	if view == nil {
		return r.read(lcm, passphrase)
	}
	if err := r.hashView(view, passphrase); err == nil {
		if txs, err := r.readHashed(lcm, passphrase, r.hashes); err == nil {
			return txs, nil
		}
	}
	return r.read(lcm, passphrase)
}

// readHashed is read, with the hashes of lcm's envelopes in
// transaction-set order given, or computed when hashes is nil.
func (r *txReader) readHashed(lcm xdr.LedgerCloseMeta, passphrase string, hashes []xdr.Hash) ([]ingest.LedgerTransaction, error) {
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
	if err := r.index(lcm, passphrase, version, n, hashes); err != nil {
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
// errors of the SDK reader. Given hashes, the i-th envelope's hash is
// hashes[i]; they must be as many as the envelopes.
func (r *txReader) index(lcm xdr.LedgerCloseMeta, passphrase string, version uint32, n int, hashes []xdr.Hash) error {
	if r.byHash == nil {
		r.byHash = make(map[xdr.Hash]*xdr.TransactionEnvelope, n)
	}
	i := 0
	add := func(env *xdr.TransactionEnvelope) error {
		var h xdr.Hash
		switch {
		case hashes == nil:
			var err error
			if h, err = r.hash(env, passphrase); err != nil {
				return fmt.Errorf("could not hash transaction %d in TxSet: %w", i, err)
			}
		case i < len(hashes):
			h = hashes[i]
		default:
			return errHashCount
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
	if err := eachEnvelope(lcm, add); err != nil {
		return err
	}
	if hashes != nil && i != len(hashes) {
		return errHashCount
	}
	return nil
}

// eachEnvelope calls f with every envelope of lcm's transaction set, in
// the set's order: the classic set's, or the phases' in turn, each
// phase's components or parallel stages and their clusters in turn; it
// stops at f's first error and returns it.
func eachEnvelope(lcm xdr.LedgerCloseMeta, f func(*xdr.TransactionEnvelope) error) error {
	if lcm.V == 0 {
		for j := range lcm.V0.TxSet.Txs {
			if err := f(&lcm.V0.TxSet.Txs[j]); err != nil {
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
					if err := f(&txs[j]); err != nil {
						return err
					}
				}
			}
		case 1:
			for _, stage := range phase.ParallelTxsComponent.ExecutionStages {
				for _, cluster := range stage {
					for j := range cluster {
						if err := f(&cluster[j]); err != nil {
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
