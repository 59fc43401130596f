/* op_binary.h: internal pieces shared by the binary-operator files
 * (op_binary*.c); op_binary_new itself is declared in operator.h. */
#ifndef PQL_OP_BINARY_H
#define PQL_OP_BINARY_H

#include "operator.h"

/* Vector-vector arithmetic and comparisons with on/ignoring, group_x and
 * fill modifiers (op_binary_match.c). */
op *binop_match_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                    op *lhs, op *rhs);
/* and / or / unless (op_binary_set.c). */
op *binop_set_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                  op *lhs, op *rhs);

/* Copies the one column of a SCALAR operator into dst[n]. Returns 0 or -1. */
int binop_pull_scalar(op *child, eval_ctx *ctx, double *dst, size_t n);
/* Removes __name__ from s the way the context asks: flag it for delayed
 * removal or drop the label now. Returns 0 or -1. */
int binop_drop_name(eval_ctx *ctx, eval_series *s);
/* The info annotation a trim operator (</, >/) gives for float operands. */
void binop_note_trim(eval_ctx *ctx, const ast_node *node, pql_op opk);

#endif
