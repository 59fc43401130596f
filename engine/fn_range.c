/* fn_range.c: the generic range-function operator: pulls range series, runs a kernel per series, handles names and annotations. */
#include "fn_range.h"

#include <string.h>

typedef struct fn_range_op {
    op base;
    op *matrix;
    op *param[2];
    size_t n_params;
    const double *pcol[2]; /* scalar columns, copied at open */
    fn_range_kernel kernel;
    fn_range_mode mode;
    double *vals;
    uint64_t *present;
    fn_scratch scratch;
    int64_t held;
} fn_range_op;

int fn_scratch_doubles(eval_ctx *ctx, fn_scratch *s, size_t n)
{
    if (n <= s->d_cap)
        return 0;
    size_t cap = s->d_cap ? s->d_cap : 64;
    while (cap < n)
        cap *= 2;
    double *d = arena_alloc_array(ctx->mem, cap, sizeof(double));
    if (!d)
        return eval_oom(ctx);
    s->d = d;
    s->d_cap = cap;
    return 0;
}

int fn_scratch_u32(eval_ctx *ctx, fn_scratch *s, size_t n)
{
    if (n <= s->u_cap)
        return 0;
    size_t cap = s->u_cap ? s->u_cap : 64;
    while (cap < n)
        cap *= 2;
    uint32_t *u = arena_alloc_array(ctx->mem, cap, sizeof(uint32_t));
    if (!u)
        return eval_oom(ctx);
    s->u = u;
    s->u_cap = cap;
    return 0;
}

/* Go's time.Duration.Seconds(): whole seconds plus the nanosecond rest
 * divided separately, which is not always the correctly rounded ms/1000. */
static double range_seconds(int64_t range_ms)
{
    int64_t sec = range_ms / 1000;
    int64_t nsec = (range_ms % 1000) * 1000000;
    return (double)sec + (double)nsec / 1e9;
}

static int range_open(op *self, eval_ctx *ctx)
{
    fn_range_op *f = (fn_range_op *)self;
    size_t n = self->grid->n_steps;
    /* Scalar arguments first, as Prometheus evaluates them first. */
    for (size_t k = 0; k < f->n_params; k++) {
        if (op_open(f->param[k], ctx) < 0)
            return -1;
        eval_series ps;
        int rc = op_next(f->param[k], ctx, &ps);
        if (rc < 0)
            return -1;
        double *col = eval_alloc_column(ctx, n);
        if (!col)
            return eval_oom(ctx);
        if (rc > 0) {
            memcpy(col, ps.vals, n * sizeof(double));
        } else {
            for (size_t i = 0; i < n; i++)
                col[i] = NAN;
        }
        f->pcol[k] = col;
    }
    if (op_open(f->matrix, ctx) < 0)
        return -1;
    f->vals = eval_alloc_column(ctx, n);
    f->present = eval_alloc_bitmap(ctx, n);
    if (!f->vals || !f->present)
        return eval_oom(ctx);
    return 0;
}

static bool counter_like_name(const char *name)
{
    static const char *const suffixes[] = {"_total", "_sum", "_count",
                                           "_bucket"};
    size_t len = strlen(name);
    for (size_t k = 0; k < 4; k++) {
        size_t sl = strlen(suffixes[k]);
        if (len >= sl && memcmp(name + len - sl, suffixes[k], sl) == 0)
            return true;
    }
    return false;
}

static int range_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_range_op *f = (fn_range_op *)self;
    const eval_grid *g = self->grid;
    size_t words = EVAL_BITMAP_WORDS(g->n_steps);
    eval_samples_give(ctx, f->held);
    f->held = 0;
    for (;;) {
        if (eval_check(ctx) < 0)
            return -1;
        eval_range_series rs;
        int rc = op_next_range(f->matrix, ctx, &rs);
        if (rc <= 0)
            return rc;
        memset(f->present, 0, words * sizeof(uint64_t));
        fn_range_call c = {
            .ctx = ctx,
            .call = self->node,
            .s = &rs,
            .grid = g,
            .p0 = f->pcol[0],
            .p1 = f->pcol[1],
            .range_s = range_seconds(rs.range_ms),
            .vals = f->vals,
            .present = f->present,
            .scratch = &f->scratch,
        };
        if (f->kernel(&c) < 0)
            return -1;
        size_t n_present = eval_bitmap_count(f->present, g->n_steps);
        if (n_present == 0)
            continue;
        if (f->mode == FN_RANGE_COUNTER_INFO) {
            const char *name = labels_get(&rs.labels, LABELS_NAME);
            if (name && *name && !counter_like_name(name))
                eval_annotate(ctx, EVAL_NOTE_INFO, self->node->u.call.args[0],
                              "PromQL info: metric might not be a counter, "
                              "name does not end in "
                              "_total/_sum/_count/_bucket: \"%s\"",
                              name);
        }
        if (eval_samples_take(ctx, (int64_t)n_present) < 0)
            return -1;
        f->held = (int64_t)n_present;
        memset(out, 0, sizeof(*out));
        out->labels = rs.labels;
        out->vals = f->vals;
        out->present = f->present;
        out->drop_name = rs.drop_name;
        if (f->mode != FN_RANGE_KEEP_NAME && fn_drop_name(ctx, out) < 0)
            return -1;
        return 1;
    }
}

static void range_close(op *self, eval_ctx *ctx)
{
    fn_range_op *f = (fn_range_op *)self;
    eval_samples_give(ctx, f->held);
    f->held = 0;
    op_close(f->matrix, ctx);
    for (size_t k = 0; k < f->n_params; k++)
        op_close(f->param[k], ctx);
}

static const op_vtable range_vtable = {
    .name = "range_function",
    .open = range_open,
    .next = range_next,
    .close = range_close,
};

void fn_range_want_start_timestamps(eval_ctx *ctx, op *range_op)
{
    if (range_op && range_op->vt == &range_vtable)
        op_matrix_want_start_timestamps(ctx,
                                        ((fn_range_op *)range_op)->matrix);
}

op *fn_range_plan(eval_ctx *ctx, const ast_node *call, const eval_grid *grid,
                  size_t matrix_arg, fn_range_kernel kernel,
                  fn_range_mode mode)
{
    fn_range_op *f = (fn_range_op *)op_alloc(
        ctx, sizeof(fn_range_op), &range_vtable, PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->kernel = kernel;
    f->mode = mode;
    for (size_t k = 0; k < call->u.call.n_args; k++) {
        if (k == matrix_arg)
            continue;
        if (f->n_params == 2) {
            eval_fail(ctx, PQL_ERR_EXECUTION, "too many arguments");
            return NULL;
        }
        op *p = plan_node(ctx, call->u.call.args[k], grid);
        if (!p)
            return NULL;
        f->param[f->n_params++] = p;
    }
    f->matrix = plan_node(ctx, call->u.call.args[matrix_arg], grid);
    if (!f->matrix)
        return NULL;
    if (f->matrix->type != PQL_TYPE_MATRIX) {
        eval_fail(ctx, PQL_ERR_EXECUTION, "expected a range vector argument");
        return NULL;
    }
    return &f->base;
}
