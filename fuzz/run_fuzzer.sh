#!/usr/bin/env bash
# run_fuzzer.sh: runs one libFuzzer harness for a fixed time over a scratch copy of its seed corpus.
set -euo pipefail
harness=$1 seeds=$2 seconds=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$seeds"/. "$work"/ 2>/dev/null || true
# Any crash, leak, sanitizer report or timeout makes the harness exit non-zero.
"$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=4096 -print_final_stats=1 -artifact_prefix="$work/" "$@" "$work" 2>&1 | tail -n 25
exit "${PIPESTATUS[0]}"
