/* fn_over_time.c: sum/avg/count/min/max/last/first/present/stddev/stdvar_over_time over sliding windows. */
#include "fn_range.h"

/*
 * Which windows slide and which are recomputed:
 *
 * - count, present, last, first: O(1) per window from the indices.
 * - min, max: a monotonic deque of sample indices, O(1) amortised per
 *   window. Selecting an element is exact, so the result is bit-identical
 *   to Prometheus's scan, including its tie and NaN rules (see below).
 * - sum, avg, stddev, stdvar: Prometheus computes every window from
 *   scratch with Neumaier-compensated sums in sample order. A running sum
 *   with subtraction (or prefix sums) rounds differently and can differ in
 *   the last bits, or badly after catastrophic cancellation (a huge value
 *   leaving the window), so these are recomputed per window with the same
 *   operation order: O(window) per step, still a tight loop over a plain
 *   array with no allocation or indirect call.
 */

#define FOR_EACH_WINDOW(c, ...)                                              \
    do {                                                                      \
        const eval_range_series *s_ = (c)->s;                                 \
        const size_t steps_ = (c)->grid->n_steps;                             \
        for (size_t i = 0; i < steps_; i++) {                                 \
            size_t lo = s_->lo[i], hi = s_->hi[i];                            \
            if (hi == lo)                                                     \
                continue;                                                     \
            __VA_ARGS__;                                                      \
            eval_bit_set((c)->present, i);                                    \
        }                                                                     \
    } while (0)

static int kernel_sum(fn_range_call *c)
{
    const double *v = c->s->vals;
    FOR_EACH_WINDOW(c, {
        double sum = 0, comp = 0;
        for (size_t k = lo; k < hi; k++)
            fn_kahan_inc(v[k], &sum, &comp);
        c->vals[i] = isinf(sum) ? sum : sum + comp;
    });
    return 0;
}

/* Prometheus's mean: a direct compensated sum divided at the end, switching
 * to an incremental mean only once the sum would overflow. */
static double window_avg(const double *v, size_t lo, size_t hi)
{
    double sum = v[lo], count = 1, mean = 0, comp = 0;
    bool incremental = false;
    for (size_t k = lo + 1; k < hi; k++) {
        count = (double)(k - lo + 1);
        if (!incremental) {
            double ns = sum, nc = comp;
            fn_kahan_inc(v[k], &ns, &nc);
            if (!isinf(ns)) {
                sum = ns;
                comp = nc;
                continue;
            }
            incremental = true;
            mean = sum / (count - 1);
            comp /= (count - 1);
        }
        double q = (count - 1) / count;
        mean = q * mean;
        comp = q * comp;
        fn_kahan_inc(v[k] / count, &mean, &comp);
    }
    if (incremental)
        return mean + comp;
    return sum / count + comp / count;
}

static int kernel_avg(fn_range_call *c)
{
    const double *v = c->s->vals;
    FOR_EACH_WINDOW(c, c->vals[i] = window_avg(v, lo, hi));
    return 0;
}

static int kernel_count(fn_range_call *c)
{
    FOR_EACH_WINDOW(c, c->vals[i] = (double)(hi - lo));
    return 0;
}

static int kernel_present(fn_range_call *c)
{
    FOR_EACH_WINDOW(c, c->vals[i] = 1);
    return 0;
}

static int kernel_last(fn_range_call *c)
{
    const double *v = c->s->vals;
    FOR_EACH_WINDOW(c, c->vals[i] = v[hi - 1]);
    return 0;
}

static int kernel_first(fn_range_call *c)
{
    const double *v = c->s->vals;
    FOR_EACH_WINDOW(c, c->vals[i] = v[lo]);
    return 0;
}

/*
 * Prometheus's max scan keeps the first sample, replaces it by any later
 * sample when it is NaN, and otherwise only by a strictly greater one. So
 * the result is NaN only when every sample is NaN, and otherwise the
 * EARLIEST sample of the greatest value (which matters for -0 vs +0). The
 * deque holds the indices of non-NaN samples with strictly decreasing
 * values from the front, keeping earlier equal ones, so its front is that
 * earliest maximum. `want_max` false mirrors it for min.
 */
static int min_max(fn_range_call *c, bool want_max)
{
    const eval_range_series *s = c->s;
    const double *v = s->vals;
    if (fn_scratch_u32(c->ctx, c->scratch, s->n + 1) < 0)
        return -1;
    uint32_t *dq = c->scratch->u;
    size_t head = 0, tail = 0, next = 0; /* next: first index not pushed */
    const size_t steps = c->grid->n_steps;
    for (size_t i = 0; i < steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (next < lo)
            next = lo; /* samples skipped by a gap between windows */
        for (; next < hi; next++) {
            double x = v[next];
            if (isnan(x))
                continue;
            if (want_max) {
                while (tail > head && v[dq[tail - 1]] < x)
                    tail--;
            } else {
                while (tail > head && v[dq[tail - 1]] > x)
                    tail--;
            }
            dq[tail++] = (uint32_t)next;
        }
        while (tail > head && dq[head] < lo)
            head++;
        if (hi == lo)
            continue;
        c->vals[i] = tail > head ? v[dq[head]] : NAN;
        eval_bit_set(c->present, i);
    }
    return 0;
}

static int kernel_max(fn_range_call *c)
{
    return min_max(c, true);
}

static int kernel_min(fn_range_call *c)
{
    return min_max(c, false);
}

/* Welford's update with compensated mean and sum of squares, as upstream. */
static double window_variance(const double *v, size_t lo, size_t hi)
{
    double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
    for (size_t k = lo; k < hi; k++) {
        count++;
        double delta = v[k] - (mean + c_mean);
        fn_kahan_inc(delta / count, &mean, &c_mean);
        fn_kahan_inc(delta * (v[k] - (mean + c_mean)), &aux, &c_aux);
    }
    return (aux + c_aux) / count;
}

static int kernel_stdvar(fn_range_call *c)
{
    const double *v = c->s->vals;
    FOR_EACH_WINDOW(c, c->vals[i] = window_variance(v, lo, hi));
    return 0;
}

static int kernel_stddev(fn_range_call *c)
{
    const double *v = c->s->vals;
    FOR_EACH_WINDOW(c, c->vals[i] = sqrt(window_variance(v, lo, hi)));
    return 0;
}

op *fn_plan_sum_over_time(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_sum, FN_RANGE_DROP_NAME);
}

op *fn_plan_avg_over_time(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_avg, FN_RANGE_DROP_NAME);
}

op *fn_plan_count_over_time(eval_ctx *ctx, const ast_node *call,
                            const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_count, FN_RANGE_DROP_NAME);
}

op *fn_plan_min_over_time(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_min, FN_RANGE_DROP_NAME);
}

op *fn_plan_max_over_time(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_max, FN_RANGE_DROP_NAME);
}

op *fn_plan_last_over_time(eval_ctx *ctx, const ast_node *call,
                           const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_last, FN_RANGE_KEEP_NAME);
}

op *fn_plan_first_over_time(eval_ctx *ctx, const ast_node *call,
                            const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_first, FN_RANGE_KEEP_NAME);
}

op *fn_plan_present_over_time(eval_ctx *ctx, const ast_node *call,
                              const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_present,
                         FN_RANGE_DROP_NAME);
}

op *fn_plan_stddev_over_time(eval_ctx *ctx, const ast_node *call,
                             const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_stddev,
                         FN_RANGE_DROP_NAME);
}

op *fn_plan_stdvar_over_time(eval_ctx *ctx, const ast_node *call,
                             const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_stdvar,
                         FN_RANGE_DROP_NAME);
}
