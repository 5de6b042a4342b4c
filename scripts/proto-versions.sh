# Pinned versions of the protobuf code generators, sourced by
# install-protoc.sh, gen-proto.sh and check-proto.sh. The generated code
# depends on these exact versions: bump them here, run scripts/gen-proto.sh
# and check in the result together.

# protoc-gen-go, from google.golang.org/protobuf: keep it at the protobuf
# version proto/go.mod requires.
PROTOC_GEN_GO_VERSION=v1.36.12
# protoc-gen-go-grpc, its own module google.golang.org/grpc/cmd/protoc-gen-go-grpc.
PROTOC_GEN_GO_GRPC_VERSION=v1.6.2
# protoc itself comes from Debian's protobuf-compiler package. Its version
# only shows in a comment at the top of each generated file, which the
# stale check ignores, so any 3.x or newer protoc gives the same code.
PROTOC_MIN_MAJOR=3

# Where install-protoc.sh puts the plugins: outside the repository and
# per version, so that a plugin found there is always the pinned one and
# never one a user installed for another project.
PROTO_TOOLS_DIR="${PROTO_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cdpstats/proto-tools}"
PROTOC_GEN_GO="$PROTO_TOOLS_DIR/protoc-gen-go@$PROTOC_GEN_GO_VERSION/protoc-gen-go"
PROTOC_GEN_GO_GRPC="$PROTO_TOOLS_DIR/protoc-gen-go-grpc@$PROTOC_GEN_GO_GRPC_VERSION/protoc-gen-go-grpc"
