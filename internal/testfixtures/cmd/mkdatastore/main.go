// Command mkdatastore writes the example filesystem datastore of real
// pubnet ledgers that examples/datastore holds, from the ledgers the
// go-stellar-sdk module ships:
//
//	go run ./internal/testfixtures/cmd/mkdatastore -out examples/datastore
//
// A pipeline reads it with datastore_type Filesystem, network pubnet, and
// start_ledger = end_ledger = 58752000 (or 53312000); ledgers_per_file (1)
// and files_per_partition (64000) come from its manifest.
package main

//go:generate go run . -out ../../../../examples/datastore

import (
	"flag"
	"fmt"
	"os"

	"github.com/cdpstats/cdpstats/internal/testfixtures/ledgers"
)

func main() {
	out := flag.String("out", "examples/datastore", "directory to write the datastore into")
	flag.Parse()
	if err := ledgers.WriteExample(*out); err != nil {
		fmt.Fprintln(os.Stderr, "mkdatastore:", err)
		os.Exit(1)
	}
}
