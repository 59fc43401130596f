/* plan.c: turns the checked AST into a tree of operators, resolving @, offsets and duration expressions. */
#include "operator.h"

#include <math.h>

#include "functions.h"
#include "functions_table.h"

/* -------------------------------------------------------------- times -- */

/* Evaluates a duration expression to seconds, as Prometheus's
 * evaluateDurationExpr does (float arithmetic, errors on x/0 and x%0). */
static int duration_seconds(eval_ctx *ctx, const ast_node *e, double *out)
{
    if (!e)
        return eval_fail(ctx, PQL_ERR_EXECUTION, "missing duration");
    if (e->kind == PQL_NODE_NUMBER) {
        *out = e->u.number.value;
        return 0;
    }
    if (e->kind == PQL_NODE_PAREN)
        return duration_seconds(ctx, e->u.paren.expr, out);
    if (e->kind != PQL_NODE_DURATION_EXPR)
        return eval_fail(ctx, PQL_ERR_EXECUTION,
                         "unexpected duration expression type");
    const eval_grid *g = ctx->grid;
    switch (e->u.dur.op) {
    case PQL_OP_STEP:
        *out = (double)g->step_ms / 1000.0;
        return 0;
    case PQL_OP_RANGE:
        *out = (double)(ctx->query_end_ms - ctx->query_start_ms) / 1000.0;
        return 0;
    default:
        break;
    }
    double l = 0, r = 0;
    if (e->u.dur.lhs && duration_seconds(ctx, e->u.dur.lhs, &l) < 0)
        return -1;
    if (duration_seconds(ctx, e->u.dur.rhs, &r) < 0)
        return -1;
    switch (e->u.dur.op) {
    case PQL_OP_ADD:
        *out = l + r;
        return 0;
    case PQL_OP_SUB:
        *out = e->u.dur.lhs ? l - r : -r;
        return 0;
    case PQL_OP_MUL:
        *out = l * r;
        return 0;
    case PQL_OP_DIV:
        if (r == 0)
            return eval_fail(ctx, PQL_ERR_EXECUTION, "division by zero");
        *out = l / r;
        return 0;
    case PQL_OP_MOD:
        if (r == 0)
            return eval_fail(ctx, PQL_ERR_EXECUTION, "modulo by zero");
        *out = fmod(l, r);
        return 0;
    case PQL_OP_POW:
        *out = pow(l, r);
        return 0;
    case PQL_OP_MIN_OF:
        *out = l < r ? l : r;
        return 0;
    case PQL_OP_MAX_OF:
        *out = l > r ? l : r;
        return 0;
    default:
        return eval_fail(ctx, PQL_ERR_EXECUTION,
                         "unexpected duration expression operator %s",
                         pql_op_text(e->u.dur.op));
    }
}

/* Prometheus's calculateDuration: seconds to whole milliseconds
 * (truncated), checked for sign and range. */
static int duration_to_ms(eval_ctx *ctx, const ast_node *e, bool allow_neg,
                          int64_t *out_ms)
{
    double secs;
    if (duration_seconds(ctx, e, &secs) < 0)
        return -1;
    if (!(secs > 0) && !allow_neg)
        return eval_fail(ctx, PQL_ERR_EXECUTION,
                         "duration must be greater than 0");
    double ms = secs * 1000.0;
    if (isnan(ms) || ms >= 9.2233720368547e15 || ms <= -9.2233720368547e15)
        return eval_fail(ctx, PQL_ERR_EXECUTION, "duration is out of range");
    *out_ms = (int64_t)ms;
    return 0;
}

int plan_duration_ms(eval_ctx *ctx, const ast_node *expr, int64_t *out_ms)
{
    return duration_to_ms(ctx, expr, false, out_ms);
}

int plan_timing(eval_ctx *ctx, const ast_time_mods *mods, eval_timing *out)
{
    out->has_at = true;
    switch (mods->at) {
    case PQL_AT_TIMESTAMP:
        out->at_ms = mods->at_ms;
        break;
    case PQL_AT_START:
        out->at_ms = ctx->query_start_ms;
        break;
    case PQL_AT_END:
        out->at_ms = ctx->query_end_ms;
        break;
    default:
        out->has_at = false;
        out->at_ms = 0;
        break;
    }
    if (mods->offset_expr)
        return duration_to_ms(ctx, mods->offset_expr, true, &out->offset_ms);
    /* Go's durationMilliseconds truncates toward zero, as C division does. */
    out->offset_ms = mods->offset_ns / 1000000;
    return 0;
}

/* ---------------------------------------------------------- planning -- */

/* True when a call argument is a range selector with the anchored or
 * smoothed modifier: such calls change meaning (no extrapolation) and go to
 * their own kernels, the way Prometheus branches inside the function. */
static bool call_has_extended_range(const ast_node *node)
{
    for (size_t i = 0; i < node->u.call.n_args; i++) {
        const ast_node *a = node->u.call.args[i];
        while (a->kind == PQL_NODE_PAREN)
            a = a->u.paren.expr;
        if (a->kind == PQL_NODE_MATRIX_SELECTOR) {
            const ast_node *vs = a->u.matrix.vs;
            return vs->u.vs.anchored || vs->u.vs.smoothed;
        }
        if (a->kind == PQL_NODE_SUBQUERY)
            return false;
    }
    return false;
}

static op *plan_call(eval_ctx *ctx, const ast_node *node, const eval_grid *grid)
{
    const char *name = node->u.call.fn ? node->u.call.fn->name : NULL;
    if (name && call_has_extended_range(node))
        return plan_extended_call(ctx, node, grid);
    const fn_impl *fn = name ? fn_impl_lookup(name) : NULL;
    if (!fn || !fn->plan) {
        eval_fail(ctx, PQL_ERR_EXECUTION, "function \"%s\" not implemented yet",
                  name ? name : "?");
        return NULL;
    }
    return fn->plan(ctx, node, grid);
}

static op *plan_node_kind(eval_ctx *ctx, const ast_node *node, const eval_grid *grid);

/* Without delayed name removal, Prometheus checks the output of every
 * function and operator for series that now share a label set. */
op *plan_node(eval_ctx *ctx, const ast_node *node, const eval_grid *grid)
{
    op *o = plan_node_kind(ctx, node, grid);
    if (o && !ctx->delayed_name_removal && o->type == PQL_TYPE_VECTOR &&
        (node->kind == PQL_NODE_CALL || node->kind == PQL_NODE_BINARY ||
         (node->kind == PQL_NODE_UNARY && node->u.unary.op == PQL_OP_SUB)))
        return op_unique_labels_new(ctx, node, grid, o);
    return o;
}

static op *plan_node_kind(eval_ctx *ctx, const ast_node *node, const eval_grid *grid)
{
    if (ctx->failed)
        return NULL;
    switch (node->kind) {
    case PQL_NODE_NUMBER:
        return op_number_new(ctx, node, grid, node->u.number.value);
    case PQL_NODE_STRING:
        return op_string_new(ctx, node, grid);
    case PQL_NODE_PAREN:
        return plan_node(ctx, node->u.paren.expr, grid);
    case PQL_NODE_UNARY: {
        op *child = plan_node(ctx, node->u.unary.expr, grid);
        if (!child || node->u.unary.op != PQL_OP_SUB)
            return child;
        return op_negate_new(ctx, node, grid, child);
    }
    case PQL_NODE_VECTOR_SELECTOR:
        return op_selector_new(ctx, node, grid, false);
    case PQL_NODE_MATRIX_SELECTOR:
        return op_matrix_new(ctx, node, grid);
    case PQL_NODE_SUBQUERY:
        return op_subquery_new(ctx, node, grid);
    case PQL_NODE_CALL:
        return plan_call(ctx, node, grid);
    case PQL_NODE_AGGREGATE: {
        op *param = NULL;
        if (node->u.agg.param) {
            param = plan_node(ctx, node->u.agg.param, grid);
            if (!param)
                return NULL;
        }
        op *expr = plan_node(ctx, node->u.agg.expr, grid);
        if (!expr)
            return NULL;
        return op_aggregate_new(ctx, node, grid, expr, param);
    }
    case PQL_NODE_BINARY: {
        op *lhs = plan_node(ctx, node->u.binary.lhs, grid);
        if (!lhs)
            return NULL;
        op *rhs = plan_node(ctx, node->u.binary.rhs, grid);
        if (!rhs)
            return NULL;
        return op_binary_new(ctx, node, grid, lhs, rhs);
    }
    case PQL_NODE_DURATION_EXPR:
    default:
        eval_fail(ctx, PQL_ERR_EXECUTION, "unexpected expression node kind %d",
                  (int)node->kind);
        return NULL;
    }
}
