module github.com/cdpstats/cdpstats/proto

go 1.23.0

require (
	google.golang.org/grpc v1.64.1
	google.golang.org/protobuf v1.36.12
)

require (
	golang.org/x/net v0.26.0 // indirect
	golang.org/x/sys v0.21.0 // indirect
	golang.org/x/text v0.16.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20240318140521-94a12d6c2237 // indirect
)

// Every module of this repository comes from this checkout.
replace (
	github.com/cdpstats/cdpstats => ..
	github.com/cdpstats/cdpstats/cmd/cdp-pipeline => ../cmd/cdp-pipeline
	github.com/cdpstats/cdpstats/components => ../components
	github.com/cdpstats/cdpstats/examples => ../examples
	github.com/cdpstats/cdpstats/internal/runner => ../internal/runner
	github.com/cdpstats/cdpstats/internal/testfixtures => ../internal/testfixtures
	github.com/cdpstats/cdpstats/runtime/flowctl => ../runtime/flowctl
	github.com/cdpstats/cdpstats/runtime/promexport => ../runtime/promexport
)
