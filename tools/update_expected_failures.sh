#!/usr/bin/env bash
# update_expected_failures.sh: rewrites tests/promql/expected-failures.txt from the current conformance failures.
# Usage: tools/update_expected_failures.sh BUILD_DIR [TESTDATA_DIR]
# Review the diff before committing: every line must name a real reason.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: $0 BUILD_DIR [TESTDATA_DIR]}
data=${2:-$root/../shared/promql-testdata}
out=$root/tests/promql/expected-failures.txt
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$build/tools/promqltest" --write-expected-failures "$tmp" "$data" >/dev/null || true
cp "$tmp" "$out"
echo "wrote $(grep -vc '^#' "$out") expected failures to $out"
