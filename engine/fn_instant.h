/* fn_instant.h: planners and small shared helpers of the instant-vector and
 * scalar function families (fn_math, fn_time, fn_labels, fn_sort, fn_absent,
 * fn_histogram_classic, fn_info). */
#ifndef PQL_FN_INSTANT_H
#define PQL_FN_INSTANT_H

#include "functions.h"
#include "functions_table.h"

/* ------------------------------------------------------------ helpers -- */

/* Pulls the one series of an opened SCALAR operator and copies its column
 * into the arena (scalar producers may reuse their buffer), so a function
 * can read a per-step parameter (round's to_nearest, clamp's bounds, a
 * quantile) while streaming its vector argument. NULL with the error
 * recorded on failure. */
double *fn_scalar_column(eval_ctx *ctx, op *scalar, size_t n_steps);

/* A materialised output handed out one series at a time; each yielded
 * series' points are given back to the sample count (the consumer takes
 * them), as the aggregation operators do. */
typedef struct fn_out_set {
    eval_series_set set;
    size_t next;
} fn_out_set;

/* Yields the next non-empty series of `o` into *out: 1, or 0 at the end. */
int fn_out_next(eval_ctx *ctx, fn_out_set *o, eval_series *out);
/* Gives back the points of the series not yet yielded (close after an
 * error or a partial read). */
void fn_out_release(eval_ctx *ctx, fn_out_set *o);

/* Label-name validity as Prometheus checks it for the label functions
 * (model.UTF8Validation): non-empty and valid UTF-8. */
bool fn_valid_label_name(const char *s, size_t n);

/* ------------------------------------------------------------ planners -- */

/* fn_math.c */
op *fn_plan_math(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
/* histogram_count/sum/avg/stddev/stdvar (fn_histogram_stats.c). */
op *fn_plan_histogram_stat(eval_ctx *ctx, const ast_node *call,
                           const eval_grid *grid);
op *fn_plan_round(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_clamp(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_pi(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
/* min_of(a, b) and max_of(a, b) over scalars. */
op *fn_plan_min_max_of(eval_ctx *ctx, const ast_node *call,
                       const eval_grid *grid);

/* fn_time.c */
op *fn_plan_date(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_query_time(eval_ctx *ctx, const ast_node *call,
                       const eval_grid *grid);

/* fn_labels.c */
op *fn_plan_label_replace(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid);
op *fn_plan_label_join(eval_ctx *ctx, const ast_node *call,
                       const eval_grid *grid);

/* fn_sort.c */
op *fn_plan_sort(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);

/* fn_absent.c */
op *fn_plan_absent(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);

/* fn_histogram_classic.c */
op *fn_plan_histogram_quantile(eval_ctx *ctx, const ast_node *call,
                               const eval_grid *grid);
op *fn_plan_histogram_fraction(eval_ctx *ctx, const ast_node *call,
                               const eval_grid *grid);
op *fn_plan_histogram_quantiles(eval_ctx *ctx, const ast_node *call,
                                const eval_grid *grid);

/* fn_info.c */
op *fn_plan_info(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);

#endif
