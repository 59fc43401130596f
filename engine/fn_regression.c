/* fn_regression.c: deriv and predict_linear by least-squares linear regression over each window. */
#include "fn_range.h"

/*
 * Prometheus regresses on x = (t - intercept_time) seconds with four
 * Neumaier-compensated sums. x depends on the window (deriv uses its first
 * sample's time, predict_linear the step time), so no sum carries over
 * from one window to the next: each window is one pass over its samples.
 */
static void regression(const eval_range_series *s, size_t lo, size_t hi,
                       int64_t intercept_time, double *slope,
                       double *intercept)
{
    const double *v = s->vals;
    double n = 0, sum_x = 0, c_x = 0, sum_y = 0, c_y = 0;
    double sum_xy = 0, c_xy = 0, sum_x2 = 0, c_x2 = 0;
    double init_y = v[lo];
    bool const_y = true;
    for (size_t k = lo; k < hi; k++) {
        if (const_y && k > lo && v[k] != init_y)
            const_y = false;
        n += 1.0;
        double x = (double)(s->ts[k] - intercept_time) / 1e3;
        fn_kahan_inc(x, &sum_x, &c_x);
        fn_kahan_inc(v[k], &sum_y, &c_y);
        fn_kahan_inc(x * v[k], &sum_xy, &c_xy);
        fn_kahan_inc(x * x, &sum_x2, &c_x2);
    }
    if (const_y) {
        /* A flat line has slope 0 exactly, unless it is flat at infinity. */
        if (isinf(init_y)) {
            *slope = NAN;
            *intercept = NAN;
        } else {
            *slope = 0;
            *intercept = init_y;
        }
        return;
    }
    sum_x += c_x;
    sum_y += c_y;
    sum_xy += c_xy;
    sum_x2 += c_x2;
    double cov_xy = sum_xy - sum_x * sum_y / n;
    double var_x = sum_x2 - sum_x * sum_x / n;
    *slope = cov_xy / var_x;
    *intercept = sum_y / n - *slope * sum_x / n;
}

static int kernel_deriv(fn_range_call *c)
{
    const eval_range_series *s = c->s;
    for (size_t i = 0; i < c->grid->n_steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi - lo < 2)
            continue;
        double slope, intercept;
        /* Regressing around the first sample keeps x small (accuracy). */
        regression(s, lo, hi, s->ts[lo], &slope, &intercept);
        c->vals[i] = slope;
        eval_bit_set(c->present, i);
    }
    return 0;
}

static int kernel_predict_linear(fn_range_call *c)
{
    const eval_range_series *s = c->s;
    for (size_t i = 0; i < c->grid->n_steps; i++) {
        size_t lo = s->lo[i], hi = s->hi[i];
        if (hi - lo < 2)
            continue;
        double slope, intercept;
        /* The intercept is at the evaluation time of the step, not at the
         * window end: they differ under @ and offset, as upstream. */
        regression(s, lo, hi, eval_grid_time(c->grid, i), &slope, &intercept);
        c->vals[i] = slope * c->p0[i] + intercept;
        eval_bit_set(c->present, i);
    }
    return 0;
}

op *fn_plan_deriv(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_deriv, FN_RANGE_DROP_NAME);
}

op *fn_plan_predict_linear(eval_ctx *ctx, const ast_node *call,
                           const eval_grid *grid)
{
    return fn_range_plan(ctx, call, grid, 0, kernel_predict_linear,
                         FN_RANGE_DROP_NAME);
}
