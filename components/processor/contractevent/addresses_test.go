package contractevent

import (
	"testing"

	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

func TestDecoderAddress(t *testing.T) {
	account, other := ledgers.AccountID(1), ledgers.AccountID(2)
	contract, otherContract := ledgers.Contract(1), ledgers.Contract(2)
	pool := xdr.PoolId(ledgers.Contract(3))
	balance := xdr.ClaimableBalanceId{Type: xdr.ClaimableBalanceIdTypeClaimableBalanceIdTypeV0, V0: &xdr.Hash{4}}
	tests := []struct {
		name string
		addr xdr.ScAddress
	}{
		{"account", xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeAccount, AccountId: &account}},
		{"other account", xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeAccount, AccountId: &other}},
		{"contract", xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeContract, ContractId: &contract}},
		{"other contract", xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeContract, ContractId: &otherContract}},
		{"muxed account", xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeMuxedAccount,
			MuxedAccount: &xdr.MuxedEd25519Account{Id: 42, Ed25519: *account.Ed25519}}},
		{"liquidity pool", xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeLiquidityPool, LiquidityPoolId: &pool}},
		{"claimable balance", xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeClaimableBalance, ClaimableBalanceId: &balance}},
	}
	for _, d := range []decoder{{}, newDecoder()} {
		for round := range 2 { // the first round fills the cache, the second reads it
			for _, tt := range tests {
				want, err := tt.addr.String()
				require.NoError(t, err, tt.name)
				got, err := d.address(tt.addr)
				require.NoError(t, err, tt.name)
				assert.Equal(t, want, got, "%s, round %d, cached %t", tt.name, round, d.addresses != nil)
			}
		}
	}
}

func TestDecoderContract(t *testing.T) {
	d := newDecoder()
	for round := range 2 {
		for _, n := range []byte{1, 0xC1, 0xFF} {
			id := ledgers.Contract(n)
			got, err := d.contract(id)
			require.NoError(t, err)
			assert.Equal(t, strkey.MustEncode(strkey.VersionByteContract, id[:]), got, "contract %#x, round %d", n, round)
		}
	}
}
