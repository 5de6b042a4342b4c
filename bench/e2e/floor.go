package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/stellar/go-stellar-sdk/ingest"
	"github.com/stellar/go-stellar-sdk/ingest/ledgerbackend"
	"github.com/stellar/go-stellar-sdk/support/datastore"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// counts is what the floor finds, and what the runner writes: one JSON
// line per payment and per contract event.
type counts struct {
	Ledgers  int `json:"ledgers"`
	Payments int `json:"payments"`
	Events   int `json:"events"`
}

func floorCommand(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	path := fs.String("path", "", "filesystem datastore")
	start := fs.Uint("start", 0, "first ledger")
	end := fs.Uint("end", 0, "last ledger")
	passphrase := fs.String("network", "", "network passphrase")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	stop, err := startProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	c, err := floor(context.Background(), *path, *passphrase, uint32(*start), uint32(*end))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%d ledgers, %d payments, %d events\n", c.Ledgers, c.Payments, c.Events)
	return err
}

// floor is the bare SDK loop, on one goroutine: the BufferedStorageBackend
// (with the source's defaults: 100 files ahead, 10 downloads at once)
// and the transaction reader, counting the payments of successful
// transactions and their contract events, writing nothing.
func floor(ctx context.Context, path, passphrase string, start, end uint32) (counts, error) {
	var c counts
	cfg := datastore.DataStoreConfig{Type: "Filesystem", Params: map[string]string{"destination_path": path}}
	ds, err := datastore.NewDataStore(ctx, cfg)
	if err != nil {
		return c, err
	}
	defer ds.Close()
	schema, err := datastore.LoadSchema(ctx, ds, cfg)
	if err != nil {
		return c, err
	}
	backend, err := ledgerbackend.NewBufferedStorageBackend(ledgerbackend.BufferedStorageBackendConfig{
		BufferSize: 100, NumWorkers: 10, RetryLimit: 3, RetryWait: 5 * time.Second,
	}, ds, schema)
	if err != nil {
		return c, err
	}
	defer backend.Close()
	if err := backend.PrepareRange(ctx, ledgerbackend.BoundedRange(start, end)); err != nil {
		return c, err
	}
	for seq := start; seq <= end; seq++ {
		lcm, err := backend.GetLedger(ctx, seq)
		if err != nil {
			return c, err
		}
		if err := count(&c, lcm, passphrase); err != nil {
			return c, fmt.Errorf("ledger %d: %w", seq, err)
		}
	}
	return c, nil
}

// count adds the payments and contract events of one ledger to c.
func count(c *counts, lcm xdr.LedgerCloseMeta, passphrase string) error {
	reader, err := ingest.NewLedgerTransactionReaderFromLedgerCloseMeta(passphrase, lcm)
	if err != nil {
		return err
	}
	defer reader.Close()
	c.Ledgers++
	for {
		tx, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !tx.Successful() {
			continue
		}
		for _, op := range tx.Envelope.Operations() {
			switch op.Body.Type {
			case xdr.OperationTypePayment, xdr.OperationTypePathPaymentStrictSend, xdr.OperationTypePathPaymentStrictReceive:
				c.Payments++
			}
		}
		events, err := tx.GetTransactionEvents()
		if err != nil {
			return err
		}
		for _, opEvents := range events.OperationEvents {
			for _, ev := range opEvents {
				if ev.Type == xdr.ContractEventTypeContract && ev.ContractId != nil {
					c.Events++
				}
			}
		}
	}
}
