/* test_memstore.c: the in-memory store through its public API: appends, reads,
 * selection order, matchers, errors, rollback. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "promql.h"

/* ------------------------------------------------------------- helpers -- */

static pql_memstore *ts_new_store(void)
{
    pql_memstore *st = NULL;
    pql_error err;
    cr_assert_eq(pql_memstore_new(&st, &err), PQL_OK);
    cr_assert_not_null(st);
    return st;
}

/* Parses "k=v,k=v" (no escaping; test data only) into labels backed by buf. */
static size_t ts_labels(const char *spec, char *buf, size_t cap, pql_label *out,
                        size_t max)
{
    size_t n = 0, len = strlen(spec);
    cr_assert_lt(len, cap);
    memcpy(buf, spec, len + 1);
    char *p = buf;
    while (*p && n < max) {
        char *eq = strchr(p, '=');
        cr_assert_not_null(eq);
        *eq = '\0';
        char *v = eq + 1;
        char *comma = strchr(v, ',');
        out[n].name = p;
        out[n].value = v;
        n++;
        if (comma == NULL)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return n;
}

/* Adds samples (t, v) to one series inside app; returns the status. */
static pql_status ts_add(pql_appender *app, const char *spec, const int64_t *t,
                         const double *v, size_t n, pql_error *err)
{
    char buf[512];
    pql_label l[16];
    size_t nl = ts_labels(spec, buf, sizeof buf, l, 16);
    return pql_appender_add(app, l, nl, t, v, n, err);
}

/* Commits one series with n samples t = i*step, v = i (+offset). */
static void ts_load(pql_memstore *st, const char *spec, size_t n, int64_t step,
                    double offset)
{
    int64_t *t = malloc((n ? n : 1) * sizeof *t);
    double *v = malloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        t[i] = (int64_t)i * step;
        v[i] = (double)i + offset;
    }
    pql_appender *app;
    pql_error err;
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    cr_assert_eq(ts_add(app, spec, t, v, n, &err), PQL_OK, "%s", err.message);
    cr_assert_eq(pql_appender_commit(app, &err), PQL_OK, "%s", err.message);
    free(t);
    free(v);
}

/* Formats a label set as {a="b", c="d"} for comparisons. */
static void ts_format(const pql_label *l, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    k += (size_t)snprintf(out + k, cap - k, "{");
    for (size_t i = 0; i < n && k < cap; i++)
        k += (size_t)snprintf(out + k, cap - k, "%s%s=\"%s\"", i ? ", " : "",
                              l[i].name, l[i].value);
    if (k < cap)
        snprintf(out + k, cap - k, "}");
}

/* Runs a select and joins the series' label sets with ';'. Matchers come as
 * (name, type, value) triples. */
static void ts_select(pql_memstore *st, const pql_matcher *ms, size_t n,
                      int64_t mint, int64_t maxt, char *out, size_t cap)
{
    pql_storage s = pql_memstore_storage(st);
    void *set = NULL;
    pql_error err;
    cr_assert_eq(s.methods->select(s.self, ms, n, mint, maxt, NULL, &set, &err),
                 PQL_OK, "%s", err.message);
    out[0] = '\0';
    size_t k = 0;
    const pql_label *l;
    size_t nl;
    void *it;
    while (s.methods->set_next(set, &l, &nl, &it, &err) == 1) {
        char one[512];
        ts_format(l, nl, one, sizeof one);
        k += (size_t)snprintf(out + k, cap - k, "%s%s", k ? ";" : "", one);
    }
    s.methods->set_close(set);
}

#define PM(t, n, v)                                                            \
    {                                                                          \
        (n), (t), (v), sizeof(v) - 1                                           \
    }

/* ------------------------------------------------------------- appends -- */

Test(memstore, append_and_read_back)
{
    pql_memstore *st = ts_new_store();
    ts_load(st, "__name__=up,job=api", 10, 1000, 0.5);
    cr_expect_eq(pql_memstore_series_count(st), 1);
    cr_expect_eq(pql_memstore_sample_count(st), 10);

    pql_storage s = pql_memstore_storage(st);
    cr_expect_eq(s.methods->version, PQL_STORAGE_VERSION);
    cr_expect_null(s.methods->iter_read_histograms);
    pql_matcher m[] = {PM(PQL_MATCH_EQUAL, "__name__", "up")};
    void *set;
    pql_error err;
    cr_assert_eq(
        s.methods->select(s.self, m, 1, INT64_MIN, INT64_MAX, NULL, &set, &err),
        PQL_OK);
    const pql_label *l;
    size_t nl;
    void *it;
    cr_assert_eq(s.methods->set_next(set, &l, &nl, &it, &err), 1);
    cr_assert_eq(nl, 2);
    cr_expect_str_eq(l[0].name, "__name__");
    cr_expect_str_eq(l[0].value, "up");
    cr_expect_str_eq(l[1].name, "job");
    cr_expect_str_eq(l[1].value, "api");
    int64_t ts[32];
    double v[32];
    ptrdiff_t got =
        s.methods->iter_read_floats(it, INT64_MIN, INT64_MAX, ts, v, 32, &err);
    cr_assert_eq(got, 10);
    for (int i = 0; i < 10; i++) {
        cr_expect_eq(ts[i], i * 1000);
        cr_expect_eq(v[i], i + 0.5);
    }
    cr_expect_eq(s.methods->set_next(set, &l, &nl, &it, &err), 0);
    s.methods->set_close(set);
    pql_memstore_free(st);
}

Test(memstore, batches_cross_the_buffer_cap)
{
    pql_memstore *st = ts_new_store();
    ts_load(st, "__name__=m", 1000, 15, 0);
    pql_storage s = pql_memstore_storage(st);
    pql_matcher m[] = {PM(PQL_MATCH_EQUAL, "__name__", "m")};
    void *set, *it;
    pql_error err;
    const pql_label *l;
    size_t nl;
    cr_assert_eq(
        s.methods->select(s.self, m, 1, 0, INT64_MAX, NULL, &set, &err),
        PQL_OK);
    cr_assert_eq(s.methods->set_next(set, &l, &nl, &it, &err), 1);

    /* Same window repeatedly: continues where the last full batch ended. */
    int64_t ts[64];
    double v[64];
    size_t total = 0, calls = 0;
    for (;;) {
        ptrdiff_t got =
            s.methods->iter_read_floats(it, 100, 14000, ts, v, 64, &err);
        cr_assert_geq(got, 0);
        for (ptrdiff_t k = 0; k < got; k++) {
            /* First sample >= 100 is t=105 (i=7). */
            cr_expect_eq(ts[k], (int64_t)(7 + total) * 15);
            cr_expect_eq(v[k], (double)(7 + total));
            total++;
        }
        calls++;
        if ((size_t)got < 64)
            break;
    }
    /* t in [105, 13995]: i from 7 to 933. */
    cr_expect_eq(total, 927);
    cr_expect_eq(calls, 15);

    /* After exhaustion the same window reads afresh. */
    cr_expect_eq(s.methods->iter_read_floats(it, 100, 14000, ts, v, 64, &err),
                 64);
    cr_expect_eq(ts[0], 105);

    /* Moving mint past the last sample read, the engine's own style. */
    int64_t from = 0;
    total = 0;
    for (;;) {
        ptrdiff_t got =
            s.methods->iter_read_floats(it, from, INT64_MAX, ts, v, 50, &err);
        for (ptrdiff_t k = 0; k < got; k++)
            cr_expect_eq(ts[k], (int64_t)(total++) * 15);
        if (got < 50)
            break;
        from = ts[got - 1] + 1;
    }
    cr_expect_eq(total, 1000);
    s.methods->set_close(set);
    pql_memstore_free(st);
}

Test(memstore, mint_maxt_bounds_are_inclusive)
{
    pql_memstore *st = ts_new_store();
    ts_load(st, "__name__=m", 10, 10, 0); /* t = 0, 10, ..., 90 */
    pql_storage s = pql_memstore_storage(st);
    pql_matcher m[] = {PM(PQL_MATCH_EQUAL, "__name__", "m")};
    void *set, *it;
    pql_error err;
    const pql_label *l;
    size_t nl;
    cr_assert_eq(s.methods->select(s.self, m, 1, 0, 100, NULL, &set, &err),
                 PQL_OK);
    cr_assert_eq(s.methods->set_next(set, &l, &nl, &it, &err), 1);
    int64_t ts[16];
    double v[16];
    cr_expect_eq(s.methods->iter_read_floats(it, 20, 50, ts, v, 16, &err), 4);
    cr_expect_eq(ts[0], 20);
    cr_expect_eq(ts[3], 50);
    cr_expect_eq(s.methods->iter_read_floats(it, 21, 49, ts, v, 16, &err), 2);
    cr_expect_eq(ts[0], 30);
    cr_expect_eq(s.methods->iter_read_floats(it, 90, 90, ts, v, 16, &err), 1);
    cr_expect_eq(ts[0], 90);
    cr_expect_eq(s.methods->iter_read_floats(it, 91, 1000, ts, v, 16, &err), 0);
    cr_expect_eq(s.methods->iter_read_floats(it, -100, -1, ts, v, 16, &err), 0);
    cr_expect_eq(s.methods->iter_read_floats(it, 50, 20, ts, v, 16, &err), 0);
    cr_expect_eq(
        s.methods->iter_read_floats(it, INT64_MIN, INT64_MAX, ts, v, 16, &err),
        10);
    s.methods->set_close(set);

    /* select() skips series with no sample in [mint, maxt]. */
    char out[256];
    ts_select(st, m, 1, 91, 200, out, sizeof out);
    cr_expect_str_eq(out, "");
    ts_select(st, m, 1, 90, 200, out, sizeof out);
    cr_expect_str_eq(out, "{__name__=\"m\"}");
    ts_select(st, m, 1, -50, -1, out, sizeof out);
    cr_expect_str_eq(out, "");
    ts_select(st, m, 1, 1, 9, out, sizeof out);
    cr_expect_str_eq(out, "");
    pql_memstore_free(st);
}

Test(memstore, select_output_is_in_label_order)
{
    pql_memstore *st = ts_new_store();
    /* Inserted out of order on purpose. */
    ts_load(st, "__name__=m,x=2", 1, 1, 0);
    ts_load(st, "__name__=m,x=10", 1, 1, 0);
    ts_load(st, "__name__=m,a=1,x=1", 1, 1, 0);
    ts_load(st, "__name__=m", 1, 1, 0);
    ts_load(st, "__name__=l,x=9", 1, 1, 0);
    ts_load(st, "__name__=m,Z=1", 1, 1, 0);
    ts_load(st, "x=1,__name__=m", 1, 1, 0);
    char out[1024];
    pql_matcher all[] = {PM(PQL_MATCH_REGEX, "__name__", ".+")};
    ts_select(st, all, 1, INT64_MIN, INT64_MAX, out, sizeof out);
    /* Label by label, name then value, bytewise: "Z" < "__name__" < "a" <
     * "x"; "10" < "2"; a prefix sorts first. */
    cr_expect_str_eq(out, "{Z=\"1\", __name__=\"m\"};"
                          "{__name__=\"l\", x=\"9\"};"
                          "{__name__=\"m\"};"
                          "{__name__=\"m\", a=\"1\", x=\"1\"};"
                          "{__name__=\"m\", x=\"1\"};"
                          "{__name__=\"m\", x=\"10\"};"
                          "{__name__=\"m\", x=\"2\"}");
    cr_expect_eq(pql_memstore_series_count(st), 7);

    /* Many series: still sorted (exercises the merge sort). */
    pql_memstore_clear(st);
    cr_expect_eq(pql_memstore_series_count(st), 0);
    for (int i = 199; i >= 0; i--) {
        char spec[64];
        snprintf(spec, sizeof spec, "__name__=big,i=%d", (i * 7919) % 200);
        ts_load(st, spec, 1, 1, 0);
    }
    pql_storage s = pql_memstore_storage(st);
    pql_matcher big[] = {PM(PQL_MATCH_EQUAL, "__name__", "big")};
    void *set, *it;
    pql_error err;
    const pql_label *l;
    size_t nl;
    cr_assert_eq(s.methods->select(s.self, big, 1, INT64_MIN, INT64_MAX, NULL,
                                   &set, &err),
                 PQL_OK);
    char prev[32] = "";
    int n = 0;
    while (s.methods->set_next(set, &l, &nl, &it, &err) == 1) {
        cr_expect_gt(strcmp(l[1].value, prev), 0, "%s after %s", l[1].value,
                     prev);
        snprintf(prev, sizeof prev, "%s", l[1].value);
        n++;
    }
    cr_expect_eq(n, 200);
    s.methods->set_close(set);
    pql_memstore_free(st);
}

Test(memstore, select_with_every_matcher_type)
{
    pql_memstore *st = ts_new_store();
    ts_load(st, "__name__=http,job=api-server,group=production", 1, 1, 0);
    ts_load(st, "__name__=http,job=api-server,group=canary", 1, 1, 0);
    ts_load(st, "__name__=http,job=app-server,group=production", 1, 1, 0);
    ts_load(st, "__name__=http,job=app-server", 1, 1, 0);
    ts_load(st, "__name__=other,job=api-server", 1, 1, 0);
    char out[2048];
    const int64_t lo = INT64_MIN, hi = INT64_MAX;

    pql_matcher eq[] = {PM(PQL_MATCH_EQUAL, "__name__", "http"),
                        PM(PQL_MATCH_EQUAL, "group", "canary")};
    ts_select(st, eq, 2, lo, hi, out, sizeof out);
    cr_expect_str_eq(out, "{__name__=\"http\", group=\"canary\", "
                          "job=\"api-server\"}");

    /* `group=""` selects series without group. */
    pql_matcher empty[] = {PM(PQL_MATCH_EQUAL, "__name__", "http"),
                           PM(PQL_MATCH_EQUAL, "group", "")};
    ts_select(st, empty, 2, lo, hi, out, sizeof out);
    cr_expect_str_eq(out, "{__name__=\"http\", job=\"app-server\"}");

    /* `group!=""` selects series with group, across names. */
    pql_matcher nonempty[] = {PM(PQL_MATCH_NOT_EQUAL, "group", "")};
    ts_select(st, nonempty, 1, lo, hi, out, sizeof out);
    cr_expect_str_eq(
        out, "{__name__=\"http\", group=\"canary\", job=\"api-server\"};"
             "{__name__=\"http\", group=\"production\", job=\"api-server\"};"
             "{__name__=\"http\", group=\"production\", job=\"app-server\"}");

    pql_matcher ne[] = {PM(PQL_MATCH_EQUAL, "__name__", "http"),
                        PM(PQL_MATCH_NOT_EQUAL, "group", "production")};
    ts_select(st, ne, 2, lo, hi, out, sizeof out);
    cr_expect_str_eq(out, "{__name__=\"http\", group=\"canary\", "
                          "job=\"api-server\"};"
                          "{__name__=\"http\", job=\"app-server\"}");

    pql_matcher re[] = {PM(PQL_MATCH_REGEX, "job", ".+-server"),
                        PM(PQL_MATCH_NOT_REGEX, "job", "api-.+")};
    ts_select(st, re, 2, lo, hi, out, sizeof out);
    cr_expect_str_eq(out, "{__name__=\"http\", group=\"production\", "
                          "job=\"app-server\"};"
                          "{__name__=\"http\", job=\"app-server\"}");

    /* Regex is anchored: "pro" alone does not match "production". */
    pql_matcher anch[] = {PM(PQL_MATCH_REGEX, "group", "pro")};
    ts_select(st, anch, 1, lo, hi, out, sizeof out);
    cr_expect_str_eq(out, "");
    pql_matcher ci[] = {PM(PQL_MATCH_REGEX, "group", "(?i:PRO).*"),
                        PM(PQL_MATCH_EQUAL, "job", "api-server")};
    ts_select(st, ci, 2, lo, hi, out, sizeof out);
    cr_expect_str_eq(out, "{__name__=\"http\", group=\"production\", "
                          "job=\"api-server\"}");

    /* Literal alternation, looked up in the index. */
    pql_matcher alt[] = {
        PM(PQL_MATCH_REGEX, "__name__", "other|nothing|other")};
    ts_select(st, alt, 1, lo, hi, out, sizeof out);
    cr_expect_str_eq(out, "{__name__=\"other\", job=\"api-server\"}");

    /* Regex on a label nobody has; a value nobody has. */
    pql_matcher none1[] = {PM(PQL_MATCH_REGEX, "nope", "x.*")};
    ts_select(st, none1, 1, lo, hi, out, sizeof out);
    cr_expect_str_eq(out, "");
    pql_matcher none2[] = {PM(PQL_MATCH_EQUAL, "__name__", "http"),
                           PM(PQL_MATCH_EQUAL, "job", "db")};
    ts_select(st, none2, 2, lo, hi, out, sizeof out);
    cr_expect_str_eq(out, "");

    /* Only matchers that accept a missing label: scans everything. */
    pql_matcher loose[] = {PM(PQL_MATCH_NOT_EQUAL, "job", "api-server"),
                           PM(PQL_MATCH_REGEX, "group", ".*")};
    ts_select(st, loose, 2, lo, hi, out, sizeof out);
    cr_expect_str_eq(out, "{__name__=\"http\", group=\"production\", "
                          "job=\"app-server\"};"
                          "{__name__=\"http\", job=\"app-server\"}");

    /* Zero matchers: every series. */
    ts_select(st, NULL, 0, lo, hi, out, sizeof out);
    cr_expect_eq(strlen(out) > 0 && strchr(out, ';') != NULL, 1);

    /* A bad regex is an error, not a crash. */
    pql_storage s = pql_memstore_storage(st);
    pql_matcher bad[] = {PM(PQL_MATCH_REGEX, "job", "(")};
    void *set = (void *)1;
    pql_error err;
    cr_expect_neq(s.methods->select(s.self, bad, 1, lo, hi, NULL, &set, &err),
                  PQL_OK);
    cr_expect_null(set);
    cr_expect_str_eq(err.message,
                     "error parsing regexp: missing closing ): `(`");
    pql_memstore_free(st);
}

/* ---------------------------------------------------- errors, rollback -- */

Test(memstore, rollback_leaves_store_unchanged)
{
    pql_memstore *st = ts_new_store();
    ts_load(st, "__name__=m", 5, 10, 0);
    pql_appender *app;
    pql_error err;
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    int64_t t[] = {100, 200};
    double v[] = {1, 2};
    cr_assert_eq(ts_add(app, "__name__=m", t, v, 2, &err), PQL_OK);
    cr_assert_eq(ts_add(app, "__name__=new", t, v, 2, &err), PQL_OK);
    /* Staged samples are invisible before commit. */
    cr_expect_eq(pql_memstore_series_count(st), 1);
    cr_expect_eq(pql_memstore_sample_count(st), 5);
    pql_appender_rollback(app);
    cr_expect_eq(pql_memstore_series_count(st), 1);
    cr_expect_eq(pql_memstore_sample_count(st), 5);
    char out[256];
    pql_matcher any[] = {PM(PQL_MATCH_REGEX, "__name__", ".+")};
    ts_select(st, any, 1, 50, INT64_MAX, out, sizeof out);
    cr_expect_str_eq(out, "");
    pql_memstore_free(st);
}

Test(memstore, failed_commit_leaves_store_unchanged)
{
    pql_memstore *st = ts_new_store();
    ts_load(st, "__name__=m", 5, 10, 0); /* newest t = 40 */
    pql_appender *app;
    pql_error err;
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    int64_t t1[] = {100};
    double v1[] = {1};
    cr_assert_eq(ts_add(app, "__name__=fresh,a=b", t1, v1, 1, &err), PQL_OK);
    int64_t t2[] = {30};
    double v2[] = {1};
    pql_error_clear(&err);
    cr_expect_eq(ts_add(app, "__name__=m", t2, v2, 1, &err), PQL_ERR_DATA);
    cr_expect_str_eq(err.message, "out of order sample");
    /* The batch is poisoned: later adds and the commit report it. */
    cr_expect_eq(ts_add(app, "__name__=other", t1, v1, 1, &err), PQL_ERR_DATA);
    pql_error_clear(&err);
    cr_expect_eq(pql_appender_commit(app, &err), PQL_ERR_DATA);
    cr_expect_str_eq(err.message, "out of order sample");
    cr_expect_eq(pql_memstore_series_count(st), 1);
    cr_expect_eq(pql_memstore_sample_count(st), 5);
    char out[256];
    pql_matcher fresh[] = {PM(PQL_MATCH_EQUAL, "a", "b")};
    ts_select(st, fresh, 1, INT64_MIN, INT64_MAX, out, sizeof out);
    cr_expect_str_eq(out, "");
    pql_memstore_free(st);
}

Test(memstore, out_of_order_and_duplicates)
{
    pql_memstore *st = ts_new_store();
    ts_load(st, "__name__=m", 3, 10, 0); /* (0,0) (10,1) (20,2) */
    pql_appender *app;
    pql_error err;

    /* Same time, same value: accepted silently, nothing added. */
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    int64_t t[] = {20, 30, 30};
    double v[] = {2, 3, 3};
    cr_expect_eq(ts_add(app, "__name__=m", t, v, 3, &err), PQL_OK);
    cr_expect_eq(pql_appender_commit(app, &err), PQL_OK);
    cr_expect_eq(pql_memstore_sample_count(st), 4);

    /* Same time, other value. */
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    int64_t td[] = {30};
    double vd[] = {3.5};
    cr_expect_eq(ts_add(app, "__name__=m", td, vd, 1, &err), PQL_ERR_DATA);
    cr_expect_str_eq(err.message, "duplicate sample for timestamp 30; "
                                  "overrides not allowed: existing 3, new "
                                  "value 3.5");
    pql_appender_rollback(app);

    /* Against staged samples of the same batch too. */
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    int64_t ta[] = {40, 50};
    double va[] = {1e6, 0.0001};
    cr_expect_eq(ts_add(app, "__name__=m", ta, va, 2, &err), PQL_OK);
    int64_t tb[] = {50};
    double vb[] = {123456};
    cr_expect_eq(ts_add(app, "__name__=m", tb, vb, 1, &err), PQL_ERR_DATA);
    cr_expect_str_eq(err.message, "duplicate sample for timestamp 50; "
                                  "overrides not allowed: existing 0.0001, "
                                  "new value 123456");
    pql_appender_rollback(app);

    /* Out of order inside one call. */
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    int64_t to[] = {100, 90};
    double vo[] = {1, 1};
    cr_expect_eq(ts_add(app, "__name__=fresh", to, vo, 2, &err), PQL_ERR_DATA);
    cr_expect_str_eq(err.message, "out of order sample");
    pql_appender_rollback(app);

    /* A stale marker and a NaN at the same time are different values. */
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    int64_t tn[] = {200, 200};
    double vn[] = {pql_stale_marker(), NAN};
    cr_expect_eq(ts_add(app, "__name__=m", tn, vn, 2, &err), PQL_ERR_DATA);
    pql_appender_rollback(app);
    cr_expect_eq(pql_memstore_sample_count(st), 4);
    pql_memstore_free(st);
}

Test(memstore, label_validation)
{
    pql_memstore *st = ts_new_store();
    pql_appender *app;
    pql_error err;
    int64_t t[] = {1};
    double v[] = {1};
    static const struct {
        const char *spec;
        const char *message;
    } cases[] = {
        {"a=", "empty labelset: invalid sample"},
        {"a=1,a=2", "label name \"a\" is not unique: invalid sample"},
        {"=x", "empty label name: invalid sample"},
        {"a=\xff", "value of label \"a\" is not valid UTF-8: invalid sample"},
        {"\xc3\x28=x", "label name is not valid UTF-8: invalid sample"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
        pql_error_clear(&err);
        cr_expect_eq(ts_add(app, cases[i].spec, t, v, 1, &err), PQL_ERR_DATA,
                     "%s", cases[i].spec);
        cr_expect_str_eq(err.message, cases[i].message);
        cr_expect_eq(pql_appender_commit(app, &err), PQL_ERR_DATA);
    }
    /* No labels at all. */
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    cr_expect_eq(pql_appender_add(app, NULL, 0, t, v, 1, &err), PQL_ERR_DATA);
    pql_appender_rollback(app);
    /* UTF-8 names and values are fine (Prometheus 3). */
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    cr_expect_eq(ts_add(app, "__name__=m,ünïcode.name=välue", t, v, 1, &err),
                 PQL_OK);
    cr_expect_eq(pql_appender_commit(app, &err), PQL_OK);
    cr_expect_eq(pql_memstore_series_count(st), 1);
    pql_memstore_free(st);
}

Test(memstore, empty_values_are_dropped_and_order_is_irrelevant)
{
    pql_memstore *st = ts_new_store();
    pql_appender *app;
    pql_error err;
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    int64_t t1[] = {1}, t2[] = {2}, t3[] = {3};
    double v[] = {1};
    cr_expect_eq(ts_add(app, "__name__=m,b=,a=x", t1, v, 1, &err), PQL_OK);
    cr_expect_eq(ts_add(app, "a=x,__name__=m", t2, v, 1, &err), PQL_OK);
    cr_expect_eq(pql_appender_commit(app, &err), PQL_OK);
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    cr_expect_eq(ts_add(app, "__name__=m,a=x,c=", t3, v, 1, &err), PQL_OK);
    cr_expect_eq(pql_appender_commit(app, &err), PQL_OK);
    cr_expect_eq(pql_memstore_series_count(st), 1);
    cr_expect_eq(pql_memstore_sample_count(st), 3);
    char out[256];
    pql_matcher m[] = {PM(PQL_MATCH_EQUAL, "a", "x")};
    ts_select(st, m, 1, INT64_MIN, INT64_MAX, out, sizeof out);
    cr_expect_str_eq(out, "{__name__=\"m\", a=\"x\"}");
    pql_memstore_free(st);
}

Test(memstore, staleness_markers_round_trip_bit_exact)
{
    double stale = pql_stale_marker();
    uint64_t bits;
    memcpy(&bits, &stale, sizeof bits);
    cr_expect_eq(bits, PQL_STALE_NAN_BITS);
    cr_expect(pql_is_stale_marker(stale));
    cr_expect(!pql_is_stale_marker(NAN));
    cr_expect(!pql_is_stale_marker(0.0));
    cr_expect(!pql_is_stale_marker(INFINITY));

    pql_memstore *st = ts_new_store();
    pql_appender *app;
    pql_error err;
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    int64_t t[] = {1, 2, 3, 4};
    double v[] = {1, stale, NAN, -0.0};
    cr_assert_eq(ts_add(app, "__name__=m", t, v, 4, &err), PQL_OK);
    cr_assert_eq(pql_appender_commit(app, &err), PQL_OK);
    pql_storage s = pql_memstore_storage(st);
    pql_matcher m[] = {PM(PQL_MATCH_EQUAL, "__name__", "m")};
    void *set, *it;
    const pql_label *l;
    size_t nl;
    cr_assert_eq(s.methods->select(s.self, m, 1, 0, 10, NULL, &set, &err),
                 PQL_OK);
    cr_assert_eq(s.methods->set_next(set, &l, &nl, &it, &err), 1);
    int64_t rt[8];
    double rv[8];
    cr_assert_eq(s.methods->iter_read_floats(it, 0, 10, rt, rv, 8, &err), 4);
    cr_expect(memcmp(rv, v, sizeof v) == 0);
    cr_expect(pql_is_stale_marker(rv[1]));
    cr_expect(!pql_is_stale_marker(rv[2]));
    s.methods->set_close(set);
    pql_memstore_free(st);
}

Test(memstore, many_series_and_commits)
{
    pql_memstore *st = ts_new_store();
    /* Several commits extending the same series and adding new ones. */
    for (int round = 0; round < 5; round++) {
        pql_appender *app;
        pql_error err;
        cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
        for (int s = 0; s < 100; s++) {
            char spec[64];
            snprintf(spec, sizeof spec, "__name__=m%d,inst=%d", s % 3, s);
            int64_t t[] = {round * 10, round * 10 + 5};
            double v[] = {round, round + 0.5};
            cr_assert_eq(ts_add(app, spec, t, v, 2, &err), PQL_OK);
        }
        cr_assert_eq(pql_appender_commit(app, &err), PQL_OK);
    }
    cr_expect_eq(pql_memstore_series_count(st), 100);
    cr_expect_eq(pql_memstore_sample_count(st), 1000);
    pql_storage s = pql_memstore_storage(st);
    pql_matcher m[] = {PM(PQL_MATCH_EQUAL, "__name__", "m1"),
                       PM(PQL_MATCH_REGEX, "inst", "1.*")};
    void *set, *it;
    const pql_label *l;
    size_t nl;
    pql_error err;
    cr_assert_eq(
        s.methods->select(s.self, m, 2, INT64_MIN, INT64_MAX, NULL, &set, &err),
        PQL_OK);
    /* inst values with s%3==1 starting with 1: 1, 10, 13, 16, 19. */
    const char *want[] = {"1", "10", "13", "16", "19"};
    int n = 0;
    while (s.methods->set_next(set, &l, &nl, &it, &err) == 1) {
        cr_assert_lt(n, 5);
        cr_expect_str_eq(l[1].value, want[n]);
        int64_t rt[16];
        double rv[16];
        cr_expect_eq(s.methods->iter_read_floats(it, 0, 100, rt, rv, 16, &err),
                     10);
        cr_expect_eq(rt[9], 45);
        cr_expect_eq(rv[9], 4.5);
        n++;
    }
    cr_expect_eq(n, 5);
    s.methods->set_close(set);
    pql_memstore_free(st);
}

Test(memstore, million_samples_append_quickly)
{
    enum { N_SERIES = 1000, PER = 1000 };
    pql_memstore *st = ts_new_store();
    int64_t *t = malloc(PER * sizeof *t);
    double *v = malloc(PER * sizeof *v);
    for (int i = 0; i < PER; i++) {
        t[i] = (int64_t)i * 15000;
        v[i] = i;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pql_appender *app;
    pql_error err;
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    for (int s = 0; s < N_SERIES; s++) {
        char name[32], inst[32];
        snprintf(name, sizeof name, "metric_%d", s % 10);
        snprintf(inst, sizeof inst, "host-%d", s);
        pql_label l[] = {
            {"__name__", name}, {"instance", inst}, {"job", "node"}};
        cr_assert_eq(pql_appender_add(app, l, 3, t, v, PER, &err), PQL_OK);
    }
    cr_assert_eq(pql_appender_commit(app, &err), PQL_OK);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    cr_expect_eq(pql_memstore_sample_count(st), (size_t)N_SERIES * PER);
    /* Generous bound so sanitizer builds pass; release builds take ~10ms. */
    cr_expect_lt(secs, 2.0, "1M samples took %.3f s", secs);
    free(t);
    free(v);
    pql_memstore_free(st);
}

Test(memstore, interleaved_appenders_are_checked_at_commit)
{
    pql_memstore *st = ts_new_store();
    pql_appender *a1, *a2;
    pql_error err;
    cr_assert_eq(pql_appender_begin(st, &a1, &err), PQL_OK);
    cr_assert_eq(pql_appender_begin(st, &a2, &err), PQL_OK);
    int64_t t10[] = {10}, t5[] = {5};
    double v1[] = {1}, v2[] = {2};
    cr_expect_eq(ts_add(a1, "__name__=m", t10, v1, 1, &err), PQL_OK);
    cr_expect_eq(ts_add(a2, "__name__=m", t5, v1, 1, &err), PQL_OK);
    cr_expect_eq(ts_add(a1, "__name__=x", t10, v1, 1, &err), PQL_OK);
    cr_expect_eq(ts_add(a2, "__name__=x", t10, v1, 1, &err), PQL_OK);
    cr_expect_eq(pql_appender_commit(a1, &err), PQL_OK);
    /* a2 staged m@5 before m@10 was committed: now out of order. */
    cr_expect_eq(pql_appender_commit(a2, &err), PQL_ERR_DATA);
    cr_expect_str_eq(err.message, "out of order sample");
    cr_expect_eq(pql_memstore_series_count(st), 2);
    cr_expect_eq(pql_memstore_sample_count(st), 2);

    /* Both create the same new series: one series; an exact repeat of the
     * newest sample is dropped, another value is a duplicate. */
    cr_assert_eq(pql_appender_begin(st, &a1, &err), PQL_OK);
    cr_assert_eq(pql_appender_begin(st, &a2, &err), PQL_OK);
    cr_expect_eq(ts_add(a1, "__name__=y", t10, v1, 1, &err), PQL_OK);
    cr_expect_eq(ts_add(a2, "__name__=y", t10, v1, 1, &err), PQL_OK);
    cr_expect_eq(pql_appender_commit(a1, &err), PQL_OK);
    cr_expect_eq(pql_appender_commit(a2, &err), PQL_OK);
    cr_expect_eq(pql_memstore_series_count(st), 3);
    cr_expect_eq(pql_memstore_sample_count(st), 3);
    cr_assert_eq(pql_appender_begin(st, &a2, &err), PQL_OK);
    cr_expect_eq(ts_add(a2, "__name__=y", t10, v2, 1, &err), PQL_ERR_DATA);
    pql_appender_rollback(a2);

    /* A clear between add and commit: the batch lands in the empty store. */
    cr_assert_eq(pql_appender_begin(st, &a1, &err), PQL_OK);
    int64_t t20[] = {20};
    cr_expect_eq(ts_add(a1, "__name__=m", t20, v1, 1, &err), PQL_OK);
    pql_memstore_clear(st);
    cr_expect_eq(pql_appender_commit(a1, &err), PQL_OK);
    cr_expect_eq(pql_memstore_series_count(st), 1);
    cr_expect_eq(pql_memstore_sample_count(st), 1);
    pql_memstore_free(st);
}

Test(memstore, appender_outliving_its_store_fails_cleanly)
{
    pql_memstore *st = ts_new_store();
    ts_load(st, "__name__=m", 2, 10, 0);
    pql_appender *app;
    pql_error err;
    cr_assert_eq(pql_appender_begin(st, &app, &err), PQL_OK);
    int64_t t[] = {100};
    double v[] = {1};
    cr_expect_eq(ts_add(app, "__name__=m", t, v, 1, &err), PQL_OK);
    pql_memstore_free(st);
    cr_expect_eq(ts_add(app, "__name__=m", t, v, 1, &err),
                 PQL_ERR_INVALID_ARGUMENT);
    cr_expect_eq(pql_appender_commit(app, &err), PQL_ERR_INVALID_ARGUMENT);
}

/* The version-3 view lends the stored arrays for [mint, maxt] and says
 * whether they hold a NaN (staleness markers are NaNs). */
Test(memstore, view_lends_samples_and_flags_nan)
{
    pql_memstore *store;
    pql_error err;
    cr_assert_eq(pql_memstore_new(&store, &err), PQL_OK);
    pql_appender *app;
    cr_assert_eq(pql_appender_begin(store, &app, &err), PQL_OK);
    int64_t ts[4] = {1000, 2000, 3000, 4000};
    double clean[4] = {1, 2, 3, 4};
    double stale[4] = {1, 2, 0, 4};
    stale[2] = pql_stale_marker();
    pql_label a[] = {{"__name__", "view_a"}};
    pql_label b[] = {{"__name__", "view_b"}};
    cr_assert_eq(pql_appender_add(app, a, 1, ts, clean, 4, &err), PQL_OK);
    cr_assert_eq(pql_appender_add(app, b, 1, ts, stale, 4, &err), PQL_OK);
    cr_assert_eq(pql_appender_commit(app, &err), PQL_OK);

    pql_storage st = pql_memstore_storage(store);
    pql_matcher m = {"__name__", PQL_MATCH_REGEX, "view_.*", 7};
    void *set = NULL;
    cr_assert_eq(st.methods->select(st.self, &m, 1, 0, 10000, NULL, &set, &err),
                 PQL_OK);
    const pql_label *lbls;
    size_t nl;
    void *iter;
    const int64_t *vts;
    const double *vv;
    int no_nan = -1;
    cr_assert_eq(st.methods->set_next(set, &lbls, &nl, &iter, &err), 1);
    cr_assert_str_eq(lbls[0].value, "view_a");
    cr_assert_eq(st.methods->iter_view_floats(iter, 1500, 3000, &vts, &vv,
                                              &no_nan, &err), 2);
    cr_expect_eq(vts[0], 2000);
    cr_expect_eq(vts[1], 3000);
    cr_expect_eq(vv[1], 3.0);
    cr_expect_eq(no_nan, 1);
    cr_assert_eq(st.methods->iter_view_floats(iter, 5000, 6000, &vts, &vv,
                                              &no_nan, &err), 0);
    cr_assert_eq(st.methods->set_next(set, &lbls, &nl, &iter, &err), 1);
    cr_assert_str_eq(lbls[0].value, "view_b");
    cr_assert_eq(st.methods->iter_view_floats(iter, 0, 10000, &vts, &vv,
                                              &no_nan, &err), 4);
    cr_expect_eq(no_nan, 0);
    cr_expect(pql_is_stale_marker(vv[2]));
    st.methods->set_close(set);
    pql_memstore_free(store);
}
