/* test_binary.c: binary operators through the public API: values, label rules,
 * matching errors and set operators. */
#include "binagg_test_util.h"

#define A BT_ABSENT

static void data(void)
{
    bt_setup();
    bt_add("a job=x inst=1", 600000, (double[]){1, 2, 3}, 3);
    bt_add("a job=x inst=2", 600000, (double[]){10, A, 30}, 3);
    bt_add("b job=x inst=1", 600000, (double[]){2, 0, NAN}, 3);
    bt_add("b job=x inst=2", 600000, (double[]){5, 5, 5}, 3);
    bt_add("z job=x", 600000, (double[]){100, 100, 100}, 3);
}

TestSuite(binary, .init = data, .fini = bt_teardown);

Test(binary, scalar_arithmetic_and_precedence)
{
    pql_result *r;
    pql_error err;
    int64_t t;
    double v;
    cr_assert_eq(bt_instant("2 ^ 3 ^ 2", 0, &r, &err), PQL_OK, "%s",
                 err.message);
    pql_result_scalar(r, &t, &v);
    cr_expect_eq(v, 512);
    pql_result_free(r);
    cr_assert_eq(bt_instant("5 % -3 + 1 == bool 3", 0, &r, &err), PQL_OK);
    pql_result_scalar(r, &t, &v);
    cr_expect_eq(v, 1); /* fmod keeps the dividend's sign: 2 + 1 */
    pql_result_free(r);
    cr_assert_eq(bt_instant("1 / 0 - 1 / 0", 0, &r, &err), PQL_OK);
    pql_result_scalar(r, &t, &v);
    cr_expect(isnan(v));
    pql_result_free(r);
}

Test(binary, vector_scalar_drops_name)
{
    pql_result *r = bt_ok("a * 2", 0, 2);
    bt_expect(r, "{inst=\"1\", job=\"x\"}", 2);
    bt_expect(r, "{inst=\"2\", job=\"x\"}", 20);
    pql_result_free(r);
}

Test(binary, comparison_filter_keeps_name_and_value)
{
    pql_result *r = bt_ok("5 < a", 0, 1);
    bt_expect(r, "{__name__=\"a\", inst=\"2\", job=\"x\"}", 10);
    pql_result_free(r);
    r = bt_ok("a > bool 5", 0, 2);
    bt_expect(r, "{inst=\"1\", job=\"x\"}", 0);
    bt_expect(r, "{inst=\"2\", job=\"x\"}", 1);
    pql_result_free(r);
}

Test(binary, one_to_one_values)
{
    pql_result *r = bt_ok("a / b", 600000, 1);
    /* inst=2 of a is absent at 10m (past the 5m lookback); 2 / 0 is +Inf. */
    bt_expect(r, "{inst=\"1\", job=\"x\"}", INFINITY);
    pql_result_free(r);
    r = bt_ok("a - b", 1200000, 2);
    bt_expect(r, "{inst=\"1\", job=\"x\"}", NAN);
    bt_expect(r, "{inst=\"2\", job=\"x\"}", 25);
    pql_result_free(r);
}

Test(binary, group_left_and_right)
{
    pql_result *r = bt_ok("a / on(job) group_left z", 0, 2);
    bt_expect(r, "{inst=\"1\", job=\"x\"}", 0.01);
    bt_expect(r, "{inst=\"2\", job=\"x\"}", 0.1);
    pql_result_free(r);
    r = bt_ok("z - on(job) group_right a", 0, 2);
    bt_expect(r, "{inst=\"1\", job=\"x\"}", 99);
    bt_expect(r, "{inst=\"2\", job=\"x\"}", 90);
    pql_result_free(r);
}

Test(binary, matching_errors)
{
    bt_fail("a + on(job) z", 0,
            "multiple matches for labels: many-to-one matching must be "
            "explicit (group_left/group_right)");
    bt_fail("z + on(job) a", 0,
            "found duplicate series for the match group {job=\"x\"} on the "
            "right hand-side of the operation: [{__name__=\"a\", inst=\"1\", "
            "job=\"x\"}, {__name__=\"a\", inst=\"2\", job=\"x\"}];many-to-many "
            "matching not allowed: matching labels must be unique on one side");
    bt_fail("a + on(job) group_right z", 0,
            "found duplicate series for the match group {job=\"x\"} on the "
            "left hand-side of the operation: [{__name__=\"a\", inst=\"1\", "
            "job=\"x\"}, {__name__=\"a\", inst=\"2\", job=\"x\"}];many-to-many "
            "matching not allowed: matching labels must be unique on one side");
    bt_fail(
        "a * on(job) group_left(inst) (z + on(job) group_left a{inst=\"1\"})",
        0,
        "multiple matches for labels: grouping labels must ensure unique "
        "matches");
}

Test(binary, duplicates_only_matter_at_shared_steps)
{
    /* At 10m only inst=1 of a has a value, so one-to-one on(job) works. */
    pql_result *r = bt_ok("a + on(job) z", 600000, 1);
    bt_expect(r, "{job=\"x\"}", 102);
    pql_result_free(r);
}

Test(binary, set_operators)
{
    pql_result *r = bt_ok("a and b", 600000, 1);
    bt_expect(r, "{__name__=\"a\", inst=\"1\", job=\"x\"}", 2);
    pql_result_free(r);
    r = bt_ok("b unless a", 600000, 1);
    bt_expect(r, "{__name__=\"b\", inst=\"2\", job=\"x\"}", 5);
    pql_result_free(r);
    r = bt_ok("a or b", 600000, 2);
    bt_expect(r, "{__name__=\"a\", inst=\"1\", job=\"x\"}", 2);
    bt_expect(r, "{__name__=\"b\", inst=\"2\", job=\"x\"}", 5);
    pql_result_free(r);
    r = bt_ok("a and on() z", 0, 2);
    pql_result_free(r);
}

Test(binary, fill_modifiers)
{
    pql_result *r = bt_ok("a - fill(1) z", 0, 3);
    bt_expect(r, "{inst=\"1\", job=\"x\"}", 0);
    bt_expect(r, "{inst=\"2\", job=\"x\"}", 9);
    bt_expect(r, "{job=\"x\"}", -99);
    pql_result_free(r);
}

Test(binary, trim_on_floats_is_info_only)
{
    pql_result *r = bt_ok("a </ 1", 0, 0);
    cr_assert_eq(pql_result_info_count(r), 1);
    cr_expect_str_eq(pql_result_info(r, 0),
                     "PromQL info: incompatible sample types encountered for "
                     "binary operator \"</\": float </ float (1:1)");
    pql_result_free(r);
}

Test(binary, range_query_per_step)
{
    pql_result *r;
    pql_error err;
    cr_assert_eq(bt_range("a > bool b", 0, 1200000, 600000, &r, &err), PQL_OK,
                 "%s", err.message);
    long i = bt_find(r, "{inst=\"2\", job=\"x\"}");
    cr_assert(i >= 0);
    const int64_t *ts;
    const double *vs;
    size_t n;
    pql_result_points(r, (size_t)i, &ts, &vs, &n);
    cr_assert_eq(n, 2); /* a{inst=2} is absent at 10m */
    cr_expect_eq(ts[0], 0);
    cr_expect_eq(vs[0], 1);
    cr_expect_eq(ts[1], 1200000);
    cr_expect_eq(vs[1], 1);
    pql_result_free(r);
}
