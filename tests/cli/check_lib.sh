#!/usr/bin/env bash
# check_lib.sh: the check helpers shared by the CLI test scripts (sourced, not run).
#
# The sourcing script sets $promql first; this file sets up $tmp (removed on
# exit), the counters $passed/$failed and pass, fail, run, run_stdin, check.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }

# run ARGS...: runs promql; stdout, stderr and status land in $tmp/out,
# $tmp/err and $rc. Files, not $(...), so trailing newlines are compared too.
run() {
  "$promql" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
}
# run_stdin INPUT ARGS...: the same with INPUT (printf %s, no newline added) on stdin.
run_stdin() {
  local input=$1
  shift
  printf '%s' "$input" | "$promql" "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
}

# check NAME WANT_RC WANT_STDOUT WANT_STDERR: compares the last run; each
# WANT_* text gets a trailing newline unless empty; "*" accepts anything.
check() {
  local name=$1 want_rc=$2 want_out=$3 want_err=$4 ok=1
  if [ "$rc" != "$want_rc" ]; then
    fail "$name: exit status $rc, want $want_rc"
    ok=0
  fi
  if [ "$want_out" != "*" ]; then
    if [ -n "$want_out" ]; then printf '%s\n' "$want_out" >"$tmp/want"; else : >"$tmp/want"; fi
    if ! cmp -s "$tmp/out" "$tmp/want"; then
      fail "$name: stdout $(printf '%q' "$(cat "$tmp/out")"), want $(printf '%q' "$want_out")"
      ok=0
    fi
  fi
  if [ "$want_err" != "*" ]; then
    if [ -n "$want_err" ]; then printf '%s\n' "$want_err" >"$tmp/want"; else : >"$tmp/want"; fi
    if ! cmp -s "$tmp/err" "$tmp/want"; then
      fail "$name: stderr $(printf '%q' "$(cat "$tmp/err")"), want $(printf '%q' "$want_err")"
      ok=0
    fi
  fi
  [ $ok = 1 ] && pass
}
