#!/usr/bin/env bash
# The fault suite (make faults): TestFaults in cmd/cdp-pipeline, behind
# the build tag "faults". It runs the real binary against a real
# PostgreSQL and a real datastore, one subtest per fault, and prints
# "N passed, M failed" as its last line. A suite that fails outside its
# subtests (a build error, a timeout) counts as one more failure.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
go test -tags faults -count=1 -v -timeout 5m -run '^TestFaults$' ./cmd/cdp-pipeline 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
passed=$(grep -c '^    --- PASS: TestFaults/' "$log")
failed=$(grep -c '^    --- FAIL: TestFaults/' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1
fi
echo "$passed passed, $failed failed"
exit "$status"
