package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// The datastores compare reads, under its -dir.
const (
	syntheticDir = "synthetic"
	pubnetDir    = "pubnet"
	// readyFile marks a datastore written whole.
	readyFile = "READY"
)

// chunk is how many ledgers gen holds in memory at once.
const chunk = 500

func genCommand(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	dir := fs.String("dir", "", "directory to write the datastores into")
	synthetic := fs.Int("synthetic", 10_000, "synthetic ledgers")
	pubnet := fs.Int("pubnet", 200, "copies of pubnet ledger 58752000")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("gen: -dir is required")
	}
	return generate(*dir, *synthetic, *pubnet)
}

// generate writes the datastores that are not written yet.
func generate(dir string, synthetic, pubnet int) error {
	if err := write(filepath.Join(dir, syntheticDir), ledgers.SyntheticPassphrase, synthetic, ledgers.SyntheticAt); err != nil {
		return fmt.Errorf("synthetic datastore: %w", err)
	}
	if err := write(filepath.Join(dir, pubnetDir), ledgers.PubnetPassphrase, pubnet, pubnetLedger); err != nil {
		return fmt.Errorf("pubnet datastore: %w", err)
	}
	return nil
}

// write writes n ledgers made by ledger(i) into a datastore at dir,
// unless it holds them (or more) already.
func write(dir, passphrase string, n int, ledger func(i int) (xdr.LedgerCloseMeta, error)) error {
	ready := filepath.Join(dir, readyFile)
	if raw, err := os.ReadFile(ready); err == nil {
		if have, err := strconv.Atoi(string(raw)); err == nil && have >= n {
			return nil
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for from := 0; from < n; from += chunk {
		batch := make([]xdr.LedgerCloseMeta, 0, chunk)
		for i := from; i < min(from+chunk, n); i++ {
			lcm, err := ledger(i)
			if err != nil {
				return err
			}
			batch = append(batch, lcm)
		}
		if err := ledgers.WriteDatastore(dir, passphrase, ledgers.SingleLedgerFiles, batch...); err != nil {
			return err
		}
	}
	return os.WriteFile(ready, []byte(fmt.Sprint(n)), 0o644)
}

// pubnetLedger returns pubnet ledger 58752000 renumbered to 58752000+i:
// only the header's sequence changes, the transactions are real.
func pubnetLedger(i int) (xdr.LedgerCloseMeta, error) {
	return ledgers.PubnetAt(ledgers.PubnetSequence + uint32(i))
}
