package bufferedstorage

import (
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// testLedger is a synthetic ledger with a plain transaction, a fee bump
// and a failed one.
func testLedger(t *testing.T, seq uint32, passphrase string) xdr.LedgerCloseMeta {
	t.Helper()
	lcm, err := ledgers.Build(ledgers.LedgerSpec{
		Sequence:   seq,
		CloseTime:  time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC),
		Passphrase: passphrase,
		Transactions: []ledgers.TxSpec{
			{Source: ledgers.Account(1), Operations: []ledgers.Op{ledgers.Payment(nil, ledgers.Account(2), ledgers.Native(), 5)}},
			{Source: ledgers.Account(3), FeeBump: true, FeeSource: ledgers.Muxed(4, 9), Operations: []ledgers.Op{ledgers.BumpSequence()}},
			{Source: ledgers.Account(5), Failed: true, Operations: []ledgers.Op{ledgers.Payment(nil, ledgers.Account(6), ledgers.Native(), 1)}},
		},
	})
	require.NoError(t, err)
	return lcm
}

// TestUnpackReadsTransactionsAsFill checks that the ledgers a decoder
// unpacks carry the transactions ledgerx.Fill reads from them, whether
// hashed from the file's bytes or encoded again, and that they keep
// nothing of the buffer the file was decompressed into, which the decoder
// reuses for its next file.
func TestUnpackReadsTransactionsAsFill(t *testing.T) {
	pubnet := func(seq uint32) xdr.LedgerCloseMeta {
		lcm, err := ledgers.PubnetAt(seq)
		require.NoError(t, err)
		return lcm
	}
	tests := []struct {
		name             string
		batch            func(t *testing.T) []xdr.LedgerCloseMeta
		start            uint32 // the first ledger to unpack
		passphrase       string
		readTransactions bool
	}{
		{"one ledger per file", func(t *testing.T) []xdr.LedgerCloseMeta {
			return []xdr.LedgerCloseMeta{testLedger(t, 10, ledgers.SyntheticPassphrase)}
		}, 10, ledgers.SyntheticPassphrase, true},
		{"one pubnet ledger per file", func(t *testing.T) []xdr.LedgerCloseMeta {
			return []xdr.LedgerCloseMeta{ledgers.MustPubnet(t)}
		}, ledgers.PubnetSequence, ledgers.PubnetPassphrase, true},
		{"three ledgers per file", func(t *testing.T) []xdr.LedgerCloseMeta {
			return []xdr.LedgerCloseMeta{testLedger(t, 10, ledgers.SyntheticPassphrase),
				testLedger(t, 11, ledgers.SyntheticPassphrase), testLedger(t, 12, ledgers.SyntheticPassphrase)}
		}, 10, ledgers.SyntheticPassphrase, true},
		{"pubnet ledgers from mid-file", func(t *testing.T) []xdr.LedgerCloseMeta {
			return []xdr.LedgerCloseMeta{pubnet(100), pubnet(101), pubnet(102)}
		}, 101, ledgers.PubnetPassphrase, true},
		{"the wrong network", func(t *testing.T) []xdr.LedgerCloseMeta {
			return []xdr.LedgerCloseMeta{testLedger(t, 10, network.FutureNetworkPassphrase), testLedger(t, 11, network.FutureNetworkPassphrase)}
		}, 10, ledgers.SyntheticPassphrase, true},
		{"an empty passphrase", func(t *testing.T) []xdr.LedgerCloseMeta {
			return []xdr.LedgerCloseMeta{testLedger(t, 10, ledgers.SyntheticPassphrase)}
		}, 10, "", true},
		{"read_transactions off", func(t *testing.T) []xdr.LedgerCloseMeta {
			return []xdr.LedgerCloseMeta{testLedger(t, 10, ledgers.SyntheticPassphrase)}
		}, 10, ledgers.SyntheticPassphrase, false},
	}
	zd, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	require.NoError(t, err)
	defer zd.Close()
	ze, err := zstd.NewWriter(nil)
	require.NoError(t, err)
	defer ze.Close()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lcms := tt.batch(t)
			first := lcms[0].LedgerSequence()
			raw, err := xdr.LedgerCloseMetaBatch{
				StartSequence:    xdr.Uint32(first),
				EndSequence:      xdr.Uint32(first + uint32(len(lcms)) - 1),
				LedgerCloseMetas: lcms,
			}.MarshalBinary()
			require.NoError(t, err)
			r := &reader{cfg: readerConfig{passphrase: tt.passphrase, readTransactions: tt.readTransactions}}
			f := &file{start: tt.start, compressed: ze.EncodeAll(raw, nil)}
			buf, err := r.unpack(f, zd, nil)
			require.NoError(t, err)
			clear(buf[:cap(buf)]) // as the next file overwrites it
			require.Len(t, f.ledgers, len(lcms)-int(tt.start-first))
			for i, msg := range f.ledgers {
				lcm := lcms[int(tt.start-first)+i]
				require.Equal(t, lcm.LedgerSequence(), msg.LedgerSequence)
				var want cdp.Transactions
				if tt.readTransactions {
					ledgerx.Fill(&want, lcm, tt.passphrase)
				}
				got := *msg.Transactions
				assert.Equal(t, want.Sequence, got.Sequence, "ledger %d", msg.LedgerSequence)
				assert.Equal(t, want.Passphrase, got.Passphrase)
				assert.Equal(t, want.Reads, got.Reads)
				assert.Equal(t, want.Txs, got.Txs)
				if want.Err == nil {
					assert.NoError(t, got.Err)
				} else {
					assert.EqualError(t, got.Err, want.Err.Error())
				}
			}
		})
	}
}

// TestFirstLedgerView checks that firstLedgerView finds the first ledger
// of a batch, and nothing in bytes that hold none.
func TestFirstLedgerView(t *testing.T) {
	lcm := testLedger(t, 10, ledgers.SyntheticPassphrase)
	raw, err := xdr.LedgerCloseMetaBatch{StartSequence: 10, EndSequence: 11,
		LedgerCloseMetas: []xdr.LedgerCloseMeta{lcm, testLedger(t, 11, ledgers.SyntheticPassphrase)}}.MarshalBinary()
	require.NoError(t, err)
	empty, err := xdr.LedgerCloseMetaBatch{StartSequence: 10, EndSequence: 9}.MarshalBinary()
	require.NoError(t, err)
	view := firstLedgerView(raw)
	require.NotNil(t, view)
	seq, err := view.LedgerSequence()
	require.NoError(t, err)
	assert.Equal(t, uint32(10), seq)
	for name, batch := range map[string][]byte{"no ledger": empty, "cut short": raw[:6], "no bytes": nil} {
		assert.Nil(t, firstLedgerView(batch), name)
	}
}
