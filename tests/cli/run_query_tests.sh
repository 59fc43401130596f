#!/usr/bin/env bash
# run_query_tests.sh: tests `promql query` through the binary: JSON bodies byte for byte as Prometheus's HTTP API writes them, errors, loaders, table and CSV output.
#
# Usage: tests/cli/run_query_tests.sh path/to/promql
# Prints one line per failed check, then "N passed, N failed"; exits 1 on any
# failure. The expected JSON bodies were checked against Prometheus 2.42's
# /api/v1/query and /api/v1/query_range on the same data (number and
# timestamp formatting, HTML escaping, error types and message prefixes).
set -u
promql=${1:?usage: run_query_tests.sh path/to/promql}
if [ ! -x "$promql" ]; then
  echo "run_query_tests.sh: not an executable: $promql" >&2
  exit 2
fi

# shellcheck source=check_lib.sh
source "$(dirname "$0")/check_lib.sh"

# ------------------------------------------------------------- the data ----
# The same three samples in every input format.
cat >"$tmp/d.om" <<'EOF'
# HELP up Whether the target is up.
# TYPE up gauge
up{job="a",instance="x"} 1 1704067200
up{job="a",instance="x"} 0 1704067260.5
up{job="b",instance="y"} 1 1704067200.25
# EOF
EOF
cat >"$tmp/d.prom" <<'EOF'
# TYPE up gauge
up{job="a",instance="x"} 1 1704067200000
up{job="b",instance="y"} 1 1704067200250
up{job="a",instance="x"} 0 1704067260500
EOF
cat >"$tmp/d.csv" <<'EOF'
series,timestamp_ms,value
up{instance="x",job="a"},1704067200000,1
up{instance="x",job="a"},1704067260500,0
up{instance="y",job="b"},1704067200250,1
EOF
# promqltest time starts at 0: the same shape 1704067200 s earlier.
cat >"$tmp/d.test" <<'EOF'
load 30s
  up{job="a",instance="x"} 1 _ 0
  up{job="b",instance="y"} 1
EOF

vec_up='{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"x","job":"a"},"value":[1704067260.500,"0"]},{"metric":{"__name__":"up","instance":"y","job":"b"},"value":[1704067260.500,"1"]}]}}'

# ------------------------------------------------------- JSON, success ----
run query --data "$tmp/d.om" up
check "default time is the newest sample" 0 "$vec_up" ""
run query --data "$tmp/d.prom" up
check "prom text input" 0 "$vec_up" ""
run query --data "$tmp/d.csv" up
check "csv input" 0 "$vec_up" ""
run query --format-in openmetrics --data "$tmp/d.om" --time 1704067260.5 up
check "explicit time, --format-in" 0 "$vec_up" ""
run query --data "$tmp/d.om" --time 2024-01-01T00:01:00.500Z up
check "RFC 3339 time" 0 "$vec_up" ""
run query --data "$tmp/d.om" --time 2024-01-01T02:01:00.5+02:00 up
check "RFC 3339 time with offset" 0 "$vec_up" ""
run query --data "$tmp/d.test" --time 60 up
check "promqltest input" 0 '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"x","job":"a"},"value":[60,"0"]},{"metric":{"__name__":"up","instance":"y","job":"b"},"value":[60,"1"]}]}}' ""

run query --data "$tmp/d.om" --start 1704067200 --end 1704067320 --step 60 'sum(up)'
check "range query" 0 '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1704067200,"1"],[1704067260,"2"],[1704067320,"1"]]}]}}' ""
run query --data "$tmp/d.om" --start 1704067200 --end 1704067320 --step 1m 'sum(up)'
check "range query, PromQL duration step" 0 '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1704067200,"1"],[1704067260,"2"],[1704067320,"1"]]}]}}' ""
run query --data "$tmp/d.om" --time 1704067261 'up[2m]'
check "range vector from an instant query" 0 '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"x","job":"a"},"values":[[1704067200,"1"],[1704067260.500,"0"]]},{"metric":{"__name__":"up","instance":"y","job":"b"},"values":[[1704067200.250,"1"]]}]}}' ""
run query --data "$tmp/d.om" --time 1704067200.5 '1/3'
check "scalar: time as float64 seconds" 0 '{"status":"success","data":{"resultType":"scalar","result":[1704067200.5,"0.3333333333333333"]}}' ""
run query --time 0 '1e21+1'
check "scalar: value always in 'f' form" 0 '{"status":"success","data":{"resultType":"scalar","result":[0,"1000000000000000000000"]}}' ""
run query --time 1 'vector(1e-7)'
check "sample value in 'e' form below 1e-6" 0 '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1e-07"]}]}}' ""
run query --time 1 'vector(1/0) or label_replace(vector(-1/0), "a", "c", "", "") or label_replace(vector(0/0), "a", "b", "", "")'
check "infinities and NaN" 0 '*' ""
if ! grep -q '"+Inf"' "$tmp/out" || ! grep -q '"-Inf"' "$tmp/out" || ! grep -q '"NaN"' "$tmp/out"; then
  fail "infinities and NaN: $(cat "$tmp/out")"
else pass; fi
run query --data "$tmp/d.om" '"a<b>&\"c"'
check "string result, HTML characters escaped" 0 '{"status":"success","data":{"resultType":"string","result":[1704067260.5,"a\u003cb\u003e\u0026\"c"]}}' ""
run query --time 1704067200 'nonexistent'
check "empty vector" 0 '{"status":"success","data":{"resultType":"vector","result":[]}}' ""
run query --start 1704067200 --end 1704067320 --step 60 'nonexistent'
check "empty matrix" 0 '{"status":"success","data":{"resultType":"matrix","result":[]}}' ""

# --stats: the shape of ?stats=all.
run query --data "$tmp/d.om" --stats up
check "--stats runs" 0 '*' ""
if command -v python3 >/dev/null 2>&1; then
  if python3 -c '
import json, sys
b = json.load(sys.stdin)
s = b["data"]["stats"]
assert list(s) == ["timings", "samples"], list(s)
assert list(s["timings"]) == ["evalTotalTime", "resultSortTime", "queryPreparationTime", "innerEvalTime", "execQueueTime", "execTotalTime"]
assert list(s["samples"]) == ["totalQueryableSamples", "peakSamples"]
assert all(isinstance(v, (int, float)) for v in s["timings"].values())
' <"$tmp/out"; then pass; else fail "--stats shape: $(cat "$tmp/out")"; fi
fi

# --------------------------------------------------------- JSON, errors ----
run query --data "$tmp/d.om" 'sum(up'
check "parse error" 1 '{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:7: parse error: unclosed left parenthesis"}' ""
run query --data "$tmp/d.om" 'up * on() up'
check "execution error" 1 '{"status":"error","errorType":"execution","error":"found duplicate series for the match group {} on the right hand-side of the operation: [{__name__=\"up\", instance=\"x\", job=\"a\"}, {__name__=\"up\", instance=\"y\", job=\"b\"}];many-to-many matching not allowed: matching labels must be unique on one side"}' ""
run query --data "$tmp/d.om" --start 10 --end 100 --step 10 'up[5m]'
check "range query of a range vector" 1 '{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"}' ""
run query --time yesterday 1
check "bad time" 1 "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"time\\\": Invalid time value for 'time': cannot parse \\\"yesterday\\\" to a valid timestamp\"}" ""
run query --start x --end 1 --step 1 1
check "bad start" 1 '{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": cannot parse \"x\" to a valid timestamp"}' ""
run query --start 100 --end 10 --step 1 1
check "end before start" 1 '{"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"}' ""
run query --start 10 --end 100 --step 0 1
check "zero step" 1 '{"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"}' ""
run query --start 10 --end 100 --step abc 1
check "bad step" 1 '{"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": cannot parse \"abc\" to a valid duration"}' ""
run query --start 0 --end 100000 --step 1 1
check "too many points" 1 '{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}' ""

# ------------------------------------------------------------ loading ----
printf 'up{job="a" 1 1000\n' >"$tmp/bad.prom"
run query --data "$tmp/d.om" --data "$tmp/bad.prom" up
check "malformed data file" 1 "" "promql query: $tmp/bad.prom:1:12: expected \",\" or \"}\" after a label, got \"1\""
printf 'up 1 1.5\n' >"$tmp/noeof.om"
run query --data "$tmp/noeof.om" up
check "OpenMetrics without # EOF" 1 "" "promql query: $tmp/noeof.om:2:1: data does not end with # EOF"
run query --data "$tmp/missing.om" up
check "missing data file" 1 "" "promql query: $tmp/missing.om: cannot open: No such file or directory"
run query --data "$tmp/d.om" --data "$tmp/d.prom" up
check "the same samples twice" 1 "" "promql query: $tmp/d.prom:2:1: out of order sample"

# ----------------------------------------------------- table and CSV -----
run query --data "$tmp/d.om" --format table up
check "table, vector" 0 'SERIES                     VALUE
up{instance="x", job="a"}  0
up{instance="y", job="b"}  1
(2 series at 2024-01-01T00:01:00.500Z)' ""
run query --data "$tmp/d.om" --format table --start 1704067200 --end 1704067320 --step 60 up
check "table, range with sparklines" 0 'SERIES                     POINTS  MIN  MAX  LAST  SPARKLINE
up{instance="x", job="a"}  3       0    1    0     ██▁
up{instance="y", job="b"}  2       1    1    1      ▄▄
(2 series, 2024-01-01T00:00:00Z to 2024-01-01T00:02:00Z every 60000ms)' ""
run query --data "$tmp/d.om" --format csv up
check "csv, vector" 0 '__name__,instance,job,timestamp,value
up,x,a,1704067260.500,0
up,y,b,1704067260.500,1' ""
run query --data "$tmp/d.om" --format csv --start 1704067200 --end 1704067320 --step 60 up
check "csv, range" 0 '__name__,instance,job,timestamp,value
up,x,a,1704067200,1
up,x,a,1704067260,1
up,x,a,1704067320,0
up,y,b,1704067260,1
up,y,b,1704067320,1' ""
run query --format csv --time 1 'label_replace(vector(2), "l", "a,\"b\"", "", "")'
check "csv quoting" 0 'l,timestamp,value
"a,""b""",1,2' ""
run query --format table 'sum(up'
check "table, error on stderr" 1 "" 'promql query: bad_data: invalid parameter "query": 1:7: parse error: unclosed left parenthesis'

# ------------------------------------------------------- command line ----
run query --help
check "--help" 0 '*' ""
grep -q '^Usage: promql query' "$tmp/out" && pass || fail "--help text: $(head -1 "$tmp/out")"
run help query
check "promql help query" 0 '*' ""
run query
check "missing EXPR" 2 "" '*'
run query --start 1 --end 2 up
check "range needs all three" 2 "" '*'
run query --bogus up
check "unknown option" 2 "" '*'
run query --format yaml up
check "unknown output format" 2 "" '*'
run query --time
check "option without value" 2 "" '*'

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" = 0 ]
