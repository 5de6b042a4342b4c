module github.com/cdpstats/cdpstats/examples

go 1.25.0

// Every module of this repository comes from this checkout.
replace (
	github.com/cdpstats/cdpstats => ..
	github.com/cdpstats/cdpstats/cmd/cdp-pipeline => ../cmd/cdp-pipeline
	github.com/cdpstats/cdpstats/components => ../components
	github.com/cdpstats/cdpstats/internal/runner => ../internal/runner
	github.com/cdpstats/cdpstats/internal/testfixtures => ../internal/testfixtures
	github.com/cdpstats/cdpstats/proto => ../proto
	github.com/cdpstats/cdpstats/runtime/flowctl => ../runtime/flowctl
	github.com/cdpstats/cdpstats/runtime/promexport => ../runtime/promexport
)

require (
	github.com/cdpstats/cdpstats v0.0.0-00010101000000-000000000000
	github.com/cdpstats/cdpstats/internal/testfixtures v0.0.0-00010101000000-000000000000
	github.com/stretchr/testify v1.12.1
	gopkg.in/yaml.v3 v3.0.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
