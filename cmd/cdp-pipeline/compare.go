package main

import (
	"fmt"
	"io"

	"github.com/cdpstats/cdpstats/internal/report"
)

// compareCommand prints what changed between two run reports.
func compareCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "cdp-pipeline compare: want two run reports: A.json B.json")
		usage(stderr)
		return exitUsage
	}
	a, err := report.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "cdp-pipeline compare:", err)
		return exitUsage
	}
	b, err := report.ReadFile(args[1])
	if err != nil {
		fmt.Fprintln(stderr, "cdp-pipeline compare:", err)
		return exitUsage
	}
	if err := report.Compare(stdout, a, b); err != nil {
		fmt.Fprintln(stderr, "cdp-pipeline compare:", err)
		return exitFailed
	}
	return exitOK
}
