package contractevent

import (
	"testing"

	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

func TestContractAddress(t *testing.T) {
	p, err := New(nil)
	require.NoError(t, err)
	for round := range 2 { // the first round fills the cache, the second reads it
		for _, n := range []byte{1, 0xC1, 0xFF} {
			id := ledgers.Contract(n)
			got, err := p.contractAddress(id)
			require.NoError(t, err)
			assert.Equal(t, strkey.MustEncode(strkey.VersionByteContract, id[:]), got, "contract %#x, round %d", n, round)
		}
	}
}
