/* fn_range.h: the shared operator kit of range-vector functions (rate, *_over_time, ...) and their planners. */
#ifndef PQL_FN_RANGE_H
#define PQL_FN_RANGE_H

#include <math.h>

#include "functions_table.h"

/*
 * Every range function is one generic operator (fn_range.c) plus a kernel.
 * The operator pulls one range series at a time from its MATRIX child,
 * hands it to the kernel with a zeroed presence bitmap, and yields the
 * filled column. A kernel sees all steps of one series at once, so it can
 * slide state across windows; it is called once per series (one indirect
 * call per series, none per sample).
 *
 * Prometheus calls a range function only for steps whose window holds at
 * least one sample; kernels must leave the bit clear for an empty window
 * and may leave it clear for others (rate with fewer than two samples).
 */

/* Growable per-operator scratch (arena): reused across series. */
typedef struct fn_scratch {
    double *d;
    size_t d_cap;
    uint32_t *u;
    size_t u_cap;
} fn_scratch;

typedef struct fn_range_call {
    eval_ctx *ctx;
    const ast_node *call;        /* the CALL node (positions) */
    const eval_range_series *s;  /* the input series */
    const eval_grid *grid;       /* output grid: step times */
    const double *p0, *p1;       /* per-step scalar arguments, or NULL */
    double range_s;              /* Go's Duration.Seconds() of the range */
    double *vals;                /* [n_steps] output */
    uint64_t *present;           /* [words] output, zeroed on entry */
    fn_scratch *scratch;
} fn_range_call;

/* Fills vals/present for one series. Returns 0, or -1 with the error
 * recorded on ctx. */
typedef int (*fn_range_kernel)(fn_range_call *c);

/* How the operator treats names and annotations after the kernel. */
typedef enum {
    FN_RANGE_DROP_NAME = 0,
    FN_RANGE_KEEP_NAME = 1,   /* last_over_time, first_over_time */
    FN_RANGE_COUNTER_INFO = 2 /* rate, increase: drop name + non-counter info */
} fn_range_mode;

/* Plans a range function: the matrix argument is args[matrix_arg], every
 * other argument (at most two) is a scalar planned on `grid` whose column
 * the kernel reads as p0, p1 in argument order. */
op *fn_range_plan(eval_ctx *ctx, const ast_node *call, const eval_grid *grid,
                  size_t matrix_arg, fn_range_kernel kernel,
                  fn_range_mode mode);

/* Ensures scratch holds at least n doubles / n uint32s. 0 or -1 (OOM). */
int fn_scratch_doubles(eval_ctx *ctx, fn_scratch *s, size_t n);
int fn_scratch_u32(eval_ctx *ctx, fn_scratch *s, size_t n);

/* Window end of step i and the window start (exclusive). */
static inline int64_t fn_win_end(const eval_range_series *s, size_t i)
{
    return s->win_end0 + (int64_t)i * s->win_end_step;
}

/* Neumaier-compensated addition, Prometheus's kahansum.Inc. */
static inline void fn_kahan_inc(double inc, double *sum, double *c)
{
    double t = *sum + inc;
    if (t == INFINITY || t == -INFINITY)
        *c = 0;
    else if (fabs(*sum) >= fabs(inc))
        *c += (*sum - t) + inc;
    else
        *c += (inc - t) + *sum;
    *sum = t;
}

/*
 * Start timestamps (Prometheus's use-start-timestamps; eval_range_series.st).
 *
 * Whether the sample (st, t) after (prev_st, prev_t) starts a new counter
 * run: its ST is known (non-zero) and sensible (before its own time, not
 * the OTel "unknown start" ST == t) and lies after the previous sample, or
 * points exactly at it while the previous sample had a known start of its
 * own (a delta series) rather than none or an invalid one (ST > t).
 */
static inline bool fn_st_reset(int64_t prev_st, int64_t prev_t, int64_t st,
                               int64_t t)
{
    if (st == 0 || st >= t || st < prev_t)
        return false;
    if (st > prev_t)
        return true;
    if (prev_st > prev_t)
        return false;
    return prev_st != 0 && prev_st != prev_t;
}

/* A sample whose known start lies before the previous sample's time and is
 * not the previous sample's start (which a cumulative series repeats) says
 * the two samples' intervals overlap: Prometheus warns about it. */
static inline bool fn_st_overlap(int64_t prev_st, int64_t prev_t, int64_t st)
{
    return st != 0 && st < prev_t && st != prev_st;
}

/* Asks the range function operator made by fn_range_plan for start
 * timestamps from its matrix argument (no-op unless that is a matrix
 * selector and the feature is on). */
void fn_range_want_start_timestamps(eval_ctx *ctx, op *range_op);

/* Planners (one family per file). */
op *fn_plan_rate(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_increase(eval_ctx *ctx, const ast_node *call,
                     const eval_grid *grid);
op *fn_plan_delta(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_irate(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_idelta(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);

op *fn_plan_sum_over_time(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid);
op *fn_plan_avg_over_time(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid);
op *fn_plan_count_over_time(eval_ctx *ctx, const ast_node *call,
                            const eval_grid *grid);
op *fn_plan_min_over_time(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid);
op *fn_plan_max_over_time(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid);
op *fn_plan_last_over_time(eval_ctx *ctx, const ast_node *call,
                           const eval_grid *grid);
op *fn_plan_first_over_time(eval_ctx *ctx, const ast_node *call,
                            const eval_grid *grid);
op *fn_plan_present_over_time(eval_ctx *ctx, const ast_node *call,
                              const eval_grid *grid);
op *fn_plan_stddev_over_time(eval_ctx *ctx, const ast_node *call,
                             const eval_grid *grid);
op *fn_plan_stdvar_over_time(eval_ctx *ctx, const ast_node *call,
                             const eval_grid *grid);

op *fn_plan_quantile_over_time(eval_ctx *ctx, const ast_node *call,
                               const eval_grid *grid);
op *fn_plan_mad_over_time(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid);
op *fn_plan_ts_of_min_over_time(eval_ctx *ctx, const ast_node *call,
                                const eval_grid *grid);
op *fn_plan_ts_of_max_over_time(eval_ctx *ctx, const ast_node *call,
                                const eval_grid *grid);
op *fn_plan_ts_of_last_over_time(eval_ctx *ctx, const ast_node *call,
                                 const eval_grid *grid);
op *fn_plan_ts_of_first_over_time(eval_ctx *ctx, const ast_node *call,
                                  const eval_grid *grid);

op *fn_plan_deriv(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_predict_linear(eval_ctx *ctx, const ast_node *call,
                           const eval_grid *grid);

op *fn_plan_resets(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_changes(eval_ctx *ctx, const ast_node *call,
                    const eval_grid *grid);

op *fn_plan_double_exponential_smoothing(eval_ctx *ctx, const ast_node *call,
                                         const eval_grid *grid);

op *fn_plan_absent_over_time(eval_ctx *ctx, const ast_node *call,
                             const eval_grid *grid);

#endif
