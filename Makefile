# Targets for what we run often. `make test` is the README's test command
# and what CI runs: it installs what the tests need, checks formatting,
# vet and generated code, then runs every test under the race detector.

GO        ?= go
# The modules of the workspace (go.work): the root module holds the
# runtime and statsgen, the others hold what needs the Stellar SDK, gRPC,
# pgx, Prometheus or YAML. bench/ and bench/e2e (the end-to-end
# benchmark, which needs the SDK and the runner) are modules outside the
# workspace.
MODULES   := . cmd/cdp-pipeline components examples internal/runner internal/testfixtures proto runtime/flowctl runtime/promexport
# Every package of every workspace module. The pattern ./... stops at
# the nested modules; the import-path pattern does not.
PKGS      ?= github.com/cdpstats/cdpstats/...
BENCHTIME ?= 1s
BENCHCOUNT ?= 6

.PHONY: all setup generate check fmt vet stale modules tidy test test-short test-statswork faults fuzz bench bench-runtime bench-contended bench-components bench-statsgen bench-statswork bench-e2e run clean

all: check test

## setup: install what the tests need (Debian) when missing: gcc for
## -race, PostgreSQL, patch, prlimit, Prometheus and protoc (scripts/setup.sh).
setup:
	./scripts/setup.sh

## generate: regenerate statsgen output, the catalog and the flowctl gRPC code.
generate:
	$(GO) generate $(PKGS)
	./scripts/install-protoc.sh
	./scripts/gen-proto.sh

## check: gofmt, go vet, the stale checks for all generated code, and
## that every module is tidy and builds alone (modules vets bench and
## bench/e2e, which are outside the workspace).
check: fmt vet stale modules

fmt:
	@out=$$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' | xargs gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt needs to run on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags cdpstats_off github.com/cdpstats/cdpstats/runtime/...
	$(GO) vet -tags cdpstats_count github.com/cdpstats/cdpstats/runtime/... github.com/cdpstats/cdpstats/components/e2e
	$(GO) vet -tags faults github.com/cdpstats/cdpstats/cmd/cdp-pipeline

stale:
	$(GO) run ./cmd/statsgen -check $(PKGS)
	./scripts/install-protoc.sh
	./scripts/check-proto.sh

## modules: each module on its own, as a dependent sees it (no go.work):
## go.mod and go.sum tidy, and every package vetted with the versions
## its own go.mod selects.
modules:
	@for m in $(MODULES) bench bench/e2e; do \
		echo "module $$m"; \
		(cd $$m && GOWORK=off $(GO) mod tidy -diff && GOWORK=off $(GO) vet ./...) || exit 1; \
	done

## tidy: go mod tidy in every module, each on its own. Run it after
## changing imports; never `go work sync`, which would raise the root
## module's requirements to what the other modules need.
tidy:
	@for m in $(MODULES) bench bench/e2e; do \
		echo "module $$m"; \
		(cd $$m && GOWORK=off $(GO) mod tidy) || exit 1; \
	done

## test: everything CI runs, on a fresh machine.
test: setup check
	$(GO) test -race -count=1 $(PKGS)
	$(MAKE) test-statswork
	cd bench && GOWORK=off $(GO) test -race -count=1 ./...
	cd bench/e2e && GOWORK=off $(GO) test -race -count=1 ./...

## test-statswork: the tests of a build that counts the recording work
## (-tags cdpstats_count): the runtime's counts, and the budget of
## recording work per ledger of a pipeline (docs/benchmarks.md).
test-statswork:
	$(GO) test -race -count=1 -tags cdpstats_count github.com/cdpstats/cdpstats/runtime
	$(GO) test -race -count=1 -tags cdpstats_count -run 'StatsWorkPerLedger' github.com/cdpstats/cdpstats/components/e2e
## faults: the fault suite: the real cdp-pipeline binary against a real
## PostgreSQL and datastore, one subtest per fault (PostgreSQL killed,
## frozen, behind a TCP black hole; a corrupt file; gaps; a full disk;
## SIGTERM; a second run; config and start mistakes; odd strings). Its
## last line is "N passed, M failed".
faults: setup
	./scripts/faults.sh

## test-short: the race tests with -short, which skips the slowest ones,
## without setup and checks, for quick loops.
test-short:
	$(GO) test -race -short $(PKGS)

## fuzz: fuzz the marker parser (FUZZTIME=30s by default).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./internal/statsgen/markers -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)

## bench: every benchmark with its baselines side by side (see docs/benchmarks.md).
bench: bench-runtime bench-components bench-statsgen bench-statswork bench-e2e

bench-runtime:
	cd bench && GOWORK=off $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -cpu 1,2 ./...

## bench-contended: only the contended tables, one shared counter and one
## shared histogram written from every P (bench-runtime runs them too). The
## BENCHCOUNT rounds each run every implementation once, so that a change
## in the machine's load falls on all of them alike.
bench-contended:
	cd bench && for i in $$(seq $(BENCHCOUNT)); do \
		GOWORK=off $(GO) test -run '^$$' -bench 'Parallel$$' -benchmem -benchtime $(BENCHTIME) -count 1 -cpu 1,2 . || exit 1; \
	done

bench-components:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./components/...
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) -tags cdpstats_off ./components/...

bench-statsgen:
	$(GO) test -run '^$$' -bench 'StatsgenVsVet$$' -benchtime 1x -count 3 ./cmd/statsgen

## bench-statswork: what stats cost per ledger, counted rather than timed
## (docs/benchmarks.md): BENCHCOUNT rounds, each timing the recording
## operations once and the pipeline once, so that both see the same
## load; then the recording work per ledger, counted, and its bound.
bench-statswork:
	for i in $$(seq $(BENCHCOUNT)); do \
		(cd bench && GOWORK=off $(GO) test -run '^$$' -bench 'RecordingOp$$' -benchmem -benchtime $(BENCHTIME) -count 1 -cpu 1 .) || exit 1; \
		$(GO) test -run '^$$' -bench 'StatsWorkPipeline$$' -benchmem -count 1 ./components/e2e || exit 1; \
	done
	$(GO) test -count=1 -tags cdpstats_count -run 'StatsWorkPerLedger' -v ./components/e2e

## bench-e2e: the runner end to end against the bare SDK loop (the
## floor), each run its own process, E2E_ROUNDS interleaved rounds, on
## synthetic ledgers (E2E_COUNTS) and on copies of the real pubnet ledger
## (E2E_PUBNET). The datastores are written once into E2E_DIR.
E2E_DIR    ?= /tmp/cdpstats-bench-e2e
E2E_ROUNDS ?= 7
E2E_COUNTS ?= 500,2000,10000
E2E_PUBNET ?= 200
bench-e2e:
	mkdir -p $(E2E_DIR)
	cd bench/e2e && GOWORK=off $(GO) build -o $(E2E_DIR)/e2e . && GOWORK=off $(GO) build -tags cdpstats_off -o $(E2E_DIR)/e2e-off .
	$(E2E_DIR)/e2e compare -dir $(E2E_DIR) -off $(E2E_DIR)/e2e-off -rounds $(E2E_ROUNDS) -counts $(E2E_COUNTS) -pubnet $(E2E_PUBNET)

## run: the README's main command: a real pipeline on the shipped ledgers.
run:
	$(GO) run ./cmd/cdp-pipeline run -config examples/local/pipeline.yaml

clean:
	rm -rf bin out
