package ledgerreader

import (
	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
)

// Config is the processor's configuration, decoded from its config map.
type Config struct {
	// SuccessfulOnly emits only the transactions that succeeded. By
	// default failed transactions are emitted too, since their fees and
	// sequence numbers were still charged.
	SuccessfulOnly bool `yaml:"successful_only"`
	// Network is the network of the ledgers, for ledgers whose message does
	// not say (the source says).
	Network string `yaml:"network"`

	passphrase string
}

// ParseConfig decodes and checks a config map. Every error names its key.
func ParseConfig(raw map[string]interface{}) (Config, error) {
	return config.Parse(raw, Config{}, (*Config).validate)
}

func (c *Config) validate() error {
	var errs config.Errors
	c.passphrase = ledgerx.NetworkKey(c.Network, &errs)
	return errs.Err()
}
