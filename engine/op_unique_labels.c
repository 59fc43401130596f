/* op_unique_labels.c: without delayed name removal, the per-operator "same labelset" check Prometheus makes after each function and operator. */
#include "binagg_internal.h"
#include "operator.h"

#include <string.h>

/*
 * With delayed name removal off, Prometheus drops __name__ inside every
 * function and operator and then refuses an output in which two series
 * share a label set at the same step ("vector cannot contain metrics with
 * the same labelset"); series that share a label set at different steps
 * merge. This operator passes its child's series through and makes that
 * check: one presence bitmap per distinct label set, found by hash and
 * confirmed with labels_equal. (With delayed removal on, the check happens
 * once, at the end, in result.c.)
 */

typedef struct seen_set {
    labels_set labels;
    uint64_t *steps; /* steps already taken by this label set */
    uint32_t next;   /* next entry with the same hash, or UINT32_MAX */
} seen_set;

typedef struct op_unique_labels {
    op base;
    op *child;
    binagg_map by_hash; /* hash -> first seen_set index */
    seen_set *seen;
    size_t n_seen, cap_seen;
} op_unique_labels;

static int uniq_open(op *self, eval_ctx *ctx)
{
    op_unique_labels *u = (op_unique_labels *)self;
    if (!binagg_map_init(&u->by_hash, ctx->mem, 64))
        return eval_oom(ctx);
    return op_open(u->child, ctx);
}

static int uniq_fail(eval_ctx *ctx)
{
    return eval_fail(ctx, PQL_ERR_EXECUTION,
                     "vector cannot contain metrics with the same labelset");
}

/* Records s's steps under its label set; -1 when one is already taken. */
static int uniq_record(op_unique_labels *u, eval_ctx *ctx, const eval_series *s)
{
    const size_t words = EVAL_BITMAP_WORDS(u->base.grid->n_steps);
    uint64_t h = labels_hash(s->labels.v, s->labels.n);
    uint32_t first = binagg_map_get(&u->by_hash, h);
    for (uint32_t i = first; i != UINT32_MAX; i = u->seen[i].next) {
        seen_set *e = &u->seen[i];
        if (!labels_equal(&e->labels, &s->labels))
            continue;
        for (size_t w = 0; w < words; w++) {
            if (e->steps[w] & s->present[w])
                return uniq_fail(ctx);
            e->steps[w] |= s->present[w];
        }
        return 0;
    }
    if (u->n_seen == u->cap_seen) {
        size_t cap = u->cap_seen ? u->cap_seen * 2 : 16;
        seen_set *grown = arena_grow(ctx->mem, u->seen, u->n_seen, cap, sizeof *grown);
        if (!grown)
            return eval_oom(ctx);
        u->seen = grown;
        u->cap_seen = cap;
    }
    seen_set *e = &u->seen[u->n_seen];
    e->steps = eval_alloc_bitmap(ctx, u->base.grid->n_steps);
    if (!e->steps || labels_copy(ctx->mem, s->labels.v, s->labels.n, &e->labels) < 0)
        return eval_oom(ctx);
    memcpy(e->steps, s->present, words * sizeof *e->steps);
    e->next = first;
    uint32_t idx = (uint32_t)u->n_seen++;
    if (first == UINT32_MAX) {
        if (!binagg_map_put(&u->by_hash, ctx->mem, h, idx))
            return eval_oom(ctx);
    } else {
        /* Chain behind the first entry so the map keeps pointing at it. */
        e->next = u->seen[first].next;
        u->seen[first].next = idx;
    }
    return 0;
}

static int uniq_next(op *self, eval_ctx *ctx, eval_series *out)
{
    op_unique_labels *u = (op_unique_labels *)self;
    int rc = op_next(u->child, ctx, out);
    if (rc <= 0)
        return rc;
    if (uniq_record(u, ctx, out) < 0)
        return -1;
    return 1;
}

static void uniq_close(op *self, eval_ctx *ctx)
{
    op_close(((op_unique_labels *)self)->child, ctx);
}

static const op_vtable uniq_vt = {"unique_labels", uniq_open, uniq_next, NULL, uniq_close};

op *op_unique_labels_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid, op *child)
{
    op_unique_labels *u = (op_unique_labels *)op_alloc(ctx, sizeof(op_unique_labels), &uniq_vt,
                                                       PQL_TYPE_VECTOR, grid, node);
    if (!u)
        return NULL;
    u->child = child;
    return &u->base;
}
