/* op_binary_set.c: the set operators and, or, unless, streaming one side and
 * keeping only per-signature presence of the other. */
#include "op_binary.h"

#include <string.h>

#include "binagg_internal.h"

/*
 * Prometheus decides set membership per step: a series of one side counts at
 * step t only where it has a value at t. So the "other" side is reduced to
 * one presence bitmap per matching signature (the OR of its members), and
 * each streamed series is masked with its signature's bitmap: memory grows
 * with signatures, not with samples.
 */
typedef struct binop_set {
    op base;
    op *lhs, *rhs;
    pql_op opk;
    labels_names match;
    bool on;
    binagg_groups sigs;
    uint64_t **any; /* per signature: OR of presence */
    size_t any_cap;
    int phase;  /* or: 0 = streaming lhs, 1 = streaming rhs */
    bool built; /* and/unless: rhs signatures collected */
} binop_set;

static int set_open(op *self, eval_ctx *ctx)
{
    binop_set *b = (binop_set *)self;
    if (op_open(b->lhs, ctx) < 0 || op_open(b->rhs, ctx) < 0) {
        return -1;
    }
    if (!binagg_groups_init(&b->sigs, ctx->mem,
                            b->on ? BINAGG_KEY_ONLY : BINAGG_KEY_WITHOUT,
                            &b->match, 64)) {
        return eval_oom(ctx);
    }
    return 0;
}

/* ORs s's presence into its signature's bitmap, creating it if needed. */
static int add_presence(binop_set *b, eval_ctx *ctx, const eval_series *s)
{
    size_t words = EVAL_BITMAP_WORDS(b->base.grid->n_steps);
    bool created;
    uint64_t key = binagg_groups_key(&b->sigs, &s->labels);
    uint32_t id = binagg_groups_find_or_add(&b->sigs, ctx->mem, key, &s->labels,
                                            &created);
    if (id == UINT32_MAX) {
        return eval_oom(ctx);
    }
    if (created) {
        if (id >= b->any_cap) {
            size_t ncap = b->any_cap ? b->any_cap * 2 : 64;
            uint64_t **na =
                arena_grow(ctx->mem, b->any, b->any_cap, ncap, sizeof *na);
            if (!na) {
                return eval_oom(ctx);
            }
            b->any = na;
            b->any_cap = ncap;
        }
        b->any[id] = eval_alloc_bitmap(ctx, b->base.grid->n_steps);
        if (!b->any[id]) {
            return -1;
        }
    }
    for (size_t w = 0; w < words; w++) {
        b->any[id][w] |= s->present[w];
    }
    return 0;
}

/* Masks s with its signature's presence (keep where present when `inside`,
 * else where absent). Returns whether any step is left. */
static bool mask_series(binop_set *b, eval_series *s, bool inside)
{
    size_t words = EVAL_BITMAP_WORDS(b->base.grid->n_steps);
    uint64_t key = binagg_groups_key(&b->sigs, &s->labels);
    uint32_t id = binagg_groups_find(&b->sigs, key, &s->labels);
    const uint64_t *m = id == UINT32_MAX ? NULL : b->any[id];
    uint64_t any = 0;
    for (size_t w = 0; w < words; w++) {
        uint64_t mw = m ? m[w] : 0;
        s->present[w] &= inside ? mw : ~mw;
        any |= s->present[w];
    }
    return any != 0;
}

static int set_next(op *self, eval_ctx *ctx, eval_series *out)
{
    binop_set *b = (binop_set *)self;
    if (b->opk == PQL_OP_OR) {
        /* Every lhs series passes; rhs series fill the steps where no lhs
         * series of their signature has a value. */
        if (b->phase == 0) {
            int rc = op_next(b->lhs, ctx, out);
            if (rc < 0) {
                return -1;
            }
            if (rc > 0) {
                return add_presence(b, ctx, out) < 0 ? -1 : 1;
            }
            b->phase = 1;
        }
        for (;;) {
            int rc = op_next(b->rhs, ctx, out);
            if (rc <= 0) {
                return rc;
            }
            if (eval_check(ctx) < 0) {
                return -1;
            }
            if (mask_series(b, out, false)) {
                return 1;
            }
        }
    }
    if (!b->built) {
        eval_series s;
        int rc;
        while ((rc = op_next(b->rhs, ctx, &s)) > 0) {
            if (eval_check(ctx) < 0 || add_presence(b, ctx, &s) < 0) {
                return -1;
            }
        }
        if (rc < 0) {
            return -1;
        }
        b->built = true;
    }
    for (;;) {
        int rc = op_next(b->lhs, ctx, out);
        if (rc <= 0) {
            return rc;
        }
        if (eval_check(ctx) < 0) {
            return -1;
        }
        if (mask_series(b, out, b->opk == PQL_OP_AND)) {
            return 1;
        }
    }
}

static void set_close(op *self, eval_ctx *ctx)
{
    binop_set *b = (binop_set *)self;
    op_close(b->lhs, ctx);
    op_close(b->rhs, ctx);
}

static const op_vtable binop_set_vt = {"binary(set)", set_open, set_next, NULL,
                                       set_close};

op *binop_set_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                  op *lhs, op *rhs)
{
    binop_set *b = (binop_set *)op_alloc(ctx, sizeof *b, &binop_set_vt,
                                         PQL_TYPE_VECTOR, grid, node);
    if (!b) {
        return NULL;
    }
    b->lhs = lhs;
    b->rhs = rhs;
    b->opk = node->u.binary.op;
    const ast_vector_matching *vm = node->u.binary.matching;
    if (vm) {
        b->on = vm->on;
        if (labels_names_prepare(ctx->mem, vm->matching.names,
                                 vm->matching.count, &b->match) < 0) {
            eval_oom(ctx);
            return NULL;
        }
    }
    return &b->base;
}
