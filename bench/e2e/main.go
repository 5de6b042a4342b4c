// Command e2e measures the runner end to end against the floor, a bare
// Stellar SDK loop, on the same datastores, interleaved (see the
// end-to-end section of docs/benchmarks.md):
//
//	e2e gen -dir DIR                      write the synthetic and pubnet datastores
//	e2e floor -path DATASTORE -network PASSPHRASE -start S -end E [-cpuprofile FILE]
//	                                      the floor: one goroutine, the SDK's
//	                                      BufferedStorageBackend and transaction
//	                                      reader, counting payments and events
//	e2e pipeline -config FILE [-cpuprofile FILE]
//	                                      run a runner config, as cdp-pipeline run
//	                                      does, optionally profiled
//	e2e compare -dir DIR [-off BIN] [-rounds N] [-counts 500,2000,10000] [-pubnet N]
//	                                      run every contender as its own process,
//	                                      round after round, and print the tables
//
// make bench-e2e builds this command twice (with stats, and with -tags
// cdpstats_off as BIN) and runs compare.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: e2e gen|floor|pipeline|compare [flags]")
		return 2
	}
	var err error
	switch args[0] {
	case "gen":
		err = genCommand(args[1:])
	case "floor":
		err = floorCommand(args[1:], stdout)
	case "pipeline":
		err = pipelineCommand(args[1:], stderr)
	case "compare":
		err = compareCommand(args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "e2e: unknown command %q\n", args[0])
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "e2e:", err)
		return 1
	}
	return 0
}
