module github.com/cdpstats/cdpstats/runtime/promexport

go 1.25

require (
	github.com/prometheus/client_golang v1.20.5
	github.com/prometheus/client_model v0.6.2
	github.com/prometheus/common v0.66.1
	github.com/stretchr/testify v1.11.1
	go.uber.org/goleak v1.3.0
)

require github.com/cdpstats/cdpstats v0.0.0-00010101000000-000000000000

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/davecgh/go-spew v1.1.2-0.20180830191138-d8f796af33cc // indirect
	github.com/klauspost/compress v1.17.9 // indirect
	github.com/kr/text v0.2.0 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/pmezard/go-difflib v1.0.1-0.20181226105442-5d4384ee4fb2 // indirect
	github.com/prometheus/procfs v0.15.1 // indirect
	go.yaml.in/yaml/v2 v2.4.2 // indirect
	golang.org/x/sys v0.41.0 // indirect
	google.golang.org/protobuf v1.36.8 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

// Every module of this repository comes from this checkout.
replace (
	github.com/cdpstats/cdpstats => ../..
	github.com/cdpstats/cdpstats/cmd/cdp-pipeline => ../../cmd/cdp-pipeline
	github.com/cdpstats/cdpstats/components => ../../components
	github.com/cdpstats/cdpstats/examples => ../../examples
	github.com/cdpstats/cdpstats/internal/runner => ../../internal/runner
	github.com/cdpstats/cdpstats/internal/testfixtures => ../../internal/testfixtures
	github.com/cdpstats/cdpstats/proto => ../../proto
	github.com/cdpstats/cdpstats/runtime/flowctl => ../flowctl
)
