/* test_name_removal_off.c: with delayed name removal off, every function and operator checks its output for label sets that collide at a step, as Prometheus does. */
#include <criterion/criterion.h>
#include <string.h>

#include "engine_test_util.h"

static void setup(et_fixture *f, int delayed)
{
    pql_engine_options o = pql_engine_options_default();
    o.enable_delayed_name_removal = delayed;
    o.lookback_delta_ms = 20000; /* shorter than the 30 s scrape: no carry-over */
    et_init_opts(f, &o);
    /* Two counters that differ only by name, both with samples every 30 s;
     * a third pair that never shares a step (first half / second half). */
    int64_t ts[10];
    double v[10];
    for (int i = 0; i < 10; i++) {
        ts[i] = i * 30000;
        v[i] = i * 10;
    }
    et_add(f, 10, ts, v, "__name__", "a_total", "env", "1", NULL);
    et_add(f, 10, ts, v, "__name__", "b_total", "env", "1", NULL);
    et_add(f, 5, ts, v, "__name__", "early", "env", "2", NULL);
    et_add(f, 5, ts + 5, v + 5, "__name__", "late", "env", "2", NULL);
}

static void expect_same_labelset_error(et_fixture *f, const char *q, int64_t s, int64_t e)
{
    char msg[256];
    et_fail_range(f, q, s, e, 30000, msg, sizeof msg);
    cr_expect_str_eq(msg, "vector cannot contain metrics with the same labelset", "%s", q);
}

Test(name_removal_off, function_output_collision_fails_inside_the_query)
{
    et_fixture f;
    setup(&f, 0);
    /* Prometheus without the feature fails at rate(), before sum() could
     * hide the collision. */
    expect_same_labelset_error(&f, "sum(rate({env=\"1\"}[1m]))", 60000, 240000);
    expect_same_labelset_error(&f, "rate({env=\"1\"}[1m])", 60000, 240000);
    expect_same_labelset_error(&f, "abs({env=\"1\"})", 60000, 240000);
    expect_same_labelset_error(&f, "count(-{env=\"1\"})", 60000, 240000);
    expect_same_labelset_error(&f, "count({env=\"1\"} * 2)", 60000, 240000);
    et_fini(&f);
}

Test(name_removal_off, collisions_at_different_steps_merge)
{
    et_fixture f;
    setup(&f, 0);
    /* early has steps 0..120 s, late 150..270 s: one series after -. */
    pql_result *r = et_range(&f, "-{env=\"2\"}", 0, 270000, 30000);
    cr_assert_eq(pql_result_series_count(r), 1);
    const int64_t *t;
    const double *v;
    size_t n;
    pql_result_points(r, 0, &t, &v, &n);
    cr_expect_eq(n, 10);
    pql_result_free(r);
    et_fini(&f);
}

Test(name_removal_off, delayed_removal_on_checks_only_the_end)
{
    et_fixture f;
    setup(&f, 1);
    /* The names survive until the end, so sum() sees two series. */
    pql_result *r = et_range(&f, "sum(rate({env=\"1\"}[1m]))", 60000, 240000, 30000);
    cr_expect_eq(pql_result_series_count(r), 1);
    pql_result_free(r);
    expect_same_labelset_error(&f, "rate({env=\"1\"}[1m])", 60000, 240000);
    et_fini(&f);
}
