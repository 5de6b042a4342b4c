// Command mksynthetic writes a filesystem datastore of synthetic protocol
// 23 ledgers, for measuring pipelines over more ledgers than
// examples/datastore holds (docs/insight.md):
//
//	go run ./internal/testfixtures/cmd/mksynthetic -out /tmp/synthetic -start 1000 -ledgers 2000
//
// Every ledger holds -payments payment transactions (XLM and a credit
// asset, alternately) and -events contract invocations that each emit one
// transfer event, all successful. A pipeline reads it with
// datastore_type Filesystem and network testnet (ledgers.SyntheticPassphrase),
// one ledger per file.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/stellar/go-stellar-sdk/xdr"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

func main() {
	out := flag.String("out", "", "directory to write the datastore into (required)")
	start := flag.Uint("start", 1000, "sequence of the first ledger")
	n := flag.Uint("ledgers", 2000, "number of ledgers")
	payments := flag.Int("payments", 40, "payment transactions per ledger")
	events := flag.Int("events", 10, "contract invocations per ledger, one event each")
	flag.Parse()
	if *out == "" || *n == 0 || *start == 0 {
		fmt.Fprintln(os.Stderr, "mksynthetic: -out is required, and -start and -ledgers must be > 0")
		flag.Usage()
		os.Exit(2)
	}
	if err := write(*out, uint32(*start), uint32(*n), *payments, *events); err != nil {
		fmt.Fprintln(os.Stderr, "mksynthetic:", err)
		os.Exit(1)
	}
}

// write builds the ledgers in batches, so that memory stays flat.
func write(dir string, start, n uint32, payments, events int) error {
	const batch = 250
	usd := ledgers.Credit("USD", 200)
	contract := ledgers.Contract(9)
	for first := start; first < start+n; first += batch {
		last := min(first+batch, start+n)
		lcms := make([]xdr.LedgerCloseMeta, 0, last-first)
		for seq := first; seq < last; seq++ {
			spec := ledgers.LedgerSpec{Sequence: seq, CloseTime: time.Unix(1_750_000_000+5*int64(seq), 0)}
			for i := range payments {
				asset := ledgers.Native()
				if i%2 == 1 {
					asset = usd
				}
				spec.Transactions = append(spec.Transactions, ledgers.TxSpec{
					Source: ledgers.Account(byte(1 + i%50)),
					Operations: []ledgers.Op{
						ledgers.Payment(nil, ledgers.Account(byte(100+i%50)), asset, int64(1_000_000*(i+1))),
					},
				})
			}
			for i := range events {
				spec.Transactions = append(spec.Transactions, ledgers.TxSpec{
					Source: ledgers.Account(byte(150 + i%50)),
					Operations: []ledgers.Op{
						ledgers.InvokeContract(contract, "transfer",
							ledgers.Event(contract, xdr.ContractEventTypeContract, ledgers.I128(int64(i+1)), ledgers.Symbol("transfer"))),
					},
				})
			}
			lcm, err := ledgers.Build(spec)
			if err != nil {
				return fmt.Errorf("ledger %d: %w", seq, err)
			}
			lcms = append(lcms, lcm)
		}
		if err := ledgers.WriteDatastore(dir, ledgers.SyntheticPassphrase, ledgers.SingleLedgerFiles, lcms...); err != nil {
			return err
		}
	}
	return nil
}
