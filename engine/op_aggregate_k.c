/* op_aggregate_k.c: topk, bottomk, limitk and limit_ratio: per group and step,
 * pick input series and pass them on unchanged. */
#include "op_aggregate.h"

#include <string.h>

/*
 * Streaming selection. Input series arrive in input order and each present
 * sample is offered to its group's heap for that step, which is exactly the
 * order in which Prometheus pushes them, so the heap moves (and thus ties
 * and NaN handling) are the same. A heap holds at most k items, so memory is
 * groups x steps x k, not the input: only labels of input series are kept.
 * The heap items carry the values that end up in the output.
 *
 * An instant query's output keeps Prometheus's order (groups in order of
 * first appearance, then the heap's order); a range query's output is one
 * series per selected input series, holding the steps it was selected at.
 */

typedef struct k_heap {
    agg_item *v;
    uint32_t n, cap;
} k_heap;

typedef struct k_input {
    labels_set labels;
    bool drop_name;
} k_input;

static int offer(eval_ctx *ctx, pql_op aop, k_heap *h, size_t k, agg_item it)
{
    bool grows = aop == PQL_AGG_LIMIT_RATIO || h->n < k;
    if (grows && h->n == h->cap) {
        size_t ncap = h->cap ? (size_t)h->cap * 2 : 4;
        if (aop != PQL_AGG_LIMIT_RATIO && ncap > k) {
            ncap = k;
        }
        agg_item *nv = arena_grow(ctx->mem, h->v, h->n, ncap, sizeof *nv);
        if (!nv) {
            return eval_oom(ctx);
        }
        h->v = nv;
        h->cap = (uint32_t)ncap;
    }
    size_t len = h->n;
    agg_heap_offer(aop, h->v, &len, k, it);
    h->n = (uint32_t)len;
    return 0;
}

int agg_compute_k(agg_state *a, eval_ctx *ctx)
{
    size_t n = a->n, words = EVAL_BITMAP_WORDS(n);
    k_input *in = NULL;
    size_t n_in = 0, cap_in = 0;
    k_heap **heaps = NULL; /* per group: one heap per step */
    size_t cap_heaps = 0;
    eval_series s;
    int rc;
    while ((rc = op_next(a->expr, ctx, &s)) > 0) {
        if (eval_check(ctx) < 0) {
            return -1;
        }
        if (n_in == cap_in) {
            size_t ncap = cap_in ? cap_in * 2 : 64;
            k_input *ni = arena_grow(ctx->mem, in, n_in, ncap, sizeof *ni);
            if (!ni) {
                return eval_oom(ctx);
            }
            in = ni;
            cap_in = ncap;
        }
        uint32_t idx = (uint32_t)n_in++;
        in[idx].labels = s.labels;
        in[idx].drop_name = s.drop_name;
        long g = agg_group_of(a, ctx, &s.labels, false);
        if (g < 0) {
            return -1;
        }
        if ((size_t)g >= cap_heaps) {
            size_t ncap = cap_heaps ? cap_heaps * 2 : 16;
            k_heap **nh =
                arena_grow(ctx->mem, heaps, cap_heaps, ncap, sizeof *nh);
            if (!nh) {
                return eval_oom(ctx);
            }
            heaps = nh;
            cap_heaps = ncap;
        }
        if (!heaps[g] &&
            !(heaps[g] = arena_alloc_array(ctx->mem, n, sizeof *heaps[g]))) {
            return eval_oom(ctx);
        }
        double offset = 0;
        if (a->aop == PQL_AGG_LIMIT_RATIO) {
            /* The sampling offset depends on the labels only. */
            offset = agg_ratio_offset(s.labels.v, s.labels.n);
        }
        for (size_t w = 0; w < words; w++) {
            for (uint64_t bits = s.present[w]; bits; bits &= bits - 1) {
                size_t t = w * 64 + (size_t)__builtin_ctzll(bits);
                double p = a->param[t];
                size_t k = 0;
                if (a->aop == PQL_AGG_LIMIT_RATIO) {
                    double r = p > 1.0 ? 1.0 : (p < -1.0 ? -1.0 : p);
                    if (p == 0 || !agg_ratio_keep(offset, r)) {
                        continue;
                    }
                } else {
                    /* Prometheus also caps k at the input size, which
                     * never changes which items a heap keeps. */
                    int64_t kk = (int64_t)p;
                    if (kk < 1) {
                        continue;
                    }
                    k = (size_t)kk;
                }
                agg_item it = {s.vals[t], idx};
                if (offer(ctx, a->aop, &heaps[g][t], k, it) < 0) {
                    return -1;
                }
            }
        }
    }
    if (rc < 0) {
        return -1;
    }
    if (n == 1) {
        for (size_t g = 0; g < a->n_groups; g++) {
            k_heap *h = &heaps[g][0];
            agg_heap_finish(a->aop, h->v, h->n);
            for (uint32_t i = 0; i < h->n; i++) {
                const k_input *src = &in[h->v[i].idx];
                eval_series *o =
                    agg_out_add(a, ctx, src->labels, src->drop_name);
                if (!o) {
                    return -1;
                }
                o->vals[0] = h->v[i].f;
                eval_bit_set(o->present, 0);
            }
        }
        return 0;
    }
    /* Range: one output series per selected input series, created in input
     * order of first selection. */
    int32_t *out_of = arena_alloc_array(ctx->mem, n_in + 1, sizeof *out_of);
    if (!out_of) {
        return eval_oom(ctx);
    }
    memset(out_of, 0xff, (n_in + 1) * sizeof *out_of);
    for (size_t g = 0; g < a->n_groups; g++) {
        for (size_t t = 0; t < n; t++) {
            const k_heap *h = &heaps[g][t];
            for (uint32_t i = 0; i < h->n; i++) {
                uint32_t idx = h->v[i].idx;
                if (out_of[idx] < 0) {
                    eval_series *o =
                        agg_out_add(a, ctx, in[idx].labels, in[idx].drop_name);
                    if (!o) {
                        return -1;
                    }
                    out_of[idx] = (int32_t)(a->out.n - 1);
                }
                eval_series *o = &a->out.v[out_of[idx]];
                o->vals[t] = h->v[i].f;
                eval_bit_set(o->present, t);
            }
        }
        if (eval_check(ctx) < 0) {
            return -1;
        }
    }
    return 0;
}
