/* fn_resets_changes.c: resets and changes, counted per window from a per-series prefix count. */
#include "fn_range.h"

/*
 * Both functions count adjacent sample pairs inside the window that meet a
 * condition. The counts are integers, so a prefix count built once per
 * series answers every window exactly in O(1): pairs (k-1, k) with
 * lo < k < hi number prefix[hi-1] - prefix[lo].
 */
static int count_pairs(fn_range_call *c, bool changes)
{
    const eval_range_series *s = c->s;
    const double *v = s->vals;
    const int64_t *t = s->ts, *st = changes ? NULL : s->st;
    if (fn_scratch_u32(c->ctx, c->scratch, s->n + 1) < 0)
        return -1;
    uint32_t *prefix = c->scratch->u;
    prefix[0] = 0;
    for (size_t k = 1; k < s->n; k++) {
        double a = v[k - 1], b = v[k];
        /* changes: NaN to NaN is no change; resets: any drop, or a start
         * timestamp marking a new run. */
        bool hit = changes ? (b != a && !(isnan(a) && isnan(b)))
                           : b < a || (st && fn_st_reset(st[k - 1], t[k - 1],
                                                         st[k], t[k]));
        prefix[k] = prefix[k - 1] + (hit ? 1u : 0u);
    }
    for (size_t i = 0; i < c->grid->n_steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi == lo)
            continue;
        c->vals[i] = (double)(prefix[hi - 1] - prefix[lo]);
        eval_bit_set(c->present, i);
    }
    return 0;
}

static int kernel_resets(fn_range_call *c)
{
    return count_pairs(c, false);
}

static int kernel_changes(fn_range_call *c)
{
    return count_pairs(c, true);
}

op *fn_plan_resets(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    op *o = fn_range_plan(ctx, call, grid, 0, kernel_resets,
                          FN_RANGE_DROP_NAME);
    fn_range_want_start_timestamps(ctx, o);
    return o;
}

op *fn_plan_changes(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_changes,
                         FN_RANGE_DROP_NAME);
}
