/* functions_table.h: maps PromQL function names to the planners that build their operators. */
#ifndef PQL_FUNCTIONS_TABLE_H
#define PQL_FUNCTIONS_TABLE_H

#include "operator.h"

/*
 * A function is implemented by a planner: it receives the CALL node (its
 * arguments are call->u.call.args, already type-checked by the parser) and
 * the grid, plans whatever arguments it needs with plan_node() (or reads
 * literal strings straight from the AST), and returns the operator. That
 * way each function chooses how to evaluate its arguments: timestamp()
 * asks its selector for sample times, range functions take a MATRIX
 * operator (matrix selector or subquery), label_replace reads strings.
 *
 * The parser's table (parser/functions.h) says what a function accepts;
 * this one says how it runs. Entries whose plan is NULL are known to
 * Prometheus but not implemented yet: planning them fails with
 * `function "<name>" not implemented yet`.
 */
typedef op *(*fn_plan_fn)(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid);

typedef struct fn_impl {
    const char *name;
    fn_plan_fn plan;
} fn_impl;

/* The entry for `name`, or NULL when the name is not in the table. */
const fn_impl *fn_impl_lookup(const char *name);

/* ------------------------------------------------- shared operator kits -- */

/* A kernel rewrites a whole column in place (values at absent steps may be
 * rewritten too; they are garbage). One indirect call per series, none per
 * sample. `arg` is the operator's constant argument, if any. */
typedef void (*fn_kernel)(double *vals, size_t n, double arg);

/* An operator applying `kernel` to every series of `child` (VECTOR).
 * drop_name: the function removes the metric name (most do). */
op *fn_map_new(eval_ctx *ctx, const ast_node *call, const eval_grid *grid,
               op *child, fn_kernel kernel, double arg, bool drop_name);

/* Marks or removes the metric name of s as the context asks (delayed
 * removal sets the flag; otherwise the labels are dropped now). */
int fn_drop_name(eval_ctx *ctx, eval_series *s);

/* Planners of the first implemented functions (fn_basic.c). */
op *fn_plan_abs(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_vector(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_scalar(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_time(eval_ctx *ctx, const ast_node *call, const eval_grid *grid);
op *fn_plan_timestamp(eval_ctx *ctx, const ast_node *call,
                      const eval_grid *grid);
/* start_timestamp() (fn_start_timestamp.c). */
op *fn_plan_start_timestamp(eval_ctx *ctx, const ast_node *call,
                            const eval_grid *grid);

#endif
