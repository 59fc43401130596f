/* binagg_test_util.h: a tiny in-memory fixture for the binary-operator and
 * aggregation tests, through the public API only. */
#ifndef PQL_BINAGG_TEST_UTIL_H
#define PQL_BINAGG_TEST_UTIL_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "promql.h"

static pql_memstore *bt_store;
static pql_engine *bt_engine;

static inline void bt_setup(void)
{
    pql_error err;
    cr_assert_eq(pql_memstore_new(&bt_store, &err), PQL_OK);
    pql_engine_options o = pql_engine_options_default();
    cr_assert_eq(pql_engine_new(&o, &bt_engine, &err), PQL_OK);
}

static inline void bt_teardown(void)
{
    pql_engine_free(bt_engine);
    pql_memstore_free(bt_store);
}

/* Adds one series: `spec` is "name a=1 b=2" (name may be "-" for none);
 * values are taken every step_ms from t = 0, NaN in `vals` written as
 * the literal NAN; `absent` entries (marked by -12345) are skipped. */
#define BT_ABSENT (-12345.0)

static inline void bt_add(const char *spec, int64_t step_ms, const double *vals,
                          size_t n)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    pql_label labels[16];
    size_t nl = 0;
    char *save = NULL;
    char *tok = strtok_r(buf, " ", &save);
    if (tok && strcmp(tok, "-") != 0) {
        labels[nl].name = "__name__";
        labels[nl++].value = tok;
    }
    while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
        char *eq = strchr(tok, '=');
        cr_assert(eq != NULL);
        *eq = '\0';
        labels[nl].name = tok;
        labels[nl++].value = eq + 1;
    }
    int64_t ts[64];
    double vs[64];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (vals[i] == BT_ABSENT) {
            continue;
        }
        ts[k] = (int64_t)i * step_ms;
        vs[k++] = vals[i];
    }
    pql_appender *app;
    pql_error err;
    cr_assert_eq(pql_appender_begin(bt_store, &app, &err), PQL_OK);
    cr_assert_eq(pql_appender_add(app, labels, nl, ts, vs, k, &err), PQL_OK,
                 "%s", err.message);
    cr_assert_eq(pql_appender_commit(app, &err), PQL_OK, "%s", err.message);
}

/* Runs an instant query; returns the status and fills *res / err. */
static inline pql_status bt_instant(const char *q, int64_t t, pql_result **res,
                                    pql_error *err)
{
    pql_storage st = pql_memstore_storage(bt_store);
    *res = NULL;
    return pql_query_instant(bt_engine, &st, q, strlen(q), t, res, err);
}

static inline pql_status bt_range(const char *q, int64_t start, int64_t end,
                                  int64_t step, pql_result **res,
                                  pql_error *err)
{
    pql_storage st = pql_memstore_storage(bt_store);
    *res = NULL;
    return pql_query_range(bt_engine, &st, q, strlen(q), start, end, step, res,
                           err);
}

/* `{a="1", b="2"}` with the name written as __name__, as Prometheus's
 * Labels.String() does. */
static inline void bt_labels(const pql_result *r, size_t i, char *out,
                             size_t cap)
{
    const pql_label *l;
    size_t n;
    pql_result_labels(r, i, &l, &n);
    size_t pos = (size_t)snprintf(out, cap, "{");
    for (size_t k = 0; k < n && pos < cap; k++) {
        pos += (size_t)snprintf(out + pos, cap - pos, "%s%s=\"%s\"",
                                k ? ", " : "", l[k].name, l[k].value);
    }
    if (pos < cap) {
        snprintf(out + pos, cap - pos, "}");
    }
}

/* Index of the sample/series whose labels print as `want`, or -1. */
static inline long bt_find(const pql_result *r, const char *want)
{
    char buf[512];
    for (size_t i = 0; i < pql_result_series_count(r); i++) {
        bt_labels(r, i, buf, sizeof buf);
        if (strcmp(buf, want) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* Asserts an instant-vector sample's value (NaN matches NaN). */
static inline void bt_expect(const pql_result *r, const char *labels,
                             double want)
{
    long i = bt_find(r, labels);
    cr_assert(i >= 0, "no series %s", labels);
    int64_t t;
    double v;
    pql_result_sample(r, (size_t)i, &t, &v);
    if (isnan(want)) {
        cr_assert(isnan(v), "%s: want NaN, got %g", labels, v);
    } else {
        cr_assert(v == want || fabs(v - want) <= 1e-9 * fabs(want),
                  "%s: want %.17g, got %.17g", labels, want, v);
    }
}

/* Runs q at t, expects success with exactly `n` samples. */
static inline pql_result *bt_ok(const char *q, int64_t t, size_t n)
{
    pql_result *r;
    pql_error err;
    pql_status st = bt_instant(q, t, &r, &err);
    cr_assert_eq(st, PQL_OK, "%s: %s", q, err.message);
    cr_assert_eq(pql_result_series_count(r), n, "%s: want %zu series, got %zu",
                 q, n, pql_result_series_count(r));
    return r;
}

/* Runs q at t and expects the exact error text. */
static inline void bt_fail(const char *q, int64_t t, const char *msg)
{
    pql_result *r;
    pql_error err;
    pql_status st = bt_instant(q, t, &r, &err);
    cr_assert_neq(st, PQL_OK, "%s: expected failure", q);
    cr_assert_str_eq(err.message, msg);
    pql_result_free(r);
}

#endif
