package filterpayments

import (
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

func TestAssetNames(t *testing.T) {
	issuerAccount, otherAccount := ledgers.Account(9), ledgers.Account(10)
	issuer, other := issuerAccount.Address(), otherAccount.Address()
	tests := []struct {
		name  string
		asset xdr.Asset
		want  string
	}{
		{"native", xdr.MustNewNativeAsset(), "native"},
		{"credit 4", xdr.MustNewCreditAsset("USDC", issuer), "USDC:" + issuer},
		{"same code, other issuer", xdr.MustNewCreditAsset("USDC", other), "USDC:" + other},
		{"short code", xdr.MustNewCreditAsset("X", issuer), "X:" + issuer},
		{"credit 12", xdr.MustNewCreditAsset("LONGERCODE12", issuer), "LONGERCODE12:" + issuer},
		{"credit 12, 5 letters", xdr.MustNewCreditAsset("USDCX", issuer), "USDCX:" + issuer},
	}
	n := newNames()
	for range 2 { // the first round fills the cache, the second reads it
		for _, tt := range tests {
			assert.Equal(t, tt.want, n.asset(tt.asset), tt.name)
			assert.Equal(t, tt.asset.StringCanonical(), n.asset(tt.asset), tt.name)
		}
	}
}

func TestAccountAddresses(t *testing.T) {
	tests := []struct {
		name    string
		account xdr.MuxedAccount
	}{
		{"account", ledgers.Account(1)},
		{"other account", ledgers.Account(2)},
		{"muxed", ledgers.Muxed(1, 42)},
		{"same key, other ID", ledgers.Muxed(1, 43)},
		{"ID 0", ledgers.Muxed(1, 0)},
	}
	n := newNames()
	for range 2 { // the first round fills the cache, the second reads it
		for _, tt := range tests {
			got, err := n.address(&tt.account)
			require.NoError(t, err, tt.name)
			want, err := tt.account.GetAddress()
			require.NoError(t, err, tt.name)
			assert.Equal(t, want, got, tt.name)
		}
	}
}

func TestAccountAddressError(t *testing.T) {
	account := xdr.MuxedAccount{Type: 7}
	_, err := newNames().address(&account)
	assert.ErrorContains(t, err, "account address: Unknown muxed account type")
}
