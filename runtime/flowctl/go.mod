module github.com/cdpstats/cdpstats/runtime/flowctl

go 1.25.0

require (
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	google.golang.org/grpc v1.64.1
	google.golang.org/protobuf v1.36.12
)

require (
	github.com/cdpstats/cdpstats v0.0.0-00010101000000-000000000000
	github.com/cdpstats/cdpstats/internal/testfixtures v0.0.0-00010101000000-000000000000
	github.com/cdpstats/cdpstats/proto v0.0.0-00010101000000-000000000000
)

require (
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/net v0.50.0 // indirect
	golang.org/x/sys v0.41.0 // indirect
	golang.org/x/text v0.41.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20240701130421-f6361c86f094 // indirect
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
	github.com/cdpstats/cdpstats/runtime/promexport => ../promexport
)
