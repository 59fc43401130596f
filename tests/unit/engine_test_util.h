/* engine_test_util.h: helpers for the evaluator tests: a memstore fixture, query runners and result lookups. */
#ifndef PQL_ENGINE_TEST_UTIL_H
#define PQL_ENGINE_TEST_UTIL_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promql.h"

/* A store plus an engine; tests build one per test. */
typedef struct et_fixture {
    pql_memstore *store;
    pql_storage storage;
    pql_engine *engine;
} et_fixture;

static inline void et_init_opts(et_fixture *f, const pql_engine_options *o)
{
    pql_error err;
    cr_assert_eq(pql_memstore_new(&f->store, &err), PQL_OK);
    f->storage = pql_memstore_storage(f->store);
    cr_assert_eq(pql_engine_new(o, &f->engine, &err), PQL_OK, "%s",
                 err.message);
}

static inline void et_init(et_fixture *f)
{
    et_init_opts(f, NULL);
}

static inline void et_fini(et_fixture *f)
{
    pql_engine_free(f->engine);
    pql_memstore_free(f->store);
}

/* Adds one series: labels as "name", "value" pairs ending with NULL, then
 * n samples (t_ms, value). Example:
 *   et_add(f, 2, (int64_t[]){0, 60000}, (double[]){1, 2}, "__name__", "x",
 *          "job", "a", NULL); */
static inline void et_add(et_fixture *f, size_t n, const int64_t *ts,
                          const double *vals, ...)
{
    pql_label lbls[16];
    size_t nl = 0;
    va_list ap;
    va_start(ap, vals);
    for (;;) {
        const char *name = va_arg(ap, const char *);
        if (!name)
            break;
        lbls[nl].name = name;
        lbls[nl].value = va_arg(ap, const char *);
        nl++;
    }
    va_end(ap);
    pql_appender *app;
    pql_error err;
    cr_assert_eq(pql_appender_begin(f->store, &app, &err), PQL_OK);
    cr_assert_eq(pql_appender_add(app, lbls, nl, ts, vals, n, &err), PQL_OK,
                 "%s", err.message);
    cr_assert_eq(pql_appender_commit(app, &err), PQL_OK, "%s", err.message);
}

static inline pql_result *et_instant(et_fixture *f, const char *q, int64_t t)
{
    pql_result *r = NULL;
    pql_error err;
    pql_status st = pql_query_instant(f->engine, &f->storage, q, strlen(q), t,
                                      &r, &err);
    cr_assert_eq(st, PQL_OK, "query %s failed: %s", q, err.message);
    return r;
}

static inline pql_result *et_range(et_fixture *f, const char *q, int64_t s,
                                   int64_t e, int64_t step)
{
    pql_result *r = NULL;
    pql_error err;
    pql_status st = pql_query_range(f->engine, &f->storage, q, strlen(q), s, e,
                                    step, &r, &err);
    cr_assert_eq(st, PQL_OK, "query %s failed: %s", q, err.message);
    return r;
}

/* Runs a query expected to fail; returns the status and copies the message. */

/* Copies an error message into a caller buffer, truncating to fit. */
static inline void et_copy_message(char *msg, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    memcpy(msg, src, n);
    msg[n] = '\0';
}

static inline pql_status et_fail_instant(et_fixture *f, const char *q,
                                         int64_t t, char *msg, size_t cap)
{
    pql_result *r = NULL;
    pql_error err;
    pql_error_clear(&err);
    pql_status st = pql_query_instant(f->engine, &f->storage, q, strlen(q), t,
                                      &r, &err);
    cr_assert_neq(st, PQL_OK, "query %s unexpectedly succeeded", q);
    cr_assert_null(r);
    et_copy_message(msg, cap, err.message);
    return st;
}

static inline pql_status et_fail_range(et_fixture *f, const char *q, int64_t s,
                                       int64_t e, int64_t step, char *msg,
                                       size_t cap)
{
    pql_result *r = NULL;
    pql_error err;
    pql_error_clear(&err);
    pql_status st = pql_query_range(f->engine, &f->storage, q, strlen(q), s, e,
                                    step, &r, &err);
    cr_assert_neq(st, PQL_OK, "query %s unexpectedly succeeded", q);
    cr_assert_null(r);
    et_copy_message(msg, cap, err.message);
    return st;
}

/* Renders series i's labels as {a="x", b="y"} for comparisons. */
static inline const char *et_labels(const pql_result *r, size_t i, char *buf,
                                    size_t cap)
{
    const pql_label *l;
    size_t n;
    pql_result_labels(r, i, &l, &n);
    size_t pos = (size_t)snprintf(buf, cap, "{");
    for (size_t k = 0; k < n && pos < cap; k++)
        pos += (size_t)snprintf(buf + pos, cap - pos, "%s%s=\"%s\"",
                                k ? ", " : "", l[k].name, l[k].value);
    if (pos < cap)
        snprintf(buf + pos, cap - pos, "}");
    return buf;
}

/* Index of the series whose rendered labels equal `want`, or -1. */
static inline long et_find(const pql_result *r, const char *want)
{
    char buf[512];
    for (size_t i = 0; i < pql_result_series_count(r); i++) {
        if (strcmp(et_labels(r, i, buf, sizeof buf), want) == 0)
            return (long)i;
    }
    return -1;
}

/* Asserts an instant-vector sample with these labels and value. */
static inline void et_expect_sample(const pql_result *r, const char *lbls,
                                    double want)
{
    long i = et_find(r, lbls);
    cr_assert_geq(i, 0, "no sample %s", lbls);
    double v;
    int64_t t;
    pql_result_sample(r, (size_t)i, &t, &v);
    if (isnan(want))
        cr_assert(isnan(v), "%s: want NaN got %g", lbls, v);
    else
        cr_assert_float_eq(v, want, 1e-9, "%s: want %g got %g", lbls, want, v);
}

/* Asserts matrix series `lbls` has exactly n points (t[i], v[i]). */
static inline void et_expect_points(const pql_result *r, const char *lbls,
                                    size_t n, const int64_t *t,
                                    const double *v)
{
    long i = et_find(r, lbls);
    cr_assert_geq(i, 0, "no series %s", lbls);
    const int64_t *ts;
    const double *vals;
    size_t got;
    pql_result_points(r, (size_t)i, &ts, &vals, &got);
    cr_assert_eq(got, n, "%s: want %zu points got %zu", lbls, n, got);
    for (size_t k = 0; k < n; k++) {
        cr_assert_eq(ts[k], t[k], "%s point %zu: t want %lld got %lld", lbls,
                     k, (long long)t[k], (long long)ts[k]);
        cr_assert_float_eq(vals[k], v[k], 1e-9, "%s point %zu: want %g got %g",
                           lbls, k, v[k], vals[k]);
    }
}

#define ET_MIN 60000
#define ET_SEC 1000

#endif
