package e2e

import (
	"testing"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

func TestPassphrase(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{in: "pubnet", want: network.PublicNetworkPassphrase},
		{in: "PUBLIC", want: network.PublicNetworkPassphrase},
		{in: "mainnet", want: network.PublicNetworkPassphrase},
		{in: "testnet", want: network.TestNetworkPassphrase},
		{in: "futurenet", want: network.FutureNetworkPassphrase},
		{in: "Standalone Network ; February 2017", want: "Standalone Network ; February 2017"},
		{in: "", wantErr: "must name a network"},
		{in: "load test network", want: "load test network"},
		{in: "devnet", want: "devnet"},
		{in: "pubnett", wantErr: `unknown network "pubnett"; did you mean "pubnet"?`},
	}
	for _, tt := range tests {
		got, err := ledgerx.Passphrase(tt.in)
		if tt.wantErr != "" {
			require.Error(t, err, tt.in)
			assert.Contains(t, err.Error(), tt.wantErr)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got)
	}
}
