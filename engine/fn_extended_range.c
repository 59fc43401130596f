/* fn_extended_range.c: rate, increase, delta, changes and resets over `anchored` and `smoothed` range selectors. */
#include "fn_range.h"

#include <string.h>

#include "functions.h"

/*
 * With `anchored` or `smoothed` the matrix selector (op_matrix.c) widens
 * every window by the lookback delta: back to include the last sample at or
 * before the range start (the anchor) and, for `smoothed`, forward to
 * include the first sample after the range end. A window [lo, hi) then holds
 * exactly the points Prometheus passes to the function for that step, and
 * these kernels pick their boundary values out of it as Prometheus's
 * extendedRate / pickFirstSampleIndex do:
 *
 *   left  = the anchor (or, smoothed, the value interpolated at the start
 *           between the anchor and the next sample);
 *   right = the last sample (or, smoothed, interpolated at the end);
 *   increase = right - left + the counter resets strictly between them.
 *
 * Nothing is extrapolated. The plain kernels (fn_rate.c,
 * fn_resets_changes.c) are never run over a widened matrix: plan_call
 * routes these five functions here and rejects every other one.
 */

/* sort.Search(n, t[k] > x) over ts[0..n). */
static size_t search_after(const int64_t *t, size_t n, int64_t x)
{
    size_t i = 0, j = n;
    while (i < j) {
        size_t h = i + (j - i) / 2;
        if (!(t[h] > x))
            i = h + 1;
        else
            j = h;
    }
    return i;
}

/* sort.Search(n, t[k] >= x) over ts[0..n). */
static size_t search_at_or_after(const int64_t *t, size_t n, int64_t x)
{
    size_t i = 0, j = n;
    while (i < j) {
        size_t h = i + (j - i) / 2;
        if (!(t[h] >= x))
            i = h + 1;
        else
            j = h;
    }
    return i;
}

/* Linear interpolation at time x; a counter that dropped between the two
 * points is taken to restart from zero. Same operation order as Go. */
static double interpolate(int64_t t1, double y1, int64_t t2, double y2,
                          int64_t x, bool is_counter)
{
    if (is_counter && y2 < y1)
        y1 = 0;
    return y1 + (y2 - y1) * (double)(x - t1) / (double)(t2 - t1);
}

/* The vector selector under the call's range argument (plan_call only
 * routes calls that have one). */
static const ast_node *range_vs(const ast_node *call)
{
    for (size_t i = 0; i < call->u.call.n_args; i++) {
        const ast_node *a = call->u.call.args[i];
        while (a->kind == PQL_NODE_PAREN)
            a = a->u.paren.expr;
        if (a->kind == PQL_NODE_MATRIX_SELECTOR)
            return a->u.matrix.vs;
    }
    return NULL;
}

/*
 * Counter resets between the boundary values are added in sample order, as
 * Prometheus's correctForCounterResets does: against `left` first, then
 * every drop between inner samples, then `right` against the last inner
 * sample. The drops are listed once per series so that a window without
 * resets costs O(1) instead of a walk over the window; the sum is taken in
 * the same order as Go's loop, so the result is bit-identical.
 */
static int extended_rate(fn_range_call *c, bool is_counter, bool is_rate)
{
    const eval_range_series *s = c->s;
    const int64_t *ts = s->ts;
    const double *vs = s->vals;
    const bool smoothed = range_vs(c->call)->u.vs.smoothed;
    size_t n_resets = 0;
    uint32_t *resets = NULL;
    if (is_counter) {
        if (fn_scratch_u32(c->ctx, c->scratch, s->n + 1) < 0)
            return -1;
        resets = c->scratch->u;
        for (size_t k = 1; k < s->n; k++) {
            if (vs[k] < vs[k - 1])
                resets[n_resets++] = (uint32_t)k;
        }
    }
    size_t cur = 0;
    for (size_t i = 0; i < c->grid->n_steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi == lo)
            continue;
        const int64_t *t = ts + lo;
        const double *v = vs + lo;
        size_t n = hi - lo;
        int64_t range_end = fn_win_end(s, i);
        int64_t range_start = range_end - s->range_ms;

        size_t last = n - 1;
        size_t first = search_after(t, last, range_start);
        first = first > 0 ? first - 1 : 0;
        if (smoothed)
            last = search_at_or_after(t, n - 1, range_end);
        if (t[last] <= range_start)
            continue;
        if (smoothed && t[first] > range_end)
            continue;

        double left = v[first], right = v[last];
        if (smoothed && t[first] < range_start)
            left = interpolate(t[first], v[first], t[first + 1], v[first + 1],
                               range_start, is_counter);
        if (smoothed && last > 0 && t[last] > range_end)
            right = interpolate(t[last - 1], v[last - 1], t[last], v[last],
                                range_end, is_counter);
        double result = right - left;

        if (is_counter) {
            /* Only samples strictly inside the boundaries can add a reset;
             * those on or beyond them are represented by left / right. */
            size_t a = first, b = last; /* inner slice is [a, b] */
            if (t[first] <= range_start)
                a++;
            bool has_inner = true;
            if (t[last] >= range_end) {
                if (b == 0)
                    has_inner = false;
                else
                    b--;
            }
            if (a > b)
                has_inner = false;
            double corr = 0, prev = left;
            if (has_inner) {
                if (v[a] < prev)
                    corr += prev;
                size_t abs_a = lo + a, abs_b = lo + b;
                while (cur < n_resets && resets[cur] <= abs_a)
                    cur++;
                for (size_t r = cur; r < n_resets && resets[r] <= abs_b; r++)
                    corr += vs[resets[r] - 1];
                prev = v[b];
            }
            if (right < prev)
                corr += prev;
            result += corr;
        }
        if (is_rate)
            result /= c->range_s;
        c->vals[i] = result;
        eval_bit_set(c->present, i);
    }
    return 0;
}

static int kernel_rate(fn_range_call *c)
{
    return extended_rate(c, true, true);
}

static int kernel_increase(fn_range_call *c)
{
    return extended_rate(c, true, false);
}

static int kernel_delta(fn_range_call *c)
{
    return extended_rate(c, false, false);
}

/*
 * changes / resets with `anchored` count over the window from the anchor
 * on (Prometheus's pickFirstSampleIndex); without a sample after the range
 * start there is no result. A prefix count over the series answers each
 * window in O(1).
 */
static int anchored_pairs(fn_range_call *c, bool changes)
{
    const eval_range_series *s = c->s;
    const double *v = s->vals;
    /* resets also counts start-timestamp resets, as without `anchored`. */
    const int64_t *st = changes ? NULL : s->st;
    if (fn_scratch_u32(c->ctx, c->scratch, s->n + 1) < 0)
        return -1;
    uint32_t *prefix = c->scratch->u;
    prefix[0] = 0;
    for (size_t k = 1; k < s->n; k++) {
        double a = v[k - 1], b = v[k];
        bool hit = changes ? (b != a && !(isnan(a) && isnan(b)))
                           : b < a || (st && fn_st_reset(st[k - 1],
                                                         s->ts[k - 1], st[k],
                                                         s->ts[k]));
        prefix[k] = prefix[k - 1] + (hit ? 1u : 0u);
    }
    for (size_t i = 0; i < c->grid->n_steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi == lo)
            continue;
        const int64_t *t = s->ts + lo;
        size_t n = hi - lo;
        int64_t range_start = fn_win_end(s, i) - s->range_ms;
        if (t[n - 1] <= range_start)
            continue;
        size_t first = search_after(t, n - 1, range_start);
        first = first > 0 ? first - 1 : 0;
        c->vals[i] = (double)(prefix[hi - 1] - prefix[lo + first]);
        eval_bit_set(c->present, i);
    }
    return 0;
}

static int kernel_changes(fn_range_call *c)
{
    return anchored_pairs(c, true);
}

static int kernel_resets(fn_range_call *c)
{
    return anchored_pairs(c, false);
}

op *plan_extended_call(eval_ctx *ctx, const ast_node *call,
                       const eval_grid *grid)
{
    const char *name = call->u.call.fn->name;
    const ast_node *vs = range_vs(call);
    static const char anchored_ok[] = "changes, delta, increase, rate, resets";
    static const char smoothed_ok[] = "delta, increase, rate";
    bool is_rate = strcmp(name, "rate") == 0;
    bool is_increase = strcmp(name, "increase") == 0;
    bool is_delta = strcmp(name, "delta") == 0;
    bool is_changes = strcmp(name, "changes") == 0;
    bool is_resets = strcmp(name, "resets") == 0;
    if (vs->u.vs.anchored &&
        !(is_rate || is_increase || is_delta || is_changes || is_resets)) {
        eval_fail(ctx, PQL_ERR_EXECUTION,
                  "anchored modifier can only be used with: %s - not with %s",
                  anchored_ok, name);
        return NULL;
    }
    if (vs->u.vs.smoothed && !(is_rate || is_increase || is_delta)) {
        eval_fail(ctx, PQL_ERR_EXECUTION,
                  "smoothed modifier can only be used with: %s - not with %s",
                  smoothed_ok, name);
        return NULL;
    }
    if (is_rate)
        return fn_range_plan(ctx, call, grid, 0, kernel_rate,
                             FN_RANGE_COUNTER_INFO);
    if (is_increase)
        return fn_range_plan(ctx, call, grid, 0, kernel_increase,
                             FN_RANGE_COUNTER_INFO);
    if (is_delta)
        return fn_range_plan(ctx, call, grid, 0, kernel_delta,
                             FN_RANGE_DROP_NAME);
    if (is_changes)
        return fn_range_plan(ctx, call, grid, 0, kernel_changes,
                             FN_RANGE_DROP_NAME);
    op *o = fn_range_plan(ctx, call, grid, 0, kernel_resets,
                          FN_RANGE_DROP_NAME);
    fn_range_want_start_timestamps(ctx, o);
    return o;
}
