/* fn_absent_over_time.c: absent_over_time: one series valued 1 at the steps where no input series has a sample in its window. */
#include "fn_range.h"

#include <string.h>

typedef struct fn_absent {
    op base;
    op *matrix;
    bool done;
} fn_absent;

static int absent_open(op *self, eval_ctx *ctx)
{
    return op_open(((fn_absent *)self)->matrix, ctx);
}

/* Prometheus's labels for absent results: the equality matchers of the
 * selector, except __name__; a label matched more than once, or by any
 * other matcher type, is left out. */
static int absent_labels(eval_ctx *ctx, const ast_node *arg, labels_set *out)
{
    *out = labels_empty();
    if (arg->kind != PQL_NODE_MATRIX_SELECTOR)
        return 0;
    const ast_node *vs = arg->u.matrix.vs;
    size_t n = vs->u.vs.n_matchers;
    const pql_matcher *m = vs->u.vs.matchers;
    const char **seen = arena_alloc_array(ctx->mem, n + 1, sizeof(char *));
    if (!seen)
        return eval_oom(ctx);
    size_t n_seen = 0;
    labels_builder b;
    labels_builder_init(&b, ctx->mem, out);
    for (size_t k = 0; k < n; k++) {
        if (strcmp(m[k].name, LABELS_NAME) == 0)
            continue;
        bool has = false;
        for (size_t j = 0; j < n_seen; j++)
            has = has || strcmp(seen[j], m[k].name) == 0;
        if (m[k].type == PQL_MATCH_EQUAL && !has) {
            labels_builder_set(&b, m[k].name, m[k].value);
            seen[n_seen++] = m[k].name;
        } else {
            labels_builder_del(&b, m[k].name);
        }
    }
    if (labels_builder_finish(&b, out) < 0)
        return eval_oom(ctx);
    return 0;
}

static int absent_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_absent *f = (fn_absent *)self;
    if (f->done)
        return 0;
    f->done = true;
    size_t n = self->grid->n_steps;
    size_t words = EVAL_BITMAP_WORDS(n);
    uint64_t *found = eval_alloc_bitmap(ctx, n);
    if (!found)
        return eval_oom(ctx);
    eval_range_series rs;
    int rc;
    while ((rc = op_next_range(f->matrix, ctx, &rs)) > 0) {
        if (eval_check(ctx) < 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (rs.hi[i] > rs.lo[i])
                eval_bit_set(found, i);
        }
    }
    if (rc < 0)
        return -1;
    /* Absent steps are the complement of the found ones. */
    for (size_t w = 0; w < words; w++)
        found[w] = ~found[w];
    if (n % 64)
        found[words - 1] &= ((uint64_t)1 << (n % 64)) - 1;
    if (eval_bitmap_count(found, n) == 0)
        return 0;
    double *vals = eval_alloc_column(ctx, n);
    if (!vals)
        return eval_oom(ctx);
    for (size_t i = 0; i < n; i++)
        vals[i] = 1;
    memset(out, 0, sizeof(*out));
    if (absent_labels(ctx, self->node->u.call.args[0], &out->labels) < 0)
        return -1;
    out->vals = vals;
    out->present = found;
    return 1;
}

static void absent_close(op *self, eval_ctx *ctx)
{
    op_close(((fn_absent *)self)->matrix, ctx);
}

static const op_vtable absent_vtable = {
    .name = "absent_over_time",
    .open = absent_open,
    .next = absent_next,
    .close = absent_close,
};

op *fn_plan_absent_over_time(eval_ctx *ctx, const ast_node *call,
                             const eval_grid *grid)
{
    fn_absent *f = (fn_absent *)op_alloc(ctx, sizeof(fn_absent), &absent_vtable,
                                         PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->matrix = plan_node(ctx, call->u.call.args[0], grid);
    if (!f->matrix)
        return NULL;
    return &f->base;
}
