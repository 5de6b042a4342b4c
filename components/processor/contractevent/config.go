package contractevent

import (
	"github.com/stellar/go-stellar-sdk/strkey"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

// Config is the processor's configuration, decoded from its config map.
type Config struct {
	// ContractIDs keeps only the events of these contracts (C...
	// addresses). Empty keeps every contract's events.
	ContractIDs []string `yaml:"contract_ids"`
	// Network is the network of the ledgers, for ledgers whose message does
	// not say (the source says).
	Network string `yaml:"network"`

	passphrase string
	contracts  map[xdr.ContractId]struct{}
}

// ParseConfig decodes and checks a config map. Every error names its key.
func ParseConfig(raw map[string]interface{}) (Config, error) {
	return config.Parse(raw, Config{}, (*Config).validate)
}

func (c *Config) validate() error {
	var errs config.Errors
	if len(c.ContractIDs) > 0 {
		c.contracts = make(map[xdr.ContractId]struct{}, len(c.ContractIDs))
	}
	for i, id := range c.ContractIDs {
		raw, err := strkey.Decode(strkey.VersionByteContract, id)
		if err != nil || len(raw) != len(xdr.ContractId{}) {
			errs = append(errs, config.Errorf("contract_ids", "element %d, %q, is not a contract address (C...)", i, id))
			continue
		}
		c.contracts[xdr.ContractId(raw)] = struct{}{}
	}
	c.passphrase = ledgerx.NetworkKey(c.Network, &errs)
	return errs.Err()
}

// wants reports whether the filter keeps events of contract id.
func (c *Config) wants(id xdr.ContractId) bool {
	if c.contracts == nil {
		return true
	}
	_, ok := c.contracts[id]
	return ok
}
