/* test_aggregate.c: aggregation operators through the public API: values,
 * NaN/Inf rules, labels, parameters and annotations. */
#include "binagg_test_util.h"

#define A BT_ABSENT

static void data(void)
{
    bt_setup();
    /* Samples every 10m, so a missing one is really absent (5m lookback). */
    bt_add("m job=x inst=1", 600000, (double[]){1, NAN, 3}, 3);
    bt_add("m job=x inst=2", 600000, (double[]){2, 2, INFINITY}, 3);
    bt_add("m job=y inst=1", 600000, (double[]){5, A, -INFINITY}, 3);
    bt_add("k", 600000, (double[]){1, 2, 3}, 3);
}

TestSuite(aggregate, .init = data, .fini = bt_teardown);

Test(aggregate, sum_avg_count_by)
{
    pql_result *r = bt_ok("sum by (job) (m)", 0, 2);
    bt_expect(r, "{job=\"x\"}", 3);
    bt_expect(r, "{job=\"y\"}", 5);
    pql_result_free(r);
    r = bt_ok("avg(m)", 0, 1);
    bt_expect(r, "{}", 8.0 / 3);
    pql_result_free(r);
    r = bt_ok("count without (inst) (m)", 600000, 1);
    bt_expect(r, "{job=\"x\"}", 2);
    pql_result_free(r);
}

Test(aggregate, nan_and_inf)
{
    pql_result *r = bt_ok("sum by (job) (m)", 600000, 1);
    bt_expect(r, "{job=\"x\"}", NAN);
    pql_result_free(r);
    r = bt_ok("max by (job) (m)", 600000, 1);
    bt_expect(r, "{job=\"x\"}", 2); /* NaN loses to any number */
    pql_result_free(r);
    r = bt_ok("sum(m)", 1200000, 1);
    bt_expect(r, "{}", NAN); /* Inf + -Inf */
    pql_result_free(r);
    r = bt_ok("avg by (job) (m)", 1200000, 2);
    bt_expect(r, "{job=\"x\"}", INFINITY);
    bt_expect(r, "{job=\"y\"}", -INFINITY);
    pql_result_free(r);
    r = bt_ok("stddev by (job) (m)", 0, 2);
    bt_expect(r, "{job=\"x\"}", 0.5);
    bt_expect(r, "{job=\"y\"}", 0);
    pql_result_free(r);
    r = bt_ok("stdvar(m)", 1200000, 1);
    bt_expect(r, "{}", NAN);
    pql_result_free(r);
}

Test(aggregate, group_and_min)
{
    pql_result *r = bt_ok("group by (inst) (m)", 0, 2);
    bt_expect(r, "{inst=\"1\"}", 1);
    bt_expect(r, "{inst=\"2\"}", 1);
    pql_result_free(r);
    r = bt_ok("min(m)", 1200000, 1);
    bt_expect(r, "{}", -INFINITY);
    pql_result_free(r);
}

Test(aggregate, topk_order_and_labels)
{
    pql_result *r = bt_ok("topk(2, m)", 0, 2);
    char buf[256];
    bt_labels(r, 0, buf, sizeof buf);
    cr_expect_str_eq(buf, "{__name__=\"m\", inst=\"1\", job=\"y\"}");
    bt_labels(r, 1, buf, sizeof buf);
    cr_expect_str_eq(buf, "{__name__=\"m\", inst=\"2\", job=\"x\"}");
    pql_result_free(r);
    r = bt_ok("bottomk by (job) (1, m)", 0, 2);
    bt_expect(r, "{__name__=\"m\", inst=\"1\", job=\"x\"}", 1);
    bt_expect(r, "{__name__=\"m\", inst=\"1\", job=\"y\"}", 5);
    pql_result_free(r);
}

Test(aggregate, per_step_parameter)
{
    pql_result *r;
    pql_error err;
    cr_assert_eq(
        bt_range("count(topk(scalar(k), m))", 0, 1200000, 600000, &r, &err),
        PQL_OK, "%s", err.message);
    cr_assert_eq(pql_result_series_count(r), 1);
    const int64_t *ts;
    const double *vs;
    size_t n;
    pql_result_points(r, 0, &ts, &vs, &n);
    cr_assert_eq(n, 3);
    cr_expect_eq(vs[0], 1);
    cr_expect_eq(vs[1], 2);
    cr_expect_eq(vs[2], 3);
    pql_result_free(r);
}

Test(aggregate, parameter_errors_and_warnings)
{
    bt_fail("topk(NaN, m)", 0, "Parameter value is NaN");
    bt_fail("limitk(NaN, m)", 0, "Parameter value is NaN");
    bt_fail("limit_ratio(NaN, m)", 0, "Ratio value is NaN");
    pql_result *r = bt_ok("quantile(2, m)", 0, 1);
    bt_expect(r, "{}", INFINITY);
    cr_assert_eq(pql_result_warning_count(r), 1);
    cr_expect_str_eq(pql_result_warning(r, 0),
                     "PromQL warning: quantile value should be between 0 and "
                     "1, got 2 (1:10)");
    pql_result_free(r);
    r = bt_ok("limit_ratio(-1.5, m)", 0, 3);
    cr_assert_eq(pql_result_warning_count(r), 1);
    cr_expect_str_eq(pql_result_warning(r, 0),
                     "PromQL warning: ratio value should be between -1 and 1, "
                     "got -1.5, capping to -1 (1:13)");
    pql_result_free(r);
}

Test(aggregate, quantile_values)
{
    pql_result *r = bt_ok("quantile(0.25, m)", 0, 1);
    bt_expect(r, "{}", 1.5); /* {1, 2, 5}: rank 0.5 */
    pql_result_free(r);
    r = bt_ok("quantile by (job) (1, m)", 600000, 1);
    bt_expect(r, "{job=\"x\"}", 2); /* {NaN, 2}: NaN sorts first */
    pql_result_free(r);
    r = bt_ok("quantile by (job) (0.5, m)", 600000, 1);
    bt_expect(r, "{job=\"x\"}", NAN); /* interpolating with NaN */
    pql_result_free(r);
}

Test(aggregate, count_values_labels)
{
    pql_result *r = bt_ok("count_values(\"v\", m)", 0, 3);
    bt_expect(r, "{v=\"1\"}", 1);
    bt_expect(r, "{v=\"2\"}", 1);
    bt_expect(r, "{v=\"5\"}", 1);
    pql_result_free(r);
    r = bt_ok("count_values by (job) (\"job\", m)", 1200000, 3);
    bt_expect(r, "{job=\"3\"}", 1);
    bt_expect(r, "{job=\"+Inf\"}", 1);
    bt_expect(r, "{job=\"-Inf\"}", 1);
    pql_result_free(r);
    bt_fail("count_values(\"a\\xc5z\", m)", 0,
            "invalid label name \"a\\xc5z\"");
}

Test(aggregate, delayed_name_removal_groups_by_name)
{
    /* Aggregating by __name__ groups by the pending name; both groups lose
     * it at the end and collide. */
    bt_add("n job=x", 600000, (double[]){1}, 1);
    bt_fail("sum by (__name__) (-{job=\"x\"})", 0,
            "vector cannot contain metrics with the same labelset");
    pql_result *r = bt_ok("sum by (__name__) (m)", 0, 1);
    bt_expect(r, "{__name__=\"m\"}", 8);
    pql_result_free(r);
}
