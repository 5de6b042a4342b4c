package filterpayments

import (
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/internal/textcache"
)

// maxAssetNames bounds the asset names a FilterPayments keeps: far more
// than the assets a run of ledgers pays in at a time.
const maxAssetNames = 4096

// assetKey identifies a credit asset.
type assetKey struct {
	typ xdr.AssetType
	// code is the asset code, zero-padded as in a 12-character code.
	code   [12]byte
	issuer xdr.Uint256
}

// assetNames names assets as Payment.Asset does, keeping the names of
// credit assets: each name is one strkey encoding and two allocations,
// and the same few assets recur payment after payment.
type assetNames struct {
	cache *textcache.Cache[assetKey]
}

func newAssetNames() assetNames {
	return assetNames{cache: textcache.New[assetKey](maxAssetNames)}
}

// name returns a.StringCanonical(): "native" or "CODE:ISSUER".
func (n assetNames) name(a xdr.Asset) string {
	var key assetKey
	switch a.Type {
	case xdr.AssetTypeAssetTypeCreditAlphanum4:
		copy(key.code[:], a.AlphaNum4.AssetCode[:])
		key.issuer = *a.AlphaNum4.Issuer.Ed25519
	case xdr.AssetTypeAssetTypeCreditAlphanum12:
		copy(key.code[:], a.AlphaNum12.AssetCode[:])
		key.issuer = *a.AlphaNum12.Issuer.Ed25519
	default: // native, with nothing to encode
		return a.StringCanonical()
	}
	key.typ = a.Type
	if name, ok := n.cache.Get(key); ok {
		return name
	}
	name := a.StringCanonical()
	n.cache.Put(key, name)
	return name
}
