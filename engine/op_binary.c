/* op_binary.c: binary operators between scalars and between a vector and a
 * scalar, and the constructor that picks the variant. */
#include "op_binary.h"

#include <string.h>

#include "binagg_internal.h"

/* -------------------------------------------------------- scalar op scalar --
 */

typedef struct binop_ss {
    op base;
    op *lhs, *rhs;
    pql_op opk;
    bool done;
    double *vals;
    uint64_t *present;
} binop_ss;

static int ss_open(op *self, eval_ctx *ctx)
{
    binop_ss *b = (binop_ss *)self;
    if (op_open(b->lhs, ctx) < 0 || op_open(b->rhs, ctx) < 0) {
        return -1;
    }
    size_t n = self->grid->n_steps;
    b->vals = eval_alloc_column(ctx, n);
    b->present = eval_alloc_bitmap(ctx, n);
    return (b->vals && b->present) ? 0 : -1;
}

/* Pulls the single column of a scalar operator. */
int binop_pull_scalar(op *child, eval_ctx *ctx, double *dst, size_t n)
{
    eval_series s;
    int rc = op_next(child, ctx, &s);
    if (rc < 0) {
        return -1;
    }
    if (rc == 0) {
        /* A scalar always has a value; an empty producer reads as NaN. */
        for (size_t t = 0; t < n; t++) {
            dst[t] = NAN;
        }
        return 0;
    }
    memcpy(dst, s.vals, n * sizeof *dst);
    return 0;
}

static int ss_next(op *self, eval_ctx *ctx, eval_series *out)
{
    binop_ss *b = (binop_ss *)self;
    if (b->done) {
        return 0;
    }
    b->done = true;
    size_t n = self->grid->n_steps;
    double *r = eval_alloc_column(ctx, n);
    if (!r) {
        return -1;
    }
    if (binop_pull_scalar(b->lhs, ctx, b->vals, n) < 0 ||
        binop_pull_scalar(b->rhs, ctx, r, n) < 0) {
        return -1;
    }
    if (binop_is_comparison(b->opk)) {
        /* Scalar comparisons always carry `bool` (the parser insists). */
        for (size_t t = 0; t < n; t++) {
            b->vals[t] = binop_compare(b->opk, b->vals[t], r[t]) ? 1.0 : 0.0;
        }
    } else if (binop_is_trim(b->opk)) {
        for (size_t t = 0; t < n; t++) {
            b->vals[t] = NAN;
        }
    } else {
        binop_arith_cols(b->opk, b->vals, r, b->vals, n);
    }
    eval_bitmap_fill(b->present, n);
    memset(out, 0, sizeof *out);
    out->labels = labels_empty();
    out->vals = b->vals;
    out->present = b->present;
    return 1;
}

static void ss_close(op *self, eval_ctx *ctx)
{
    binop_ss *b = (binop_ss *)self;
    op_close(b->lhs, ctx);
    op_close(b->rhs, ctx);
}

static const op_vtable binop_ss_vt = {"binary(scalar,scalar)", ss_open, ss_next,
                                      NULL, ss_close};

/* -------------------------------------------------------- vector op scalar --
 */

typedef struct binop_vs {
    op base;
    op *vec, *scal;
    pql_op opk;
    bool swap; /* the scalar is the left operand */
    bool ret_bool;
    double *s;     /* the scalar column */
    uint8_t *keep; /* scratch for comparisons */
} binop_vs;

static int vs_open(op *self, eval_ctx *ctx)
{
    binop_vs *b = (binop_vs *)self;
    if (op_open(b->vec, ctx) < 0 || op_open(b->scal, ctx) < 0) {
        return -1;
    }
    size_t n = self->grid->n_steps;
    b->s = eval_alloc_column(ctx, n);
    b->keep = arena_alloc(ctx->mem, n ? n : 1);
    if (!b->s || !b->keep) {
        return eval_oom(ctx);
    }
    return binop_pull_scalar(b->scal, ctx, b->s, n);
}

/* Marks a series whose name an operator removes: delayed (flag) or now. */
int binop_drop_name(eval_ctx *ctx, eval_series *s)
{
    if (ctx->delayed_name_removal) {
        s->drop_name = true;
        return 0;
    }
    if (labels_drop_name(ctx->mem, &s->labels, &s->labels) < 0) {
        return eval_oom(ctx);
    }
    return 0;
}

void binop_note_trim(eval_ctx *ctx, const ast_node *node, pql_op opk)
{
    const char *name = pql_op_text(opk);
    eval_annotate(ctx, EVAL_NOTE_INFO, node,
                  "PromQL info: incompatible sample types encountered for "
                  "binary operator \"%s\": float %s float",
                  name, name);
}

static int vs_next(op *self, eval_ctx *ctx, eval_series *out)
{
    binop_vs *b = (binop_vs *)self;
    size_t n = self->grid->n_steps;
    size_t words = EVAL_BITMAP_WORDS(n);
    for (;;) {
        int rc = op_next(b->vec, ctx, out);
        if (rc <= 0) {
            return rc;
        }
        if (eval_check(ctx) < 0) {
            return -1;
        }
        if (binop_is_trim(b->opk)) {
            /* Trimming applies to histograms only; a float sample yields
             * nothing but an info annotation. */
            if (eval_bitmap_count(out->present, n) > 0) {
                binop_note_trim(ctx, self->node, b->opk);
            }
            continue;
        }
        if (binop_is_comparison(b->opk)) {
            if (b->swap) {
                binop_compare_cols(b->opk, b->s, out->vals, b->keep, n);
            } else {
                binop_compare_cols(b->opk, out->vals, b->s, b->keep, n);
            }
            if (b->ret_bool) {
                for (size_t t = 0; t < n; t++) {
                    out->vals[t] = b->keep[t] ? 1.0 : 0.0;
                }
                if (binop_drop_name(ctx, out) < 0) {
                    return -1;
                }
                return 1;
            }
            /* A filter keeps the vector's own value, even when the scalar
             * is on the left. */
            bool any = false;
            for (size_t t = 0; t < n; t++) {
                if (!b->keep[t]) {
                    eval_bit_clear(out->present, t);
                }
            }
            for (size_t w = 0; w < words; w++) {
                any |= out->present[w] != 0;
            }
            if (!any) {
                continue;
            }
            return 1;
        }
        binop_arith_col_scalar(b->opk, out->vals, b->s, b->swap, out->vals, n);
        if (binop_drop_name(ctx, out) < 0) {
            return -1;
        }
        return 1;
    }
}

static void vs_close(op *self, eval_ctx *ctx)
{
    binop_vs *b = (binop_vs *)self;
    op_close(b->vec, ctx);
    op_close(b->scal, ctx);
}

static const op_vtable binop_vs_vt = {"binary(vector,scalar)", vs_open, vs_next,
                                      NULL, vs_close};

/* ----------------------------------------------------------- constructor -- */

op *op_binary_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                  op *lhs, op *rhs)
{
    pql_op opk = node->u.binary.op;
    bool lscalar = lhs->type == PQL_TYPE_SCALAR;
    bool rscalar = rhs->type == PQL_TYPE_SCALAR;
    if (lscalar && rscalar) {
        binop_ss *b = (binop_ss *)op_alloc(ctx, sizeof *b, &binop_ss_vt,
                                           PQL_TYPE_SCALAR, grid, node);
        if (!b) {
            return NULL;
        }
        b->lhs = lhs;
        b->rhs = rhs;
        b->opk = opk;
        return &b->base;
    }
    if (lscalar || rscalar) {
        binop_vs *b = (binop_vs *)op_alloc(ctx, sizeof *b, &binop_vs_vt,
                                           PQL_TYPE_VECTOR, grid, node);
        if (!b) {
            return NULL;
        }
        b->vec = lscalar ? rhs : lhs;
        b->scal = lscalar ? lhs : rhs;
        b->swap = lscalar;
        b->opk = opk;
        b->ret_bool = node->u.binary.return_bool;
        return &b->base;
    }
    if (binop_is_set(opk)) {
        return binop_set_new(ctx, node, grid, lhs, rhs);
    }
    return binop_match_new(ctx, node, grid, lhs, rhs);
}
