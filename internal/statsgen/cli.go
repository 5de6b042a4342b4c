package statsgen

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/cdpstats/cdpstats/internal/statsgen/diag"
	"github.com/cdpstats/cdpstats/internal/statsgen/load"
	"github.com/cdpstats/cdpstats/internal/statsgen/markers"
	"github.com/cdpstats/cdpstats/internal/statsgen/write"
)

// Exit codes of statsgen.
const (
	ExitOK     = 0 // everything generated, or -check found everything current
	ExitErrors = 1 // bad markers, packages that do not load, or a failing go command; nothing written
	ExitUsage  = 2 // bad flags
	ExitStale  = 3 // -check found an output missing, changed or orphaned
)

const usage = `usage: statsgen [flags] [packages]

statsgen generates stats code from //cdp:component and //cdp:stat markers:
one file, stats_generated.go, per package that has them. Packages are go
list patterns and default to "."; a package holding //cdp:catalog also
gets STATS.md, the catalog of every stat, for people.

Add it to a module as a tool, and use it from go generate in a component
package:

	go get -tool github.com/cdpstats/cdpstats/cmd/statsgen

	//go:generate go tool statsgen

Exit codes: 0 ok, 1 marker errors or a failing go command (nothing
written), 2 usage, 3 stale (-check).

Flags:
`

// Run runs the statsgen command with the command-line arguments args
// (without the program name) and returns the exit code. dir is the
// directory to run in, "" for the current one. cmd/statsgen is Run
// wrapped in os.Exit.
func Run(args []string, dir string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("statsgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	check := fs.Bool("check", false, "write nothing; print a unified diff and exit 3 when any output is missing, changed or orphaned")
	showMarkers := fs.Bool("markers", false, "print help for every marker, kind and option, and exit")
	tags := fs.String("tags", "", "comma-separated build tags to load packages with, as for go build")
	verbose := fs.Bool("v", false, "print each file written or removed")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if *showMarkers {
		if fs.NArg() > 0 {
			fmt.Fprintln(stderr, "statsgen: -markers takes no packages")
			return ExitUsage
		}
		if err := markers.WriteHelp(stdout); err != nil {
			fmt.Fprintf(stderr, "statsgen: %v\n", err)
			return ExitErrors
		}
		return ExitOK
	}

	absDir, err := load.Abs(dir)
	if err != nil {
		fmt.Fprintf(stderr, "statsgen: %v\n", err)
		return ExitErrors
	}
	opts := Options{Dir: absDir, Patterns: fs.Args()}
	if *tags != "" {
		opts.Tags = strings.Split(*tags, ",")
	}
	var diags diag.List
	res, err := Generate(opts, &diags)
	if err != nil {
		fmt.Fprintf(stderr, "statsgen: %v\n", err)
		return ExitErrors
	}
	if diags.Len() > 0 {
		diags.Write(stderr, absDir)
		return ExitErrors
	}

	if *check {
		stale, err := write.Check(res.Files, stdout, absDir)
		if err != nil {
			fmt.Fprintf(stderr, "statsgen: %v\n", err)
			return ExitErrors
		}
		if stale {
			fmt.Fprintln(stderr, "statsgen: generated files are stale; run go generate ./... (or statsgen) and commit the result")
			return ExitStale
		}
		return ExitOK
	}
	changes, err := write.Apply(res.Files)
	if *verbose {
		for _, c := range changes {
			fmt.Fprintf(stderr, "statsgen: %s\n", describe(c, absDir))
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "statsgen: %v\n", err)
		return ExitErrors
	}
	return ExitOK
}
