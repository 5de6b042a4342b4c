package ledgerx

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// reencoded returns the hashes of lcm's envelopes under passphrase in
// transaction-set order, each encoded again and hashed by the SDK.
func reencoded(t testing.TB, lcm xdr.LedgerCloseMeta, passphrase string) []xdr.Hash {
	t.Helper()
	var hashes []xdr.Hash
	require.NoError(t, eachEnvelope(lcm, func(env *xdr.TransactionEnvelope) error {
		h, err := network.HashTransactionInEnvelope(*env, passphrase)
		hashes = append(hashes, h)
		return err
	}))
	if hashes == nil {
		hashes = []xdr.Hash{}
	}
	return hashes
}

// assertReadViewMatchesRead checks that readView reads lcm from view as
// read reads it: the same transactions, or the same error.
func assertReadViewMatchesRead(t *testing.T, lcm xdr.LedgerCloseMeta, view xdr.LedgerCloseMetaView, passphrase string) {
	t.Helper()
	want, wantErr := read(lcm, passphrase)
	got, err := readView(lcm, view, passphrase)
	if wantErr != nil {
		require.Error(t, err)
		assert.Equal(t, wantErr.Error(), err.Error())
		assert.Nil(t, got)
		return
	}
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// TestReadViewMatchesRead checks that reading with the hashes of the
// envelopes' wire bytes gives what encoding them again gives, on every
// ledger shape read is checked on (V0 envelopes, fee bumps, classic and
// parallel sets, the pubnet ledgers), and that for the ledgers that read
// the hashes are the view's, not a fallback's.
func TestReadViewMatchesRead(t *testing.T) {
	for _, tt := range readCases() {
		t.Run(tt.name, func(t *testing.T) {
			lcm := tt.lcm(t)
			raw, err := lcm.MarshalBinary()
			if err != nil { // a ledger with no bytes to view, which read fails on
				assert.NotEmpty(t, tt.wantErr)
				return
			}
			view := xdr.LedgerCloseMetaView(raw)
			assertReadViewMatchesRead(t, lcm, view, tt.passphrase)
			if tt.wantErr != "" {
				return
			}
			var r txReader
			require.NoError(t, r.hashView(view, tt.passphrase))
			assert.Equal(t, reencoded(t, lcm, tt.passphrase), r.hashes)
			_, err = r.readHashed(lcm, tt.passphrase, r.hashes)
			assert.NoError(t, err, "read with the view's hashes")
		})
	}
}

// TestReadViewOfShippedBytes checks readView on the real ledgers' own
// bytes, as the SDK ships them rather than encoded again: the galexie one
// reached through the view of its LedgerCloseMetaBatch.
func TestReadViewOfShippedBytes(t *testing.T) {
	pubnet, err := ledgers.PubnetBytes()
	require.NoError(t, err)
	compressed, err := ledgers.GalexieBytes()
	require.NoError(t, err)
	zd, err := zstd.NewReader(nil)
	require.NoError(t, err)
	defer zd.Close()
	galexie, err := zd.DecodeAll(compressed, nil)
	require.NoError(t, err)
	metas, err := xdr.LedgerCloseMetaBatchView(galexie).LedgerCloseMetas()
	require.NoError(t, err)
	galexieView, err := metas.At(0)
	require.NoError(t, err)
	for _, tt := range []struct {
		name string
		lcm  xdr.LedgerCloseMeta
		view xdr.LedgerCloseMetaView
	}{
		{"pubnet", ledgers.MustPubnet(t), xdr.LedgerCloseMetaView(pubnet)},
		{"galexie", ledgers.MustGalexie(t), galexieView},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assertReadViewMatchesRead(t, tt.lcm, tt.view, ledgers.PubnetPassphrase)
			var r txReader
			require.NoError(t, r.hashView(tt.view, ledgers.PubnetPassphrase))
			assert.Equal(t, reencoded(t, tt.lcm, ledgers.PubnetPassphrase), r.hashes)
		})
	}
}

// TestReadViewFallsBack checks that a view whose hashes cannot be had, or
// do not read, has the ledger read by encoding its envelopes again, with
// read's transactions or error.
func TestReadViewFallsBack(t *testing.T) {
	lcm := ledgers.MustBuild(scenario(10, 4))
	raw, err := lcm.MarshalBinary()
	require.NoError(t, err)
	other, err := ledgers.MustBuild(scenario(11, 4)).MarshalBinary()
	require.NoError(t, err)
	emptyLedger := ledgers.MustBuild(ledgers.LedgerSpec{Sequence: 10})
	empty, err := emptyLedger.MarshalBinary()
	require.NoError(t, err)
	// set is where raw's transaction set starts, phase where its first
	// phase does.
	meta, err := xdr.LedgerCloseMetaView(raw).V2()
	require.NoError(t, err)
	txSet, err := meta.TxSet()
	require.NoError(t, err)
	set := len(raw) - len(txSet)
	phase := set + 4 + 32 + 4 // V, the previous ledger's hash, the phases' count
	patched := func(at int, v uint32) []byte {
		b := slices.Clone(raw)
		binary.BigEndian.PutUint32(b[at:], v)
		return b
	}
	tests := []struct {
		name       string
		lcm        xdr.LedgerCloseMeta
		view       []byte
		passphrase string
		wantErr    error // hashView's, when it fails for a known reason
	}{
		{"no bytes", lcm, nil, ledgers.SyntheticPassphrase, nil},
		{"bytes cut before the transaction set", lcm, raw[:set], ledgers.SyntheticPassphrase, nil},
		{"bytes cut in the transaction set", lcm, raw[:set+len(txSet)/8], ledgers.SyntheticPassphrase, nil},
		{"a transaction set of no known version", lcm, patched(set, 2), ledgers.SyntheticPassphrase, errViewShape},
		{"a phase of no known version", lcm, patched(phase, 2), ledgers.SyntheticPassphrase, errViewShape},
		{"another ledger's bytes", lcm, other, ledgers.SyntheticPassphrase, nil},
		{"fewer envelopes", lcm, empty, ledgers.SyntheticPassphrase, nil},
		{"more envelopes", emptyLedger, raw, ledgers.SyntheticPassphrase, nil},
		{"empty passphrase", lcm, raw, "", nil},
		{"wrong passphrase", lcm, raw, ledgers.PubnetPassphrase, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			view := xdr.LedgerCloseMetaView(tt.view)
			var r txReader
			fallback := r.hashView(view, tt.passphrase)
			if tt.wantErr != nil {
				assert.ErrorIs(t, fallback, tt.wantErr)
			}
			if fallback == nil {
				_, fallback = r.readHashed(tt.lcm, tt.passphrase, r.hashes)
			}
			assert.Error(t, fallback, "the view's hashes read the ledger")
			assertReadViewMatchesRead(t, tt.lcm, view, tt.passphrase)
		})
	}
}

// TestReadViewAllocatesOnlyTheTransactions checks that a txReader that has
// read a ledger from its view reads the next one with no allocation but
// the slice it returns: hashing from the view allocates nothing.
func TestReadViewAllocatesOnlyTheTransactions(t *testing.T) {
	lcm := ledgers.MustBuild(scenario(5, 4))
	raw, err := lcm.MarshalBinary()
	require.NoError(t, err)
	view := xdr.LedgerCloseMetaView(raw)
	var r txReader
	_, err = r.readView(lcm, view, ledgers.SyntheticPassphrase)
	require.NoError(t, err)
	require.NoError(t, r.hashView(view, ledgers.SyntheticPassphrase), "the view path is taken, not the fallback")
	require.Len(t, r.hashes, lcm.CountTransactions())
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := r.readView(lcm, view, ledgers.SyntheticPassphrase); err != nil {
			t.Fatal(err)
		}
	})
	assert.Equal(t, 1.0, allocs)
}

// BenchmarkFillView reads the transactions of a synthetic ledger (the
// end-to-end benchmark's) and of pubnet ledger 58752000 by encoding each
// envelope again (impl=reencode, read), by hashing it from the ledger's
// bytes (impl=view, readView), and by hashing it from the bytes of the
// second ledger of a two-ledger batch, reached by walking the first
// (impl=view-second): what hashing a file's later ledgers from their
// bytes would cost.
func BenchmarkFillView(b *testing.B) {
	synthetic := ledgers.MustBuild(benchmarkLedger(100))
	syntheticRaw, err := synthetic.MarshalBinary()
	require.NoError(b, err)
	pubnetRaw, err := ledgers.PubnetBytes()
	require.NoError(b, err)
	type ledger struct {
		lcm        xdr.LedgerCloseMeta
		raw        []byte // the wire bytes of lcm
		batch      xdr.LedgerCloseMetaBatchView
		passphrase string
	}
	impls := []struct {
		name string
		read func(l *ledger) ([]ingest.LedgerTransaction, error)
	}{
		{"reencode", func(l *ledger) ([]ingest.LedgerTransaction, error) { return read(l.lcm, l.passphrase) }},
		{"view", func(l *ledger) ([]ingest.LedgerTransaction, error) {
			return readView(l.lcm, xdr.LedgerCloseMetaView(l.raw), l.passphrase)
		}},
		{"view-second", func(l *ledger) ([]ingest.LedgerTransaction, error) {
			metas, err := l.batch.LedgerCloseMetas()
			if err != nil {
				return nil, err
			}
			i := 0
			for view, err := range metas.Iter() {
				if err != nil {
					return nil, err
				}
				if i == 1 {
					return readView(l.lcm, view, l.passphrase)
				}
				i++
			}
			return nil, errors.New("no second ledger")
		}},
	}
	for _, l := range []struct {
		name string
		ledger
	}{
		{"synthetic", ledger{lcm: synthetic, raw: syntheticRaw, passphrase: ledgers.SyntheticPassphrase}},
		{"pubnet", ledger{lcm: ledgers.MustPubnet(b), raw: pubnetRaw, passphrase: ledgers.PubnetPassphrase}},
	} {
		seq := l.lcm.LedgerSequence()
		batch, err := xdr.LedgerCloseMetaBatch{StartSequence: xdr.Uint32(seq), EndSequence: xdr.Uint32(seq + 1),
			LedgerCloseMetas: []xdr.LedgerCloseMeta{l.lcm, l.lcm}}.MarshalBinary()
		require.NoError(b, err)
		l.batch = batch
		for _, impl := range impls {
			b.Run("ledger="+l.name+"/impl="+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := impl.read(&l.ledger); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
