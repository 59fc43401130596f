/* fn_rate.c: rate, increase and delta (extrapolated over the window) and irate, idelta (last two samples). */
#include "fn_range.h"

#include <float.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

/*
 * The part of the extrapolation that depends only on sample times, for a
 * block of windows at once: the divisions dominate the kernel and windows
 * are independent, so they run two (SSE2) or four (AVX) at a time. Every
 * lane does exactly the scalar operations in the same order (IEEE division,
 * multiplication and addition are correctly rounded whatever the vector
 * width; avg / 2 and avg * 0.5 are the same exact halving), so the result is
 * bit-identical to Prometheus's per-window arithmetic:
 *
 *   to_start = d_start / 1000, to_end = d_end / 1000, sampled = span / 1000
 *   avg = sampled / gaps; threshold = avg * 1.1
 *   if to_start >= threshold: to_start = avg / 2 (same for to_end)
 *   factor = (sampled + to_start + to_end) / sampled [/ range for rate]
 */
#define RATE_BLOCK 128

typedef struct rate_block {
    /* inputs, as exact doubles of the integer ms / counts */
    _Alignas(32) double ds[RATE_BLOCK];
    _Alignas(32) double de[RATE_BLOCK];
    _Alignas(32) double sp[RATE_BLOCK];
    _Alignas(32) double gp[RATE_BLOCK];
    /* outputs */
    _Alignas(32) double to_start[RATE_BLOCK];
    _Alignas(32) double to_end[RATE_BLOCK];
    _Alignas(32) double sampled[RATE_BLOCK];
    _Alignas(32) double factor[RATE_BLOCK];
    /* per window: the raw increase, the first value and the step */
    _Alignas(32) double result[RATE_BLOCK];
    _Alignas(32) double first[RATE_BLOCK];
    uint32_t step[RATE_BLOCK];
    /* rate_finish: result * factor, and which windows need the counter
     * clamp worked out exactly (bit j of slow[j / 64]) */
    _Alignas(32) double out[RATE_BLOCK];
    uint64_t slow[RATE_BLOCK / 64];
} rate_block;

static void rate_factors_scalar(rate_block *b, size_t nb, double range_s,
                                bool is_rate)
{
    for (size_t j = 0; j < nb; j++) {
        double to_start = b->ds[j] / 1000;
        double to_end = b->de[j] / 1000;
        double sampled = b->sp[j] / 1000;
        double avg_gap = sampled / b->gp[j];
        double threshold = avg_gap * 1.1;
        if (to_start >= threshold)
            to_start = avg_gap / 2;
        if (to_end >= threshold)
            to_end = avg_gap / 2;
        double factor = (sampled + to_start + to_end) / sampled;
        if (is_rate)
            factor /= range_s;
        b->to_start[j] = to_start;
        b->to_end[j] = to_end;
        b->sampled[j] = sampled;
        b->factor[j] = factor;
    }
}

#if defined(__SSE2__)
/* nb a multiple of 4 (the block is padded with harmless windows). */
static void rate_factors_sse2(rate_block *b, size_t nb, double range_s,
                              bool is_rate)
{
    const __m128d k1000 = _mm_set1_pd(1000), k11 = _mm_set1_pd(1.1),
                  khalf = _mm_set1_pd(0.5), kr = _mm_set1_pd(range_s);
    for (size_t j = 0; j < nb; j += 2) {
        __m128d to_s = _mm_div_pd(_mm_load_pd(b->ds + j), k1000);
        __m128d to_e = _mm_div_pd(_mm_load_pd(b->de + j), k1000);
        __m128d smp = _mm_div_pd(_mm_load_pd(b->sp + j), k1000);
        __m128d avg = _mm_div_pd(smp, _mm_load_pd(b->gp + j));
        __m128d thr = _mm_mul_pd(avg, k11);
        __m128d half = _mm_mul_pd(avg, khalf);
        __m128d ms = _mm_cmpge_pd(to_s, thr);
        __m128d me = _mm_cmpge_pd(to_e, thr);
        to_s = _mm_or_pd(_mm_and_pd(ms, half), _mm_andnot_pd(ms, to_s));
        to_e = _mm_or_pd(_mm_and_pd(me, half), _mm_andnot_pd(me, to_e));
        __m128d f = _mm_div_pd(_mm_add_pd(_mm_add_pd(smp, to_s), to_e), smp);
        if (is_rate)
            f = _mm_div_pd(f, kr);
        _mm_store_pd(b->to_start + j, to_s);
        _mm_store_pd(b->to_end + j, to_e);
        _mm_store_pd(b->sampled + j, smp);
        _mm_store_pd(b->factor + j, f);
    }
}
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RATE_HAVE_AVX 1
/* The same with 256-bit vectors, used when the CPU has AVX (chosen at run
 * time; no FMA is enabled, so nothing can be contracted). */
__attribute__((target("avx"))) static void
rate_factors_avx(rate_block *b, size_t nb, double range_s, bool is_rate)
{
    const __m256d k1000 = _mm256_set1_pd(1000), k11 = _mm256_set1_pd(1.1),
                  khalf = _mm256_set1_pd(0.5), kr = _mm256_set1_pd(range_s);
    for (size_t j = 0; j < nb; j += 4) {
        __m256d to_s = _mm256_div_pd(_mm256_load_pd(b->ds + j), k1000);
        __m256d to_e = _mm256_div_pd(_mm256_load_pd(b->de + j), k1000);
        __m256d smp = _mm256_div_pd(_mm256_load_pd(b->sp + j), k1000);
        __m256d avg = _mm256_div_pd(smp, _mm256_load_pd(b->gp + j));
        __m256d thr = _mm256_mul_pd(avg, k11);
        __m256d half = _mm256_mul_pd(avg, khalf);
        __m256d ms = _mm256_cmp_pd(to_s, thr, _CMP_GE_OQ);
        __m256d me = _mm256_cmp_pd(to_e, thr, _CMP_GE_OQ);
        to_s = _mm256_blendv_pd(to_s, half, ms);
        to_e = _mm256_blendv_pd(to_e, half, me);
        __m256d f = _mm256_div_pd(
            _mm256_add_pd(_mm256_add_pd(smp, to_s), to_e), smp);
        if (is_rate)
            f = _mm256_div_pd(f, kr);
        _mm256_store_pd(b->to_start + j, to_s);
        _mm256_store_pd(b->to_end + j, to_e);
        _mm256_store_pd(b->sampled + j, smp);
        _mm256_store_pd(b->factor + j, f);
    }
}
#endif

static void rate_factors(rate_block *b, size_t nb, double range_s,
                         bool is_rate, int use_avx)
{
    if (nb < 4) { /* instant queries: one window */
        rate_factors_scalar(b, nb, range_s, is_rate);
        return;
    }
    /* Pad to a whole number of vectors with windows that divide cleanly. */
    size_t padded = (nb + 3) & ~(size_t)3;
    for (size_t j = nb; j < padded; j++) {
        b->ds[j] = 0;
        b->de[j] = 0;
        b->sp[j] = 1;
        b->gp[j] = 1;
    }
#if defined(RATE_HAVE_AVX)
    if (use_avx) {
        rate_factors_avx(b, padded, range_s, is_rate);
        return;
    }
#endif
    (void)use_avx;
#if defined(__SSE2__)
    rate_factors_sse2(b, padded, range_s, is_rate);
#else
    rate_factors_scalar(b, padded, range_s, is_rate);
#endif
}

/*
 * The output of each window, result * factor, and the windows whose counter
 * clamp must be worked out one by one. A counter cannot go below zero, so
 * the start is not extrapolated past the point where the line would cross
 * it: to_zero = sampled * (first / result) when result > 0 and first >= 0.
 * Usually that point is far before the window; when the products show it
 * with a margin far above rounding error (first * sampled > to_start *
 * (1 + 1e-9) * result, both normal and finite), the division cannot change
 * the decision and the window keeps its factor. The rest are marked slow.
 */
static void rate_finish_scalar(rate_block *b, size_t nb, bool is_counter)
{
    memset(b->slow, 0, sizeof b->slow);
    for (size_t j = 0; j < nb; j++) {
        double result = b->result[j], first = b->first[j];
        b->out[j] = result * b->factor[j];
        if (is_counter && result > 0 && first >= 0) {
            double lhs = first * b->sampled[j],
                   rhs = b->to_start[j] * (1 + 1e-9) * result;
            bool far = lhs > rhs && rhs >= DBL_MIN && lhs <= DBL_MAX;
            if (!far)
                b->slow[j >> 6] |= (uint64_t)1 << (j & 63u);
        }
    }
}

#if defined(RATE_HAVE_AVX)
/* The same four windows at a time (nb a multiple of 4; padded windows have
 * result 0, so they are never slow). */
__attribute__((target("avx"))) static void
rate_finish_avx(rate_block *b, size_t nb, bool is_counter)
{
    memset(b->slow, 0, sizeof b->slow);
    const __m256d zero = _mm256_setzero_pd(), margin = _mm256_set1_pd(1 + 1e-9),
                  dmin = _mm256_set1_pd(DBL_MIN), dmax = _mm256_set1_pd(DBL_MAX);
    for (size_t j = 0; j < nb; j += 4) {
        __m256d result = _mm256_load_pd(b->result + j);
        _mm256_store_pd(b->out + j, _mm256_mul_pd(result, _mm256_load_pd(b->factor + j)));
        if (!is_counter)
            continue;
        __m256d first = _mm256_load_pd(b->first + j);
        __m256d need = _mm256_and_pd(_mm256_cmp_pd(result, zero, _CMP_GT_OQ),
                                     _mm256_cmp_pd(first, zero, _CMP_GE_OQ));
        __m256d lhs = _mm256_mul_pd(first, _mm256_load_pd(b->sampled + j));
        __m256d rhs = _mm256_mul_pd(_mm256_mul_pd(_mm256_load_pd(b->to_start + j), margin),
                                    result);
        __m256d far = _mm256_and_pd(
            _mm256_cmp_pd(lhs, rhs, _CMP_GT_OQ),
            _mm256_and_pd(_mm256_cmp_pd(rhs, dmin, _CMP_GE_OQ),
                          _mm256_cmp_pd(lhs, dmax, _CMP_LE_OQ)));
        unsigned slow = (unsigned)_mm256_movemask_pd(_mm256_andnot_pd(far, need));
        b->slow[j >> 6] |= (uint64_t)slow << (j & 63u);
    }
}
#endif

static void rate_finish(rate_block *b, size_t nb, bool is_counter, int use_avx)
{
#if defined(RATE_HAVE_AVX)
    if (use_avx && nb >= 4) {
        size_t padded = (nb + 3) & ~(size_t)3;
        for (size_t j = nb; j < padded; j++) {
            b->result[j] = 0;
            b->first[j] = 0;
        }
        rate_finish_avx(b, padded, is_counter);
        return;
    }
#endif
    (void)use_avx;
    rate_finish_scalar(b, nb, is_counter);
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
/*
 * rate / increase of a series with start timestamps, window by window in
 * Prometheus's order (kept apart from the fast path below, which series
 * without STs keep using). An ST pointing past the previous sample is a
 * reset like a drop; one sample is enough when its ST falls inside the
 * window: a zero sample is assumed at that ST instead of extrapolating to
 * the left.
 */
static int extrapolated_st(fn_range_call *c, bool is_rate)
{
    const eval_range_series *s = c->s;
    const double *v = s->vals;
    const int64_t *t = s->ts;
    const int64_t *st = s->st;
    const size_t steps = c->grid->n_steps;
    bool warned = false;
    for (size_t i = 0; i < steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi == lo)
            continue;
        size_t last = hi - 1, gaps = last - lo;
        double result = v[last] - v[lo];
        for (size_t k = lo + 1; k <= last; k++) {
            if (!warned && fn_st_overlap(st[k - 1], t[k - 1], st[k])) {
                const char *name = labels_get(&s->labels, LABELS_NAME);
                eval_annotate(c->ctx, EVAL_NOTE_WARNING,
                              c->call->u.call.args[0],
                              "PromQL warning: sample has start time that "
                              "overlaps with previous sample timestamp for "
                              "metric \"%s\"",
                              name ? name : "");
                warned = true; /* the text is the same for every window */
            }
            if (v[k] < v[k - 1] ||
                fn_st_reset(st[k - 1], t[k - 1], st[k], t[k]))
                result += v[k - 1];
        }
        int64_t range_end = fn_win_end(s, i);
        int64_t range_start = range_end - s->range_ms;
        double to_start = (double)(t[lo] - range_start) / 1000;
        double to_end = (double)(range_end - t[last]) / 1000;
        double sampled = (double)(t[last] - t[lo]) / 1000;
        double avg_gap = gaps > 0 ? sampled / (double)gaps : 0;
        double threshold = avg_gap * 1.1;
        int64_t st0 = st[lo];
        if (st0 != 0 && st0 > range_start && st0 < t[lo]) {
            /* With one sample the average gap is 0, so the right side is
             * not extrapolated either (threshold 0). */
            to_start = 0;
            sampled = (double)(t[last] - st0) / 1000;
            result += v[lo];
        } else if (gaps == 0) {
            continue;
        } else {
            if (to_start >= threshold)
                to_start = avg_gap / 2;
            double to_zero = to_start;
            if (result > 0 && v[lo] >= 0)
                to_zero = sampled * (v[lo] / result);
            if (to_zero < to_start)
                to_start = to_zero;
        }
        if (to_end >= threshold)
            to_end = avg_gap / 2;
        double factor = 1.0;
        if (sampled != 0)
            factor = (sampled + to_start + to_end) / sampled;
        if (is_rate)
            factor /= c->range_s;
        c->vals[i] = result * factor;
        eval_bit_set(c->present, i);
    }
    return 0;
}

static int extrapolated(fn_range_call *c, bool is_counter, bool is_rate)
{
    if (is_counter && c->s->st)
        return extrapolated_st(c, is_rate);
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
    const size_t steps = c->grid->n_steps;
    int use_avx = 0;
#if defined(RATE_HAVE_AVX)
    use_avx = __builtin_cpu_supports("avx");
#endif
    rate_block blk;
    for (size_t i0 = 0; i0 < steps; i0 += RATE_BLOCK) {
        size_t i1 = i0 + RATE_BLOCK < steps ? i0 + RATE_BLOCK : steps;
        /* 1: per window, the increase (drops added in order) and the
         * integer times, as exact doubles. */
        size_t nb = 0;
        for (size_t i = i0; i < i1; i++) {
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
            blk.ds[nb] = (double)(t[lo] - range_start);
            blk.de[nb] = (double)(range_end - t[last]);
            blk.sp[nb] = (double)(t[last] - t[lo]);
            blk.gp[nb] = (double)(last - lo);
            blk.result[nb] = result;
            blk.first[nb] = v[lo];
            blk.step[nb] = (uint32_t)(i - i0);
            nb++;
        }
        if (nb == 0)
            continue;
        /* 2: the time factors and the outputs, vectorised. */
        rate_factors(&blk, nb, c->range_s, is_rate, use_avx);
        rate_finish(&blk, nb, is_counter, use_avx);
        /* 3: the rare windows whose zero point may fall inside the
         * extrapolation get the exact clamp. */
        for (size_t w = 0; w < RATE_BLOCK / 64; w++) {
            for (uint64_t bits = blk.slow[w]; bits; bits &= bits - 1) {
                size_t j = w * 64 + (size_t)__builtin_ctzll(bits);
                double result = blk.result[j], first = blk.first[j];
                double sampled = blk.sampled[j], to_start = blk.to_start[j];
                double to_zero = sampled * (first / result);
                if (to_zero < to_start) {
                    double factor = (sampled + to_zero + blk.to_end[j]) / sampled;
                    if (is_rate)
                        factor /= c->range_s;
                    blk.out[j] = result * factor;
                }
            }
        }
        /* 4: store. Usually every window of the block has samples, so the
         * outputs are contiguous; the presence bits (two bitmap words:
         * RATE_BLOCK is 128 and i0 a multiple of it) gather in registers. */
        uint64_t bits[RATE_BLOCK / 64] = {0};
        if (nb == i1 - i0) {
            memcpy(c->vals + i0, blk.out, nb * sizeof(double));
            for (size_t w = 0; w < RATE_BLOCK / 64; w++) {
                size_t lo = w * 64;
                if (nb > lo)
                    bits[w] = nb - lo >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << (nb - lo)) - 1;
            }
        } else {
            for (size_t j = 0; j < nb; j++) {
                c->vals[i0 + blk.step[j]] = blk.out[j];
                bits[blk.step[j] >> 6] |= (uint64_t)1 << (blk.step[j] & 63u);
            }
        }
        for (size_t w = 0; w < RATE_BLOCK / 64 && i0 + 64 * w < steps; w++)
            c->present[(i0 >> 6) + w] |= bits[w];
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
        /* After a counter reset the new value is the whole increase; a
         * start timestamp can mark one too. */
        bool reset = is_rate && (v1 < v0 || (s->st && fn_st_reset(
                                                  s->st[hi - 2], t[hi - 2],
                                                  s->st[hi - 1], t[hi - 1])));
        double result = reset ? v1 : v1 - v0;
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
    op *o = fn_range_plan(ctx, call, grid, 0, kernel_rate,
                          FN_RANGE_COUNTER_INFO);
    fn_range_want_start_timestamps(ctx, o);
    return o;
}

op *fn_plan_increase(eval_ctx *ctx, const ast_node *call,
                     const eval_grid *grid)
{
    op *o = fn_range_plan(ctx, call, grid, 0, kernel_increase,
                          FN_RANGE_COUNTER_INFO);
    fn_range_want_start_timestamps(ctx, o);
    return o;
}

op *fn_plan_delta(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_delta, FN_RANGE_DROP_NAME);
}

op *fn_plan_irate(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    op *o = fn_range_plan(ctx, call, grid, 0, kernel_irate,
                          FN_RANGE_DROP_NAME);
    fn_range_want_start_timestamps(ctx, o);
    return o;
}

op *fn_plan_idelta(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_idelta,
                         FN_RANGE_DROP_NAME);
}
