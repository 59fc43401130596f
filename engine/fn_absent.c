/* fn_absent.c: absent(v): 1 at every step where v has no series, labelled from
 * the equality matchers of a selector argument. */
#include "fn_instant.h"

#include <string.h>

typedef struct fn_absent {
    op base;
    op *child;
    labels_set labels;
    bool done;
} fn_absent;

/* Prometheus's createLabelsForAbsentFunction: equality matchers give
 * labels, but a label matched more than once, or by anything other than =,
 * is left out; __name__ never appears. Only a selector written directly as
 * the argument counts (not one in parentheses). */
static int absent_labels(eval_ctx *ctx, const ast_node *arg, labels_set *out)
{
    *out = labels_empty();
    if (arg->kind != PQL_NODE_VECTOR_SELECTOR)
        return 0;
    size_t n = arg->u.vs.n_matchers;
    const pql_matcher *m = arg->u.vs.matchers;
    const char **seen = arena_alloc_array(ctx->mem, n ? n : 1, sizeof(char *));
    if (!seen)
        return eval_oom(ctx);
    size_t n_seen = 0;
    labels_builder b;
    labels_builder_init(&b, ctx->mem, NULL);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(m[i].name, LABELS_NAME) == 0)
            continue;
        bool had = false;
        for (size_t k = 0; k < n_seen; k++) {
            if (strcmp(seen[k], m[i].name) == 0) {
                had = true;
                break;
            }
        }
        if (m[i].type == PQL_MATCH_EQUAL && !had) {
            labels_builder_set(&b, m[i].name, m[i].value);
            seen[n_seen++] = m[i].name;
        } else {
            labels_builder_del(&b, m[i].name);
        }
    }
    if (labels_builder_finish(&b, out) < 0)
        return eval_oom(ctx);
    return 0;
}

static int absent_open(op *self, eval_ctx *ctx)
{
    return op_open(((fn_absent *)self)->child, ctx);
}

static int absent_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_absent *f = (fn_absent *)self;
    if (f->done)
        return 0;
    f->done = true;
    size_t n = self->grid->n_steps, words = EVAL_BITMAP_WORDS(n);
    uint64_t *seen = eval_alloc_bitmap(ctx, n);
    double *vals = eval_alloc_column(ctx, n);
    if (!seen || !vals)
        return -1;
    /* Only which steps have any input matters, so the input streams by. */
    eval_series s;
    int rc;
    while ((rc = op_next(f->child, ctx, &s)) > 0) {
        if (eval_check(ctx) < 0)
            return -1;
        for (size_t w = 0; w < words; w++)
            seen[w] |= s.present[w];
    }
    if (rc < 0)
        return -1;
    uint64_t *present = eval_alloc_bitmap(ctx, n);
    if (!present)
        return -1;
    eval_bitmap_fill(present, n);
    for (size_t w = 0; w < words; w++)
        present[w] &= ~seen[w];
    if (eval_bitmap_count(present, n) == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        vals[i] = 1;
    memset(out, 0, sizeof(*out));
    out->labels = f->labels;
    out->vals = vals;
    out->present = present;
    return 1;
}

static void absent_close(op *self, eval_ctx *ctx)
{
    op_close(((fn_absent *)self)->child, ctx);
}

static const op_vtable absent_vtable = {
    .name = "absent",
    .open = absent_open,
    .next = absent_next,
    .close = absent_close,
};

op *fn_plan_absent(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    const ast_node *arg = call->u.call.args[0];
    op *child = plan_node(ctx, arg, grid);
    if (!child)
        return NULL;
    fn_absent *f = (fn_absent *)op_alloc(ctx, sizeof(fn_absent), &absent_vtable,
                                         PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->child = child;
    if (absent_labels(ctx, arg, &f->labels) < 0)
        return NULL;
    return &f->base;
}
