#!/usr/bin/env bash
# test.sh: the whole test suite: a warning-free build with ctest, the same under ASan+UBSan, and the fuzzers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/tools/setup.sh"
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${PQL_FUZZ_SECONDS:-60}

step() { printf '\n=== %s ===\n' "$*"; }

step "release build (gcc, -Werror) and tests"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPQL_WERROR=ON >/dev/null
cmake --build build/release -j "$jobs"
ctest --test-dir build/release --output-on-failure -j "$jobs"

step "ASan+UBSan build (clang) and tests, fuzzers for ${fuzz_seconds}s each"
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DPQL_WERROR=ON \
    -DPQL_FUZZ=ON -DPQL_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
cmake --build build/fuzz -j "$jobs"
ctest --test-dir build/fuzz --output-on-failure -j "$jobs"
echo
echo "all test stages passed"
