/* test_dense_kernels.c: the vectorised dense paths (sum's compensated adds, rate's finish) give bit-for-bit the per-step scalar answers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_test_util.h"

/* Prometheus's kahanSumInc, written out here as the reference. */
static void ref_kahan_inc(double inc, double *sum, double *c)
{
    double t = *sum + inc;
    if (isinf(t))
        *c = 0;
    else if (fabs(*sum) >= fabs(inc))
        *c += (*sum - t) + inc;
    else
        *c += (inc - t) + *sum;
    *sum = t;
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

#define SERIES 9
#define STEPS 300

/* Values chosen to make compensation matter: huge and tiny magnitudes,
 * cancellation, signed zeros, infinities of both signs and NaN. */
static double tricky(size_t s, size_t k)
{
    static const double pool[] = {1e100, 1, -1e100, 1e-300, 0.1, -0.0, 3e15, -7,
                                  INFINITY, -INFINITY, NAN, 1e308, 1e308, 0.2, -0.3};
    uint64_t h = (uint64_t)(s * 1000003u + k * 7919u);
    h ^= h >> 7;
    h *= 0x9e3779b97f4a7c15u;
    size_t n = sizeof pool / sizeof pool[0];
    /* Mostly finite so long runs stay dense and finite. */
    if ((h >> 40) % 9 == 0)
        return pool[(h >> 20) % n];
    return pool[(h >> 20) % 8] * (double)((h >> 8) % 1000 + 1);
}

Test(dense_kernels, sum_matches_per_step_neumaier)
{
    et_fixture f;
    et_init(&f);
    int64_t ts[STEPS];
    static double vals[SERIES][STEPS];
    for (size_t k = 0; k < STEPS; k++)
        ts[k] = (int64_t)k * 1000;
    char inst[SERIES][8];
    for (size_t s = 0; s < SERIES; s++) {
        for (size_t k = 0; k < STEPS; k++)
            vals[s][k] = tricky(s, k);
        snprintf(inst[s], sizeof inst[s], "i%zu", s);
        et_add(&f, STEPS, ts, vals[s], "__name__", "m", "instance", inst[s], NULL);
    }
    /* One sample per step (step = scrape interval, lookback covers it);
     * the store orders series by labels, which sorts i0..i8 as added. */
    pql_result *r = et_range(&f, "sum(m)", 0, (STEPS - 1) * 1000, 1000);
    cr_assert_eq(pql_result_series_count(r), 1);
    const int64_t *t_ms;
    const double *v;
    size_t n;
    pql_result_points(r, 0, &t_ms, &v, &n);
    cr_assert_eq(n, STEPS);
    for (size_t k = 0; k < STEPS; k++) {
        double sum = vals[0][k], c = 0;
        for (size_t s = 1; s < SERIES; s++)
            ref_kahan_inc(vals[s][k], &sum, &c);
        double want = isinf(sum) ? sum : sum + c;
        cr_expect(same_bits(v[k], want), "step %zu: got %.17g want %.17g", k, v[k], want);
    }
    pql_result_free(r);
    et_fini(&f);
}

/* Counters that start near zero (so the zero clamp applies), reset now and
 * then, jitter, and leave gaps; plus a gauge for delta. */
static void add_rate_series(et_fixture *f)
{
    static int64_t ts[4][2000];
    static double vals[4][2000];
    uint64_t h = 12345;
    for (size_t s = 0; s < 4; s++) {
        int64_t t = 1000 * (int64_t)s;
        double v = s == 3 ? -50 : (double)s * 0.5;
        for (size_t k = 0; k < 2000; k++) {
            h = h * 6364136223846793005u + 1442695040888963407u;
            t += 15000 + (int64_t)((h >> 33) % 900) - 450;
            if ((h >> 20) % 97 == 0)
                t += 120000; /* a gap */
            if (s == 3)
                v += (double)((h >> 40) % 21) - 10; /* gauge */
            else if ((h >> 12) % 151 == 0)
                v = (double)((h >> 44) % 3); /* reset */
            else
                v += (double)((h >> 40) % 50) / 7;
            ts[s][k] = t;
            vals[s][k] = v;
        }
    }
    et_add(f, 2000, ts[0], vals[0], "__name__", "c", "i", "0", NULL);
    et_add(f, 2000, ts[1], vals[1], "__name__", "c", "i", "1", NULL);
    et_add(f, 2000, ts[2], vals[2], "__name__", "c", "i", "2", NULL);
    et_add(f, 2000, ts[3], vals[3], "__name__", "c", "i", "3", NULL);
}

/* A range query evaluates many windows per call (the vector paths); an
 * instant query one (the scalar path). Every step must agree bit for bit. */
Test(dense_kernels, range_rate_equals_instant_rate)
{
    et_fixture f;
    et_init(&f);
    add_rate_series(&f);
    static const char *const queries[] = {
        "rate(c[1m])", "rate(c[5m])", "increase(c[2m])", "delta(c[3m])", "rate(c[45s])",
    };
    static const int64_t steps[] = {15000, 60000, 7000};
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        for (size_t si = 0; si < sizeof steps / sizeof steps[0]; si++) {
            int64_t start = 100000, end = 100000 + 400 * steps[si];
            pql_result *r = et_range(&f, queries[q], start, end, steps[si]);
            size_t nser = pql_result_series_count(r);
            cr_assert_geq(nser, 1);
            size_t checked = 0;
            for (size_t i = 0; i < nser; i++) {
                const int64_t *t_ms;
                const double *v;
                size_t n;
                pql_result_points(r, i, &t_ms, &v, &n);
                const pql_label *lbls;
                size_t nl;
                pql_result_labels(r, i, &lbls, &nl);
                for (size_t k = 0; k < n; k += 3) {
                    pql_result *one = et_instant(&f, queries[q], t_ms[k]);
                    bool found = false;
                    for (size_t j = 0; j < pql_result_series_count(one); j++) {
                        const pql_label *l2;
                        size_t n2;
                        pql_result_labels(one, j, &l2, &n2);
                        if (n2 != nl || strcmp(l2[nl - 1].value, lbls[nl - 1].value) != 0)
                            continue;
                        int64_t t1;
                        double v1;
                        pql_result_sample(one, j, &t1, &v1);
                        cr_expect(same_bits(v1, v[k]), "%s step %lld at %lld: range %.17g instant %.17g",
                                  queries[q], (long long)steps[si], (long long)t_ms[k], v[k], v1);
                        found = true;
                    }
                    cr_expect(found, "%s at %lld: missing from the instant query", queries[q],
                              (long long)t_ms[k]);
                    pql_result_free(one);
                    checked++;
                }
            }
            cr_expect_gt(checked, 300, "%s: too few points compared", queries[q]);
            pql_result_free(r);
        }
    }
    et_fini(&f);
}
