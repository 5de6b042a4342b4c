// Package ledgerx holds the Stellar ledger handling that several
// components share: naming networks, getting a ledger out of a message,
// reading the transactions of a ledger once per message (cache.go) with
// a reader of its own that matches the SDK's (txreader.go), and
// the skeleton every processor of ledgers is written on (processor.go).
package ledgerx

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/components/cdp"
	"github.com/cdpstats/cdpstats/components/config"
	"github.com/cdpstats/cdpstats/internal/suggest"
)

// networkNames are the networks known by name.
var networkNames = []string{"pubnet", "public", "mainnet", "testnet", "futurenet"}

// Passphrase resolves a network name to its passphrase: "pubnet" (or
// "public", "mainnet"), "testnet" and "futurenet" are known by name, and
// any other non-empty string is taken as a full passphrase, as standalone
// and private networks have any passphrase they like ("load test
// network"). Only a single word that is a near miss of a known name
// ("pubnett") is refused, as the typo it most likely is.
func Passphrase(name string) (string, error) {
	switch strings.ToLower(name) {
	case "pubnet", "public", "mainnet":
		return network.PublicNetworkPassphrase, nil
	case "testnet":
		return network.TestNetworkPassphrase, nil
	case "futurenet":
		return network.FutureNetworkPassphrase, nil
	case "":
		return "", fmt.Errorf("must name a network: pubnet, testnet, futurenet or a full passphrase")
	}
	if !strings.ContainsAny(name, " \t;") {
		if s := suggest.Nearest(strings.ToLower(name), networkNames); s != "" {
			return "", fmt.Errorf("unknown network %q; did you mean %q? (or give the full passphrase)", name, s)
		}
	}
	return name, nil
}

// NetworkKey resolves a processor's optional `network` config key: the
// passphrase for ledgers whose message does not carry one, "" when the key
// is not set. A bad name is added to errs, under the key "network".
func NetworkKey(network string, errs *config.Errors) string {
	if network == "" {
		return ""
	}
	p, err := Passphrase(network)
	if err != nil {
		*errs = append(*errs, config.Errorf("network", "%w", err))
	}
	return p
}

// Ledger returns the ledger a message carries, and false when its payload
// is not a ledger.
func Ledger(msg cdp.Message) (xdr.LedgerCloseMeta, bool) {
	switch p := msg.Payload.(type) {
	case xdr.LedgerCloseMeta:
		return p, true
	case *xdr.LedgerCloseMeta:
		if p != nil {
			return *p, true
		}
	}
	return xdr.LedgerCloseMeta{}, false
}

// MessagePassphrase returns the passphrase a message carries (see
// [cdp.Message.Passphrase]), or fallback when it carries none.
func MessagePassphrase(msg cdp.Message, fallback string) (string, error) {
	if msg.Passphrase != "" {
		return msg.Passphrase, nil
	}
	if p, ok := msg.Metadata[cdp.MetadataNetworkPassphrase].(string); ok && p != "" {
		return p, nil
	}
	if fallback != "" {
		return fallback, nil
	}
	return "", errors.New("the message carries no network passphrase and no network is configured: set the component's network key")
}

// LedgerMessage returns the message a source sends for lcm, with an empty
// place for its transactions.
func LedgerMessage(lcm xdr.LedgerCloseMeta, passphrase string) cdp.Message {
	return cdp.Message{
		Payload:        lcm,
		LedgerSequence: lcm.LedgerSequence(),
		Passphrase:     passphrase,
		Transactions:   &cdp.Transactions{},
	}
}

// HashHex returns h as lowercase hex, the form transaction hashes take in
// messages, with one allocation.
func HashHex(h xdr.Hash) string {
	var buf [2 * len(xdr.Hash{})]byte
	return string(hex.AppendEncode(buf[:0], h[:]))
}
