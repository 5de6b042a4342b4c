package e2e

import (
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

func TestBuildRejectsImpossibleLedgers(t *testing.T) {
	classicWithEvents := ledgers.Payment(nil, dave, ledgers.Native(), 1)
	classicWithEvents.Events = []xdr.ContractEvent{transferEvent(alice, dave, 1)}
	tests := []struct {
		name    string
		spec    ledgers.LedgerSpec
		wantErr string
	}{
		{"meta V5", ledgers.LedgerSpec{Sequence: 5, MetaVersion: 5}, "meta version 5"},
		{"V3 events outside Soroban", ledgers.LedgerSpec{Sequence: 5, MetaVersion: 3, Transactions: []ledgers.TxSpec{
			{Source: alice, Operations: []ledgers.Op{classicWithEvents}},
		}}, "only for Soroban transactions"},
	}
	for _, tt := range tests {
		_, err := ledgers.Build(tt.spec)
		require.Error(t, err, tt.name)
		assert.Contains(t, err.Error(), tt.wantErr)
	}
}

// TestSyntheticLedgersRoundTrip checks that synthetic ledgers survive XDR
// encoding, as they must to go through a datastore.
func TestSyntheticLedgersRoundTrip(t *testing.T) {
	for _, v := range []int{3, 4} {
		lcm := buildScenario(t, 77, v)
		raw, err := lcm.MarshalBinary()
		require.NoError(t, err)
		var back xdr.LedgerCloseMeta
		require.NoError(t, xdr.SafeUnmarshal(raw, &back))
		assert.Equal(t, uint32(77), back.LedgerSequence())
		assert.Equal(t, walk(t, lcm, ledgers.SyntheticPassphrase), walk(t, back, ledgers.SyntheticPassphrase))
	}
}
