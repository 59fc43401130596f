/* test_subquery.c: subquery evaluation through the public API: sample accounting, the default-step option and range-query grids. */
#include "engine_test_util.h"

static et_fixture fx;

/* x: 0..9 at 0m..9m. */
static void add_x(void)
{
    int64_t ts[10];
    double vals[10];
    for (int i = 0; i < 10; i++) {
        ts[i] = (int64_t)i * ET_MIN;
        vals[i] = i;
    }
    et_add(&fx, 10, ts, vals, "__name__", "x", NULL);
}

static void setup(void)
{
    et_init(&fx);
    add_x();
}

static void teardown(void)
{
    et_fini(&fx);
}

TestSuite(subquery, .init = setup, .fini = teardown);

/* Prometheus keeps the whole subquery result (10 points) counted while the
 * function holds its window over it (10 more): 20 do not fit in 15, where
 * the plain range selector's 10 do. */
Test(subquery, result_counts_against_sample_limit)
{
    et_fini(&fx);
    pql_engine_options o = pql_engine_options_default();
    o.max_samples = 15;
    et_init_opts(&fx, &o);
    add_x();
    pql_result *r = et_instant(&fx, "sum_over_time(x[10m])", 10 * ET_MIN);
    et_expect_sample(r, "{}", 45);
    pql_result_free(r);
    char msg[512];
    pql_status st = et_fail_instant(&fx, "sum_over_time(x[10m:1m])",
                                    10 * ET_MIN, msg, sizeof msg);
    cr_assert_eq(st, PQL_ERR_TOO_MANY_SAMPLES);
}

Test(subquery, default_step_comes_from_options)
{
    et_fini(&fx);
    pql_engine_options o = pql_engine_options_default();
    o.default_step_ms = 30 * ET_SEC;
    et_init_opts(&fx, &o);
    add_x();
    /* (8m, 10m] at 30s steps: 8m30s, 9m, 9m30s, 10m -> 8 + 9 + 9 + 9. */
    pql_result *r = et_instant(&fx, "sum_over_time(x[2m:])", 10 * ET_MIN);
    et_expect_sample(r, "{}", 35);
    pql_result_free(r);
}

/* One inner evaluation serves every outer step of a range query. */
Test(subquery, range_query_windows)
{
    pql_result *r = et_range(&fx, "max_over_time(x[3m:1m] offset 1m)",
                             4 * ET_MIN, 6 * ET_MIN, ET_MIN);
    et_expect_points(r, "{}", 3,
                     (int64_t[]){4 * ET_MIN, 5 * ET_MIN, 6 * ET_MIN},
                     (double[]){3, 4, 5});
    pql_result_free(r);
}

/* Before the first sample the inner steps see nothing: no output at all,
 * even when evaluated at negative times (steps align below zero too). */
Test(subquery, negative_times_align)
{
    pql_result *r = et_instant(&fx, "count_over_time(x[5m:1m])", -ET_MIN);
    cr_assert_eq(pql_result_series_count(r), 0);
    pql_result_free(r);
    r = et_instant(&fx, "count_over_time(x[5m:1m])", 90 * ET_SEC);
    /* (-3m30s, 1m30s] -> -3m..1m; only 0m and 1m see samples. */
    et_expect_sample(r, "{}", 2);
    pql_result_free(r);
}
