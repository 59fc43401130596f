/* test_ast_api.c: the public AST accessors, error formatting and NULL safety of the parser API. */
#include <criterion/criterion.h>

#include "test_util.h"

#define NS_PER_S 1000000000LL

/* Parses q or fails the test; the caller frees. */
static pql_expr *must_parse(const char *q)
{
    pql_expr *e = NULL;
    pql_error err;
    pql_error_clear(&err);
    cr_assert_eq(tu_parse(q, &e, &err), PQL_OK, "`%s`: %s", q, err.message);
    cr_assert_not_null(e, "`%s`: no expression", q);
    cr_assert_not_null(pql_expr_root(e), "`%s`: no root", q);
    return e;
}

static void expect_pos(const pql_node *n, long long s, long long e, const char *what)
{
    int64_t a = -7, b = -7;
    pql_node_position(n, &a, &b);
    cr_expect(a == s && b == e, "%s: position [%lld,%lld), expected [%lld,%lld)", what,
              (long long)a, (long long)b, s, e);
}

static void expect_matcher(const pql_node *n, size_t i, const char *name, pql_match_type t,
                           const char *value, const char *what)
{
    const pql_matcher *m = pql_node_matcher(n, i);
    cr_assert_not_null(m, "%s: matcher %zu missing", what, i);
    cr_expect_str_eq(m->name, name, "%s: matcher %zu name `%s`, expected `%s`", what, i, m->name,
                     name);
    cr_expect_eq(m->type, t, "%s: matcher %zu type %d, expected %d", what, i, (int)m->type,
                 (int)t);
    cr_expect_eq(m->value_len, strlen(value), "%s: matcher %zu value length", what, i);
    cr_expect(m->value_len == strlen(value) && memcmp(m->value, value, m->value_len) == 0,
              "%s: matcher %zu value `%s`, expected `%s`", what, i, m->value, value);
}

/* ---------------------------------------------------------- selectors -- */

Test(ast_api, vector_selector_matchers)
{
    /* parse_test.go: the name given outside braces is appended as the last
     * matcher (__name__="foo"); matchers keep their written order. */
    pql_expr *e = must_parse("foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\"}");
    const pql_node *n = pql_expr_root(e);
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_VECTOR_SELECTOR);
    cr_expect_eq(pql_node_type(n), PQL_TYPE_VECTOR);
    cr_assert_not_null(pql_node_metric_name(n));
    cr_expect_str_eq(pql_node_metric_name(n), "foo");
    cr_assert_eq(pql_node_matcher_count(n), 5, "matcher count %zu", pql_node_matcher_count(n));
    expect_matcher(n, 0, "a", PQL_MATCH_EQUAL, "b", "foo{...}");
    expect_matcher(n, 1, "foo", PQL_MATCH_NOT_EQUAL, "bar", "foo{...}");
    expect_matcher(n, 2, "test", PQL_MATCH_REGEX, "test", "foo{...}");
    expect_matcher(n, 3, "bar", PQL_MATCH_NOT_REGEX, "baz", "foo{...}");
    expect_matcher(n, 4, "__name__", PQL_MATCH_EQUAL, "foo", "foo{...}");
    cr_expect_null(pql_node_matcher(n, 5), "matcher past the end must be NULL");
    cr_expect_eq(pql_node_child_count(n), 0);
    cr_expect_null(pql_node_child(n, 0));
    cr_expect_eq(pql_node_offset_ns(n), 0);
    cr_expect_eq(pql_node_at(n), PQL_AT_NONE);
    expect_pos(n, 0, 48, "foo{...}");
    pql_expr_free(e);
}

Test(ast_api, quoted_metric_name_inside_braces)
{
    /* The name inside braces is a matcher in place; Name stays empty. */
    pql_expr *e = must_parse("{a=\"b\", foo!=\"bar\", \"foo\", test=~\"test\", bar!~\"baz\"}");
    const pql_node *n = pql_expr_root(e);
    cr_expect_null(pql_node_metric_name(n), "metric name written inside braces");
    cr_assert_eq(pql_node_matcher_count(n), 5);
    expect_matcher(n, 0, "a", PQL_MATCH_EQUAL, "b", "{...}");
    expect_matcher(n, 2, "__name__", PQL_MATCH_EQUAL, "foo", "{...}");
    expect_matcher(n, 4, "bar", PQL_MATCH_NOT_REGEX, "baz", "{...}");
    expect_pos(n, 0, 52, "{...}");
    pql_expr_free(e);
}

Test(ast_api, utf8_and_escaped_matchers)
{
    pql_expr *e = must_parse("{'foo\\'bar', 'a\\\\dos\\\\path'='boo\\\\urns'}");
    const pql_node *n = pql_expr_root(e);
    cr_assert_eq(pql_node_matcher_count(n), 2);
    expect_matcher(n, 0, "__name__", PQL_MATCH_EQUAL, "foo'bar", "escaped");
    expect_matcher(n, 1, "a\\dos\\path", PQL_MATCH_EQUAL, "boo\\urns", "escaped");
    expect_pos(n, 0, 40, "escaped");
    pql_expr_free(e);
}

Test(ast_api, matcher_value_with_nul_byte)
{
    pql_expr *e = must_parse("foo{a=\"x\\x00y\"}");
    const pql_matcher *m = pql_node_matcher(pql_expr_root(e), 0);
    cr_assert_not_null(m);
    cr_expect_str_eq(m->name, "a");
    cr_expect_eq(m->value_len, 3, "value length %zu, expected 3", m->value_len);
    cr_expect(m->value_len == 3 && memcmp(m->value, "x\0y", 3) == 0, "value bytes");
    pql_expr_free(e);
}

Test(ast_api, matrix_selector)
{
    pql_expr *e = must_parse("test{a=\"b\"}[5y] OFFSET 3d");
    const pql_node *n = pql_expr_root(e), *vs;
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_MATRIX_SELECTOR);
    cr_expect_eq(pql_node_type(n), PQL_TYPE_MATRIX);
    cr_expect_eq(pql_node_range_ns(n), 5LL * 365 * 24 * 3600 * NS_PER_S);
    cr_assert_eq(pql_node_child_count(n), 1);
    vs = pql_node_child(n, 0);
    cr_assert_not_null(vs);
    cr_expect_eq(pql_node_get_kind(vs), PQL_NODE_VECTOR_SELECTOR);
    cr_expect_str_eq(pql_node_metric_name(vs), "test");
    cr_expect_eq(pql_node_offset_ns(vs), 3LL * 24 * 3600 * NS_PER_S, "offset on the selector");
    /* the matrix selector gives access to its selector's matchers */
    cr_expect_eq(pql_node_matcher_count(n), 2);
    expect_matcher(n, 0, "a", PQL_MATCH_EQUAL, "b", "matrix");
    expect_matcher(n, 1, "__name__", PQL_MATCH_EQUAL, "test", "matrix");
    expect_pos(n, 0, 25, "test{a=\"b\"}[5y] OFFSET 3d");
    expect_pos(vs, 0, 11, "its selector");
    pql_expr_free(e);
}

Test(ast_api, range_in_nanoseconds)
{
    static const struct {
        const char *q;
        long long ns;
    } cases[] = {
        {"test[1000ms]", 1000000000LL},
        {"test[1001ms]", 1001000000LL},
        {"test[5s]", 5 * NS_PER_S},
        {"foo[5m30s]", 330 * NS_PER_S},
        {"test[5]", 5 * NS_PER_S},
        {"foo[4.18]", 4180000000LL},
        {"foo[4.018]", 4018000000LL},
        {"foo[3ms]", 3000000LL},
        {"foo[1w]", 7LL * 86400 * NS_PER_S},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pql_expr *e = must_parse(cases[i].q);
        cr_expect_eq(pql_node_range_ns(pql_expr_root(e)), cases[i].ns, "`%s`: range %lld ns",
                     cases[i].q, (long long)pql_node_range_ns(pql_expr_root(e)));
        pql_expr_free(e);
    }
}

Test(ast_api, offsets_in_nanoseconds)
{
    static const struct {
        const char *q;
        long long ns;
    } cases[] = {
        {"foo offset 5m", 300 * NS_PER_S},
        {"foo offset -7m", -420 * NS_PER_S},
        {"foo OFFSET 1h30m", 5400 * NS_PER_S},
        {"foo OFFSET 1m30ms", 60030000000LL},
        {"foo offset 3600", 3600 * NS_PER_S},
        {"foo offset 1.5", 1500000000LL},
        {"foo offset -1^1", -NS_PER_S},
        {"foo @ 123 offset 1m", 60 * NS_PER_S},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pql_expr *e = must_parse(cases[i].q);
        const pql_node *n = pql_expr_root(e);
        if (pql_node_get_kind(n) == PQL_NODE_BINARY)
            n = pql_node_child(n, 0);
        cr_expect_eq(pql_node_offset_ns(n), cases[i].ns, "`%s`: offset %lld ns", cases[i].q,
                     (long long)pql_node_offset_ns(n));
        pql_expr_free(e);
    }
}

Test(ast_api, at_modifier)
{
    static const struct {
        const char *q;
        pql_at_kind kind;
        long long ms;
    } cases[] = {
        {"foo @ 1603774568", PQL_AT_TIMESTAMP, 1603774568000LL},
        {"foo @ -100", PQL_AT_TIMESTAMP, -100000LL},
        {"foo @ .3", PQL_AT_TIMESTAMP, 300},
        {"foo @ 3.", PQL_AT_TIMESTAMP, 3000},
        {"foo @ 3.33", PQL_AT_TIMESTAMP, 3330},
        {"foo @ 3.3333", PQL_AT_TIMESTAMP, 3333},
        {"foo @ 3.3335", PQL_AT_TIMESTAMP, 3334},
        {"foo @ 3e2", PQL_AT_TIMESTAMP, 300000},
        {"foo @ 3e-1", PQL_AT_TIMESTAMP, 300},
        {"foo @ 0xA", PQL_AT_TIMESTAMP, 10000},
        {"foo @ -3.3e1", PQL_AT_TIMESTAMP, -33000},
        {"foo @ 1m", PQL_AT_TIMESTAMP, 60000},
        {"foo @ start()", PQL_AT_START, 0},
        {"foo @ end()", PQL_AT_END, 0},
        {"foo offset 1m @ end()", PQL_AT_END, 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pql_expr *e = must_parse(cases[i].q);
        const pql_node *n = pql_expr_root(e);
        cr_expect_eq(pql_node_at(n), cases[i].kind, "`%s`: @ kind %d", cases[i].q,
                     (int)pql_node_at(n));
        if (cases[i].kind == PQL_AT_TIMESTAMP)
            cr_expect_eq(pql_node_at_ms(n), cases[i].ms, "`%s`: @ %lld ms, expected %lld",
                         cases[i].q, (long long)pql_node_at_ms(n), cases[i].ms);
        pql_expr_free(e);
    }
}

Test(ast_api, at_on_matrix_selector_lives_on_its_selector)
{
    pql_expr *e = must_parse("foo[3ms] @ 2.345");
    const pql_node *vs = pql_node_child(pql_expr_root(e), 0);
    cr_assert_not_null(vs);
    cr_expect_eq(pql_node_at(vs), PQL_AT_TIMESTAMP);
    cr_expect_eq(pql_node_at_ms(vs), 2345);
    expect_pos(pql_expr_root(e), 0, 16, "foo[3ms] @ 2.345");
    pql_expr_free(e);
}

/* ---------------------------------------------------------- subqueries -- */

Test(ast_api, subquery)
{
    pql_expr *e = must_parse("foo{bar=\"baz\"}[10m5s:1h6ms]");
    const pql_node *n = pql_expr_root(e);
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_SUBQUERY);
    cr_expect_eq(pql_node_type(n), PQL_TYPE_MATRIX);
    cr_expect_eq(pql_node_range_ns(n), 605 * NS_PER_S);
    cr_expect_eq(pql_node_step_ns(n), 3600 * NS_PER_S + 6000000LL);
    cr_assert_eq(pql_node_child_count(n), 1);
    cr_expect_eq(pql_node_get_kind(pql_node_child(n, 0)), PQL_NODE_VECTOR_SELECTOR);
    expect_pos(n, 0, 27, "subquery");
    pql_expr_free(e);

    e = must_parse("foo[10m:]");
    cr_expect_eq(pql_node_step_ns(pql_expr_root(e)), 0, "default step is 0");
    cr_expect_eq(pql_node_range_ns(pql_expr_root(e)), 600 * NS_PER_S);
    pql_expr_free(e);
}

Test(ast_api, subquery_offset_and_at)
{
    pql_expr *e = must_parse("some_metric[10m:5s] offset 1m @ 123");
    const pql_node *n = pql_expr_root(e);
    cr_expect_eq(pql_node_offset_ns(n), 60 * NS_PER_S);
    cr_expect_eq(pql_node_at(n), PQL_AT_TIMESTAMP);
    cr_expect_eq(pql_node_at_ms(n), 123000);
    cr_expect_eq(pql_node_offset_ns(pql_node_child(n, 0)), 0, "inner selector has no offset");
    expect_pos(n, 0, 35, "subquery with modifiers");
    pql_expr_free(e);

    e = must_parse("some_metric @ 123 offset 1m [10m:5s]");
    n = pql_expr_root(e);
    cr_expect_eq(pql_node_offset_ns(n), 0, "modifiers belong to the inner selector");
    cr_expect_eq(pql_node_offset_ns(pql_node_child(n, 0)), 60 * NS_PER_S);
    cr_expect_eq(pql_node_at_ms(pql_node_child(n, 0)), 123000);
    expect_pos(pql_node_child(n, 0), 0, 27, "inner selector");
    pql_expr_free(e);

    e = must_parse("foo[10m:6s] @ start()");
    cr_expect_eq(pql_node_at(pql_expr_root(e)), PQL_AT_START);
    pql_expr_free(e);
}

Test(ast_api, nested_subquery_positions)
{
    /* parse_test.go: min_over_time(rate(foo{bar="baz"}[2s])[5m:] offset 4m)[4m:3s] */
    pql_expr *e = must_parse("min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] offset 4m)[4m:3s]");
    const pql_node *sq = pql_expr_root(e), *call, *inner, *rate, *ms;
    expect_pos(sq, 0, 61, "outer subquery");
    call = pql_node_child(sq, 0);
    expect_pos(call, 0, 54, "min_over_time call");
    cr_expect_str_eq(pql_node_function_name(call), "min_over_time");
    inner = pql_node_child(call, 0);
    cr_assert_not_null(inner);
    cr_expect_eq(pql_node_get_kind(inner), PQL_NODE_SUBQUERY);
    cr_expect_eq(pql_node_offset_ns(inner), 240 * NS_PER_S);
    expect_pos(inner, 14, 53, "inner subquery");
    rate = pql_node_child(inner, 0);
    expect_pos(rate, 14, 38, "rate call");
    ms = pql_node_child(rate, 0);
    expect_pos(ms, 19, 37, "matrix selector");
    expect_pos(pql_node_child(ms, 0), 19, 33, "its selector");
    pql_expr_free(e);
}

/* --------------------------------------------------------- aggregation -- */

Test(ast_api, aggregation_grouping)
{
    pql_expr *e = must_parse("sum without(and, by, avg, count, alert, annotations)(some_metric)");
    const pql_node *n = pql_expr_root(e);
    static const char *const want[] = {"and", "by", "avg", "count", "alert", "annotations"};
    size_t i;
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_AGGREGATE);
    cr_expect_eq(pql_node_op(n), PQL_AGG_SUM);
    cr_expect_eq(pql_node_is_without(n), 1);
    cr_assert_eq(pql_node_label_count(n), 6);
    for (i = 0; i < 6; i++)
        cr_expect_str_eq(pql_node_label(n, i), want[i], "grouping label %zu", i);
    cr_expect_null(pql_node_label(n, 6));
    cr_assert_eq(pql_node_child_count(n), 1, "no parameter: one child");
    cr_expect_str_eq(pql_node_metric_name(pql_node_child(n, 0)), "some_metric");
    expect_pos(n, 0, 65, "aggregate");
    expect_pos(pql_node_child(n, 0), 53, 64, "aggregated selector");
    pql_expr_free(e);

    e = must_parse("sum (some_metric) without (foo)");
    n = pql_expr_root(e);
    cr_expect_eq(pql_node_is_without(n), 1);
    cr_assert_eq(pql_node_label_count(n), 1);
    cr_expect_str_eq(pql_node_label(n, 0), "foo");
    expect_pos(n, 0, 31, "trailing grouping");
    pql_expr_free(e);

    e = must_parse("avg by (\"foo bar\", baz)(x)");
    n = pql_expr_root(e);
    cr_expect_eq(pql_node_op(n), PQL_AGG_AVG);
    cr_expect_eq(pql_node_is_without(n), 0);
    cr_assert_eq(pql_node_label_count(n), 2);
    cr_expect_str_eq(pql_node_label(n, 0), "foo bar");
    cr_expect_str_eq(pql_node_label(n, 1), "baz");
    pql_expr_free(e);

    e = must_parse("stddev(some_metric)");
    n = pql_expr_root(e);
    cr_expect_eq(pql_node_op(n), PQL_AGG_STDDEV);
    cr_expect_eq(pql_node_label_count(n), 0);
    cr_expect_eq(pql_node_is_without(n), 0);
    expect_pos(n, 0, 19, "stddev");
    pql_expr_free(e);
}

Test(ast_api, aggregation_parameter)
{
    pql_expr *e = must_parse("topk(5, some_metric)");
    const pql_node *n = pql_expr_root(e);
    cr_expect_eq(pql_node_op(n), PQL_AGG_TOPK);
    cr_assert_eq(pql_node_child_count(n), 2, "parameter then expression");
    cr_expect_eq(pql_node_get_kind(pql_node_child(n, 0)), PQL_NODE_NUMBER);
    cr_expect_eq(pql_node_number(pql_node_child(n, 0)), 5.0);
    expect_pos(pql_node_child(n, 0), 5, 6, "topk parameter");
    cr_expect_eq(pql_node_get_kind(pql_node_child(n, 1)), PQL_NODE_VECTOR_SELECTOR);
    expect_pos(pql_node_child(n, 1), 8, 19, "topk expression");
    expect_pos(n, 0, 20, "topk");
    pql_expr_free(e);

    e = must_parse("count_values(\"value\", some_metric)");
    n = pql_expr_root(e);
    cr_expect_eq(pql_node_op(n), PQL_AGG_COUNT_VALUES);
    cr_assert_eq(pql_node_child_count(n), 2);
    {
        size_t len = 0;
        const char *s = pql_node_string(pql_node_child(n, 0), &len);
        cr_assert_not_null(s);
        cr_expect_eq(len, 5);
        cr_expect_str_eq(s, "value");
    }
    expect_pos(pql_node_child(n, 0), 13, 20, "count_values parameter");
    pql_expr_free(e);
}

Test(ast_api, every_aggregation_op)
{
    static const struct {
        const char *q;
        pql_op op;
        const char *text;
    } cases[] = {
        {"sum(x)", PQL_AGG_SUM, "sum"},
        {"avg(x)", PQL_AGG_AVG, "avg"},
        {"count(x)", PQL_AGG_COUNT, "count"},
        {"min(x)", PQL_AGG_MIN, "min"},
        {"max(x)", PQL_AGG_MAX, "max"},
        {"group(x)", PQL_AGG_GROUP, "group"},
        {"stddev(x)", PQL_AGG_STDDEV, "stddev"},
        {"stdvar(x)", PQL_AGG_STDVAR, "stdvar"},
        {"topk(1, x)", PQL_AGG_TOPK, "topk"},
        {"bottomk(1, x)", PQL_AGG_BOTTOMK, "bottomk"},
        {"count_values(\"v\", x)", PQL_AGG_COUNT_VALUES, "count_values"},
        {"quantile(0.5, x)", PQL_AGG_QUANTILE, "quantile"},
        {"limitk(1, x)", PQL_AGG_LIMITK, "limitk"},
        {"limit_ratio(0.5, x)", PQL_AGG_LIMIT_RATIO, "limit_ratio"},
        {"GROUP(x)", PQL_AGG_GROUP, "group"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pql_expr *e = must_parse(cases[i].q);
        const pql_node *n = pql_expr_root(e);
        cr_expect_eq(pql_node_op(n), cases[i].op, "`%s`: op %d", cases[i].q, (int)pql_node_op(n));
        cr_expect_str_eq(pql_op_text(pql_node_op(n)), cases[i].text, "`%s`: op text", cases[i].q);
        cr_expect_eq(pql_node_type(n), PQL_TYPE_VECTOR, "`%s`: type", cases[i].q);
        pql_expr_free(e);
    }
}

/* -------------------------------------------------------------- binary -- */

Test(ast_api, binary_matching)
{
    pql_expr *e = must_parse("foo - on(test,blub) group_right(bar,foo) bar");
    const pql_node *n = pql_expr_root(e);
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_BINARY);
    cr_expect_eq(pql_node_op(n), PQL_OP_SUB);
    cr_expect_eq(pql_node_cardinality(n), PQL_CARD_ONE_TO_MANY);
    cr_expect_eq(pql_node_is_without(n), 0, "on() is not ignoring");
    cr_assert_eq(pql_node_label_count(n), 2);
    cr_expect_str_eq(pql_node_label(n, 0), "test");
    cr_expect_str_eq(pql_node_label(n, 1), "blub");
    cr_assert_eq(pql_node_include_count(n), 2);
    cr_expect_str_eq(pql_node_include(n, 0), "bar");
    cr_expect_str_eq(pql_node_include(n, 1), "foo");
    cr_expect_null(pql_node_include(n, 2));
    cr_expect_eq(pql_node_return_bool(n), 0);
    cr_assert_eq(pql_node_child_count(n), 2);
    expect_pos(pql_node_child(n, 0), 0, 3, "lhs");
    expect_pos(pql_node_child(n, 1), 41, 44, "rhs");
    expect_pos(n, 0, 44, "binary");
    pql_expr_free(e);

    e = must_parse("foo / ignoring(test,blub) group_left(blub) bar");
    n = pql_expr_root(e);
    cr_expect_eq(pql_node_cardinality(n), PQL_CARD_MANY_TO_ONE);
    cr_expect_eq(pql_node_is_without(n), 1, "ignoring()");
    cr_expect_eq(pql_node_label_count(n), 2);
    cr_assert_eq(pql_node_include_count(n), 1);
    cr_expect_str_eq(pql_node_include(n, 0), "blub");
    pql_expr_free(e);

    e = must_parse("foo * on(test,blub) group_left bar");
    n = pql_expr_root(e);
    cr_expect_eq(pql_node_cardinality(n), PQL_CARD_MANY_TO_ONE);
    cr_expect_eq(pql_node_include_count(n), 0);
    pql_expr_free(e);

    e = must_parse("foo / on(\"äää\") group_left(\"ööö\") bar");
    n = pql_expr_root(e);
    cr_assert_eq(pql_node_label_count(n), 1);
    cr_expect_str_eq(pql_node_label(n, 0), "äää");
    cr_assert_eq(pql_node_include_count(n), 1);
    cr_expect_str_eq(pql_node_include(n, 0), "ööö");
    pql_expr_free(e);
}

Test(ast_api, binary_cardinality)
{
    static const struct {
        const char *q;
        pql_cardinality card;
        int ret_bool;
    } cases[] = {
        {"foo * bar", PQL_CARD_ONE_TO_ONE, 0},
        {"foo and bar", PQL_CARD_MANY_TO_MANY, 0},
        {"foo or bar", PQL_CARD_MANY_TO_MANY, 0},
        {"foo unless on(bar) baz", PQL_CARD_MANY_TO_MANY, 0},
        {"foo == 1", PQL_CARD_NONE, 0},
        {"foo == bool 1", PQL_CARD_NONE, 1},
        {"1 == bool 1", PQL_CARD_NONE, 1},
        {"2.5 / bar", PQL_CARD_NONE, 0},
        {"1 + 1", PQL_CARD_NONE, 0},
        {"foo > bool bar", PQL_CARD_ONE_TO_ONE, 1},
        {"foo </ bar", PQL_CARD_ONE_TO_ONE, 0},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pql_expr *e = must_parse(cases[i].q);
        const pql_node *n = pql_expr_root(e);
        cr_expect_eq(pql_node_cardinality(n), cases[i].card, "`%s`: cardinality %d, expected %d",
                     cases[i].q, (int)pql_node_cardinality(n), (int)cases[i].card);
        cr_expect_eq(pql_node_return_bool(n), cases[i].ret_bool, "`%s`: bool", cases[i].q);
        pql_expr_free(e);
    }
}

Test(ast_api, binary_operators)
{
    static const struct {
        const char *q;
        pql_op op;
        const char *text;
    } cases[] = {
        {"a + b", PQL_OP_ADD, "+"},         {"a - b", PQL_OP_SUB, "-"},
        {"a * b", PQL_OP_MUL, "*"},         {"a / b", PQL_OP_DIV, "/"},
        {"a % b", PQL_OP_MOD, "%"},         {"a ^ b", PQL_OP_POW, "^"},
        {"a atan2 b", PQL_OP_ATAN2, "atan2"}, {"a == b", PQL_OP_EQL, "=="},
        {"a != b", PQL_OP_NEQ, "!="},       {"a > b", PQL_OP_GTR, ">"},
        {"a < b", PQL_OP_LSS, "<"},         {"a >= b", PQL_OP_GTE, ">="},
        {"a <= b", PQL_OP_LTE, "<="},       {"a </ b", PQL_OP_TRIM_UPPER, "</"},
        {"a >/ b", PQL_OP_TRIM_LOWER, ">/"}, {"a and b", PQL_OP_AND, "and"},
        {"a or b", PQL_OP_OR, "or"},        {"a unless b", PQL_OP_UNLESS, "unless"},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pql_expr *e = must_parse(cases[i].q);
        const pql_node *n = pql_expr_root(e);
        cr_expect_eq(pql_node_op(n), cases[i].op, "`%s`: op %d", cases[i].q, (int)pql_node_op(n));
        cr_expect_str_eq(pql_op_text(cases[i].op), cases[i].text, "pql_op_text for `%s`",
                         cases[i].q);
        pql_expr_free(e);
    }
}

Test(ast_api, op_text_of_duration_ops)
{
    cr_expect_str_eq(pql_op_text(PQL_OP_STEP), "step");
    cr_expect_str_eq(pql_op_text(PQL_OP_RANGE), "range");
    cr_expect_str_eq(pql_op_text(PQL_OP_MIN_OF), "min_of");
    cr_expect_str_eq(pql_op_text(PQL_OP_MAX_OF), "max_of");
}

/* ----------------------------------------------- unary, paren, literals -- */

Test(ast_api, unary_and_paren)
{
    pql_expr *e = must_parse("-some_metric");
    const pql_node *n = pql_expr_root(e);
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_UNARY);
    cr_expect_eq(pql_node_op(n), PQL_OP_SUB);
    cr_expect_eq(pql_node_type(n), PQL_TYPE_VECTOR);
    cr_assert_eq(pql_node_child_count(n), 1);
    expect_pos(n, 0, 12, "-some_metric");
    expect_pos(pql_node_child(n, 0), 1, 12, "operand");
    pql_expr_free(e);

    e = must_parse(" +some_metric");
    n = pql_expr_root(e);
    cr_expect_eq(pql_node_op(n), PQL_OP_ADD);
    expect_pos(n, 1, 13, " +some_metric");
    expect_pos(pql_node_child(n, 0), 2, 13, "operand");
    pql_expr_free(e);

    e = must_parse("-1");
    n = pql_expr_root(e);
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_NUMBER, "unary minus folds into the literal");
    cr_expect_eq(pql_node_number(n), -1.0);
    expect_pos(n, 0, 2, "-1");
    pql_expr_free(e);

    e = must_parse("1 + 2/(3*1)");
    n = pql_node_child(pql_node_child(pql_expr_root(e), 1), 1);
    cr_assert_not_null(n);
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_PAREN);
    expect_pos(n, 6, 11, "(3*1)");
    expect_pos(pql_node_child(n, 0), 7, 10, "3*1");
    cr_expect_eq(pql_node_type(n), PQL_TYPE_SCALAR);
    pql_expr_free(e);

    e = must_parse("(sum(foo) )");
    n = pql_expr_root(e);
    expect_pos(n, 0, 11, "(sum(foo) )");
    expect_pos(pql_node_child(n, 0), 1, 9, "sum(foo)");
    expect_pos(pql_node_child(pql_node_child(n, 0), 0), 5, 8, "foo");
    pql_expr_free(e);
}

Test(ast_api, literals)
{
    pql_expr *e = must_parse("\"double-quoted string \\\" with escaped quote\"");
    const pql_node *n = pql_expr_root(e);
    size_t len = 0;
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_STRING);
    cr_expect_eq(pql_node_type(n), PQL_TYPE_STRING);
    cr_expect_str_eq(pql_node_string(n, &len), "double-quoted string \" with escaped quote");
    cr_expect_eq(len, 41);
    expect_pos(n, 0, 44, "string");
    cr_expect_eq(pql_node_number(n), 0.0, "number of a string node");
    pql_expr_free(e);

    e = must_parse("5e-3");
    n = pql_expr_root(e);
    cr_expect_eq(pql_node_number(n), 0.005);
    cr_expect_null(pql_node_string(n, &len), "string of a number node");
    expect_pos(n, 0, 4, "5e-3");
    pql_expr_free(e);

    e = must_parse("1m");
    cr_expect_eq(pql_node_number(pql_expr_root(e)), 60.0, "durations are seconds");
    pql_expr_free(e);
    e = must_parse("1ms");
    cr_expect_eq(pql_node_number(pql_expr_root(e)), 0.001);
    pql_expr_free(e);
}

Test(ast_api, calls)
{
    pql_expr *e = must_parse("rate(some_metric[5m])");
    const pql_node *n = pql_expr_root(e);
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_CALL);
    cr_expect_str_eq(pql_node_function_name(n), "rate");
    cr_expect_eq(pql_node_type(n), PQL_TYPE_VECTOR);
    cr_assert_eq(pql_node_child_count(n), 1);
    cr_expect_eq(pql_node_get_kind(pql_node_child(n, 0)), PQL_NODE_MATRIX_SELECTOR);
    cr_expect_eq(pql_node_range_ns(pql_node_child(n, 0)), 300 * NS_PER_S);
    expect_pos(n, 0, 21, "rate(...)");
    expect_pos(pql_node_child(n, 0), 5, 20, "its argument");
    pql_expr_free(e);

    e = must_parse("time()");
    n = pql_expr_root(e);
    cr_expect_str_eq(pql_node_function_name(n), "time");
    cr_expect_eq(pql_node_child_count(n), 0);
    cr_expect_eq(pql_node_type(n), PQL_TYPE_SCALAR);
    expect_pos(n, 0, 6, "time()");
    pql_expr_free(e);

    e = must_parse("round(some_metric, 5)");
    n = pql_expr_root(e);
    cr_assert_eq(pql_node_child_count(n), 2);
    expect_pos(pql_node_child(n, 1), 19, 20, "second argument");
    pql_expr_free(e);

    e = must_parse("info(http_request_counter_total{namespace=\"zzz\"}, {foo=\"bar\", bar=\"baz\"})");
    n = pql_expr_root(e);
    cr_assert_eq(pql_node_child_count(n), 2);
    cr_expect_null(pql_node_metric_name(pql_node_child(n, 1)));
    cr_expect_eq(pql_node_matcher_count(pql_node_child(n, 1)), 2);
    expect_pos(pql_node_child(n, 1), 50, 72, "info's selector");
    expect_pos(n, 0, 73, "info(...)");
    pql_expr_free(e);
}

Test(ast_api, duration_expression_nodes)
{
    pql_expr *e = must_parse("foo[5m+1m]");
    const pql_node *n = pql_expr_root(e);
    char *s;
    cr_expect_eq(pql_node_get_kind(n), PQL_NODE_MATRIX_SELECTOR);
    cr_expect_eq(pql_node_type(n), PQL_TYPE_MATRIX);
    cr_expect_eq(pql_node_get_kind(pql_node_child(n, 0)), PQL_NODE_VECTOR_SELECTOR,
                 "child 0 stays the selector");
    expect_pos(n, 0, 10, "foo[5m+1m]");
    s = pql_node_format(n);
    cr_expect(s && strcmp(s, "foo[5m + 1m]") == 0, "node format `%s`", s ? s : "(null)");
    free(s);
    pql_expr_free(e);
}

/* ------------------------------------------------------------- printing -- */

Test(ast_api, node_format_of_subtrees)
{
    pql_expr *e = must_parse("sum by (a) (rate(foo{x=\"y\"}[5m] offset 1m)) > bool 2");
    const pql_node *root = pql_expr_root(e);
    char *s = pql_node_format(pql_node_child(root, 0));
    cr_expect(s && strcmp(s, "sum by (a) (rate(foo{x=\"y\"}[5m] offset 1m))") == 0, "lhs `%s`",
              s ? s : "(null)");
    free(s);
    s = pql_node_format(pql_node_child(pql_node_child(root, 0), 0));
    cr_expect(s && strcmp(s, "rate(foo{x=\"y\"}[5m] offset 1m)") == 0, "call `%s`",
              s ? s : "(null)");
    free(s);
    s = pql_node_format(pql_node_child(root, 1));
    cr_expect(s && strcmp(s, "2") == 0, "rhs `%s`", s ? s : "(null)");
    free(s);
    s = pql_expr_format(e);
    cr_expect(s && strcmp(s, "sum by (a) (rate(foo{x=\"y\"}[5m] offset 1m)) > bool 2") == 0,
              "whole `%s`", s ? s : "(null)");
    free(s);
    pql_expr_free(e);
}

/* ------------------------------------------------------ error formatting -- */

static void expect_formatted(const char *q, const char *want)
{
    pql_expr *e = NULL;
    pql_error err;
    char out[512];
    size_t n;
    pql_error_clear(&err);
    cr_assert_neq(tu_parse(q, &e, &err), PQL_OK, "`%s` should not parse", q);
    n = pql_error_format(&err, q, out, sizeof out);
    cr_expect_str_eq(out, want, "`%s`: formatted `%s`, expected `%s`", q, out, want);
    cr_expect_eq(n, strlen(want), "`%s`: returned length %zu, expected %zu", q, n, strlen(want));
}

Test(ast_api, error_format)
{
    /* ParseErr.Error(): "<line>:<col>: parse error: <msg>", col 1-based in
     * bytes from the start of the line holding PositionRange.Start. */
    expect_formatted("1+", "1:3: parse error: unexpected end of input");
    expect_formatted("foo{gibberish}",
                     "1:14: parse error: unexpected \"}\" in label matching, expected label "
                     "matching operator");
    expect_formatted("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier");
    expect_formatted("foo +\n  *1", "2:3: parse error: unexpected <op:*>");
    expect_formatted("sum(\n  foo,\n  bar\n)",
                     "1:1: parse error: wrong number of arguments for aggregate expression "
                     "provided, expected 1, got 2");
    expect_formatted("foo\n\n+ rate(x)",
                     "3:8: parse error: expected type range vector in call to function \"rate\", "
                     "got instant vector");
    expect_formatted("# just a comment\n\n", "1:1: parse error: no expression found in input");
    expect_formatted("\"日本\" + *", "1:12: parse error: unexpected <op:*>");
}

Test(ast_api, error_format_empty_query)
{
    /* posrange.StartPosInput answers "unknown position" for an empty query. */
    expect_formatted("", "unknown position: parse error: no expression found in input");
}

Test(ast_api, error_format_truncates_like_snprintf)
{
    pql_error err;
    pql_expr *e = NULL;
    char out[8];
    const char *want = "1:3: parse error: unexpected end of input";
    size_t n;
    cr_assert_eq(tu_parse("1+", &e, &err), PQL_ERR_PARSE);
    memset(out, 'Z', sizeof out);
    n = pql_error_format(&err, "1+", out, sizeof out);
    cr_expect_eq(n, strlen(want), "full length %zu, expected %zu", n, strlen(want));
    cr_expect_str_eq(out, "1:3: pa", "truncated to cap-1 bytes plus NUL");
    n = pql_error_format(&err, "1+", NULL, 0);
    cr_expect_eq(n, strlen(want), "cap 0 with NULL buffer still reports the length");
}

Test(ast_api, error_clear)
{
    pql_error err;
    memset(&err, 0x5a, sizeof err);
    pql_error_clear(&err);
    cr_expect_eq(err.code, PQL_OK);
    cr_expect_eq(err.start, -1);
    cr_expect_eq(err.end, -1);
    cr_expect_str_eq(err.message, "");
}

Test(ast_api, status_and_type_names)
{
    cr_expect_str_eq(pql_status_text(PQL_OK), "ok");
    cr_expect_str_eq(pql_status_text(PQL_ERR_PARSE), "parse error");
    cr_expect_str_eq(pql_status_text(PQL_ERR_NOMEM), "out of memory");
    cr_expect_str_eq(pql_value_type_name(PQL_TYPE_SCALAR), "scalar");
    cr_expect_str_eq(pql_value_type_name(PQL_TYPE_VECTOR), "instant vector");
    cr_expect_str_eq(pql_value_type_name(PQL_TYPE_MATRIX), "range vector");
    cr_expect_str_eq(pql_value_type_name(PQL_TYPE_STRING), "string");
    cr_expect_str_eq(pql_value_type_name(PQL_TYPE_NONE), "none");
}

/* ---------------------------------------------------------- NULL safety -- */

Test(ast_api, null_safety)
{
    pql_expr_free(NULL);
    cr_expect_eq(pql_node_child_count(NULL), 0);
    cr_expect_null(pql_node_child(NULL, 0));
    cr_expect_null(pql_node_function_name(NULL));
    cr_expect_null(pql_node_metric_name(NULL));
    cr_expect_eq(pql_node_matcher_count(NULL), 0);
    cr_expect_null(pql_node_matcher(NULL, 0));
    cr_expect_eq(pql_node_label_count(NULL), 0);
    cr_expect_null(pql_node_label(NULL, 0));
    cr_expect_eq(pql_node_include_count(NULL), 0);
    cr_expect_null(pql_node_include(NULL, 0));
    cr_expect_eq(pql_node_op(NULL), PQL_OP_NONE);
    cr_expect_eq(pql_node_type(NULL), PQL_TYPE_NONE);
    cr_expect_eq(pql_node_cardinality(NULL), PQL_CARD_NONE);
    cr_expect_eq(pql_node_at(NULL), PQL_AT_NONE);
    cr_expect_eq(pql_node_range_ns(NULL), 0);
    cr_expect_eq(pql_node_step_ns(NULL), 0);
    cr_expect_eq(pql_node_offset_ns(NULL), 0);
    cr_expect_eq(pql_node_is_without(NULL), 0);
    cr_expect_eq(pql_node_return_bool(NULL), 0);
}

Test(ast_api, accessors_on_the_wrong_kind)
{
    pql_expr *e = must_parse("foo");
    const pql_node *n = pql_expr_root(e);
    size_t len = 7;
    cr_expect_null(pql_node_function_name(n));
    cr_expect_eq(pql_node_op(n), PQL_OP_NONE);
    cr_expect_eq(pql_node_label_count(n), 0);
    cr_expect_eq(pql_node_include_count(n), 0);
    cr_expect_eq(pql_node_range_ns(n), 0);
    cr_expect_eq(pql_node_step_ns(n), 0);
    cr_expect_eq(pql_node_cardinality(n), PQL_CARD_NONE);
    cr_expect_null(pql_node_string(n, &len));
    cr_expect_null(pql_node_child(n, 99));
    pql_expr_free(e);

    e = must_parse("sum(foo)");
    n = pql_expr_root(e);
    cr_expect_null(pql_node_metric_name(n));
    cr_expect_eq(pql_node_matcher_count(n), 0);
    cr_expect_null(pql_node_child(n, 1));
    cr_expect_eq(pql_node_at(n), PQL_AT_NONE);
    pql_expr_free(e);
}

Test(ast_api, defaults)
{
    pql_parse_options o = pql_parse_options_default();
    cr_expect(o.enable_experimental_functions, "experimental functions default on");
    cr_expect(o.enable_duration_expressions, "duration expressions default on");
    cr_expect(o.enable_extended_range_selectors, "anchored/smoothed default on");
    cr_expect(o.enable_binop_fill_modifiers, "fill modifiers default on");
    cr_expect_eq(o.max_query_bytes, (size_t)1 << 20, "default query limit 1 MiB");
    cr_expect_eq(o.max_depth, 1000, "default depth limit");
}

Test(ast_api, parse_with_null_options_equals_defaults)
{
    pql_parse_options o = pql_parse_options_default();
    pql_expr *a = NULL, *b = NULL;
    pql_error err;
    const char *q = "limitk(1, foo[5m:] anchored)";
    /* anchored on a subquery is an error either way: compare both paths */
    pql_status s1 = pql_parse(q, strlen(q), NULL, &a, &err);
    pql_status s2 = pql_parse(q, strlen(q), &o, &b, &err);
    cr_expect_eq(s1, s2, "NULL options must behave as the defaults");
    pql_expr_free(a);
    pql_expr_free(b);
}
