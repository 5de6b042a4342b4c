package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

// The datastores compare reads, under its -dir.
const (
	syntheticDir = "synthetic"
	pubnetDir    = "pubnet"
	// SyntheticStart is the first synthetic ledger.
	syntheticStart = 1_000_000
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
	if err := write(filepath.Join(dir, syntheticDir), ledgers.SyntheticPassphrase, synthetic, syntheticLedger); err != nil {
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

// syntheticLedger returns synthetic ledger i: ten transactions of two
// payments each, one failed transaction and one Soroban transaction with
// two contract events.
func syntheticLedger(i int) (xdr.LedgerCloseMeta, error) {
	seq := uint32(syntheticStart + i)
	spec := ledgers.LedgerSpec{
		Sequence:  seq,
		CloseTime: time.Date(2025, 9, 3, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * 5 * time.Second),
	}
	for t := range 10 {
		from := byte(10 + t)
		spec.Transactions = append(spec.Transactions, ledgers.TxSpec{Source: ledgers.Account(from), Operations: []ledgers.Op{
			ledgers.Payment(nil, ledgers.Account(from+1), ledgers.Native(), int64(10_000_000*(t+1))),
			ledgers.Payment(nil, ledgers.Account(from+2), ledgers.Credit("USDC", 1), int64(1_234_567+t)),
		}})
	}
	spec.Transactions = append(spec.Transactions,
		ledgers.TxSpec{Source: ledgers.Account(30), Failed: true, Operations: []ledgers.Op{
			ledgers.Payment(nil, ledgers.Account(31), ledgers.Native(), 1),
		}},
		ledgers.TxSpec{Source: ledgers.Account(32), Operations: []ledgers.Op{
			ledgers.InvokeContract(ledgers.Contract(1), "transfer",
				ledgers.Event(ledgers.Contract(1), xdr.ContractEventTypeContract, ledgers.I128(int64(i)), ledgers.Symbol("transfer"), ledgers.AddressVal(ledgers.Account(32))),
				ledgers.Event(ledgers.Contract(1), xdr.ContractEventTypeContract, ledgers.Symbol("done"), ledgers.Symbol("log")),
			),
		}},
	)
	return ledgers.Build(spec)
}

// pubnetLedger returns pubnet ledger 58752000 renumbered to 58752000+i:
// only the header's sequence changes, the transactions are real.
func pubnetLedger(i int) (xdr.LedgerCloseMeta, error) {
	return ledgers.PubnetAt(ledgers.PubnetSequence + uint32(i))
}
