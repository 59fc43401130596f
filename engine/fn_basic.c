/* fn_basic.c: the column-map operator kit and the first functions: abs, vector, scalar, time, timestamp. */
#include "functions_table.h"

#include <math.h>
#include <string.h>

int fn_drop_name(eval_ctx *ctx, eval_series *s)
{
    if (ctx->delayed_name_removal) {
        s->drop_name = true;
        return 0;
    }
    if (labels_drop_name(ctx->mem, &s->labels, &s->labels) < 0)
        return eval_oom(ctx);
    return 0;
}

static const ast_node *unwrap_parens(const ast_node *n)
{
    while (n && n->kind == PQL_NODE_PAREN)
        n = n->u.paren.expr;
    return n;
}

/* ---------------------------------------------------------------- map -- */

typedef struct fn_map {
    op base;
    op *child;
    fn_kernel kernel;
    double arg;
    bool drop_name;
} fn_map;

static int map_open(op *self, eval_ctx *ctx)
{
    return op_open(((fn_map *)self)->child, ctx);
}

static int map_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_map *m = (fn_map *)self;
    int rc = op_next(m->child, ctx, out);
    if (rc <= 0)
        return rc;
    m->kernel(out->vals, self->grid->n_steps, m->arg);
    if (m->drop_name && fn_drop_name(ctx, out) < 0)
        return -1;
    return 1;
}

static void map_close(op *self, eval_ctx *ctx)
{
    op_close(((fn_map *)self)->child, ctx);
}

static const op_vtable map_vtable = {
    .name = "map",
    .open = map_open,
    .next = map_next,
    .close = map_close,
};

op *fn_map_new(eval_ctx *ctx, const ast_node *call, const eval_grid *grid,
               op *child, fn_kernel kernel, double arg, bool drop_name)
{
    fn_map *m = (fn_map *)op_alloc(ctx, sizeof(fn_map), &map_vtable,
                                   PQL_TYPE_VECTOR, grid, call);
    if (!m)
        return NULL;
    m->child = child;
    m->kernel = kernel;
    m->arg = arg;
    m->drop_name = drop_name;
    return &m->base;
}

/* ---------------------------------------------------------------- abs -- */

static void kernel_abs(double *v, size_t n, double arg)
{
    (void)arg;
    for (size_t i = 0; i < n; i++)
        v[i] = fabs(v[i]);
}

op *fn_plan_abs(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    op *child = plan_node(ctx, call->u.call.args[0], grid);
    if (!child)
        return NULL;
    return fn_map_new(ctx, call, grid, child, kernel_abs, 0, true);
}

/* ------------------------------------------------------------- vector -- */

/* vector(s): the scalar's one series, retyped; it already has empty labels
 * and every step present. */
typedef struct fn_retype {
    op base;
    op *child;
} fn_retype;

static int retype_open(op *self, eval_ctx *ctx)
{
    return op_open(((fn_retype *)self)->child, ctx);
}

static int retype_next(op *self, eval_ctx *ctx, eval_series *out)
{
    return op_next(((fn_retype *)self)->child, ctx, out);
}

static void retype_close(op *self, eval_ctx *ctx)
{
    op_close(((fn_retype *)self)->child, ctx);
}

static const op_vtable retype_vtable = {
    .name = "vector",
    .open = retype_open,
    .next = retype_next,
    .close = retype_close,
};

op *fn_plan_vector(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    op *child = plan_node(ctx, call->u.call.args[0], grid);
    if (!child)
        return NULL;
    fn_retype *r = (fn_retype *)op_alloc(ctx, sizeof(fn_retype), &retype_vtable,
                                         PQL_TYPE_VECTOR, grid, call);
    if (!r)
        return NULL;
    r->child = child;
    return &r->base;
}

/* ------------------------------------------------------------- scalar -- */

/* scalar(v): per step, the value of the only series present, NaN when
 * zero or several are. Streams the input keeping two columns. */
typedef struct fn_scalar {
    op base;
    op *child;
    bool done;
} fn_scalar;

static int scalar_open(op *self, eval_ctx *ctx)
{
    return op_open(((fn_scalar *)self)->child, ctx);
}

static int scalar_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_scalar *f = (fn_scalar *)self;
    if (f->done)
        return 0;
    f->done = true;
    size_t n = self->grid->n_steps;
    double *vals = eval_alloc_column(ctx, n);
    uint32_t *count = arena_alloc_array(ctx->mem, n, sizeof(uint32_t));
    uint64_t *present = eval_alloc_bitmap(ctx, n);
    if (!vals || !count || !present)
        return eval_oom(ctx);
    eval_series s;
    int rc;
    while ((rc = op_next(f->child, ctx, &s)) > 0) {
        if (eval_check(ctx) < 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (eval_bit_test(s.present, i)) {
                if (count[i] < 2)
                    count[i]++;
                vals[i] = s.vals[i];
            }
        }
    }
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (count[i] != 1)
            vals[i] = NAN;
    }
    eval_bitmap_fill(present, n);
    memset(out, 0, sizeof(*out));
    out->labels = labels_empty();
    out->vals = vals;
    out->present = present;
    return 1;
}

static void scalar_close(op *self, eval_ctx *ctx)
{
    op_close(((fn_scalar *)self)->child, ctx);
}

static const op_vtable scalar_vtable = {
    .name = "scalar",
    .open = scalar_open,
    .next = scalar_next,
    .close = scalar_close,
};

op *fn_plan_scalar(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    op *child = plan_node(ctx, call->u.call.args[0], grid);
    if (!child)
        return NULL;
    fn_scalar *f = (fn_scalar *)op_alloc(ctx, sizeof(fn_scalar), &scalar_vtable,
                                         PQL_TYPE_SCALAR, grid, call);
    if (!f)
        return NULL;
    f->child = child;
    return &f->base;
}

/* --------------------------------------------------------------- time -- */

typedef struct fn_time {
    op base;
    bool done;
} fn_time;

static int time_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_time *f = (fn_time *)self;
    if (f->done)
        return 0;
    f->done = true;
    const eval_grid *g = self->grid;
    double *vals = eval_alloc_column(ctx, g->n_steps);
    uint64_t *present = eval_alloc_bitmap(ctx, g->n_steps);
    if (!vals || !present)
        return -1;
    for (size_t i = 0; i < g->n_steps; i++)
        vals[i] = (double)eval_grid_time(g, i) / 1000.0;
    eval_bitmap_fill(present, g->n_steps);
    memset(out, 0, sizeof(*out));
    out->labels = labels_empty();
    out->vals = vals;
    out->present = present;
    return 1;
}

static const op_vtable time_vtable = {
    .name = "time",
    .next = time_next,
};

op *fn_plan_time(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    return op_alloc(ctx, sizeof(fn_time), &time_vtable, PQL_TYPE_SCALAR, grid,
                    call);
}

/* ---------------------------------------------------------- timestamp -- */

/* timestamp(v): the time of each sample in seconds. For a plain vector
 * selector that is the time of the sample lookback found (Prometheus
 * special-cases it); for anything else it is the evaluation time. */
typedef struct fn_timestamp {
    op base;
    op *child;
    bool from_samples;
} fn_timestamp;

static int ts_open(op *self, eval_ctx *ctx)
{
    return op_open(((fn_timestamp *)self)->child, ctx);
}

static int ts_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_timestamp *f = (fn_timestamp *)self;
    int rc = op_next(f->child, ctx, out);
    if (rc <= 0)
        return rc;
    const eval_grid *g = self->grid;
    if (f->from_samples && out->sample_ts) {
        for (size_t i = 0; i < g->n_steps; i++)
            out->vals[i] = (double)out->sample_ts[i] / 1000.0;
    } else {
        for (size_t i = 0; i < g->n_steps; i++)
            out->vals[i] = (double)eval_grid_time(g, i) / 1000.0;
    }
    out->sample_ts = NULL;
    return fn_drop_name(ctx, out) < 0 ? -1 : 1;
}

static void ts_close(op *self, eval_ctx *ctx)
{
    op_close(((fn_timestamp *)self)->child, ctx);
}

static const op_vtable ts_vtable = {
    .name = "timestamp",
    .open = ts_open,
    .next = ts_next,
    .close = ts_close,
};

op *fn_plan_timestamp(eval_ctx *ctx, const ast_node *call,
                      const eval_grid *grid)
{
    const ast_node *arg = unwrap_parens(call->u.call.args[0]);
    bool from_samples = arg->kind == PQL_NODE_VECTOR_SELECTOR;
    op *child = from_samples ? op_selector_new(ctx, arg, grid, true)
                             : plan_node(ctx, arg, grid);
    if (!child)
        return NULL;
    fn_timestamp *f = (fn_timestamp *)op_alloc(
        ctx, sizeof(fn_timestamp), &ts_vtable, PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->child = child;
    f->from_samples = from_samples;
    return &f->base;
}
