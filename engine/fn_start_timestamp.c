/* fn_start_timestamp.c: start_timestamp(v), the start time of each sample in seconds (Prometheus 3.14, experimental). */
#include "functions_table.h"

/*
 * Prometheus computes it from the start timestamps its vector selector
 * read along with the samples. Only a plain selector carries them, so for
 * any other argument, and with use-start-timestamps off, the result is
 * empty. A sample without a start timestamp gives 0.
 */
typedef struct fn_start_ts {
    op base;
    op *child;
    bool discard; /* child is not a start-timestamp selector */
} fn_start_ts;

static int sts_open(op *self, eval_ctx *ctx)
{
    return op_open(((fn_start_ts *)self)->child, ctx);
}

static int sts_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_start_ts *f = (fn_start_ts *)self;
    if (f->discard) {
        /* Still evaluated for its errors, as Prometheus evaluates it. */
        int rc;
        while ((rc = op_next(f->child, ctx, out)) > 0)
            ;
        return rc;
    }
    int rc = op_next(f->child, ctx, out);
    if (rc <= 0)
        return rc;
    size_t n = self->grid->n_steps;
    for (size_t i = 0; i < n; i++)
        out->vals[i] = (double)out->sample_ts[i] / 1000.0;
    out->sample_ts = NULL;
    return fn_drop_name(ctx, out) < 0 ? -1 : 1;
}

static void sts_close(op *self, eval_ctx *ctx)
{
    op_close(((fn_start_ts *)self)->child, ctx);
}

static const op_vtable sts_vtable = {
    .name = "start_timestamp",
    .open = sts_open,
    .next = sts_next,
    .close = sts_close,
};

op *fn_plan_start_timestamp(eval_ctx *ctx, const ast_node *call,
                            const eval_grid *grid)
{
    const ast_node *arg = call->u.call.args[0];
    while (arg->kind == PQL_NODE_PAREN)
        arg = arg->u.paren.expr;
    fn_start_ts *f = (fn_start_ts *)op_alloc(
        ctx, sizeof(fn_start_ts), &sts_vtable, PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->discard =
        !ctx->start_timestamps || arg->kind != PQL_NODE_VECTOR_SELECTOR;
    f->child = f->discard ? plan_node(ctx, arg, grid)
                          : op_selector_new_start_ts(ctx, arg, grid);
    if (!f->child)
        return NULL;
    return &f->base;
}
