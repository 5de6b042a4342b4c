// Package generated holds STATS.md, the catalog of every stat of every
// //cdp:component in the module, for people: documentation only, which
// no code reads. Exporters describe metrics from each component's own
// StatsDesc instead.
//
// statsgen writes STATS.md through the //cdp:catalog marker and the
// directive below when `go generate ./...` runs from the module root, and
// `statsgen -check ./...` (make check) reports it stale like any other
// generated file; do not edit it by hand. The package's test checks that
// all generated code of the module is current.
//
//cdp:catalog
package generated

//go:generate go run github.com/cdpstats/cdpstats/cmd/statsgen github.com/cdpstats/cdpstats/...
