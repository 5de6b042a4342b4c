#!/usr/bin/env bash
# Fails when the checked-in Go code under proto/ is not what
# scripts/gen-proto.sh generates from the .proto files: a file missing,
# changed or orphaned. Writes nothing in the tree; prints a diff.
#
# Exit codes: 0 current, 1 could not check, 3 stale.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

scripts/gen-proto.sh "$tmp/gen" || exit 1

mkdir -p "$tmp/tree"
(cd proto && find . -name '*.pb.go' -exec cp --parents {} "$tmp/tree/" \;)

# The protoc version appears in a comment of each file's header
# ("// \tprotoc v3.21.12", "// - protoc v3.21.12") and nowhere in the
# code; it is ignored so that a machine with another protoc release does
# not report stale code.
# "tree" is what is checked in, "gen" what the .proto files give.
if ! (cd "$tmp" && diff -ru -I '^// .*protoc  *v[0-9]' -I '^// .*protoc  *(unknown)' tree gen); then
  echo "check-proto: generated code under proto/ is stale; run scripts/gen-proto.sh" >&2
  exit 3
fi
