/* test_engine_selector.c: instant and range selectors through the public API: lookback, staleness, offsets, @. */
#include "engine_test_util.h"

static et_fixture fx;

/* x{job="a"}: 1 at 0, 2 at 1m, 3 at 2m.  y{job="b"}: 10 at 0, stale at 1m,
 * 30 at 3m.  Every test starts from this. */
static void setup(void)
{
    et_init(&fx);
    et_add(&fx, 3, (int64_t[]){0, ET_MIN, 2 * ET_MIN}, (double[]){1, 2, 3},
           "__name__", "x", "job", "a", NULL);
    et_add(&fx, 3, (int64_t[]){0, ET_MIN, 3 * ET_MIN},
           (double[]){10, pql_stale_marker(), 30}, "__name__", "y", "job", "b",
           NULL);
}

static void teardown(void)
{
    et_fini(&fx);
}

TestSuite(engine_selector, .init = setup, .fini = teardown);

Test(engine_selector, latest_sample_at_or_before)
{
    pql_result *r = et_instant(&fx, "x", 90 * ET_SEC);
    cr_assert_eq(pql_result_get_type(r), PQL_RESULT_VECTOR);
    cr_assert_eq(pql_result_series_count(r), 1);
    et_expect_sample(r, "{__name__=\"x\", job=\"a\"}", 2);
    int64_t t;
    pql_result_sample(r, 0, &t, NULL);
    cr_assert_eq(t, 90 * ET_SEC, "vector samples carry the evaluation time");
    pql_result_free(r);

    r = et_instant(&fx, "x", 2 * ET_MIN);
    et_expect_sample(r, "{__name__=\"x\", job=\"a\"}", 3);
    pql_result_free(r);
}

Test(engine_selector, lookback_is_left_open)
{
    /* Last sample at 2m; lookback 5m: present through 7m - 1ms, gone at 7m. */
    pql_result *r = et_instant(&fx, "x", 7 * ET_MIN - 1);
    et_expect_sample(r, "{__name__=\"x\", job=\"a\"}", 3);
    pql_result_free(r);
    r = et_instant(&fx, "x", 7 * ET_MIN);
    cr_assert_eq(pql_result_series_count(r), 0);
    pql_result_free(r);
}

Test(engine_selector, before_first_sample_is_empty)
{
    pql_result *r = et_instant(&fx, "x", -1);
    cr_assert_eq(pql_result_series_count(r), 0);
    pql_result_free(r);
}

Test(engine_selector, stale_marker_ends_series)
{
    pql_result *r = et_instant(&fx, "y", 30 * ET_SEC);
    et_expect_sample(r, "{__name__=\"y\", job=\"b\"}", 10);
    pql_result_free(r);
    r = et_instant(&fx, "y", 90 * ET_SEC);
    cr_assert_eq(pql_result_series_count(r), 0, "stale marker hides the series");
    pql_result_free(r);
    r = et_instant(&fx, "y", 3 * ET_MIN);
    et_expect_sample(r, "{__name__=\"y\", job=\"b\"}", 30);
    pql_result_free(r);
}

Test(engine_selector, range_query_columns)
{
    pql_result *r = et_range(&fx, "y", 0, 4 * ET_MIN, ET_MIN);
    cr_assert_eq(pql_result_get_type(r), PQL_RESULT_MATRIX);
    et_expect_points(r, "{__name__=\"y\", job=\"b\"}", 3,
                     (int64_t[]){0, 3 * ET_MIN, 4 * ET_MIN},
                     (double[]){10, 30, 30});
    pql_result_free(r);
}

Test(engine_selector, range_query_sorted_by_labels)
{
    pql_result *r = et_range(&fx, "{job=~\"a|b\"}", 0, 2 * ET_MIN, ET_MIN);
    cr_assert_eq(pql_result_series_count(r), 2);
    char buf[256];
    cr_assert_str_eq(et_labels(r, 0, buf, sizeof buf),
                     "{__name__=\"x\", job=\"a\"}");
    cr_assert_str_eq(et_labels(r, 1, buf, sizeof buf),
                     "{__name__=\"y\", job=\"b\"}");
    pql_result_free(r);
}

Test(engine_selector, offset_positive_and_negative)
{
    pql_result *r = et_instant(&fx, "x offset 1m", 2 * ET_MIN);
    et_expect_sample(r, "{__name__=\"x\", job=\"a\"}", 2);
    pql_result_free(r);
    r = et_instant(&fx, "x offset -1m", ET_MIN);
    et_expect_sample(r, "{__name__=\"x\", job=\"a\"}", 3);
    pql_result_free(r);
    /* Offset keeps the name (it is still the same metric). */
    r = et_range(&fx, "x offset -1m", -ET_MIN, ET_MIN, ET_MIN);
    et_expect_points(r, "{__name__=\"x\", job=\"a\"}", 3,
                     (int64_t[]){-ET_MIN, 0, ET_MIN}, (double[]){1, 2, 3});
    pql_result_free(r);
}

Test(engine_selector, at_modifier)
{
    pql_result *r = et_range(&fx, "x @ 60", 0, 3 * ET_MIN, ET_MIN);
    et_expect_points(r, "{__name__=\"x\", job=\"a\"}", 4,
                     (int64_t[]){0, ET_MIN, 2 * ET_MIN, 3 * ET_MIN},
                     (double[]){2, 2, 2, 2});
    pql_result_free(r);
    r = et_range(&fx, "x @ start()", ET_MIN, 3 * ET_MIN, ET_MIN);
    et_expect_points(r, "{__name__=\"x\", job=\"a\"}", 3,
                     (int64_t[]){ET_MIN, 2 * ET_MIN, 3 * ET_MIN},
                     (double[]){2, 2, 2});
    pql_result_free(r);
    r = et_range(&fx, "x @ end()", 0, ET_MIN, ET_MIN);
    et_expect_points(r, "{__name__=\"x\", job=\"a\"}", 2,
                     (int64_t[]){0, ET_MIN}, (double[]){2, 2});
    pql_result_free(r);
    /* Offset applies relative to the @ time. */
    r = et_instant(&fx, "x @ 120 offset 1m", 10 * ET_MIN);
    et_expect_sample(r, "{__name__=\"x\", job=\"a\"}", 2);
    pql_result_free(r);
}

Test(engine_selector, range_vector_instant_result)
{
    /* (2m - 2m, 2m] = samples at 1m and 2m; the one at 0 is excluded. */
    pql_result *r = et_instant(&fx, "x[2m]", 2 * ET_MIN);
    cr_assert_eq(pql_result_get_type(r), PQL_RESULT_MATRIX);
    et_expect_points(r, "{__name__=\"x\", job=\"a\"}", 2,
                     (int64_t[]){ET_MIN, 2 * ET_MIN}, (double[]){2, 3});
    pql_result_free(r);
    /* Stale markers never appear in range vectors. */
    r = et_instant(&fx, "y[5m]", 3 * ET_MIN);
    et_expect_points(r, "{__name__=\"y\", job=\"b\"}", 2,
                     (int64_t[]){0, 3 * ET_MIN}, (double[]){10, 30});
    pql_result_free(r);
    r = et_instant(&fx, "x[1m] offset 1m", 2 * ET_MIN);
    et_expect_points(r, "{__name__=\"x\", job=\"a\"}", 1,
                     (int64_t[]){ET_MIN}, (double[]){2});
    pql_result_free(r);
}

Test(engine_selector, range_query_rejects_range_vector)
{
    char msg[512];
    et_fail_range(&fx, "x[5m]", 0, ET_MIN, ET_MIN, msg, sizeof msg);
    cr_assert_str_eq(msg, "invalid expression type \"range vector\" for range "
                          "query, must be Scalar or instant Vector");
    et_fail_range(&fx, "\"s\"", 0, ET_MIN, ET_MIN, msg, sizeof msg);
    cr_assert_str_eq(msg, "invalid expression type \"string\" for range "
                          "query, must be Scalar or instant Vector");
}

Test(engine_selector, end_before_start_is_empty)
{
    pql_result *r = et_range(&fx, "x", ET_MIN, 0, ET_MIN);
    cr_assert_eq(pql_result_get_type(r), PQL_RESULT_MATRIX);
    cr_assert_eq(pql_result_series_count(r), 0);
    pql_result_free(r);
}
