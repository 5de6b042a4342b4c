#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine: a C compiler (go
# test -race needs cgo), PostgreSQL's initdb/pg_ctl (the tests start their
# own throwaway cluster), patch (the statsgen diff test applies its diffs
# with it), prlimit (the fault suite's full disk), Prometheus's prometheus and
# promtool (the alerting rules are checked and unit-tested with promtool, and
# tests start their own throwaway prometheus server) and the protobuf
# compiler with its Go plugins (the stale check regenerates the flowctl code).
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

# Without a C compiler the go command turns cgo off, and -race refuses to
# build ("-race requires cgo").
if ! command -v "${CC:-gcc}" >/dev/null 2>&1; then
  echo "setup: installing gcc (go test -race needs cgo)"
  apt_install gcc libc6-dev
fi

if ! command -v patch >/dev/null 2>&1; then
  echo "setup: installing patch"
  apt_install patch
fi

if ! command -v prlimit >/dev/null 2>&1; then
  echo "setup: installing util-linux (prlimit)"
  apt_install util-linux
fi

# Debian's prometheus package brings /usr/bin/prometheus and /usr/bin/promtool,
# and a service that would start a daemon listening on :9090. Tests start
# their own server on a free loopback port, so the daemon is kept from
# starting (policy-rc.d makes invoke-rc.d refuse to start services during
# the install) and, where systemd runs, disabled and stopped.
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  echo "setup: installing Prometheus"
  policy=/usr/sbin/policy-rc.d
  made_policy=""
  if [ "$(id -u)" = 0 ] && [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# written by cdpstats scripts/setup.sh while installing prometheus\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  status=0
  apt_install prometheus || status=$?
  if [ -n "$made_policy" ]; then
    rm -f "$policy"
  fi
  if [ "$status" != 0 ]; then
    exit "$status"
  fi
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
fi

if [ -x scripts/install-protoc.sh ]; then
  scripts/install-protoc.sh
fi
