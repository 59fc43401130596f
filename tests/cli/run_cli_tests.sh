#!/usr/bin/env bash
# run_cli_tests.sh: tests the `promql` command's contract (output, JSON shape, exit codes, help) through the binary.
#
# Usage: tests/cli/run_cli_tests.sh path/to/promql
# Prints one line per failed check, then "N passed, N failed"; exits 1 on any
# failure. Expected canonical forms, messages and byte positions come from
# Prometheus's own tests (promql/parser/printer_test.go, parse_test.go).
set -u
promql=${1:?usage: run_cli_tests.sh path/to/promql}
if [ ! -x "$promql" ]; then
  echo "run_cli_tests.sh: not an executable: $promql" >&2
  exit 2
fi

# shellcheck source=check_lib.sh
source "$(dirname "$0")/check_lib.sh"

# check_json_valid NAME: the last stdout is exactly one JSON object.
have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1
check_json_valid() {
  [ $have_python = 1 ] || return 0
  if python3 -c 'import json,sys; v=json.loads(sys.stdin.buffer.read().decode("utf-8")); assert isinstance(v, dict)' <"$tmp/out" 2>/dev/null; then
    pass
  else
    fail "$1: stdout is not one valid JSON object: $(cat "$tmp/out")"
  fi
}

# ------------------------------------------------- valid expressions ------
# "input|canonical" from printer_test.go's TestExprString; a JSON-escaped
# copy of the canonical form is made below.
valid_cases=(
  'sum by(code) (task:errors:rate10s{job="s"})|sum by (code) (task:errors:rate10s{job="s"})'
  'sum by() (task:errors:rate10s{job="s"})|sum(task:errors:rate10s{job="s"})'
  'sum without(instance) (task:errors:rate10s{job="s"})|sum without (instance) (task:errors:rate10s{job="s"})'
  'topk(5, task:errors:rate10s{job="s"})|topk(5, task:errors:rate10s{job="s"})'
  'count_values("value", task:errors:rate10s{job="s"})|count_values("value", task:errors:rate10s{job="s"})'
  'a - on(b) group_left c|a - on (b) group_left () c'
  'a - ignoring() c|a - c'
  'a - ignoring() group_left c|a - ignoring () group_left () c'
  'up > bool 0|up > bool 0'
  'a offset -7m|a offset -7m'
  'a[1h:5m] offset 1m|a[1h:5m] offset 1m'
  'a @ 10|a @ 10.000'
  'a[1m] @ end()|a[1m] @ end()'
  'a{b!~"c"}[1m]|a{b!~"c"}[1m]'
  '{"a.b"="c"}|{"a.b"="c"}'
  '{"_0"="1"}|{_0="1"}'
  '{``="0"}|{""="0"}'
  'foo[-(step())]|foo[-(step())]'
  'foo offset +(5*2)|foo offset (5 * 2)'
  'a + fill_left(-23) fill_right(42) b|a + fill_left (-23) fill_right (42) b'
  'a{b="c"}[5m] anchored @ start() offset 1m|a{b="c"}[5m] anchored @ start() offset 1m'
  'predict_linear(foo[1h], 3000)|predict_linear(foo[1h], 3000)'
  'sum by("üüü") (foo)|sum by ("üüü") (foo)'
  'foo / on("äää") group_left("ööö") bar|foo / on ("äää") group_left ("ööö") bar'
  # The printer sorts matchers and prints keywords in lower case.
  'foo{b="2",a="1"}|foo{a="1",b="2"}'
  'SUM(rate(x[5m])) BY (job)|sum by (job) (rate(x[5m]))'
  'sum by (job) (rate(http_requests_total[5m]))|sum by (job) (rate(http_requests_total[5m]))'
)

# json_escape TEXT: the JSON string body for TEXT; enough for these cases
# (quotes and backslashes; no control characters appear in them).
json_escape() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  printf '%s' "$s"
}

for c in "${valid_cases[@]}"; do
  input=${c%%|*}
  want=${c#*|}
  run parse "$input"
  check "parse '$input'" 0 "$want" ""
  run fmt "$input"
  check "fmt '$input'" 0 "$want" ""
  run parse --json "$input"
  check "parse --json '$input'" 0 "{\"status\":\"success\",\"expr\":\"$(json_escape "$want")\"}" ""
  check_json_valid "parse --json '$input'"
  # Canonical text is a fixed point of the printer.
  run fmt "$want"
  check "fmt is idempotent on '$want'" 0 "$want" ""
done

# ---------------------------------------------------- invalid expressions --
# "input|message|start|end" from parse_test.go's testExpr (PositionRange).
# Messages are given JSON-escaped (as they must appear on stdout).
error_cases=(
  '|no expression found in input|0|0'
  '1+|unexpected end of input|2|2'
  '.|unexpected character: '"'"'.'"'"'|0|1'
  '0deadbeef|bad number or duration syntax: \"0de\"|0|9'
  '*1|unexpected <op:*>|0|1'
  '((1)|unclosed left parenthesis|4|4'
  '1 and 1|set operator \"and\" not allowed in binary scalar expression|0|7'
  '1 == 1|comparisons between scalars must use BOOL modifier|2|3'
  '1 !~ 1|unexpected character after '"'"'!'"'"': '"'"'~'"'"'|2|6'
  'a - on(b) ignoring(c) d|unexpected <ignoring>|10|18'
  'foo offset 1s offset 2s|offset may not be set multiple times|0|13'
  '{|unexpected end of input inside braces|1|1'
  'foo{a*"b"}|unexpected character inside braces: '"'"'*'"'"'|5|10'
  '-"string"|unary expression only allowed on expressions of type scalar or instant vector, got \"string\"|0|9'
  'rate(some_metric)|expected type range vector in call to function \"rate\", got instant vector|5|16'
)

# json_unescape TEXT: back to the plain message, for the stderr form.
json_unescape() {
  local s=$1
  s=${s//\\\"/\"}
  s=${s//\\\\/\\}
  printf '%s' "$s"
}

for c in "${error_cases[@]}"; do
  IFS='|' read -r input msg start end <<<"$c"
  run parse --json -- "$input"
  check "parse --json '$input'" 1 "{\"status\":\"error\",\"error\":\"$msg\",\"start\":$start,\"end\":$end}" ""
  check_json_valid "parse --json '$input'"
  # Prometheus's ParseErr.Error(): "<line>:<col>: parse error: <msg>", col
  # 1-based from the start offset; all these inputs are one line. An empty
  # query has no position at all ("unknown position: parse error: ...").
  plain="1:$((start + 1)): parse error: $(json_unescape "$msg")"
  [ -z "$input" ] && plain="unknown position: parse error: $(json_unescape "$msg")"
  run parse -- "$input"
  check "parse '$input'" 1 "" "$plain"
  run fmt -- "$input"
  check "fmt '$input'" 1 "" "$plain"
done

# A multi-line query: line and column are counted from the last newline.
run parse $'foo{\na*"b"}'
check "error position on line 2" 1 "" "2:2: parse error: unexpected character inside braces: '*'"
run parse --json $'foo{\na*"b"}'
check "error offsets on line 2" 1 '{"status":"error","error":"unexpected character inside braces: '"'"'*'"'"'","start":6,"end":11}' ""

# --------------------------------------------------------- JSON escaping --
# Quotes, backslashes and a tab: the printer quotes strings as Go's
# strconv.Quote does, and JSON escapes the result once more.
run parse --json '"a\\b"'
check "json escapes backslashes" 0 '{"status":"success","expr":"\"a\\\\b\""}' ""
run parse --json $'`tab\there`'
check "json escapes the printer's \\t" 0 '{"status":"success","expr":"\"tab\\there\""}' ""
run parse --json "'it\\'s'"
check "json single-quoted string" 0 '{"status":"success","expr":"\"it'"'"'s\""}' ""
# UTF-8 passes through unescaped.
run parse --json 'foo{city="Zürich",emoji="🚀"}'
check "json passes UTF-8 through" 0 '{"status":"success","expr":"foo{city=\"Zürich\",emoji=\"🚀\"}"}' ""
check_json_valid "json passes UTF-8 through"

# ------------------------------------------------------------------ stdin --
run_stdin 'sum(rate(x[5m]))by(job)' parse -
check "parse - reads stdin" 0 "sum by (job) (rate(x[5m]))" ""
run_stdin $'sum(\n  rate(x[5m])\n) by (job)\n' fmt -
check "fmt - reads multi-line stdin" 0 "sum by (job) (rate(x[5m]))" ""
run_stdin '1+' parse --json -
check "parse --json - error" 1 '{"status":"error","error":"unexpected end of input","start":2,"end":2}' ""
run_stdin $'foo{\na*"b"}' parse -
check "stdin error position on line 2" 1 "" "2:2: parse error: unexpected character inside braces: '*'"

# ---------------------------------------------------------- argument rules -
run parse -1
check "single-dash EXPR is an expression" 0 "-1" ""
run parse -- -foo
check "-- ends options" 0 "-foo" ""
run parse 'up' --json
check "options after EXPR" 0 '{"status":"success","expr":"up"}' ""
run parse --json -- --json
check "--json after -- is the EXPR (double unary minus)" 0 '{"status":"success","expr":"--json"}' ""

# -------------------------------------------------------------- usage errors
usage_cases=(
  ""               # no command at all
  "bogus"
  "--bogus"
  "parse"
  "parse --json"
  "parse --bogus up"
  "parse up down"
  "fmt"
  "fmt --json up"
  "fmt up down"
  "help bogus"
)
for args in "${usage_cases[@]}"; do
  # Word splitting of $args is intended: each case is a list of words.
  # shellcheck disable=SC2086
  run $args
  check "promql $args: usage error" 2 "" "*"
  if [ -s "$tmp/err" ]; then pass; else fail "promql $args: no usage message on stderr"; fi
done

# ------------------------------------------------------------------ help --
run --help
check "promql --help" 0 "*" ""
overview=$(cat "$tmp/out")
run help
check "promql help" 0 "$overview" ""
run -h
check "promql -h" 0 "$overview" ""
# Every subcommand the overview lists has its own help, reachable both ways.
commands=$(printf '%s\n' "$overview" | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}')
if [ -n "$commands" ]; then pass; else fail "promql --help lists no commands"; fi
for sub in $commands; do
  [ "$sub" = help ] && continue
  run "$sub" --help
  check "promql $sub --help" 0 "*" ""
  if grep -q "Usage: promql $sub" "$tmp/out"; then pass; else fail "promql $sub --help: no 'Usage: promql $sub' line"; fi
  help_text=$(cat "$tmp/out")
  run help "$sub"
  check "promql help $sub" 0 "$help_text" ""
  run "$sub" -h
  check "promql $sub -h" 0 "$help_text" ""
done
for sub in parse fmt; do
  if printf '%s\n' "$commands" | grep -qx "$sub"; then pass; else fail "promql --help does not list $sub"; fi
done

run --version
check "promql --version" 0 "*" ""
if grep -Eq '^promql \(libpromql\) [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out"; then pass; else fail "promql --version: unexpected text $(cat "$tmp/out")"; fi

# ------------------------------------------------------------ write errors -
if [ -w /dev/full ]; then
  "$promql" parse up >/dev/full 2>/dev/null
  rc=$?
  if [ "$rc" = 1 ]; then pass; else fail "parse with stdout on /dev/full: exit $rc, want 1"; fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
