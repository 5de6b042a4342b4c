#!/usr/bin/env bash
# Installs what scripts/gen-proto.sh needs on a fresh Debian machine:
# protoc with the well-known .proto files (apt), and the pinned Go plugins
# protoc-gen-go and protoc-gen-go-grpc (go install). Idempotent, and quick
# when everything is already there: it then runs no apt or go command.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/proto-versions.sh

# The well-known types (google/protobuf/empty.proto, ...) come with
# libprotobuf-dev; protoc finds them under /usr/include.
if ! command -v protoc >/dev/null 2>&1 || [ ! -f /usr/include/google/protobuf/empty.proto ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-protoc: need root to apt-get install protobuf-compiler libprotobuf-dev (or install them yourself)" >&2
    exit 1
  fi
  echo "install-protoc: installing protobuf-compiler libprotobuf-dev" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Install first without touching the package lists: on a machine whose
  # lists are current that is all it takes. Refresh them only on failure.
  if ! apt-get install -y -qq --no-install-recommends protobuf-compiler libprotobuf-dev >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends protobuf-compiler libprotobuf-dev >/dev/null
  fi
fi

install_plugin() { # $1 binary path, $2 package@version
  local bin=$1 pkg=$2
  if [ -x "$bin" ]; then
    return
  fi
  echo "install-protoc: go install $pkg" >&2
  # GOFLAGS is cleared so that a -mod setting meant for this module does
  # not leak into an install that runs outside it.
  GOFLAGS= GOBIN="$(dirname "$bin")" go install "$pkg"
}

install_plugin "$PROTOC_GEN_GO" "google.golang.org/protobuf/cmd/protoc-gen-go@$PROTOC_GEN_GO_VERSION"
install_plugin "$PROTOC_GEN_GO_GRPC" "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION"
