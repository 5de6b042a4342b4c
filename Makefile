# Targets for what we run often. `make test` is the README's test command
# and what CI runs: it installs what the tests need, checks formatting,
# vet and generated code, then runs every test under the race detector.

GO        ?= go
PKGS      ?= ./...
BENCHTIME ?= 1s
BENCHCOUNT ?= 6

.PHONY: all setup generate check fmt vet stale test test-short fuzz bench bench-runtime bench-contended bench-components bench-statsgen run clean

all: check test

## setup: install PostgreSQL and protoc (Debian) when missing.
setup:
	./scripts/setup.sh

## generate: regenerate statsgen output, the catalog and the flowctl gRPC code.
generate:
	$(GO) generate ./...
	./scripts/install-protoc.sh
	./scripts/gen-proto.sh

## check: gofmt, go vet and the stale checks for all generated code.
check: fmt vet stale

fmt:
	@out=$$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' | xargs gofmt -l); \
	if [ -n "$$out" ]; then echo "gofmt needs to run on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)
	$(GO) vet -tags cdpstats_off ./runtime/...
	@if [ -d bench ]; then cd bench && $(GO) vet ./...; fi

stale:
	@if [ -d cmd/statsgen ]; then $(GO) run ./cmd/statsgen -check ./...; fi
	./scripts/install-protoc.sh
	./scripts/check-proto.sh

## test: everything CI runs, on a fresh machine.
test: setup check
	$(GO) test -race -count=1 $(PKGS)
	cd bench && $(GO) test -race -count=1 ./...

## test-short: the race tests without setup and checks, for quick loops.
test-short:
	$(GO) test -race $(PKGS)

## fuzz: fuzz the marker parser (FUZZTIME=30s by default).
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./internal/statsgen/markers -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)

## bench: every benchmark with its baselines side by side (see docs/benchmarks.md).
bench: bench-runtime bench-components bench-statsgen

bench-runtime:
	cd bench && $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -cpu 1,2 ./...

## bench-contended: only the contended tables, one shared counter and one
## shared histogram written from every P (bench-runtime runs them too). The
## BENCHCOUNT rounds each run every implementation once, so that a change
## in the machine's load falls on all of them alike.
bench-contended:
	cd bench && for i in $$(seq $(BENCHCOUNT)); do \
		$(GO) test -run '^$$' -bench 'Parallel$$' -benchmem -benchtime $(BENCHTIME) -count 1 -cpu 1,2 . || exit 1; \
	done

bench-components:
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) ./components/...
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCHCOUNT) -tags cdpstats_off ./components/...

bench-statsgen:
	$(GO) test -run '^$$' -bench 'StatsgenVsVet$$' -benchtime 1x -count 3 ./cmd/statsgen

## run: the README's main command: a real pipeline on the shipped ledgers.
run:
	$(GO) run ./cmd/cdp-pipeline run -config examples/local/pipeline.yaml

clean:
	rm -rf bin out
