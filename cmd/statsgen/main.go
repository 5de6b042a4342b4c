// Command statsgen generates stats code from //cdp:component and
// //cdp:stat markers: the atomic fields, the Record/Add/Set/Mark/Observe
// helpers, and StatsDesc, SnapshotStats and GetStats on each component,
// one stats_generated.go per package. A package holding //cdp:catalog
// also gets STATS.md, the catalog of every stat, for people.
//
// Usage:
//
//	statsgen [flags] [packages]
//
// Packages are go list patterns and default to ".". Add it to a module as
// a tool and run it from go generate:
//
//	go get -tool github.com/cdpstats/cdpstats/cmd/statsgen
//
//	//go:generate go tool statsgen
//
// Flags:
//
//	-check    write nothing; print a unified diff and exit 3 when any output
//	          is missing, changed or orphaned
//	-markers  print help for every marker, kind and option
//	-tags     build tags to load packages with
//	-v        print each file written or removed
//
// Exit codes: 0 ok, 1 marker errors or a failing go command (nothing
// written), 2 usage, 3 stale. docs/adopting.md and docs/annotations.md are
// the author's guides.
package main

import (
	"os"

	"github.com/cdpstats/cdpstats/internal/statsgen"
)

func main() {
	os.Exit(statsgen.Run(os.Args[1:], "", os.Stdout, os.Stderr))
}
