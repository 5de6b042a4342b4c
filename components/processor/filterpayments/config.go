package filterpayments

import (
	"fmt"
	"strings"

	"github.com/stellar/go-stellar-sdk/strkey"

	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/components/internal/ledgerx"
	"github.com/cdpstats/cdpstats/components/internal/stroops"
)

// Config is the processor's configuration, decoded from its config map.
type Config struct {
	// Asset keeps only payments of this asset: "native" or "CODE:ISSUER".
	// Empty keeps every asset.
	Asset string `yaml:"asset"`
	// MinAmount keeps only payments of at least this amount, a decimal
	// string such as "100.5". It compares with Payment.Amount.
	MinAmount stroops.Amount `yaml:"min_amount"`
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
	if c.Asset != "" {
		canonical, err := canonicalAsset(c.Asset)
		if err != nil {
			errs = append(errs, config.Errorf("asset", "%w", err))
		}
		c.Asset = canonical
	}
	if c.MinAmount < 0 {
		errs = append(errs, config.Errorf("min_amount", "must not be negative, got %s", c.MinAmount))
	}
	c.passphrase = ledgerx.NetworkKey(c.Network, &errs)
	return errs.Err()
}

// canonicalAsset checks an asset written as "native" or "CODE:ISSUER" and
// returns it in the form Payment.Asset uses.
func canonicalAsset(s string) (string, error) {
	if strings.EqualFold(s, "native") {
		return "native", nil
	}
	code, issuer, ok := strings.Cut(s, ":")
	if !ok {
		if strings.EqualFold(s, "xlm") {
			return "", fmt.Errorf("asset %q: write the native asset as \"native\"", s)
		}
		return "", fmt.Errorf("asset %q must be \"native\" or \"CODE:ISSUER\", such as \"USDC:GA5ZSEJYB37JRC5AVCIA5MOP4RHTM335X2KGX3IHOJAPP5RE34K4KZVN\"", s)
	}
	if len(code) < 1 || len(code) > 12 || !alphanumeric(code) {
		return "", fmt.Errorf("asset code %q must be 1 to 12 letters or digits", code)
	}
	if _, err := strkey.Decode(strkey.VersionByteAccountID, issuer); err != nil {
		return "", fmt.Errorf("asset issuer %q is not a valid G... account address", issuer)
	}
	return code + ":" + issuer, nil
}

func alphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
