#!/usr/bin/env bash
# Regenerates the Go code for every .proto file under proto/, next to the
# .proto file (paths=source_relative).
#
# Usage: scripts/gen-proto.sh [OUTDIR]
#
# With OUTDIR, the code is written there instead of into proto/, laid out
# the same way; scripts/check-proto.sh uses that to compare without
# touching the tree. The output depends only on the .proto files and the
# pinned plugin versions, so it is byte-identical from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/proto-versions.sh

for tool in "$PROTOC_GEN_GO" "$PROTOC_GEN_GO_GRPC"; do
  if [ ! -x "$tool" ]; then
    echo "gen-proto: $tool is missing; run scripts/install-protoc.sh" >&2
    exit 1
  fi
done
if ! command -v protoc >/dev/null 2>&1; then
  echo "gen-proto: protoc is missing; run scripts/install-protoc.sh" >&2
  exit 1
fi
major=$(protoc --version | sed -E 's/^libprotoc ([0-9]+).*/\1/')
if [ "$major" -lt "$PROTOC_MIN_MAJOR" ]; then
  echo "gen-proto: $(protoc --version) is too old; need $PROTOC_MIN_MAJOR.x or newer" >&2
  exit 1
fi

# Sorted, so that protoc sees the files in the same order everywhere.
mapfile -t files < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)

# Generate into a temp dir first, so that a failing protoc leaves the tree
# as it was.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
protoc \
  --proto_path=proto \
  --plugin=protoc-gen-go="$PROTOC_GEN_GO" \
  --plugin=protoc-gen-go-grpc="$PROTOC_GEN_GO_GRPC" \
  --go_out="$tmp" --go_opt=paths=source_relative \
  --go-grpc_out="$tmp" --go-grpc_opt=paths=source_relative \
  "${files[@]}"

out=${1:-proto}
mkdir -p "$out"
if [ "$out" = proto ]; then
  # Remove what a deleted .proto file generated, so nothing is orphaned.
  find proto -name '*.pb.go' -delete
fi
cp -R "$tmp"/. "$out"/
