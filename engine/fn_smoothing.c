/* fn_smoothing.c: double_exponential_smoothing (Holt's linear method) over each window. */
#include "fn_range.h"

#include <stdio.h>

/* Go's %f: like C's, but NaN and infinities are spelled NaN, +Inf, -Inf. */
static void format_go_f(double v, char *buf, size_t cap)
{
    if (isnan(v))
        snprintf(buf, cap, "NaN");
    else if (isinf(v))
        snprintf(buf, cap, "%sInf", v > 0 ? "+" : "-");
    else
        snprintf(buf, cap, "%f", v);
}

/*
 * The smoothed value depends on every sample from the window's start, so
 * each window is one pass. The factors are checked at every step whose
 * window has samples, as upstream does (an empty window never fails).
 */
static int kernel_smoothing(fn_range_call *c)
{
    const eval_range_series *s = c->s;
    const double *v = s->vals;
    for (size_t i = 0; i < c->grid->n_steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi == lo)
            continue;
        double sf = c->p0[i], tf = c->p1[i];
        char buf[64];
        if (!(sf > 0 && sf < 1)) {
            format_go_f(sf, buf, sizeof buf);
            return eval_fail(c->ctx, PQL_ERR_EXECUTION,
                             "invalid smoothing factor. Expected: 0 < sf < 1, "
                             "got: %s",
                             buf);
        }
        if (!(tf > 0 && tf < 1)) {
            format_go_f(tf, buf, sizeof buf);
            return eval_fail(c->ctx, PQL_ERR_EXECUTION,
                             "invalid trend factor. Expected: 0 < tf < 1, "
                             "got: %s",
                             buf);
        }
        if (hi - lo < 2)
            continue;
        double s0 = 0, s1 = v[lo], b = v[lo + 1] - v[lo];
        for (size_t k = lo + 1; k < hi; k++) {
            double x = sf * v[k];
            /* The trend is left as the first difference on the first
             * step, then blended. */
            if (k - 1 > lo)
                b = tf * (s1 - s0) + (1 - tf) * b;
            double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        c->vals[i] = s1;
        eval_bit_set(c->present, i);
    }
    return 0;
}

op *fn_plan_double_exponential_smoothing(eval_ctx *ctx, const ast_node *call,
                                         const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_smoothing,
                         FN_RANGE_DROP_NAME);
}
