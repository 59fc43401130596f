/* fn_over_time_order.c: order-based range functions: quantile_over_time, mad_over_time and ts_of_min/max/first/last_over_time. */
#include "fn_range.h"

#include <string.h>

#include "binagg_internal.h" /* agg_format_float_g: Go's %g */

/*
 * Quantiles sort a copy of each window (in a scratch buffer reused across
 * steps and series): O(w log w) per step like Prometheus, but with an
 * inlined sort instead of sort.Interface calls. Prometheus's order puts NaN
 * first, then ascending values.
 */

static void sort_small(double *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double x = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > x) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Quicksort for NaN-free arrays: median of three, recursing into the
 * smaller half so the stack stays O(log n). */
static void sort_plain(double *a, size_t n)
{
    while (n > 16) {
        double x = a[0], y = a[n / 2], z = a[n - 1];
        double pivot = x < y ? (y < z ? y : (x < z ? z : x))
                             : (x < z ? x : (y < z ? z : y));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        size_t left = j + 1;
        if (left < n - left) {
            sort_plain(a, left);
            a += left;
            n -= left;
        } else {
            sort_plain(a + left, n - left);
            n = left;
        }
    }
    sort_small(a, n);
}

static void sort_nan_first(double *a, size_t n)
{
    size_t w = 0;
    for (size_t k = 0; k < n; k++) {
        if (isnan(a[k])) {
            double t = a[w];
            a[w] = a[k];
            a[k] = t;
            w++;
        }
    }
    sort_plain(a + w, n - w);
}

/* Prometheus's quantile(): sorts `a` in place. */
static double quantile_sorted_copy(double q, double *a, size_t n)
{
    if (n == 0 || isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    sort_nan_first(a, n);
    double rank = q * (double)(n - 1);
    double lower = fmax(0, floor(rank));
    double upper = fmin((double)(n - 1), lower + 1);
    double weight = rank - floor(rank);
    return a[(size_t)lower] * (1 - weight) + a[(size_t)upper] * weight;
}

static void warn_quantile(fn_range_call *c, double q)
{
    char buf[64];
    agg_format_float_g(q, buf, sizeof buf);
    eval_annotate(c->ctx, EVAL_NOTE_WARNING, c->call->u.call.args[0],
                  "PromQL warning: quantile value should be between 0 and 1, "
                  "got %s",
                  buf);
}

static int kernel_quantile(fn_range_call *c)
{
    const eval_range_series *s = c->s;
    const size_t steps = c->grid->n_steps;
    for (size_t i = 0; i < steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi == lo)
            continue;
        double q = c->p0[i];
        if (isnan(q) || q < 0 || q > 1)
            warn_quantile(c, q);
        if (fn_scratch_doubles(c->ctx, c->scratch, hi - lo) < 0)
            return -1;
        double *buf = c->scratch->d;
        memcpy(buf, s->vals + lo, (hi - lo) * sizeof(double));
        c->vals[i] = quantile_sorted_copy(q, buf, hi - lo);
        eval_bit_set(c->present, i);
    }
    return 0;
}

/* Median of the absolute deviations from the median. */
static int kernel_mad(fn_range_call *c)
{
    const eval_range_series *s = c->s;
    const size_t steps = c->grid->n_steps;
    for (size_t i = 0; i < steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i], n = hi - lo;
        if (n == 0)
            continue;
        if (fn_scratch_doubles(c->ctx, c->scratch, n) < 0)
            return -1;
        double *buf = c->scratch->d;
        memcpy(buf, s->vals + lo, n * sizeof(double));
        /* Prometheus 3.14 lets a NaN sample make the result NaN; sorting
         * NaN first would otherwise hide it behind the middle values. */
        bool has_nan = false;
        for (size_t k = 0; k < n; k++)
            has_nan = has_nan || isnan(buf[k]);
        if (has_nan) {
            c->vals[i] = NAN;
            eval_bit_set(c->present, i);
            continue;
        }
        double median = quantile_sorted_copy(0.5, buf, n);
        for (size_t k = 0; k < n; k++)
            buf[k] = fabs(s->vals[lo + k] - median);
        c->vals[i] = quantile_sorted_copy(0.5, buf, n);
        eval_bit_set(c->present, i);
    }
    return 0;
}

/* Prometheus's scans for the timestamp of the extreme: `>=` / `<=` keep the
 * LATEST sample of the extreme value, and a NaN so far is always replaced. */
static int ts_of_extreme(fn_range_call *c, bool want_max)
{
    const eval_range_series *s = c->s;
    const double *v = s->vals;
    const size_t steps = c->grid->n_steps;
    for (size_t i = 0; i < steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi == lo)
            continue;
        double m = v[lo];
        int64_t tm = s->ts[lo];
        for (size_t k = lo + 1; k < hi; k++) {
            bool take = want_max ? v[k] >= m : v[k] <= m;
            if (take || isnan(m)) {
                m = v[k];
                tm = s->ts[k];
            }
        }
        c->vals[i] = (double)tm / 1000;
        eval_bit_set(c->present, i);
    }
    return 0;
}

static int kernel_ts_of_max(fn_range_call *c)
{
    return ts_of_extreme(c, true);
}

static int kernel_ts_of_min(fn_range_call *c)
{
    return ts_of_extreme(c, false);
}

static int kernel_ts_of_last(fn_range_call *c)
{
    const eval_range_series *s = c->s;
    for (size_t i = 0; i < c->grid->n_steps; i++) {
        if (s->hi[i] == s->lo[i])
            continue;
        c->vals[i] = (double)s->ts[s->hi[i] - 1] / 1000;
        eval_bit_set(c->present, i);
    }
    return 0;
}

static int kernel_ts_of_first(fn_range_call *c)
{
    const eval_range_series *s = c->s;
    for (size_t i = 0; i < c->grid->n_steps; i++) {
        if (s->hi[i] == s->lo[i])
            continue;
        c->vals[i] = (double)s->ts[s->lo[i]] / 1000;
        eval_bit_set(c->present, i);
    }
    return 0;
}

op *fn_plan_quantile_over_time(eval_ctx *ctx, const ast_node *call,
                               const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 1, kernel_quantile,
                         FN_RANGE_DROP_NAME);
}

op *fn_plan_mad_over_time(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_mad, FN_RANGE_DROP_NAME);
}

op *fn_plan_ts_of_min_over_time(eval_ctx *ctx, const ast_node *call,
                                const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_ts_of_min,
                         FN_RANGE_DROP_NAME);
}

op *fn_plan_ts_of_max_over_time(eval_ctx *ctx, const ast_node *call,
                                const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_ts_of_max,
                         FN_RANGE_DROP_NAME);
}

op *fn_plan_ts_of_last_over_time(eval_ctx *ctx, const ast_node *call,
                                 const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_ts_of_last,
                         FN_RANGE_DROP_NAME);
}

op *fn_plan_ts_of_first_over_time(eval_ctx *ctx, const ast_node *call,
                                  const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_ts_of_first,
                         FN_RANGE_DROP_NAME);
}
