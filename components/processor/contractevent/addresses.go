package contractevent

import (
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/internal/textcache"
)

// maxAddresses bounds the addresses a ContractEvent keeps: far more than
// the contracts and accounts a run of ledgers hears from at a time.
const maxAddresses = 4096

// addressKey identifies an account or a contract.
type addressKey struct {
	typ xdr.ScAddressType
	key [32]byte
}

// newDecoder returns a decoder that keeps the addresses of accounts and
// contracts: each is a strkey encoding, and the same tokens and accounts
// recur event after event.
func newDecoder() decoder {
	return decoder{addresses: textcache.New[addressKey](maxAddresses)}
}

// address returns the strkey of addr, as addr.String() does.
func (d decoder) address(addr xdr.ScAddress) (string, error) {
	key := addressKey{typ: addr.Type}
	switch {
	case d.addresses == nil:
		return addr.String()
	case addr.Type == xdr.ScAddressTypeScAddressTypeAccount:
		key.key = *addr.AccountId.Ed25519
	case addr.Type == xdr.ScAddressTypeScAddressTypeContract:
		key.key = *addr.ContractId
	default: // rarer kinds, not kept
		return addr.String()
	}
	if s, ok := d.addresses.Get(key); ok {
		return s, nil
	}
	s, err := addr.String()
	if err != nil {
		return "", err
	}
	d.addresses.Put(key, s)
	return s, nil
}

// contract returns the C... address of contract id.
func (d decoder) contract(id xdr.ContractId) (string, error) {
	return d.address(xdr.ScAddress{Type: xdr.ScAddressTypeScAddressTypeContract, ContractId: &id})
}
