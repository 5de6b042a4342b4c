package filterpayments

import (
	"testing"

	"github.com/stellar/go-stellar-sdk/xdr"
	"github.com/stretchr/testify/assert"

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
	names := newAssetNames()
	for range 2 { // the first round fills the cache, the second reads it
		for _, tt := range tests {
			assert.Equal(t, tt.want, names.name(tt.asset), tt.name)
			assert.Equal(t, tt.asset.StringCanonical(), names.name(tt.asset), tt.name)
		}
	}
}
