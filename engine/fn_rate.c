/* fn_rate.c: rate, increase and delta (extrapolated over the window) and irate, idelta (last two samples). */
#include "fn_range.h"

#include <float.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The part of the extrapolation that depends only on sample times: with
 * regular scrapes consecutive windows share it, so it is kept between
 * windows and recomputed only when one of its integer inputs changes. Same
 * inputs, same operations: the reuse is bit-exact. */
typedef struct rate_times {
    int64_t d_start, d_end, span; /* ms: first - start, end - last, span */
    size_t gaps;                  /* samples - 1 */
    double to_start, to_end, sampled;
    double factor; /* with to_start unclamped (and / range for rate) */
    double clamp_bound; /* to_start with a relative margin of 1e-9 */
} rate_times;

static void rate_times_fill(rate_times *rt, int64_t d_start, int64_t d_end,
                            int64_t span, size_t gaps, bool is_rate,
                            double range_s)
{
    rt->d_start = d_start;
    rt->d_end = d_end;
    rt->span = span;
    rt->gaps = gaps;
    double to_start = (double)d_start / 1000;
    double to_end = (double)d_end / 1000;
    double sampled = (double)span / 1000;
    double avg_gap = sampled / (double)gaps;
    /* A window edge more than 1.1 average gaps from the nearest sample
     * means the series starts or ends inside the window: extrapolate only
     * half a gap there. */
    double threshold = avg_gap * 1.1;
    if (to_start >= threshold)
        to_start = avg_gap / 2;
    if (to_end >= threshold)
        to_end = avg_gap / 2;
    rt->to_start = to_start;
    rt->to_end = to_end;
    rt->sampled = sampled;
    double factor = (sampled + to_start + to_end) / sampled;
    if (is_rate)
        factor /= range_s;
    rt->factor = factor;
    rt->clamp_bound = to_start * (1 + 1e-9);
}

/* Whether v[k] < v[k-1] for some k in [b, e). The SSE2 compare is the
 * same ordered less-than as C's `<` (false on NaN), two pairs at a time;
 * GCC does not vectorise the plain loop (double compare to int). */
static inline bool block_has_drop(const double *v, size_t b, size_t e)
{
    size_t k = b;
    int any = 0;
#if defined(__SSE2__)
    __m128d acc0 = _mm_setzero_pd(), acc1 = _mm_setzero_pd();
    for (; k + 4 <= e; k += 4) {
        acc0 = _mm_or_pd(acc0, _mm_cmplt_pd(_mm_loadu_pd(v + k),
                                            _mm_loadu_pd(v + k - 1)));
        acc1 = _mm_or_pd(acc1, _mm_cmplt_pd(_mm_loadu_pd(v + k + 2),
                                            _mm_loadu_pd(v + k + 1)));
    }
    any = _mm_movemask_pd(_mm_or_pd(acc0, acc1));
#endif
    for (; k < e; k++)
        any |= v[k] < v[k - 1];
    return any != 0;
}

/*
 * Counter resets: Prometheus starts from last - first and then adds, in
 * sample order, the value before every drop inside the window. A prefix sum
 * of those corrections would make each window O(1) but could differ from
 * that ordered sum in the last bits, so instead the indices of the drops are
 * listed once per series and each window adds only its own drops, in order:
 * O(1) for windows without resets (the normal case) and bit-identical
 * always. Window bounds only move forward, so one cursor finds each
 * window's first drop.
 */
static int extrapolated(fn_range_call *c, bool is_counter, bool is_rate)
{
    const eval_range_series *s = c->s;
    const double *v = s->vals;
    const int64_t *t = s->ts;
    size_t n_resets = 0;
    const uint32_t *resets = NULL;
    if (is_counter) {
        if (fn_scratch_u32(c->ctx, c->scratch, s->n + 1) < 0)
            return -1;
        uint32_t *r = c->scratch->u;
        /* Drops are rare: test blocks of 32 pairs with a loop the compiler
         * can vectorise and list indices only in blocks that have one. */
        for (size_t b = 1; b < s->n; b += 32) {
            size_t e = b + 32 < s->n ? b + 32 : s->n;
            if (!block_has_drop(v, b, e))
                continue;
            for (size_t k = b; k < e; k++) {
                if (v[k] < v[k - 1])
                    r[n_resets++] = (uint32_t)k;
            }
        }
        resets = r;
    }
    size_t cur = 0; /* first reset index that may still be in a window */
    rate_times rt = {.gaps = 0};
    const size_t steps = c->grid->n_steps;
    for (size_t i = 0; i < steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi - lo < 2)
            continue;
        size_t last = hi - 1;
        double result = v[last] - v[lo];
        if (n_resets) {
            while (cur < n_resets && resets[cur] <= lo)
                cur++;
            for (size_t r = cur; r < n_resets && resets[r] <= last; r++)
                result += v[resets[r] - 1];
        }
        int64_t range_end = fn_win_end(s, i);
        int64_t range_start = range_end - s->range_ms;
        int64_t d_start = t[lo] - range_start, d_end = range_end - t[last];
        int64_t span = t[last] - t[lo];
        if (rt.gaps != last - lo || rt.d_start != d_start ||
            rt.d_end != d_end || rt.span != span)
            rate_times_fill(&rt, d_start, d_end, span, last - lo, is_rate,
                            c->range_s);
        double factor = rt.factor;
        if (is_counter && result > 0 && v[lo] >= 0) {
            /* A counter cannot go below zero: do not extrapolate the start
             * past the point where the line would cross it. Usually the
             * zero point is far before the window; when the products show
             * that with a margin far above rounding error, the division
             * can be skipped without changing the decision. */
            double lhs = v[lo] * rt.sampled, rhs = rt.clamp_bound * result;
            /* Both products normal and finite: relative errors hold. */
            bool far = lhs > rhs && rhs >= DBL_MIN && lhs <= DBL_MAX;
            double to_zero = far ? 0 : rt.sampled * (v[lo] / result);
            if (!far && to_zero < rt.to_start) {
                factor = (rt.sampled + to_zero + rt.to_end) / rt.sampled;
                if (is_rate)
                    factor /= c->range_s;
            }
        }
        c->vals[i] = result * factor;
        eval_bit_set(c->present, i);
    }
    return 0;
}

static int kernel_rate(fn_range_call *c)
{
    return extrapolated(c, true, true);
}

static int kernel_increase(fn_range_call *c)
{
    return extrapolated(c, true, false);
}

static int kernel_delta(fn_range_call *c)
{
    return extrapolated(c, false, false);
}

/* irate / idelta look at the last two samples of each window only. */
static int instant_value(fn_range_call *c, bool is_rate)
{
    const eval_range_series *s = c->s;
    const double *v = s->vals;
    const int64_t *t = s->ts;
    const size_t steps = c->grid->n_steps;
    for (size_t i = 0; i < steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi - lo < 2)
            continue;
        double v0 = v[hi - 2], v1 = v[hi - 1];
        int64_t interval = t[hi - 1] - t[hi - 2];
        if (interval == 0)
            continue;
        /* After a counter reset the new value is the whole increase. */
        double result = (is_rate && v1 < v0) ? v1 : v1 - v0;
        if (is_rate)
            result /= (double)interval / 1000;
        c->vals[i] = result;
        eval_bit_set(c->present, i);
    }
    return 0;
}

static int kernel_irate(fn_range_call *c)
{
    return instant_value(c, true);
}

static int kernel_idelta(fn_range_call *c)
{
    return instant_value(c, false);
}

op *fn_plan_rate(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_rate,
                         FN_RANGE_COUNTER_INFO);
}

op *fn_plan_increase(eval_ctx *ctx, const ast_node *call,
                     const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_increase,
                         FN_RANGE_COUNTER_INFO);
}

op *fn_plan_delta(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_delta, FN_RANGE_DROP_NAME);
}

op *fn_plan_irate(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_irate, FN_RANGE_DROP_NAME);
}

op *fn_plan_idelta(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_idelta,
                         FN_RANGE_DROP_NAME);
}
