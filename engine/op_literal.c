/* op_literal.c: number and string literals and unary minus. */
#include "operator.h"

#include <string.h>

/* ------------------------------------------------------------- number -- */

typedef struct op_number {
    op base;
    double value;
    double *vals;
    uint64_t *present;
    bool done;
} op_number;

static int num_open(op *self, eval_ctx *ctx)
{
    op_number *o = (op_number *)self;
    size_t n = self->grid->n_steps;
    o->vals = eval_alloc_column(ctx, n);
    o->present = eval_alloc_bitmap(ctx, n);
    return o->vals && o->present ? 0 : -1;
}

static int num_next(op *self, eval_ctx *ctx, eval_series *out)
{
    (void)ctx;
    op_number *o = (op_number *)self;
    if (o->done)
        return 0;
    o->done = true;
    size_t n = self->grid->n_steps;
    /* Refilled on every yield: consumers may have modified it in place. */
    for (size_t i = 0; i < n; i++)
        o->vals[i] = o->value;
    eval_bitmap_fill(o->present, n);
    memset(out, 0, sizeof(*out));
    out->labels = labels_empty();
    out->vals = o->vals;
    out->present = o->present;
    return 1;
}

static const op_vtable num_vtable = {
    .name = "number",
    .open = num_open,
    .next = num_next,
};

op *op_number_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                  double value)
{
    op_number *o = (op_number *)op_alloc(ctx, sizeof(op_number), &num_vtable,
                                         PQL_TYPE_SCALAR, grid, node);
    if (!o)
        return NULL;
    o->value = value;
    return &o->base;
}

/* ------------------------------------------------------------- string -- */

static int str_next(op *self, eval_ctx *ctx, eval_series *out)
{
    (void)self;
    (void)ctx;
    (void)out;
    return 0;
}

static const op_vtable str_vtable = {
    .name = "string",
    .next = str_next,
};

op *op_string_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid)
{
    op *o = op_alloc(ctx, sizeof(op), &str_vtable, PQL_TYPE_STRING, grid, node);
    if (!o)
        return NULL;
    o->str = node->u.string.value.ptr;
    o->str_len = node->u.string.value.len;
    return o;
}

/* ------------------------------------------------------------- negate -- */

typedef struct op_negate {
    op base;
    op *child;
} op_negate;

static int neg_open(op *self, eval_ctx *ctx)
{
    return op_open(((op_negate *)self)->child, ctx);
}

static int neg_next(op *self, eval_ctx *ctx, eval_series *out)
{
    op_negate *o = (op_negate *)self;
    int rc = op_next(o->child, ctx, out);
    if (rc <= 0)
        return rc;
    size_t n = self->grid->n_steps;
    /* Values at absent steps are garbage; negating them too keeps the
     * loop branch-free. */
    for (size_t i = 0; i < n; i++)
        out->vals[i] = -out->vals[i];
    if (self->type == PQL_TYPE_VECTOR) {
        if (ctx->delayed_name_removal) {
            out->drop_name = true;
        } else if (labels_drop_name(ctx->mem, &out->labels, &out->labels) < 0) {
            return eval_oom(ctx);
        }
    }
    return 1;
}

static void neg_close(op *self, eval_ctx *ctx)
{
    op_close(((op_negate *)self)->child, ctx);
}

static const op_vtable neg_vtable = {
    .name = "negate",
    .open = neg_open,
    .next = neg_next,
    .close = neg_close,
};

op *op_negate_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                  op *child)
{
    op_negate *o = (op_negate *)op_alloc(ctx, sizeof(op_negate), &neg_vtable,
                                         child->type, grid, node);
    if (!o)
        return NULL;
    o->child = child;
    return &o->base;
}
