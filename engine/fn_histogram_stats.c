/* fn_histogram_stats.c: histogram_count/sum/avg/stddev/stdvar, which read native histogram samples only and ignore floats. */
#include "fn_instant.h"
#include "functions_table.h"

/*
 * Prometheus computes these from native histogram samples and leaves float
 * samples out of the result without a note. The engine's series carry
 * floats only so far, so every input sample is a float and the result is
 * empty; the argument is still evaluated in full so that its errors (sample
 * limit, matching errors, ...) surface exactly as they would upstream.
 * When native histograms arrive, this operator is where they are read.
 */
typedef struct fn_histogram_stat {
    op base;
    op *child;
} fn_histogram_stat;

static int histogram_stat_open(op *self, eval_ctx *ctx)
{
    return op_open(((fn_histogram_stat *)self)->child, ctx);
}

static int histogram_stat_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_histogram_stat *f = (fn_histogram_stat *)self;
    int rc;
    /* Every sample is a float: drain the input, keep nothing. */
    while ((rc = op_next(f->child, ctx, out)) == 1)
        ;
    return rc;
}

static void histogram_stat_close(op *self, eval_ctx *ctx)
{
    op_close(((fn_histogram_stat *)self)->child, ctx);
}

static const op_vtable histogram_stat_vtable = {
    .name = "histogram_stat",
    .open = histogram_stat_open,
    .next = histogram_stat_next,
    .close = histogram_stat_close,
};

op *fn_plan_histogram_stat(eval_ctx *ctx, const ast_node *call,
                           const eval_grid *grid)
{
    op *child = plan_node(ctx, call->u.call.args[0], grid);
    if (!child)
        return NULL;
    fn_histogram_stat *f = (fn_histogram_stat *)op_alloc(
        ctx, sizeof(fn_histogram_stat), &histogram_stat_vtable,
        PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->child = child;
    return &f->base;
}
