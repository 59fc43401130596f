/* test_parse_valid.c: valid PromQL inputs, their canonical String() form, literal values and tree shapes, as Prometheus 3.14 gives them. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

/* Short names for the table columns. */
#define K_NUM PQL_NODE_NUMBER
#define K_STR PQL_NODE_STRING
#define K_VS PQL_NODE_VECTOR_SELECTOR
#define K_MS PQL_NODE_MATRIX_SELECTOR
#define K_SQ PQL_NODE_SUBQUERY
#define K_CALL PQL_NODE_CALL
#define K_AGG PQL_NODE_AGGREGATE
#define K_BIN PQL_NODE_BINARY
#define K_UN PQL_NODE_UNARY
#define K_PAR PQL_NODE_PAREN
#define T_S PQL_TYPE_SCALAR
#define T_V PQL_TYPE_VECTOR
#define T_M PQL_TYPE_MATRIX
#define T_STR PQL_TYPE_STRING

/*
 * Sources: promql/parser/parse_test.go (testExpr, commit 00b65b92), the
 * printer tests of promql/parser/printer_test.go (TestExprString,
 * TestBinaryExprUTF8Labels) and printer.go's rules (model.Duration for
 * durations/offsets, %.3f for @, strconv.Quote for strings, sorted matchers,
 * " by (...) " / " without (...) " for grouping, " on (...)" etc. for matching).
 * 3.13 renamed the duration functions min()/max() to min_of()/max_of().
 */
const valid_case pql_test_valid_cases[] = {
    /* --- scalars and scalar arithmetic (parse_test.go) --- */
    {"1", NULL, K_NUM, T_S},
    {"+Inf", NULL, K_NUM, T_S},
    {"-Inf", NULL, K_NUM, T_S},
    {".5", "0.5", K_NUM, T_S},
    {"5.", "5", K_NUM, T_S},
    {"123.4567", NULL, K_NUM, T_S},
    {"5e-3", "0.005", K_NUM, T_S},
    {"5e3", "5000", K_NUM, T_S},
    {"0xc", "12", K_NUM, T_S},
    {"0755", "493", K_NUM, T_S},
    {"+5.5e-3", "0.0055", K_NUM, T_S},
    {"-0755", "-493", K_NUM, T_S},
    {"NaN", NULL, K_NUM, T_S},
    {"1 + 1", NULL, K_BIN, T_S},
    {"1 - 1", NULL, K_BIN, T_S},
    {"1 * 1", NULL, K_BIN, T_S},
    {"1 % 1", NULL, K_BIN, T_S},
    {"1 / 1", NULL, K_BIN, T_S},
    {"1 ^ 1", NULL, K_BIN, T_S},
    {"1 atan2 1", NULL, K_BIN, T_S},
    {"1 == bool 1", NULL, K_BIN, T_S},
    {"1 != bool 1", NULL, K_BIN, T_S},
    {"1 > bool 1", NULL, K_BIN, T_S},
    {"1 >= bool 1", NULL, K_BIN, T_S},
    {"1 < bool 1", NULL, K_BIN, T_S},
    {"1 <= bool 1", NULL, K_BIN, T_S},
    {"-1^2", "-1 ^ 2", K_UN, T_S},
    {"-1*2", "-1 * 2", K_BIN, T_S},
    {"-1+2", "-1 + 2", K_BIN, T_S},
    {"-1^-2", "-1 ^ -2", K_UN, T_S},
    {"+1 + -2 * 1", "1 + -2 * 1", K_BIN, T_S},
    {"1 + 2/(3*1)", "1 + 2 / (3 * 1)", K_BIN, T_S},
    {"1 < bool 2 - 1 * 2", NULL, K_BIN, T_S},
    {"-(1)", NULL, K_UN, T_S},
    {"(1)", NULL, K_PAR, T_S},
    {"((1))", NULL, K_PAR, T_S},
    {"-some_metric", NULL, K_UN, T_V},
    {"+some_metric", NULL, K_UN, T_V},
    {" +some_metric", "+some_metric", K_UN, T_V},
    {" +{\"some_metric\"}", "+{__name__=\"some_metric\"}", K_UN, T_V},
    {"1048576", NULL, K_NUM, T_S},
    /* --- keyword-named metrics (parse_test.go) --- */
    {"offset{step=\"1s\"}[5m]", NULL, K_MS, T_M},
    {"step{offset=\"1s\"}[5m]", NULL, K_MS, T_M},
    {"anchored{job=\"test\"}", NULL, K_VS, T_V},
    {"smoothed{job=\"test\"}", NULL, K_VS, T_V},
    {"min", NULL, K_VS, T_V},
    {"sum(sum)", NULL, K_AGG, T_V},
    {"a + sum", NULL, K_BIN, T_V},
    {"foo * sum", NULL, K_BIN, T_V},
    {"start", NULL, K_VS, T_V},
    {"end", NULL, K_VS, T_V},
    {"start{end=\"foo\"}", NULL, K_VS, T_V},
    {"end{start=\"foo\"}", NULL, K_VS, T_V},
    {"by", NULL, K_VS, T_V},
    {"without{a=\"b\"}", NULL, K_VS, T_V},
    {"offset", NULL, K_VS, T_V},
    /* --- vector binary operations --- */
    {"foo * bar", NULL, K_BIN, T_V},
    {"foo == 1", NULL, K_BIN, T_V},
    {"foo == bool 1", NULL, K_BIN, T_V},
    {"2.5 / bar", NULL, K_BIN, T_V},
    {"foo and bar", NULL, K_BIN, T_V},
    {"foo or bar", NULL, K_BIN, T_V},
    {"foo unless bar", NULL, K_BIN, T_V},
    {"foo AND bar", "foo and bar", K_BIN, T_V},
    {"foo Or bar", "foo or bar", K_BIN, T_V},
    {"foo UNLESS bar", "foo unless bar", K_BIN, T_V},
    {"foo ATAN2 bar", "foo atan2 bar", K_BIN, T_V},
    {"foo > BOOL 1", "foo > bool 1", K_BIN, T_V},
    {"foo + bar or bla and blub", NULL, K_BIN, T_V},
    {"foo and bar unless baz or qux", NULL, K_BIN, T_V},
    {"bar + on(foo) bla / on(baz, buz) group_right(test) blub",
     "bar + on (foo) bla / on (baz, buz) group_right (test) blub", K_BIN, T_V},
    {"foo * on(test,blub) bar", "foo * on (test, blub) bar", K_BIN, T_V},
    {"foo * on(test,blub) group_left bar", "foo * on (test, blub) group_left () bar", K_BIN,
     T_V},
    {"foo and on(test,blub) bar", "foo and on (test, blub) bar", K_BIN, T_V},
    {"foo and on() bar", "foo and on () bar", K_BIN, T_V},
    {"foo and ignoring(test,blub) bar", "foo and ignoring (test, blub) bar", K_BIN, T_V},
    {"foo and ignoring() bar", "foo and bar", K_BIN, T_V},
    {"foo unless on(bar) baz", "foo unless on (bar) baz", K_BIN, T_V},
    {"foo / on(test,blub) group_left(bar) bar", "foo / on (test, blub) group_left (bar) bar",
     K_BIN, T_V},
    {"foo / ignoring(test,blub) group_left(blub) bar",
     "foo / ignoring (test, blub) group_left (blub) bar", K_BIN, T_V},
    {"foo / ignoring(test,blub) group_left(bar) bar",
     "foo / ignoring (test, blub) group_left (bar) bar", K_BIN, T_V},
    {"foo - on(test,blub) group_right(bar,foo) bar",
     "foo - on (test, blub) group_right (bar, foo) bar", K_BIN, T_V},
    {"foo - ignoring(test,blub) group_right(bar,foo) bar",
     "foo - ignoring (test, blub) group_right (bar, foo) bar", K_BIN, T_V},
    {"foo unless on(start) bar", "foo unless on (start) bar", K_BIN, T_V},
    {"foo unless on(end) bar", "foo unless on (end) bar", K_BIN, T_V},
    {"foo + ON(a) GROUP_LEFT(b) bar", "foo + on (a) group_left (b) bar", K_BIN, T_V},
    {"foo + on(and, or) bar", "foo + on (and, or) bar", K_BIN, T_V},
    /* printer_test.go TestExprString */
    {"a - on() c", "a - on () c", K_BIN, T_V},
    {"a - on(b) c", "a - on (b) c", K_BIN, T_V},
    {"a - on(b) group_left(x) c", "a - on (b) group_left (x) c", K_BIN, T_V},
    {"a - on(b) group_left(x, y) c", "a - on (b) group_left (x, y) c", K_BIN, T_V},
    {"a - on(b) group_left c", "a - on (b) group_left () c", K_BIN, T_V},
    {"a - on(b) group_left() (c)", "a - on (b) group_left () (c)", K_BIN, T_V},
    {"a - ignoring(b) c", "a - ignoring (b) c", K_BIN, T_V},
    {"a - ignoring() c", "a - c", K_BIN, T_V},
    {"a - ignoring() group_left(__metric__) c", "a - ignoring () group_left (__metric__) c",
     K_BIN, T_V},
    {"a - ignoring() group_left c", "a - ignoring () group_left () c", K_BIN, T_V},
    {"up > bool 0", NULL, K_BIN, T_V},
    /* printer_test.go TestBinaryExprUTF8Labels */
    {"foo / on(\"äää\") bar", "foo / on (\"äää\") bar", K_BIN, T_V},
    {"foo / ignoring(\"üüü\") bar", "foo / ignoring (\"üüü\") bar", K_BIN, T_V},
    {"foo / on(\"äää\") group_left(\"ööö\") bar", "foo / on (\"äää\") group_left (\"ööö\") bar",
     K_BIN, T_V},
    {"foo / on(\"äää\") group_right(\"ööö\") bar",
     "foo / on (\"äää\") group_right (\"ööö\") bar", K_BIN, T_V},
    {"foo / on(legacy, \"üüü\") bar", "foo / on (legacy, \"üüü\") bar", K_BIN, T_V},
    {"foo / on(job, instance) bar", "foo / on (job, instance) bar", K_BIN, T_V},
    {"foo / on(\"job\") bar", "foo / on (job) bar", K_BIN, T_V},
    /* trim operators (3.11), comparison precedence */
    {"foo </ 0.5", NULL, K_BIN, T_V},
    {"foo >/ 0.5", NULL, K_BIN, T_V},
    {"foo </ bar", NULL, K_BIN, T_V},
    {"foo >/ on(a) bar", "foo >/ on (a) bar", K_BIN, T_V},
    /* fill modifiers (printer_test.go, %v formatting of the fill value) */
    {"a + fill(-23) b", "a + fill (-23) b", K_BIN, T_V},
    {"a + fill_left(-23) b", "a + fill_left (-23) b", K_BIN, T_V},
    {"a + fill_right(42) b", "a + fill_right (42) b", K_BIN, T_V},
    {"a + fill_left(-23) fill_right(42) b", "a + fill_left (-23) fill_right (42) b", K_BIN,
     T_V},
    {"a + fill_right(42) fill_left(-23) b", "a + fill_left (-23) fill_right (42) b", K_BIN,
     T_V},
    {"a + on(b) group_left fill(-23) c", "a + on (b) group_left () fill (-23) c", K_BIN, T_V},
    {"a + fill(NaN) b", "a + fill (NaN) b", K_BIN, T_V},
    /* fill(v) shares one value between both sides (pointer-equal in
     * printer.go); fill_left(v) fill_right(v) are two values */
    {"a + fill_left(1) fill_right(1) b", "a + fill_left (1) fill_right (1) b", K_BIN, T_V},
    {"a + fill(Inf) b", "a + fill (+Inf) b", K_BIN, T_V},
    {"a + fill(1.5) b", "a + fill (1.5) b", K_BIN, T_V},
    {"a + fill(1000000) b", "a + fill (1e+06) b", K_BIN, T_V},
    {"a < ignoring(x) fill_left(0) b", "a < ignoring (x) fill_left (0) b", K_BIN, T_V},
    {"fill + fill_left", NULL, K_BIN, T_V},
    /* --- vector selectors --- */
    {"foo", NULL, K_VS, T_V},
    {"foo{}", "foo", K_VS, T_V},
    {"foo offset 5m", NULL, K_VS, T_V},
    {"foo offset -7m", NULL, K_VS, T_V},
    {"foo OFFSET 1h30m", "foo offset 1h30m", K_VS, T_V},
    {"foo OFFSET 1m30ms", "foo offset 1m30ms", K_VS, T_V},
    {"foo offset 60", "foo offset 1m", K_VS, T_V},
    {"foo offset 1.5", "foo offset 1s500ms", K_VS, T_V},
    {"foo offset 90m", "foo offset 1h30m", K_VS, T_V},
    {"foo offset 14d", "foo offset 2w", K_VS, T_V},
    {"foo offset 8d", NULL, K_VS, T_V},
    {"foo @ 1603774568", "foo @ 1603774568.000", K_VS, T_V},
    {"foo @ -100", "foo @ -100.000", K_VS, T_V},
    {"foo @ .3", "foo @ 0.300", K_VS, T_V},
    {"foo @ 3.", "foo @ 3.000", K_VS, T_V},
    {"foo @ 3.33", "foo @ 3.330", K_VS, T_V},
    {"foo @ 3.3333", "foo @ 3.333", K_VS, T_V},
    {"foo @ 3.3335", "foo @ 3.334", K_VS, T_V},
    {"foo @ 3e2", "foo @ 300.000", K_VS, T_V},
    {"foo @ 3e-1", "foo @ 0.300", K_VS, T_V},
    {"foo @ 0xA", "foo @ 10.000", K_VS, T_V},
    {"foo @ -3.3e1", "foo @ -33.000", K_VS, T_V},
    {"foo @ 100s", "foo @ 100.000", K_VS, T_V},
    {"foo @ 1m40s", "foo @ 100.000", K_VS, T_V},
    {"foo @ start()", NULL, K_VS, T_V},
    {"foo @ end()", NULL, K_VS, T_V},
    {"foo @ 123 offset 5m", "foo @ 123.000 offset 5m", K_VS, T_V},
    {"foo offset 5m @ 123", "foo @ 123.000 offset 5m", K_VS, T_V},
    {"foo offset -5m @ start()", "foo @ start() offset -5m", K_VS, T_V},
    {"foo:bar{a=\"bc\"}", NULL, K_VS, T_V},
    {":bc", NULL, K_VS, T_V},
    {"{\"foo\"}", "{__name__=\"foo\"}", K_VS, T_V},
    {"{'foo\\'bar', 'a\\\\dos\\\\path'='boo\\\\urns'}",
     "{\"a\\\\dos\\\\path\"=\"boo\\\\urns\",__name__=\"foo'bar\"}", K_VS, T_V},
    {"{'foo\\'bar', `a\\dos\\path`=\"boo\"}",
     "{\"a\\\\dos\\\\path\"=\"boo\",__name__=\"foo'bar\"}", K_VS, T_V},
    {"{\"foo\", a=\"bc\"}", "{__name__=\"foo\",a=\"bc\"}", K_VS, T_V},
    {"foo{NaN='bc'}", "foo{NaN=\"bc\"}", K_VS, T_V},
    {"foo{bar='}'}", "foo{bar=\"}\"}", K_VS, T_V},
    {"foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\"}",
     "foo{a=\"b\",bar!~\"baz\",foo!=\"bar\",test=~\"test\"}", K_VS, T_V},
    {"{a=\"b\", foo!=\"bar\", \"foo\", test=~\"test\", bar!~\"baz\"}",
     "{__name__=\"foo\",a=\"b\",bar!~\"baz\",foo!=\"bar\",test=~\"test\"}", K_VS, T_V},
    {"foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\",}",
     "foo{a=\"b\",bar!~\"baz\",foo!=\"bar\",test=~\"test\"}", K_VS, T_V},
    {"{__name__=~\"bar\", __name__!~\"baz\"}", "{__name__!~\"baz\",__name__=~\"bar\"}", K_VS,
     T_V},
    {"{__name__=\"bar\", __name__=\"baz\"}", "{__name__=\"bar\",__name__=\"baz\"}", K_VS, T_V},
    {"{\"bar\", __name__=\"baz\"}", "{__name__=\"bar\",__name__=\"baz\"}", K_VS, T_V},
    {"{__name__=\"a\"}", NULL, K_VS, T_V},
    {"{__name__=\"\",a=\"x\"}", NULL, K_VS, T_V},
    {"{\"a.b\"=\"c\"}", NULL, K_VS, T_V},
    {"{\"0\"=\"1\"}", NULL, K_VS, T_V},
    {"{\"_0\"=\"1\"}", "{_0=\"1\"}", K_VS, T_V},
    {"{\"\"=\"0\"}", NULL, K_VS, T_V},
    {"{``=\"0\"}", "{\"\"=\"0\"}", K_VS, T_V},
    {"{job=~\".+\"}", NULL, K_VS, T_V},
    {"{job=\"a\", job!=\"a\"}", "{job!=\"a\",job=\"a\"}", K_VS, T_V},
    {"{a=~\"x\", a=\"y\"}", "{a=\"y\",a=~\"x\"}", K_VS, T_V},
    {"foo{b=\"2\",a=\"1\"}", "foo{a=\"1\",b=\"2\"}", K_VS, T_V},
    {"foo{a=~\"a\\\\.b\"}", NULL, K_VS, T_V},
    {"foo{on=\"x\", by=\"y\", offset=\"z\", bool=\"w\"}",
     "foo{bool=\"w\",by=\"y\",offset=\"z\",on=\"x\"}", K_VS, T_V},
    {"{\"some.metric\", \"label.x\"=\"v\"}", "{\"label.x\"=\"v\",__name__=\"some.metric\"}",
     K_VS, T_V},
    {"foo{\"a b\"=~\"x\"}", NULL, K_VS, T_V},
    {"foo{a='b'}", "foo{a=\"b\"}", K_VS, T_V},
    {"foo{a=`b`}", "foo{a=\"b\"}", K_VS, T_V},
    {"foo{a=\"\\n\"}", NULL, K_VS, T_V},
    /* --- anchored / smoothed (printer_test.go) --- */
    {"a anchored", NULL, K_VS, T_V},
    {"a[5m] anchored", NULL, K_MS, T_M},
    {"a{b=\"c\"}[5m] anchored", NULL, K_MS, T_M},
    {"a{b=\"c\"}[5m] anchored offset 1m", NULL, K_MS, T_M},
    {"a{b=\"c\"}[5m] anchored @ start() offset 1m", NULL, K_MS, T_M},
    {"a smoothed", NULL, K_VS, T_V},
    {"a[5m] smoothed", NULL, K_MS, T_M},
    {"a{b=\"c\"}[5m] smoothed", NULL, K_MS, T_M},
    {"a{b=\"c\"}[5m] smoothed offset 1m", NULL, K_MS, T_M},
    {"a{b=\"c\"}[5m] smoothed @ start() offset 1m", NULL, K_MS, T_M},
    {"rate(foo[5m] anchored)", NULL, K_CALL, T_V},
    {"increase(foo[5m] smoothed)", NULL, K_CALL, T_V},
    /* --- matrix selectors --- */
    {"test[1000ms]", "test[1s]", K_MS, T_M},
    {"test[1001ms]", "test[1s1ms]", K_MS, T_M},
    {"test[1002ms]", "test[1s2ms]", K_MS, T_M},
    {"test[5s]", NULL, K_MS, T_M},
    {"test[5m]", NULL, K_MS, T_M},
    {"foo[5m30s]", NULL, K_MS, T_M},
    {"test[5h] OFFSET 5m", "test[5h] offset 5m", K_MS, T_M},
    {"test[5d] OFFSET 10s", "test[5d] offset 10s", K_MS, T_M},
    {"test[5w] offset 2w", NULL, K_MS, T_M},
    {"test{a=\"b\"}[5y] OFFSET 3d", "test{a=\"b\"}[5y] offset 3d", K_MS, T_M},
    {"test{a=\"b\"}[5m] OFFSET 3600", "test{a=\"b\"}[5m] offset 1h", K_MS, T_M},
    {"foo[3ms] @ 2.345", NULL, K_MS, T_M},
    {"foo[4s180ms] @ 2.345", NULL, K_MS, T_M},
    {"foo[4.18] @ 2.345", "foo[4s180ms] @ 2.345", K_MS, T_M},
    {"foo[4s18ms] @ 2.345", NULL, K_MS, T_M},
    {"foo[4.018] @ 2.345", "foo[4s18ms] @ 2.345", K_MS, T_M},
    {"test{a=\"b\"}[5y] @ 1603774699", "test{a=\"b\"}[5y] @ 1603774699.000", K_MS, T_M},
    {"test[5]", "test[5s]", K_MS, T_M},
    {"foo[300]", "foo[5m]", K_MS, T_M},
    {"foo[1.5]", "foo[1s500ms]", K_MS, T_M},
    {"some_metric[5m] @ 1m", "some_metric[5m] @ 60.000", K_MS, T_M},
    {"test[5y] @ start()", NULL, K_MS, T_M},
    {"test[5y] @ end()", NULL, K_MS, T_M},
    {"a{c=\"d\"}[5m] offset 1m", NULL, K_MS, T_M},
    {"a[5m] offset 1m", NULL, K_MS, T_M},
    {"a[12m] offset -3m", NULL, K_MS, T_M},
    {"a{b!=\"c\"}[1m]", NULL, K_MS, T_M},
    {"a{b=~\"c\"}[1m]", NULL, K_MS, T_M},
    {"a{b!~\"c\"}[1m]", NULL, K_MS, T_M},
    {"a @ 10", "a @ 10.000", K_VS, T_V},
    {"a[1m] @ 10", "a[1m] @ 10.000", K_MS, T_M},
    {"a @ start()", NULL, K_VS, T_V},
    {"a @ end()", NULL, K_VS, T_V},
    {"a[1m] @ start()", NULL, K_MS, T_M},
    {"a[1m] @ end()", NULL, K_MS, T_M},
    {"a[1m] offset 1m @ 10", "a[1m] @ 10.000 offset 1m", K_MS, T_M},
    {"test[90d]", NULL, K_MS, T_M},
    {"test[366d]", NULL, K_MS, T_M},
    {"test[7d]", "test[1w]", K_MS, T_M},
    {"test[365d]", "test[1y]", K_MS, T_M},
    {"test[ 5m ]", "test[5m]", K_MS, T_M},
    /* --- aggregations --- */
    {"sum by (foo)(some_metric)", "sum by (foo) (some_metric)", K_AGG, T_V},
    {"sum by (anchored)(some_metric)", "sum by (anchored) (some_metric)", K_AGG, T_V},
    {"sum by (smoothed)(some_metric)", "sum by (smoothed) (some_metric)", K_AGG, T_V},
    {"sum by (\"foo bar\")({\"some.metric\"})", "sum by (\"foo bar\") ({__name__=\"some.metric\"})",
     K_AGG, T_V},
    {"sum by (\"foo\", bar, 'baz')({\"some.metric\"})",
     "sum by (foo, bar, baz) ({__name__=\"some.metric\"})", K_AGG, T_V},
    {"avg by (foo)(some_metric)", "avg by (foo) (some_metric)", K_AGG, T_V},
    {"max by (foo)(some_metric)", "max by (foo) (some_metric)", K_AGG, T_V},
    {"sum without (foo) (some_metric)", NULL, K_AGG, T_V},
    {"sum (some_metric) without (foo)", "sum without (foo) (some_metric)", K_AGG, T_V},
    {"stddev(some_metric)", NULL, K_AGG, T_V},
    {"stdvar by (foo)(some_metric)", "stdvar by (foo) (some_metric)", K_AGG, T_V},
    {"sum by ()(some_metric)", "sum(some_metric)", K_AGG, T_V},
    {"sum by (foo,bar,)(some_metric)", "sum by (foo, bar) (some_metric)", K_AGG, T_V},
    {"sum by (foo,)(some_metric)", "sum by (foo) (some_metric)", K_AGG, T_V},
    {"topk(5, some_metric)", NULL, K_AGG, T_V},
    {"count_values(\"value\", some_metric)", NULL, K_AGG, T_V},
    {"sum without(and, by, avg, count, alert, annotations)(some_metric)",
     "sum without (and, by, avg, count, alert, annotations) (some_metric)", K_AGG, T_V},
    {"(sum(foo))", NULL, K_PAR, T_V},
    {"(sum(foo) )", "(sum(foo))", K_PAR, T_V},
    {"(sum(foo) by (bar))", "(sum by (bar) (foo))", K_PAR, T_V},
    {"(sum by (bar) (foo))", NULL, K_PAR, T_V},
    {"sum by (job)(rate(http_requests_total[30m]))",
     "sum by (job) (rate(http_requests_total[30m]))", K_AGG, T_V},
    {"sum by() (task:errors:rate10s{job=\"s\"})", "sum(task:errors:rate10s{job=\"s\"})", K_AGG,
     T_V},
    {"sum by(code) (task:errors:rate10s{job=\"s\"})",
     "sum by (code) (task:errors:rate10s{job=\"s\"})", K_AGG, T_V},
    {"sum without() (task:errors:rate10s{job=\"s\"})",
     "sum without () (task:errors:rate10s{job=\"s\"})", K_AGG, T_V},
    {"sum without(instance) (task:errors:rate10s{job=\"s\"})",
     "sum without (instance) (task:errors:rate10s{job=\"s\"})", K_AGG, T_V},
    {"sum by(\"foo.bar\") (task:errors:rate10s{job=\"s\"})",
     "sum by (\"foo.bar\") (task:errors:rate10s{job=\"s\"})", K_AGG, T_V},
    {"sum without(\"foo.bar\") (task:errors:rate10s{job=\"s\"})",
     "sum without (\"foo.bar\") (task:errors:rate10s{job=\"s\"})", K_AGG, T_V},
    {"topk(5, task:errors:rate10s{job=\"s\"})", NULL, K_AGG, T_V},
    {"count_values(\"value\", task:errors:rate10s{job=\"s\"})", NULL, K_AGG, T_V},
    {"sum by(\"üüü\") (foo)", "sum by (\"üüü\") (foo)", K_AGG, T_V},
    {"sum without(\"äää\") (foo)", "sum without (\"äää\") (foo)", K_AGG, T_V},
    {"count by(\"ööö\", job) (foo)", "count by (\"ööö\", job) (foo)", K_AGG, T_V},
    {"avg(foo)", NULL, K_AGG, T_V},
    {"count(foo)", NULL, K_AGG, T_V},
    {"min(foo)", NULL, K_AGG, T_V},
    {"max(foo)", NULL, K_AGG, T_V},
    {"group(foo)", NULL, K_AGG, T_V},
    {"stdvar(foo)", NULL, K_AGG, T_V},
    {"bottomk(3, foo)", NULL, K_AGG, T_V},
    {"quantile(0.9, foo)", NULL, K_AGG, T_V},
    {"limitk(2, foo)", NULL, K_AGG, T_V},
    {"limit_ratio(0.5, foo)", NULL, K_AGG, T_V},
    {"limit_ratio(-0.5, foo)", NULL, K_AGG, T_V},
    {"SUM(foo)", "sum(foo)", K_AGG, T_V},
    {"Sum BY (a) (foo)", "sum by (a) (foo)", K_AGG, T_V},
    {"sum WITHOUT (a) (foo)", "sum without (a) (foo)", K_AGG, T_V},
    {"topk by (a) (5, foo)", NULL, K_AGG, T_V},
    {"topk(5, foo) by (a)", "topk by (a) (5, foo)", K_AGG, T_V},
    {"count_values without (a) (\"v\", foo)", NULL, K_AGG, T_V},
    {"topk(scalar(foo), bar)", NULL, K_AGG, T_V},
    {"quantile(1m, foo)", NULL, K_AGG, T_V},
    {"topk(1 + 1, foo)", NULL, K_AGG, T_V},
    {"sum by (offset, bool, on, ignoring, group_left, group_right, atan2, start, end) (foo)",
     NULL, K_AGG, T_V},
    {"max by (le, instance) (rate(foo[5m]))", NULL, K_AGG, T_V},
    /* --- function calls --- */
    {"time()", NULL, K_CALL, T_S},
    {"floor(some_metric{foo!=\"bar\"})", NULL, K_CALL, T_V},
    {"rate(some_metric[5m])", NULL, K_CALL, T_V},
    {"round(some_metric)", NULL, K_CALL, T_V},
    {"round(some_metric, 5)", NULL, K_CALL, T_V},
    {"predict_linear(foo[1h], 3000)", NULL, K_CALL, T_V},
    {"start()", NULL, K_CALL, T_S},
    {"end()", NULL, K_CALL, T_S},
    {"step()", NULL, K_CALL, T_S},
    {"range()", NULL, K_CALL, T_S},
    {"info(rate(http_request_counter_total{}[5m]))",
     "info(rate(http_request_counter_total[5m]))", K_CALL, T_V},
    {"info(http_request_counter_total{namespace=\"zzz\"}, {foo=\"bar\", bar=\"baz\"})",
     "info(http_request_counter_total{namespace=\"zzz\"}, {bar=\"baz\",foo=\"bar\"})", K_CALL,
     T_V},
    {"label_replace(testmetric, \"dst\", \"destination-value-$1\", \"src\", \"source-value-(.*)\")",
     NULL, K_CALL, T_V},
    {"label_join(foo, \"a\", \",\", 'b', `c`)", "label_join(foo, \"a\", \",\", \"b\", \"c\")",
     K_CALL, T_V},
    {"vector(1h)", NULL, K_CALL, T_V},
    {"hour()", NULL, K_CALL, T_V},
    {"abs(-foo)", NULL, K_CALL, T_V},
    {"clamp(foo, -1, +1)", "clamp(foo, -1, 1)", K_CALL, T_V},
    {"min_of(1, 2)", NULL, K_CALL, T_S},
    {"max_of(time(), 2)", NULL, K_CALL, T_S},
    /* --- strings --- */
    {"\"double-quoted string \\\" with escaped quote\"", NULL, K_STR, T_STR},
    {"'single-quoted string \\' with escaped quote'",
     "\"single-quoted string ' with escaped quote\"", K_STR, T_STR},
    {"`backtick-quoted string`", "\"backtick-quoted string\"", K_STR, T_STR},
    {"(\"Foo\")", NULL, K_PAR, T_STR},
    {"\"\"", NULL, K_STR, T_STR},
    /* --- subqueries --- */
    {"foo{bar=\"baz\"}[10m:6s]", NULL, K_SQ, T_M},
    {"foo{bar=\"baz\"}[10m5s:1h6ms]", NULL, K_SQ, T_M},
    {"foo[10m:]", NULL, K_SQ, T_M},
    {"min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:5s])", NULL, K_CALL, T_V},
    {"min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:])[4m:3s]", NULL, K_SQ, T_M},
    {"min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] offset 4m)[4m:3s]", NULL, K_SQ, T_M},
    {"min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] @ 1603775091)[4m:3s]",
     "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] @ 1603775091.000)[4m:3s]", K_SQ, T_M},
    {"min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] @ -160377509)[4m:3s]",
     "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] @ -160377509.000)[4m:3s]", K_SQ, T_M},
    {"sum without(and, by, avg, count, alert, annotations)(some_metric) [30m:10s]",
     "sum without (and, by, avg, count, alert, annotations) (some_metric)[30m:10s]", K_SQ, T_M},
    {"some_metric OFFSET 1m [10m:5s]", "some_metric offset 1m[10m:5s]", K_SQ, T_M},
    {"some_metric @ 123 [10m:5s]", "some_metric @ 123.000[10m:5s]", K_SQ, T_M},
    {"some_metric @ 123 offset 1m [10m:5s]", "some_metric @ 123.000 offset 1m[10m:5s]", K_SQ,
     T_M},
    {"some_metric offset 1m @ 123 [10m:5s]", "some_metric @ 123.000 offset 1m[10m:5s]", K_SQ,
     T_M},
    {"some_metric[10m:5s] offset 1m @ 123", "some_metric[10m:5s] @ 123.000 offset 1m", K_SQ,
     T_M},
    {"(foo + bar{nm=\"val\"})[5m:]", NULL, K_SQ, T_M},
    {"(foo + bar{nm=\"val\"})[5m:] offset 10m", NULL, K_SQ, T_M},
    {"(foo + bar{nm=\"val\"} @ 1234)[5m:] @ 1603775019",
     "(foo + bar{nm=\"val\"} @ 1234.000)[5m:] @ 1603775019.000", K_SQ, T_M},
    {"foo[10m:6s] @ start()", NULL, K_SQ, T_M},
    {"foo[10m:6s] @ end()", NULL, K_SQ, T_M},
    {"a[1h:5m] offset 1m", NULL, K_SQ, T_M},
    {"foo[1m:30]", "foo[1m:30s]", K_SQ, T_M},
    {"foo[90:]", "foo[1m30s:]", K_SQ, T_M},
    {"rate(foo[5m])[1h:5m]", NULL, K_SQ, T_M},
    {"max_over_time(rate(foo[5m])[1h:5m] offset -10m)", NULL, K_CALL, T_V},
    /* --- duration expressions (parse_test.go, printer_test.go) --- */
    {"foo[(5s)]", NULL, K_MS, T_M},
    {"foo offset +(5)", "foo offset (5)", K_VS, T_V},
    {"foo offset -(5)", NULL, K_VS, T_V},
    {"foo offset (5)", NULL, K_VS, T_V},
    {"foo offset (5m)", NULL, K_VS, T_V},
    {"foo[(5m):(1m)]", NULL, K_SQ, T_M},
    {"foo[5m+1m]", "foo[5m + 1m]", K_MS, T_M},
    {"foo[11s+10s-5*2^2]", "foo[11s + 10s - 5 * 2 ^ 2]", K_MS, T_M},
    {"foo[-(10s-5s)+20s]", "foo[-(10s - 5s) + 20s]", K_MS, T_M},
    {"foo[-10s+15s]", "foo[-10s + 15s]", K_MS, T_M},
    {"foo[step()]", NULL, K_MS, T_M},
    {"foo[  -  step  (  )  ]", "foo[-step()]", K_MS, T_M},
    {"foo[   step  (  )  ]", "foo[step()]", K_MS, T_M},
    {"foo[-step()]", NULL, K_MS, T_M},
    {"foo[(step())]", NULL, K_MS, T_M},
    {"foo[-(step())]", NULL, K_MS, T_M},
    {"foo offset step()", NULL, K_VS, T_V},
    {"foo offset -step()", NULL, K_VS, T_V},
    {"foo offset (step())", NULL, K_VS, T_V},
    {"foo offset -(step())", NULL, K_VS, T_V},
    {"foo offset +(5*2)", "foo offset (5 * 2)", K_VS, T_V},
    {"foo offset +min_of(10s, 20s)", "foo offset min_of(10s, 20s)", K_VS, T_V},
    {"foo offset -min_of(10s, 20s)", NULL, K_VS, T_V},
    {"foo offset -min_of(10s, +max_of(step() ^ 2, 2))",
     "foo offset -min_of(10s, max_of(step() ^ 2, 2))", K_VS, T_V},
    {"foo[200-min_of(-step()^+step(),1)]", "foo[200 - min_of(-step() ^ step(), 1)]", K_MS, T_M},
    {"foo[200 - min_of(step() + 10s, -max_of(step() ^ 2, 3))]", NULL, K_MS, T_M},
    {"foo[max_of(step(),5s)]", "foo[max_of(step(), 5s)]", K_MS, T_M},
    {"foo offset max_of(step(),5s)", "foo offset max_of(step(), 5s)", K_VS, T_V},
    {"foo offset -min_of(5s,step()+8s)", "foo offset -min_of(5s, step() + 8s)", K_VS, T_V},
    {"foo[range()]", NULL, K_MS, T_M},
    {"foo[2m/range()]", "foo[2m / range()]", K_MS, T_M},
    {"foo[-range()]", NULL, K_MS, T_M},
    {"foo offset range()", NULL, K_VS, T_V},
    {"foo offset -range()", NULL, K_VS, T_V},
    {"foo[max_of(range(),5s)]", "foo[max_of(range(), 5s)]", K_MS, T_M},
    {"foo[max_of(range(), 5s)]", NULL, K_MS, T_M},
    {"foo[4s+4s:1s*2] offset (5s-8)", "foo[4s + 4s:1s * 2] offset (5s - 8)", K_SQ, T_M},
    {"foo offset 5s-8", "foo offset 5s - 8", K_BIN, T_V},
    {"rate(foo[2m+2m])", "rate(foo[2m + 2m])", K_CALL, T_V},
    {"foo offset -1^1", "foo offset -1s ^ 1", K_BIN, T_V},
    {"foo offset -(1^2)", "foo offset -(1 ^ 2)", K_VS, T_V},
    {"foo offset (-1^2)", "foo offset (-1 ^ 2)", K_VS, T_V},
    {"foo[-2^2]", "foo[-2 ^ 2]", K_MS, T_M},
    {"foo[0+-2^2]", "foo[0 + -2 ^ 2]", K_MS, T_M},
    {"foo[5m:step()]", NULL, K_SQ, T_M},
    {"foo[10m%3m]", "foo[10m % 3m]", K_MS, T_M},
    /* --- number <-> duration interchange --- */
    {"1m + 1", NULL, K_BIN, T_S},
    {"1ms * 1000", NULL, K_BIN, T_S},
    {"topk(1m, foo)", NULL, K_AGG, T_V},
    {"foo > 1h", NULL, K_BIN, T_V},
    /* --- comments and whitespace --- */
    {"foo # comment", "foo", K_VS, T_V},
    {"# c\nfoo", "foo", K_VS, T_V},
    {"sum(\n  foo # c\n)", "sum(foo)", K_AGG, T_V},
    {"foo{a=\"b\", # c\n b=\"c\"}", "foo{a=\"b\",b=\"c\"}", K_VS, T_V},
    {"  foo  ", "foo", K_VS, T_V},
    {"\tfoo\r\n+\nbar", "foo + bar", K_BIN, T_V},
    {"foo #\n+ #\nbar #", "foo + bar", K_BIN, T_V},
};
const size_t pql_test_valid_case_count =
    sizeof pql_test_valid_cases / sizeof pql_test_valid_cases[0];

ParameterizedTestParameters(parse_valid, canonical_form)
{
    return tu_index_params(pql_test_valid_case_count);
}

ParameterizedTest(size_t *ix, parse_valid, canonical_form)
{
    const valid_case *c = &pql_test_valid_cases[*ix];
    pql_expr *e = NULL;
    pql_error err;
    const char *want = c->canonical ? c->canonical : c->input;
    pql_status st;
    char *got;

    pql_error_clear(&err);
    st = tu_parse(c->input, &e, &err);
    cr_assert_eq(st, PQL_OK, "input `%s`: expected success, got status %d: %s [%lld,%lld)",
                 c->input, (int)st, err.message, (long long)err.start, (long long)err.end);
    cr_assert_not_null(e, "input `%s`: no expression returned", c->input);
    got = pql_expr_format(e);
    cr_assert_not_null(got, "input `%s`: pql_expr_format returned NULL", c->input);
    cr_expect_str_eq(got, want, "input `%s`: printed `%s`, expected `%s`", c->input, got, want);
    cr_expect_eq(pql_node_get_kind(pql_expr_root(e)), c->kind,
                 "input `%s`: root kind %s, expected %s", c->input,
                 tu_kind_name(pql_node_get_kind(pql_expr_root(e))), tu_kind_name(c->kind));
    cr_expect_eq(pql_node_type(pql_expr_root(e)), c->type,
                 "input `%s`: root type %s, expected %s", c->input,
                 pql_value_type_name(pql_node_type(pql_expr_root(e))),
                 pql_value_type_name(c->type));
    free(got);
    pql_expr_free(e);
}

/* ------------------------------------------------------------ numbers -- */

typedef struct number_case {
    const char *input;
    double value; /* NaN is compared with isnan */
    const char *canonical;
} number_case;

static const number_case number_cases[] = {
    {"1", 1, "1"},
    {"0", 0, "0"},
    {"00", 0, "0"},
    {"-0", -0.0, "-0"},
    {"23", 23, "23"},
    {"4.23", 4.23, "4.23"},
    {".3", 0.3, "0.3"},
    {"5.", 5, "5"},
    {"2.", 2, "2"},
    {"+0.2", 0.2, "0.2"},
    {"-0.2e-6", -0.0000002, "-0.0000002"},
    {"3.4e-9", 3.4e-9, "0.0000000034"},
    {"12.34e6", 12340000, "12340000"},
    {"12.34e+6", 12340000, "12340000"},
    {"12.34e-6", 0.00001234, "0.00001234"},
    {"2.5e+3", 2500, "2500"},
    {"1e-7", 1e-7, "0.0000001"},
    {"1E3", 1000, "1000"},
    {"0.5e1", 5, "5"},
    {"0x8f", 143, "143"},
    {"0X1F", 31, "31"},
    {"0xc", 12, "12"},
    {"0xA", 10, "10"},
    {"0x123", 291, "291"},
    {"0x_53_AB_F3_82", 1403777922, "1403777922"},
    {"0755", 493, "493"},
    {"-0755", -493, "-493"},
    {"09", 9, "9"},
    {"1_000_000", 1000000, "1000000"},
    {".123_456_789", 0.123456789, "0.123456789"},
    {"Inf", INFINITY, "+Inf"},
    {"inF", INFINITY, "+Inf"},
    {"iNf", INFINITY, "+Inf"},
    {"+Inf", INFINITY, "+Inf"},
    {"-inf", -INFINITY, "-Inf"},
    {"-Inf", -INFINITY, "-Inf"},
    {"NaN", NAN, "NaN"},
    {"nan", NAN, "NaN"},
    {"nAN", NAN, "NaN"},
    {"-NaN", NAN, "NaN"},
    {"--1", 1, "1"},
    {"+-1", -1, "-1"},
    /* duration literals are numbers of seconds and print as durations */
    {"1m", 60, "1m"},
    {"5m", 300, "5m"},
    {"1h30m", 5400, "1h30m"},
    {"90m", 5400, "1h30m"},
    {"500ms", 0.5, "500ms"},
    {"1ms", 0.001, "1ms"},
    {"1s", 1, "1s"},
    {"3600s", 3600, "1h"},
    {"1d", 86400, "1d"},
    {"7d", 604800, "1w"},
    {"8d", 691200, "8d"},
    {"14d", 1209600, "2w"},
    {"2w", 1209600, "2w"},
    {"1y", 31536000, "1y"},
    {"365d", 31536000, "1y"},
    {"12h34m56s", 45296, "12h34m56s"},
    {"54s321ms", 54.321, "54s321ms"},
    {"1y2w3d4h5m6s7ms", 31536000 + 1209600 + 259200 + 14400 + 300 + 6.007,
     "382d4h5m6s7ms"},
    {"-5m", -300, "-5m"},
    {"+5m", 300, "5m"},
    {"0s", 0, "0s"},
};

ParameterizedTestParameters(parse_valid, number_literal)
{
    return tu_index_params(sizeof number_cases / sizeof number_cases[0]);
}

ParameterizedTest(size_t *ix, parse_valid, number_literal)
{
    const number_case *c = &number_cases[*ix];
    pql_expr *e = NULL;
    pql_error err;
    const pql_node *root;
    double v;
    char *got;

    cr_assert_eq(tu_parse(c->input, &e, &err), PQL_OK, "input `%s`: parse failed: %s",
                 c->input, err.message);
    root = pql_expr_root(e);
    cr_assert_eq(pql_node_get_kind(root), PQL_NODE_NUMBER,
                 "input `%s`: root is %s, expected a number literal (unary +/- folds)",
                 c->input, tu_kind_name(pql_node_get_kind(root)));
    cr_expect_eq(pql_node_type(root), PQL_TYPE_SCALAR, "input `%s`: type is not scalar",
                 c->input);
    v = pql_node_number(root);
    if (isnan(c->value)) {
        cr_expect(isnan(v), "input `%s`: value %.17g, expected NaN", c->input, v);
    } else {
        cr_expect(v == c->value || fabs(v - c->value) <= 1e-12 * fabs(c->value),
                  "input `%s`: value %.17g, expected %.17g", c->input, v, c->value);
        cr_expect_eq(signbit(v) != 0, signbit(c->value) != 0, "input `%s`: sign of %g",
                     c->input, v);
    }
    got = pql_expr_format(e);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, c->canonical, "input `%s`: printed `%s`, expected `%s`", c->input,
                     got, c->canonical);
    free(got);
    pql_expr_free(e);
}

/* ------------------------------------------------------------ strings -- */

typedef struct string_case {
    const char *input;
    const char *value; /* expected bytes */
    size_t len;
    const char *canonical;
} string_case;

#define SV(s) s, sizeof(s) - 1

static const string_case string_cases[] = {
    /* parse_test.go string quoting and escape sequence tests */
    {"\"double-quoted string \\\" with escaped quote\"",
     SV("double-quoted string \" with escaped quote"),
     "\"double-quoted string \\\" with escaped quote\""},
    {"'single-quoted string \\' with escaped quote'",
     SV("single-quoted string ' with escaped quote"),
     "\"single-quoted string ' with escaped quote\""},
    {"`backtick-quoted string`", SV("backtick-quoted string"), "\"backtick-quoted string\""},
    {"\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\" - \\xFF\\377\\u1234\\U00010111\\U0001011111☺\"",
     SV("\a\b\f\n\r\t\v\\\" - \xff\xff\xe1\x88\xb4\xf0\x90\x84\x91\xf0\x90\x84\x91"
        "11\xe2\x98\xba"),
     "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\" - \\xff\\xff\xe1\x88\xb4\xf0\x90\x84\x91\xf0\x90\x84\x91"
     "11\xe2\x98\xba\""},
    {"'\\a\\b\\f\\n\\r\\t\\v\\\\\\' - \\xFF\\377\\u1234\\U00010111\\U0001011111☺'",
     SV("\a\b\f\n\r\t\v\\' - \xff\xff\xe1\x88\xb4\xf0\x90\x84\x91\xf0\x90\x84\x91"
        "11\xe2\x98\xba"),
     "\"\\a\\b\\f\\n\\r\\t\\v\\\\' - \\xff\\xff\xe1\x88\xb4\xf0\x90\x84\x91\xf0\x90\x84\x91"
     "11\xe2\x98\xba\""},
    {"`\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\' - \\xFF\\377\\u1234\\U00010111\\U0001011111☺`",
     SV("\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\' - \\xFF\\377\\u1234\\U00010111\\U0001011111☺"),
     "\"\\\\a\\\\b\\\\f\\\\n\\\\r\\\\t\\\\v\\\\\\\\\\\\\\\"\\\\' - \\\\xFF\\\\377\\\\u1234\\\\U00010111\\\\U0001011111☺\""},
    /* more escapes and quoting (strutil.Unquote, strconv.Quote) */
    {"\"\"", SV(""), "\"\""},
    {"''", SV(""), "\"\""},
    {"``", SV(""), "\"\""},
    {"\"Foo\"", SV("Foo"), "\"Foo\""},
    {"\" Foo \"", SV(" Foo "), "\" Foo \""},
    {"'foo'", SV("foo"), "\"foo\""},
    {"'\"'", SV("\""), "\"\\\"\""},
    {"\"'\"", SV("'"), "\"'\""},
    {"\"\\x41\\102\\u00e9\"", SV("AB\xc3\xa9"), "\"AB\xc3\xa9\""},
    {"\"\\u00a0\"", SV("\xc2\xa0"), "\"\\u00a0\""},
    {"\"\\x00\"", SV("\0"), "\"\\x00\""},
    {"\"\\x7f\"", SV("\x7f"), "\"\\x7f\""},
    {"\"\\u0001\"", SV("\x01"), "\"\\x01\""},
    {"\"\\U0001F600\"", SV("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\""},
    {"\"日本\"", SV("日本"), "\"日本\""},
    {"`a\nb`", SV("a\nb"), "\"a\\nb\""},
    {"`\"`", SV("\""), "\"\\\"\""},
    {"`a\\b`", SV("a\\b"), "\"a\\\\b\""},
    {"\"test\\tsequence\"", SV("test\tsequence"), "\"test\\tsequence\""},
    {"\"test\\\\.expression\"", SV("test\\.expression"), "\"test\\\\.expression\""},
    {"`test\\.expression`", SV("test\\.expression"), "\"test\\\\.expression\""},
    {"\"\\101\\060\"", SV("A0"), "\"A0\""},
    {"\"a\\u2028b\"", SV("a\xe2\x80\xa8" "b"), "\"a\\u2028b\""},
};

ParameterizedTestParameters(parse_valid, string_literal)
{
    return tu_index_params(sizeof string_cases / sizeof string_cases[0]);
}

ParameterizedTest(size_t *ix, parse_valid, string_literal)
{
    const string_case *c = &string_cases[*ix];
    pql_expr *e = NULL;
    pql_error err;
    const pql_node *root;
    const char *s;
    size_t len = (size_t)-1;
    char *got;

    cr_assert_eq(tu_parse(c->input, &e, &err), PQL_OK, "input `%s`: parse failed: %s",
                 c->input, err.message);
    root = pql_expr_root(e);
    cr_assert_eq(pql_node_get_kind(root), PQL_NODE_STRING, "input `%s`: root is %s",
                 c->input, tu_kind_name(pql_node_get_kind(root)));
    cr_expect_eq(pql_node_type(root), PQL_TYPE_STRING, "input `%s`: type", c->input);
    s = pql_node_string(root, &len);
    cr_assert_not_null(s, "input `%s`: pql_node_string returned NULL", c->input);
    cr_expect_eq(len, c->len, "input `%s`: value length %zu, expected %zu", c->input, len,
                 c->len);
    cr_expect(len == c->len && memcmp(s, c->value, len) == 0,
              "input `%s`: unquoted value bytes differ", c->input);
    cr_expect_eq(s[len], '\0', "input `%s`: value is not NUL-terminated", c->input);
    got = pql_expr_format(e);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, c->canonical, "input `%s`: printed `%s`, expected `%s`", c->input,
                     got, c->canonical);
    free(got);
    pql_expr_free(e);
}

/* -------------------------------------------------------------- shapes -- */

typedef struct shape_case {
    const char *input;
    const char *shape; /* see tu_shape in test_util.h */
} shape_case;

static const shape_case shape_cases[] = {
    {"1 + 2 * 3", "(+ 1 (* 2 3))"},
    {"1 * 2 + 3", "(+ (* 1 2) 3)"},
    {"2 ^ 3 ^ 2", "(^ 2 (^ 3 2))"},
    {"-2 ^ 2", "(neg (^ 2 2))"},
    {"-1^2", "(neg (^ 1 2))"},
    {"-1*2", "(* -1 2)"},
    {"-1+2", "(+ -1 2)"},
    {"-1^-2", "(neg (^ 1 -2))"},
    {"+1 + -2 * 1", "(+ 1 (* -2 1))"},
    {"1 + 2/(3*1)", "(+ 1 (/ 2 (paren (* 3 1))))"},
    {"1 - 2 - 3", "(- (- 1 2) 3)"},
    {"8 / 4 / 2", "(/ (/ 8 4) 2)"},
    {"8 % 3 * 2", "(* (% 8 3) 2)"},
    {"2 ^ -1", "(^ 2 -1)"},
    {"(1 + 2) * 3", "(* (paren (+ 1 2)) 3)"},
    {"-(1)", "(neg (paren 1))"},
    {"1 < bool 2 - 1 * 2", "(< 1 (- 2 (* 1 2)))"},
    {"foo + bar or bla and blub", "(or (+ foo bar) (and bla blub))"},
    {"foo and bar unless baz or qux", "(or (unless (and foo bar) baz) qux)"},
    {"a or b and c", "(or a (and b c))"},
    {"a unless b or c", "(or (unless a b) c)"},
    {"a and b unless c", "(unless (and a b) c)"},
    {"a == b + c", "(== a (+ b c))"},
    {"a + b == c", "(== (+ a b) c)"},
    {"a > b and c < d", "(and (> a b) (< c d))"},
    {"a != b or c >= d", "(or (!= a b) (>= c d))"},
    {"a <= b == c", "(== (<= a b) c)"},
    {"a * b atan2 c", "(atan2 (* a b) c)"},
    {"a atan2 b ^ c", "(atan2 a (^ b c))"},
    {"a atan2 b + c", "(+ (atan2 a b) c)"},
    {"-a * b", "(* (neg a) b)"},
    {"-a + b", "(+ (neg a) b)"},
    {"-a ^ b", "(neg (^ a b))"},
    {"a - -b", "(- a (neg b))"},
    {"-sum(a)", "(neg (sum a))"},
    {"+a", "(pos a)"},
    {"bar + on(foo) bla / on(baz, buz) group_right(test) blub", "(+ bar (/ bla blub))"},
    {"a </ b + c", "(</ a (+ b c))"},
    {"a + b >/ c", "(>/ (+ a b) c)"},
    {"a </ b and c", "(and (</ a b) c)"},
    {"a >/ b * c", "(>/ a (* b c))"},
    {"foo offset 5s - 8", "(- foo 8)"},
    {"foo offset -1^1", "(^ foo 1)"},
    {"sum(a) + sum(b)", "(+ (sum a) (sum b))"},
    {"topk(5, a) / 2", "(/ (topk 5 a) 2)"},
    {"rate(a[5m]) * 2", "(* (rate (matrix a)) 2)"},
    {"max_over_time(rate(a[1m])[5m:])", "(max_over_time (subquery (rate (matrix a))))"},
    {"count_values(\"x\", a)", "(count_values \"x\" a)"},
    {"1m + 1", "(+ 60 1)"},
    {"histogram_quantile(0.9, sum by (le) (rate(x[5m])))",
     "(histogram_quantile 0.9 (sum (rate (matrix x))))"},
    {"a + b - c + d", "(+ (- (+ a b) c) d)"},
    {"a ^ b * c ^ d", "(* (^ a b) (^ c d))"},
};

ParameterizedTestParameters(parse_valid, tree_shape)
{
    return tu_index_params(sizeof shape_cases / sizeof shape_cases[0]);
}

ParameterizedTest(size_t *ix, parse_valid, tree_shape)
{
    const shape_case *c = &shape_cases[*ix];
    pql_expr *e = NULL;
    pql_error err;
    char buf[512];

    cr_assert_eq(tu_parse(c->input, &e, &err), PQL_OK, "input `%s`: parse failed: %s",
                 c->input, err.message);
    tu_shape(pql_expr_root(e), buf, sizeof buf);
    cr_expect_str_eq(buf, c->shape, "input `%s`: tree %s, expected %s", c->input, buf,
                     c->shape);
    pql_expr_free(e);
}

/* ------------------------------------------------------ special cases -- */

Test(parse_valid, nan_literal_is_nan)
{
    /* parse_test.go TestNaNExpression */
    pql_expr *e = NULL;
    pql_error err;
    cr_assert_eq(tu_parse("NaN", &e, &err), PQL_OK, "NaN: %s", err.message);
    cr_expect(isnan(pql_node_number(pql_expr_root(e))), "NaN: value is not NaN");
    pql_expr_free(e);
}

Test(parse_valid, inf_and_nan_grouping_labels_print_quoted)
{
    /* Bare, the lexer would read them back as numbers. */
    const char *q = "sum by ('NaN', nano, `inf`) (x) / on (\"Inf\") group_left (\"nAn\") y";
    pql_expr *e = NULL;
    pql_error err;
    cr_assert_eq(tu_parse(q, &e, &err), PQL_OK, "`%s`: %s", q, err.message);
    char *s = pql_expr_format(e);
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "sum by (\"NaN\", nano, \"inf\") (x) / on (\"Inf\") group_left (\"nAn\") y");
    free(s);
    pql_expr_free(e);
}

Test(parse_valid, sign_led_offset_product_prints_parenthesised)
{
    /* The offset is the whole product; bare it would read back as
     * (x offset -4s) * 4. */
    pql_expr *e = NULL;
    pql_error err;
    cr_assert_eq(tu_parse("x offset -+4 * 4", &e, &err), PQL_OK, "%s", err.message);
    const pql_node *root = pql_expr_root(e);
    cr_expect_eq(pql_node_get_kind(root), PQL_NODE_VECTOR_SELECTOR);
    char *s = pql_expr_format(e);
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "x offset (-4 * 4)");
    free(s);
    pql_expr_free(e);
}

Test(parse_valid, every_feature_together)
{
    const char *q = "limitk(1, mad_over_time(x[5m] anchored)) + on() fill(0) "
                    "rate(y[5m] smoothed) + sum_over_time(z[step() * 2:])";
    pql_expr *e = NULL;
    pql_error err;
    cr_expect_eq(tu_parse(q, &e, &err), PQL_OK, "`%s`: %s", q, err.message);
    pql_expr_free(e);
}

Test(parse_valid, query_need_not_be_nul_terminated)
{
    /* Only the first len bytes are the query. */
    const char buf[] = {'f', 'o', 'o', ')', ')'};
    pql_expr *e = NULL;
    pql_error err;
    char *s;
    cr_assert_eq(pql_parse(buf, 3, NULL, &e, &err), PQL_OK, "`foo` (3 of 5 bytes): %s",
                 err.message);
    s = pql_expr_format(e);
    cr_assert_not_null(s);
    cr_expect_str_eq(s, "foo");
    free(s);
    pql_expr_free(e);
}

Test(parse_valid, long_but_flat_query)
{
    /* 900 terms of addition, a long dashboard-style sum, are accepted with
     * the default limits (a left-leaning chain is as deep as it is long). */
    char *q = tu_repeat("x", " + x", 899, "");
    pql_expr *e = NULL;
    pql_error err;
    pql_parse_options o = pql_parse_options_default();
    cr_assert_not_null(q);
    cr_expect_eq(tu_parse_opts(q, &o, &e, &err), PQL_OK, "900-term sum: %s", err.message);
    if (e) {
        char *s = pql_expr_format(e);
        cr_expect(s && strcmp(s, q) == 0, "900-term sum does not print back unchanged");
        free(s);
    }
    pql_expr_free(e);
    free(q);
}

Test(parse_valid, moderately_nested_parens)
{
    /* 100 levels is well within the default depth limit. */
    char *open = tu_repeat("", "(", 100, "1");
    char *q = tu_repeat(open, ")", 100, "");
    pql_expr *e = NULL;
    pql_error err;
    free(open);
    cr_assert_not_null(q);
    cr_assert_eq(tu_parse(q, &e, &err), PQL_OK, "100 nested parens: %s", err.message);
    {
        char *s = pql_expr_format(e);
        cr_expect(s && strcmp(s, q) == 0, "100 nested parens do not print back unchanged");
        free(s);
    }
    pql_expr_free(e);
    free(q);
}
