/* test_parse_roundtrip.c: print, re-parse and re-print every valid query; the canonical form must be a fixed point and keep the tree. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

/* Queries only the round trip replays (besides the whole valid table):
 * real-world shapes (printer_test.go's benchmark inputs, the docs' examples)
 * and literal forms whose printing changes their spelling. */
static const char *const extra_inputs[] = {
    "max( 100 * (1 - avg by(instance) (irate(node_cpu_seconds_total{instance=~\".*cust01.prd.*\","
    "mode=\"idle\"}[86400s]))))",
    "http_requests_total{job=\"api-server\", group=\"canary\"} + "
    "rate(http_requests_total{job=\"api-server\"}[10m]) * 5 * 60",
    "sum by (pod) ((kube_pod_container_status_restarts_total{namespace=\"mynamespace\","
    "cluster=\"mycluster\"} - kube_pod_container_status_restarts_total{namespace=\"mynamespace}\","
    "cluster=\"mycluster}\"} offset 10m) >= 1 and ignoring (reason) "
    "min_over_time(kube_pod_container_status_last_terminated_reason{namespace=\"mynamespace\","
    "cluster=\"mycluster\",reason=\"OOMKilled\"}[10m]) == 1)",
    "label_replace(testmetric, \"dst\", \"destination-value-$1\", \"src\", \"source-value-(.*)\")",
    "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    "sum(rate(http_requests_total[5m])) by (job) / ignoring(job) group_left sum(rate(x[5m]))",
    "100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > bool 90",
    "topk(3, sum by (app, proc) (rate(instance_cpu_time_ns[5m])))",
    "count_values(\"version\", build_version) unless on(instance) up == 0",
    "absent(nonexistent{job=\"myjob\",instance=~\".*\"})",
    "predict_linear(node_filesystem_free_bytes{job=\"node\"}[1h], 4 * 3600) < 0",
    "sort_desc(sum(sum_over_time(foo[1h:5m] offset 1d @ end())) by (a, b))",
    "quantile_over_time(0.9, rate(foo[1m])[30m:1m])",
    "label_join(up{job=\"api-server\",src1=\"a\",src2=\"b\",src3=\"c\"}, \"foo\", \",\", \"src1\", "
    "\"src2\", \"src3\")",
    "clamp_max(clamp_min(foo, 0), 100) atan2 -bar ^ 2 % 3",
    "-(-(-(foo)))",
    "1 + 2 * 3 ^ 4 ^ 5 - 6 / 7 % 8 atan2 9",
    "a or b and c unless d == e != f > g < h >= i <= j + k - l * m / n % o ^ p",
    "a </ 1 or b >/ 2",
    "{__name__=~\"job:.*\"}",
    "{\"my.metric\", \"label.with.dots\"=~\"a|b\", plain!=\"\"}",
    "sum by (\"label with space\", 'single', `raw`) ({\"x.y\"})",
    "foo offset 1w2d3h @ 1600000000.123",
    "foo[1y:1w] @ start() offset -1d",
    "rate(foo[5m:30s] offset 1m)",
    "\"\\x00\\x01\\u00ff\\U0001F600\\\\\"",
    "'it\\'s'",
    "`multi\nline\traw`",
    "1e-300 * 1e300",
    "0.1 + 0.2",
    "123456789012345678901234567890",
    "1.7976931348623157e308",
    "5e-324",
    "-0.0",
    "0x7fffffffffffffff",
    "vector(time()) - vector(-1m)",
    "foo[1m15s] offset 2h45m30s500ms",
    "foo[5m] @ 1e9",
    "foo @ -0.001",
    "foo[step() + 1m:max_of(step(), 1s)] offset -(step() * 2)",
    "foo offset (1h / 2)",
    "a + on(x) group_right(y, z) fill_right(0) b",
    "a * ignoring() fill(0.25) b",
    "limitk(1, foo) or limit_ratio(0.1, bar)",
    "sum without () (foo) + sum by () (foo)",
    "(((foo)))[5m:]",
    "sort_by_label(foo, \"a\", \"b\")",
    "histogram_quantiles(foo, \"q\", 0.5, 0.9, 0.99)",
    "info(foo, {k=~\"v.*\"})",
    "scalar(foo) * vector(pi())",
    "x offset -+4 * 4 - 1",
    "x offset --step() * 2",
    "yM5 offset - +5 ^ +1w ^ +1w",
    "x offset (1h) * 2",
    "x offset (1m) @ 5 + 2",
    "x offset +(1m) + 2",
    "count_over_time(f[22.5e-36]) + count_over_time(f[62.5e-300:0.4e-9])",
    "y offset +(1m) + x offset +(2m) * 2",
    "(y offset +(1m) + x offset +(2m)) * 2",
    "-y offset +(1m) / -x offset +(2m) % 3",
    "max_over_time(x[5.3e-6])[1h:0.0009999]",
    "x offset --step() @ start() * 3",
    "x @ 5 offset (1m) + 2",
    "sum by (\"NaN\", \"inf\", \"INF\", nano) (foo) * on (\"Nan\") group_left (\"iNf\") bar",
};

ParameterizedTestParameters(parse_roundtrip, valid_table)
{
    return tu_index_params(pql_test_valid_case_count);
}

/* Parses q, prints it, parses the printed form and prints again; the two
 * prints must agree and the two trees must have the same shape. */
static void check_roundtrip(const char *q)
{
    pql_expr *e1 = NULL, *e2 = NULL;
    pql_error err;
    char *s1, *s2, why[256] = "";
    pql_parse_options o = pql_parse_options_default();

    o.max_depth = 1 << 20;
    cr_assert_eq(tu_parse_opts(q, &o, &e1, &err), PQL_OK, "input `%s`: parse failed: %s", q,
                 err.message);
    s1 = pql_expr_format(e1);
    cr_assert_not_null(s1, "input `%s`: first print returned NULL", q);
    cr_assert_eq(tu_parse_opts(s1, &o, &e2, &err), PQL_OK,
                 "input `%s`: its printed form `%s` does not parse: %s [%lld,%lld)", q, s1,
                 err.message, (long long)err.start, (long long)err.end);
    s2 = pql_expr_format(e2);
    cr_assert_not_null(s2, "input `%s`: second print returned NULL", q);
    cr_expect_str_eq(s2, s1, "input `%s`: printed `%s`, re-printed `%s`", q, s1, s2);
    cr_expect(tu_same_tree(pql_expr_root(e1), pql_expr_root(e2), why, sizeof why),
              "input `%s`: tree of `%s` differs after re-parse: %s", q, s1, why);
    free(s1);
    free(s2);
    pql_expr_free(e1);
    pql_expr_free(e2);
}

ParameterizedTest(size_t *ix, parse_roundtrip, valid_table)
{
    check_roundtrip(pql_test_valid_cases[*ix].input);
}

ParameterizedTestParameters(parse_roundtrip, extra)
{
    return tu_index_params(sizeof extra_inputs / sizeof extra_inputs[0]);
}

ParameterizedTest(size_t *ix, parse_roundtrip, extra)
{
    check_roundtrip(extra_inputs[*ix]);
}

Test(parse_roundtrip, canonical_is_fixed_point_of_valid_table)
{
    /* The expected canonical strings themselves must print unchanged. */
    size_t i;
    for (i = 0; i < pql_test_valid_case_count; i++) {
        const valid_case *c = &pql_test_valid_cases[i];
        const char *canon = c->canonical ? c->canonical : c->input;
        pql_expr *e = NULL;
        pql_error err;
        char *s;
        if (tu_parse(canon, &e, &err) != PQL_OK) {
            cr_expect_fail("canonical `%s` (of `%s`) does not parse: %s", canon, c->input,
                           err.message);
            continue;
        }
        s = pql_expr_format(e);
        cr_expect(s && strcmp(s, canon) == 0, "canonical `%s` prints as `%s`", canon,
                  s ? s : "(null)");
        free(s);
        pql_expr_free(e);
    }
}

Test(parse_roundtrip, deep_nesting_within_limit)
{
    /* Nested subqueries and parentheses of moderate depth survive a round trip. */
    char *inner = tu_repeat("", "(", 50, "foo");
    char *q1 = tu_repeat(inner, ")", 50, "");
    char *q2 = tu_repeat("rate(foo[5m])", "[5m:]", 1, "");
    cr_assert_not_null(q1);
    cr_assert_not_null(q2);
    check_roundtrip(q1);
    check_roundtrip(q2);
    free(inner);
    free(q1);
    free(q2);
}

/* At the parser's depth limit every shape must print, re-parse and compare
 * within the native stack, sanitizer builds included (their frames are
 * several KiB: a recursive comparison overflowed 8 MiB there). */
Test(parse_roundtrip, every_shape_at_the_depth_limit)
{
    static const struct {
        const char *open, *leaf, *close;
    } shapes[] = {
        {"-", "foo", ""},     {"+", "foo", ""},       {"(", "foo", ")"},
        {"abs(", "foo", ")"}, {"sum(", "foo", ")"},   {"foo + ", "foo", ""},
        {"foo ^ ", "foo", ""}, {"-(", "foo", ")"},
    };
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        char *head = tu_repeat("", shapes[k].open, 990, shapes[k].leaf);
        cr_assert_not_null(head);
        char *q = tu_repeat(head, shapes[k].close, 990, "");
        cr_assert_not_null(q);
        check_roundtrip(q);
        free(head);
        free(q);
    }
}
