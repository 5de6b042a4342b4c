package ledgerx

import (
	"errors"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// This file hashes the envelopes of a ledger straight from the wire bytes
// it was decoded from, through the SDK's zero-copy views, with no encoding
// and no allocation: what readView reads with. The loops range over the
// views' iterators in place, not through a helper, so that the compiler
// keeps their state off the heap.

// errViewShape is the error of a transaction set whose shape the view walk
// does not know, the decoded ledger's reader being the judge of it.
var errViewShape = errors.New("a transaction set of an unknown shape")

// hashView puts in r.hashes (never nil after it) the hash under
// passphrase of every envelope of view's transaction set, in the order
// eachEnvelope walks the ledger decoded from view: the classic set's, or
// the phases' in turn, each phase's components or parallel stages and
// their clusters in turn. It stops at the first error, the view's or a
// hash's. r keeps the hashes, which are values, and nothing of view.
func (r *txReader) hashView(view xdr.LedgerCloseMetaView, passphrase string) error {
	if r.hashes == nil {
		r.hashes = make([]xdr.Hash, 0, 64)
	}
	r.hashes = r.hashes[:0]
	v, err := view.V()
	if err != nil {
		return err
	}
	var set xdr.GeneralizedTransactionSetView
	switch v {
	case 0:
		meta, err := view.V0()
		if err != nil {
			return err
		}
		classic, err := meta.TxSet()
		if err != nil {
			return err
		}
		txs, err := classic.Txs()
		if err != nil {
			return err
		}
		for env, err := range txs.Iter() {
			if err := r.hashEnvelopeView(env, err, passphrase); err != nil {
				return err
			}
		}
		return nil
	case 1:
		meta, err := view.V1()
		if err != nil {
			return err
		}
		if set, err = meta.TxSet(); err != nil {
			return err
		}
	case 2:
		meta, err := view.V2()
		if err != nil {
			return err
		}
		if set, err = meta.TxSet(); err != nil {
			return err
		}
	default:
		return errViewShape
	}
	if v, err := set.V(); err != nil {
		return err
	} else if v != 1 {
		return errViewShape
	}
	v1, err := set.V1TxSet()
	if err != nil {
		return err
	}
	phases, err := v1.Phases()
	if err != nil {
		return err
	}
	for phase, err := range phases.Iter() {
		if err != nil {
			return err
		}
		if err := r.hashPhaseView(phase, passphrase); err != nil {
			return err
		}
	}
	return nil
}

// hashPhaseView appends to r.hashes the hashes of the envelopes of one
// phase of a generalized transaction set, for hashView.
func (r *txReader) hashPhaseView(phase xdr.TransactionPhaseView, passphrase string) error {
	v, err := phase.V()
	if err != nil {
		return err
	}
	switch v {
	case 0:
		components, err := phase.V0Components()
		if err != nil {
			return err
		}
		for c, err := range components.Iter() {
			if err != nil {
				return err
			}
			discounted, err := c.TxsMaybeDiscountedFee()
			if err != nil {
				return err
			}
			txs, err := discounted.Txs()
			if err != nil {
				return err
			}
			for env, err := range txs.Iter() {
				if err := r.hashEnvelopeView(env, err, passphrase); err != nil {
					return err
				}
			}
		}
		return nil
	case 1:
		parallel, err := phase.ParallelTxsComponent()
		if err != nil {
			return err
		}
		stages, err := parallel.ExecutionStages()
		if err != nil {
			return err
		}
		for stage, err := range stages.Iter() {
			if err != nil {
				return err
			}
			for cluster, err := range stage.Iter() {
				if err != nil {
					return err
				}
				for env, err := range cluster.Iter() {
					if err := r.hashEnvelopeView(env, err, passphrase); err != nil {
						return err
					}
				}
			}
		}
		return nil
	default:
		return errViewShape
	}
}

// hashEnvelopeView appends to r.hashes the hash under passphrase of env,
// an envelope an iterator yielded with iterErr, or returns the error.
func (r *txReader) hashEnvelopeView(env xdr.TransactionEnvelopeView, iterErr error, passphrase string) error {
	if iterErr != nil {
		return iterErr
	}
	if r.viewHasher == nil || r.viewPassphrase != passphrase {
		h, err := network.NewTransactionViewHasher(passphrase)
		if err != nil {
			return err
		}
		r.viewHasher, r.viewPassphrase = h, passphrase
	}
	h, err := r.viewHasher.Hash(env)
	if err != nil {
		return err
	}
	r.hashes = append(r.hashes, h)
	return nil
}
