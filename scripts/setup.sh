#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: PostgreSQL's
# initdb/pg_ctl (the tests start their own throwaway cluster), patch (the
# statsgen diff test applies its diffs with it) and the protobuf compiler
# with its Go plugins (the stale check regenerates the flowctl code).
# Idempotent and quick when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

have_initdb() {
  command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

apt_updated=""
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "setup: need root to install $* (or install them yourself)" >&2
    exit 1
  fi
  if [ -z "$apt_updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! have_initdb; then
  echo "setup: installing PostgreSQL"
  apt_install postgresql
fi

if ! command -v patch >/dev/null 2>&1; then
  echo "setup: installing patch"
  apt_install patch
fi

if [ -x scripts/install-protoc.sh ]; then
  scripts/install-protoc.sh
fi
