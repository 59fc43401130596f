/* test_engine_eval.c: evaluator core through the public API: literals, result shapes, name removal, first functions, limits, cancellation. */
#include "engine_test_util.h"
#include "functions.h"
#include "functions_table.h"

static et_fixture fx;

static void add_data(void)
{
    et_add(&fx, 3, (int64_t[]){0, ET_MIN, 2 * ET_MIN}, (double[]){1, -2, 3},
           "__name__", "a", "job", "j", NULL);
    et_add(&fx, 2, (int64_t[]){0, ET_MIN}, (double[]){5, 6}, "__name__", "b",
           "job", "j", NULL);
    et_add(&fx, 1, (int64_t[]){2 * ET_MIN}, (double[]){7}, "__name__", "c",
           "job", "j", NULL);
}

static void setup(void)
{
    et_init(&fx);
    add_data();
}

static void teardown(void)
{
    et_fini(&fx);
}

TestSuite(engine_eval, .init = setup, .fini = teardown);

Test(engine_eval, scalar_and_string_results)
{
    pql_result *r = et_instant(&fx, "-2.5", 1000);
    cr_assert_eq(pql_result_get_type(r), PQL_RESULT_SCALAR);
    int64_t t;
    double v;
    pql_result_scalar(r, &t, &v);
    cr_assert_eq(t, 1000);
    cr_assert_float_eq(v, -2.5, 0);
    pql_result_free(r);

    r = et_instant(&fx, "\"hello\"", 1000);
    cr_assert_eq(pql_result_get_type(r), PQL_RESULT_STRING);
    cr_assert_str_eq(pql_result_string(r, &t), "hello");
    cr_assert_eq(t, 1000);
    pql_result_free(r);
}

Test(engine_eval, scalar_in_range_query_is_one_unlabelled_series)
{
    pql_result *r = et_range(&fx, "(3)", 0, 2 * ET_MIN, ET_MIN);
    cr_assert_eq(pql_result_get_type(r), PQL_RESULT_MATRIX);
    cr_assert_eq(pql_result_series_count(r), 1);
    et_expect_points(r, "{}", 3, (int64_t[]){0, ET_MIN, 2 * ET_MIN},
                     (double[]){3, 3, 3});
    pql_result_free(r);

    r = et_range(&fx, "time()", 0, 2 * ET_MIN, ET_MIN);
    et_expect_points(r, "{}", 3, (int64_t[]){0, ET_MIN, 2 * ET_MIN},
                     (double[]){0, 60, 120});
    pql_result_free(r);
}

Test(engine_eval, unary_minus_drops_name)
{
    pql_result *r = et_instant(&fx, "-a", ET_MIN);
    et_expect_sample(r, "{job=\"j\"}", 2);
    pql_result_free(r);
    r = et_instant(&fx, "+a", ET_MIN);
    et_expect_sample(r, "{__name__=\"a\", job=\"j\"}", -2);
    pql_result_free(r);
}

Test(engine_eval, name_collision_after_removal_fails)
{
    char msg[512];
    et_fail_instant(&fx, "-{job=\"j\"}", ET_MIN, msg, sizeof msg);
    cr_assert_str_eq(msg, "vector cannot contain metrics with the same labelset");
}

Test(engine_eval, name_collision_without_overlap_merges)
{
    /* d ends with a stale marker at 90s, e starts at 2m: after name removal
     * both are {k="v"} but never at the same step, so Prometheus merges them
     * into one series. */
    et_add(&fx, 3, (int64_t[]){0, ET_MIN, 90 * ET_SEC},
           (double[]){1, 2, pql_stale_marker()}, "__name__", "d", "k", "v",
           NULL);
    et_add(&fx, 1, (int64_t[]){2 * ET_MIN}, (double[]){3}, "__name__", "e",
           "k", "v", NULL);
    pql_result *r =
        et_range(&fx, "-{__name__=~\"d|e\"}", 0, 2 * ET_MIN, ET_MIN);
    cr_assert_eq(pql_result_series_count(r), 1);
    et_expect_points(r, "{k=\"v\"}", 3, (int64_t[]){0, ET_MIN, 2 * ET_MIN},
                     (double[]){-1, -2, -3});
    pql_result_free(r);

    /* b lasts to 2m through lookback and meets c there: a real collision. */
    char msg[512];
    et_fail_range(&fx, "-{__name__=~\"b|c\"}", 0, 2 * ET_MIN, ET_MIN, msg,
                  sizeof msg);
    cr_assert_str_eq(msg, "vector cannot contain metrics with the same labelset");
}

Test(engine_eval, delayed_name_removal_off_drops_immediately)
{
    et_fini(&fx);
    pql_engine_options o = pql_engine_options_default();
    o.enable_delayed_name_removal = 0;
    et_init_opts(&fx, &o);
    add_data();
    pql_result *r = et_instant(&fx, "-a", ET_MIN);
    et_expect_sample(r, "{job=\"j\"}", 2);
    pql_result_free(r);
}

Test(engine_eval, abs_timestamp_vector_scalar)
{
    pql_result *r = et_instant(&fx, "abs(a)", ET_MIN);
    et_expect_sample(r, "{job=\"j\"}", 2);
    pql_result_free(r);

    /* timestamp() of a selector is the time of the sample lookback found. */
    r = et_instant(&fx, "timestamp(a)", 90 * ET_SEC);
    et_expect_sample(r, "{job=\"j\"}", 60);
    pql_result_free(r);
    r = et_instant(&fx, "timestamp((a))", 90 * ET_SEC);
    et_expect_sample(r, "{job=\"j\"}", 60);
    pql_result_free(r);
    /* ... and of anything else the evaluation time. */
    r = et_instant(&fx, "timestamp(-a)", 90 * ET_SEC);
    et_expect_sample(r, "{job=\"j\"}", 90);
    pql_result_free(r);

    r = et_instant(&fx, "vector(4)", 0);
    cr_assert_eq(pql_result_get_type(r), PQL_RESULT_VECTOR);
    et_expect_sample(r, "{}", 4);
    pql_result_free(r);

    r = et_range(&fx, "scalar(a)", 0, 2 * ET_MIN, ET_MIN);
    et_expect_points(r, "{}", 3, (int64_t[]){0, ET_MIN, 2 * ET_MIN},
                     (double[]){1, -2, 3});
    pql_result_free(r);
    /* Several series at a step: NaN. */
    r = et_instant(&fx, "scalar({job=\"j\"})", ET_MIN);
    double v;
    pql_result_scalar(r, NULL, &v);
    cr_assert(isnan(v));
    pql_result_free(r);
}

/* Every function the parser knows has a planner in the engine. */
Test(engine_eval, every_function_implemented)
{
    for (size_t i = 0; i < fn_count(); i++) {
        const char *name = fn_at(i)->name;
        const fn_impl *impl = fn_impl_lookup(name);
        cr_assert_not_null(impl, "function %s missing from the engine table",
                           name);
        cr_assert_not_null(impl->plan, "function %s has no planner", name);
    }
}

/* histogram_count & co. read native histograms only: float input gives an
 * empty vector (Prometheus ignores float samples there), for instant and
 * range queries alike. */
Test(engine_eval, histogram_stat_functions_ignore_floats)
{
    static const char *const queries[] = {
        "histogram_count(a)", "histogram_sum(a)", "histogram_avg(a)",
        "histogram_stddev(a)", "histogram_stdvar(a)"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        pql_result *r = et_instant(&fx, queries[i], 0);
        cr_assert_eq(pql_result_get_type(r), PQL_RESULT_VECTOR, "%s", queries[i]);
        cr_assert_eq(pql_result_series_count(r), 0, "%s", queries[i]);
        pql_result_free(r);
        r = et_range(&fx, queries[i], 0, ET_MIN, ET_MIN);
        cr_assert_eq(pql_result_series_count(r), 0, "%s (range)", queries[i]);
        pql_result_free(r);
    }
}

Test(engine_eval, sample_limit)
{
    et_fini(&fx);
    pql_engine_options o = pql_engine_options_default();
    o.max_samples = 2;
    et_init_opts(&fx, &o);
    add_data();
    pql_result *r = et_range(&fx, "a", 0, ET_MIN, ET_MIN);
    pql_query_stats stats;
    pql_result_stats(r, &stats);
    cr_assert_eq(stats.peak_samples, 2);
    pql_result_free(r);
    char msg[512];
    pql_status st =
        et_fail_range(&fx, "a", 0, 2 * ET_MIN, ET_MIN, msg, sizeof msg);
    cr_assert_eq(st, PQL_ERR_TOO_MANY_SAMPLES);
    cr_assert_str_eq(msg, "query processing would load too many samples into "
                          "memory in query execution");
}

Test(engine_eval, memory_limit)
{
    et_fini(&fx);
    pql_engine_options o = pql_engine_options_default();
    o.max_memory_bytes = 64 * 1024;
    et_init_opts(&fx, &o);
    add_data();
    char msg[512];
    pql_status st = et_fail_range(&fx, "a", 0, (int64_t)100000 * ET_MIN,
                                  ET_MIN, msg, sizeof msg);
    cr_assert_eq(st, PQL_ERR_MEMORY_LIMIT, "%s", msg);
}

Test(engine_eval, stats_count_storage_samples)
{
    pql_result *r = et_instant(&fx, "a", 2 * ET_MIN);
    pql_query_stats stats;
    pql_result_stats(r, &stats);
    cr_assert_eq(stats.total_samples, 3);
    pql_result_free(r);
}

/* A storage wrapper that cancels the query from inside select(), the way
 * another thread would while the query runs. */
static pql_query *cancel_target;
static const pql_storage_methods *inner_methods;
static pql_storage_methods cancel_methods;

static pql_status cancel_select(void *self, const pql_matcher *m, size_t n,
                                int64_t mint, int64_t maxt,
                                const pql_select_hints *h, void **set,
                                pql_error *err)
{
    pql_query_cancel(cancel_target);
    return inner_methods->select(self, m, n, mint, maxt, h, set, err);
}

Test(engine_eval, cancellation)
{
    inner_methods = fx.storage.methods;
    cancel_methods = *inner_methods;
    cancel_methods.select = cancel_select;
    pql_storage st = {&cancel_methods, fx.storage.self};
    pql_error err;
    cr_assert_eq(pql_query_new_range(fx.engine, &st, "a", 1, 0, 2 * ET_MIN,
                                     ET_MIN, &cancel_target, &err),
                 PQL_OK);
    pql_result *r = NULL;
    pql_status s = pql_query_exec(cancel_target, &r, &err);
    cr_assert_eq(s, PQL_ERR_CANCELED);
    cr_assert_null(r);
    cr_assert_str_eq(err.message, "query was canceled in expression evaluation");
    /* A fresh exec of the same query runs normally with the plain storage. */
    pql_query_free(cancel_target);
    cr_assert_eq(pql_query_new_range(fx.engine, &fx.storage, "a", 1, 0,
                                     2 * ET_MIN, ET_MIN, &cancel_target, &err),
                 PQL_OK);
    cr_assert_eq(pql_query_exec(cancel_target, &r, &err), PQL_OK);
    cr_assert_eq(pql_result_series_count(r), 1);
    pql_result_free(r);
    pql_query_free(cancel_target);
}

Test(engine_eval, parse_error_passes_through)
{
    pql_result *r = NULL;
    pql_error err;
    pql_status st = pql_query_instant(fx.engine, &fx.storage, "a +", 3, 0, &r,
                                      &err);
    cr_assert_eq(st, PQL_ERR_PARSE);
    cr_assert_null(r);
}

Test(engine_eval, invalid_step)
{
    pql_result *r = NULL;
    pql_error err;
    pql_status st = pql_query_range(fx.engine, &fx.storage, "a", 1, 0, 10, 0,
                                    &r, &err);
    cr_assert_eq(st, PQL_ERR_INVALID_ARGUMENT);
}
