/* test_memstore_start.c: start timestamps through the public API: pql_appender_add_with_start, the version-2 read slot, version-1 storages and the engine option. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "engine_test_util.h"
#include "promql.h"

/* ------------------------------------------------------------- helpers -- */

static const pql_label st_lbl_a[] = {{"__name__", "a_total"}};
static const pql_label st_lbl_b[] = {{"__name__", "b_total"}};

/* Adds (ts, v, st) to one series in a batch of its own; st may be NULL. */
static pql_status st_add(pql_memstore *store, const pql_label *l, size_t nl,
                         const int64_t *ts, const double *v, const int64_t *st,
                         size_t n)
{
    pql_appender *app;
    pql_error err;
    cr_assert_eq(pql_appender_begin(store, &app, &err), PQL_OK);
    pql_status rc = pql_appender_add_with_start(app, l, nl, ts, v, st, n, &err);
    if (rc != PQL_OK) {
        pql_appender_rollback(app);
        return rc;
    }
    return pql_appender_commit(app, &err);
}

/* Reads every sample of the only series matching __name__=name through the
 * version-2 slot, `cap` at a time; returns the count and sets *has_any when
 * some batch had STs (entries of batches without are written as 0). */
static size_t st_read(pql_memstore *store, const char *name, int64_t *ts,
                      double *v, int64_t *st, size_t cap, int *has_any)
{
    pql_storage s = pql_memstore_storage(store);
    pql_matcher m = {.name = "__name__", .type = PQL_MATCH_EQUAL,
                     .value = name, .value_len = strlen(name)};
    void *set = NULL;
    pql_error err;
    cr_assert_eq(s.methods->select(s.self, &m, 1, INT64_MIN, INT64_MAX, NULL,
                                   &set, &err),
                 PQL_OK);
    const pql_label *l;
    size_t nl;
    void *it;
    cr_assert_eq(s.methods->set_next(set, &l, &nl, &it, &err), 1);
    size_t n = 0;
    int64_t from = INT64_MIN;
    *has_any = 0;
    for (;;) {
        int has = -1;
        ptrdiff_t got = s.methods->iter_read_floats_st(
            it, from, INT64_MAX, ts + n, v + n, st + n, cap, &has, &err);
        cr_assert_geq(got, 0);
        cr_assert(has == 0 || has == 1);
        if (!has)
            memset(st + n, 0, (size_t)got * sizeof *st);
        *has_any |= has;
        n += (size_t)got;
        if ((size_t)got < cap)
            break;
        from = ts[n - 1] + 1;
    }
    cr_assert_eq(s.methods->set_next(set, &l, &nl, &it, &err), 0);
    s.methods->set_close(set);
    return n;
}

/* --------------------------------------------------------------- store -- */

Test(memstore_start, version_and_slot)
{
    pql_memstore *store;
    pql_error err;
    cr_assert_eq(pql_memstore_new(&store, &err), PQL_OK);
    pql_storage s = pql_memstore_storage(store);
    cr_expect_eq(s.methods->version, 3);
    cr_expect_not_null(s.methods->iter_read_floats_st);
    cr_expect_not_null(s.methods->iter_view_floats);
    pql_memstore_free(store);
}

Test(memstore_start, round_trip_in_batches)
{
    pql_memstore *store;
    pql_error err;
    cr_assert_eq(pql_memstore_new(&store, &err), PQL_OK);
    int64_t ts[10], st[10];
    double v[10];
    for (int i = 0; i < 10; i++) {
        ts[i] = 1000 * (i + 1);
        v[i] = i;
        st[i] = i % 3 ? ts[i] - 500 : 0;
    }
    cr_assert_eq(st_add(store, st_lbl_a, 1, ts, v, st, 10), PQL_OK);
    int64_t rt[16], rst[16];
    double rv[16];
    int has;
    /* Batches of 3 continue where the last stopped, STs included. */
    cr_assert_eq(st_read(store, "a_total", rt, rv, rst, 3, &has), 10);
    cr_expect_eq(has, 1);
    for (int i = 0; i < 10; i++) {
        cr_expect_eq(rt[i], ts[i]);
        cr_expect_eq(rv[i], v[i]);
        cr_expect_eq(rst[i], st[i], "st[%d] = %lld", i, (long long)rst[i]);
    }
    pql_memstore_free(store);
}

Test(memstore_start, no_or_zero_st_reads_as_none)
{
    pql_memstore *store;
    pql_error err;
    cr_assert_eq(pql_memstore_new(&store, &err), PQL_OK);
    int64_t ts[2] = {1000, 2000}, zero[2] = {0, 0};
    double v[2] = {1, 2};
    cr_assert_eq(st_add(store, st_lbl_a, 1, ts, v, NULL, 2), PQL_OK);
    cr_assert_eq(st_add(store, st_lbl_b, 1, ts, v, zero, 2), PQL_OK);
    int64_t rt[4], rst[4];
    double rv[4];
    int has;
    cr_assert_eq(st_read(store, "a_total", rt, rv, rst, 4, &has), 2);
    cr_expect_eq(has, 0);
    /* All-zero STs are no STs: the store keeps nothing for them. */
    cr_assert_eq(st_read(store, "b_total", rt, rv, rst, 4, &has), 2);
    cr_expect_eq(has, 0);
    pql_memstore_free(store);
}

Test(memstore_start, mixing_batches_with_and_without)
{
    pql_memstore *store;
    pql_error err;
    cr_assert_eq(pql_memstore_new(&store, &err), PQL_OK);
    int64_t t1[2] = {1000, 2000}, t2[2] = {3000, 4000}, t3[2] = {5000, 6000};
    int64_t s2[2] = {2500, 0};
    double v[2] = {1, 2};
    /* None, then some (earlier samples read as 0), then none again (0). */
    cr_assert_eq(st_add(store, st_lbl_a, 1, t1, v, NULL, 2), PQL_OK);
    cr_assert_eq(st_add(store, st_lbl_a, 1, t2, v, s2, 2), PQL_OK);
    cr_assert_eq(st_add(store, st_lbl_a, 1, t3, v, NULL, 2), PQL_OK);
    int64_t rt[8], rst[8];
    double rv[8];
    int has;
    cr_assert_eq(st_read(store, "a_total", rt, rv, rst, 8, &has), 6);
    cr_expect_eq(has, 1);
    int64_t want[6] = {0, 0, 2500, 0, 0, 0};
    for (int i = 0; i < 6; i++)
        cr_expect_eq(rst[i], want[i], "st[%d] = %lld", i, (long long)rst[i]);
    cr_expect_eq(pql_memstore_sample_count(store), 6);
    pql_memstore_free(store);
}

Test(memstore_start, one_batch_several_adds)
{
    /* Two adds to a new series and two to an existing one in one batch:
     * the staging areas (own arrays, shared pool) both carry STs. */
    pql_memstore *store;
    pql_error err;
    cr_assert_eq(pql_memstore_new(&store, &err), PQL_OK);
    int64_t t0[1] = {500};
    double v0[1] = {0};
    cr_assert_eq(st_add(store, st_lbl_b, 1, t0, v0, NULL, 1), PQL_OK);
    pql_appender *app;
    cr_assert_eq(pql_appender_begin(store, &app, &err), PQL_OK);
    int64_t t1[2] = {1000, 2000}, t2[2] = {3000, 4000};
    int64_t s1[2] = {0, 1500}, s2[2] = {2000, 3500};
    double v[2] = {1, 2};
    cr_assert_eq(pql_appender_add(app, st_lbl_a, 1, t1, v, 2, &err), PQL_OK);
    cr_assert_eq(pql_appender_add_with_start(app, st_lbl_a, 1, t2, v, s2, 2,
                                             &err),
                 PQL_OK);
    cr_assert_eq(pql_appender_add_with_start(app, st_lbl_b, 1, t1, v, s1, 2,
                                             &err),
                 PQL_OK);
    cr_assert_eq(pql_appender_add(app, st_lbl_b, 1, t2, v, 2, &err), PQL_OK);
    cr_assert_eq(pql_appender_commit(app, &err), PQL_OK, "%s", err.message);
    int64_t rt[8], rst[8];
    double rv[8];
    int has;
    cr_assert_eq(st_read(store, "a_total", rt, rv, rst, 8, &has), 4);
    int64_t want_a[4] = {0, 0, 2000, 3500};
    for (int i = 0; i < 4; i++)
        cr_expect_eq(rst[i], want_a[i], "a st[%d] = %lld", i,
                     (long long)rst[i]);
    cr_assert_eq(st_read(store, "b_total", rt, rv, rst, 8, &has), 5);
    int64_t want_b[5] = {0, 0, 1500, 0, 0};
    for (int i = 0; i < 5; i++)
        cr_expect_eq(rst[i], want_b[i], "b st[%d] = %lld", i,
                     (long long)rst[i]);
    pql_memstore_free(store);
}

Test(memstore_start, repeat_dropped_with_its_st)
{
    pql_memstore *store;
    pql_error err;
    cr_assert_eq(pql_memstore_new(&store, &err), PQL_OK);
    int64_t ts[2] = {1000, 2000}, st[2] = {900, 1900};
    double v[2] = {1, 2};
    cr_assert_eq(st_add(store, st_lbl_a, 1, ts, v, st, 2), PQL_OK);
    /* The exact repeat of the newest sample is dropped, then one new. */
    int64_t ts2[2] = {2000, 3000}, st2[2] = {1, 2900};
    double v2[2] = {2, 3};
    cr_assert_eq(st_add(store, st_lbl_a, 1, ts2, v2, st2, 2), PQL_OK);
    int64_t rt[4], rst[4];
    double rv[4];
    int has;
    cr_assert_eq(st_read(store, "a_total", rt, rv, rst, 4, &has), 3);
    cr_expect_eq(rst[1], 1900);
    cr_expect_eq(rst[2], 2900);
    pql_memstore_free(store);
}

Test(memstore_start, errors_and_rollback)
{
    pql_memstore *store;
    pql_error err;
    cr_assert_eq(pql_memstore_new(&store, &err), PQL_OK);
    int64_t ts[2] = {2000, 1000}, st[2] = {1, 2};
    double v[2] = {1, 2};
    /* Out of order: the batch fails and stores nothing. */
    cr_expect_eq(st_add(store, st_lbl_a, 1, ts, v, st, 2), PQL_ERR_DATA);
    cr_expect_eq(pql_memstore_series_count(store), 0);
    cr_expect_eq(pql_appender_add_with_start(NULL, st_lbl_a, 1, ts, v, st, 2,
                                             &err),
                 PQL_ERR_INVALID_ARGUMENT);
    pql_appender *app;
    cr_assert_eq(pql_appender_begin(store, &app, &err), PQL_OK);
    int64_t ok_ts[1] = {1000};
    cr_assert_eq(pql_appender_add_with_start(app, st_lbl_a, 1, ok_ts, v, st, 1,
                                             &err),
                 PQL_OK);
    pql_appender_rollback(app);
    cr_expect_eq(pql_memstore_series_count(store), 0);
    pql_memstore_free(store);
}

/* -------------------------------------------------------------- engine -- */

/* increase(x[5m]) at 4m over 1..5 every minute, with STs marking a reset
 * at 1m and 3m: 9 with STs, 5 without. */
static void st_fill(et_fixture *f)
{
    int64_t ts[5], st[5] = {0, 30000, 0, 179000, 0};
    double v[5];
    for (int i = 0; i < 5; i++) {
        ts[i] = i * ET_MIN;
        v[i] = i + 1;
    }
    cr_assert_eq(st_add(f->store, st_lbl_a, 1, ts, v, st, 5), PQL_OK);
}

static double st_scalar_query(et_fixture *f, const char *q, int64_t t,
                              size_t *n_series)
{
    pql_result *r = et_instant(f, q, t);
    *n_series = pql_result_series_count(r);
    double v = 0;
    int64_t rt;
    if (*n_series)
        pql_result_sample(r, 0, &rt, &v);
    pql_result_free(r);
    return v;
}

Test(engine_start, option_on)
{
    pql_engine_options o = pql_engine_options_default();
    o.enable_start_timestamps = 1;
    et_fixture f;
    et_init_opts(&f, &o);
    st_fill(&f);
    size_t n;
    cr_expect_float_eq(st_scalar_query(&f, "increase(a_total[5m])", 4 * ET_MIN,
                                       &n),
                       9, 1e-9);
    cr_expect_float_eq(st_scalar_query(&f, "resets(a_total[5m])", 4 * ET_MIN,
                                       &n),
                       2, 1e-9);
    cr_expect_float_eq(st_scalar_query(&f, "start_timestamp(a_total)",
                                       3 * ET_MIN, &n),
                       179, 1e-9);
    cr_expect_eq(n, 1);
    et_fini(&f);
}

/* Off by default, as Prometheus's use-start-timestamps feature flag. */
Test(engine_start, option_off_by_default)
{
    pql_engine_options o = pql_engine_options_default();
    cr_expect_eq(o.enable_start_timestamps, 0);
    et_fixture f;
    et_init_opts(&f, &o);
    st_fill(&f);
    size_t n;
    cr_expect_float_eq(st_scalar_query(&f, "increase(a_total[5m])", 4 * ET_MIN,
                                       &n),
                       5, 1e-9);
    cr_expect_float_eq(st_scalar_query(&f, "resets(a_total[5m])", 4 * ET_MIN,
                                       &n),
                       0, 1e-9);
    st_scalar_query(&f, "start_timestamp(a_total)", 3 * ET_MIN, &n);
    cr_expect_eq(n, 0, "start_timestamp() is empty with the option off");
    et_fini(&f);
}

Test(engine_start, version_one_storage)
{
    /* A version-1 table (as the Python bindings build) is never read past
     * set_close: its samples simply have no STs. */
    pql_engine_options o = pql_engine_options_default();
    o.enable_start_timestamps = 1;
    et_fixture f;
    et_init_opts(&f, &o);
    st_fill(&f);
    pql_storage_methods v1 = *f.storage.methods;
    v1.version = 1;
    v1.iter_read_floats_st = NULL;
    v1.iter_view_floats = NULL;
    f.storage.methods = &v1;
    size_t n;
    cr_expect_float_eq(st_scalar_query(&f, "increase(a_total[5m])", 4 * ET_MIN,
                                       &n),
                       5, 1e-9);
    cr_expect_float_eq(st_scalar_query(&f, "start_timestamp(a_total)",
                                       3 * ET_MIN, &n),
                       0, 1e-9);
    cr_expect_eq(n, 1);
    et_fini(&f);
}
