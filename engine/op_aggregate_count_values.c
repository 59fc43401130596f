/* op_aggregate_count_values.c: count_values, the one aggregation whose output
 * labels depend on sample values. */
#include "op_aggregate.h"

#include <stdio.h>
#include <string.h>
#include <xxhash.h>

/*
 * Each input series first gets its "base" group from its labels alone (once
 * per series); then every sample's value, formatted as Go's
 * strconv.FormatFloat(v, 'f', -1, 64), picks the output series within that
 * base group. Formatting happens per sample by nature, but a series that
 * repeats its previous value reuses the previous lookup.
 */

typedef struct cv_out {
    uint32_t base;
    const char *str;
} cv_out;

typedef struct cv_state {
    binagg_map map; /* hash(base, str) -> output index */
    cv_out *outs;
    size_t n_outs, cap_outs;
    labels_set *base_labels;
    size_t n_bases;
} cv_state;

static uint64_t out_key(uint32_t base, const char *str, size_t len)
{
    return XXH3_64bits_withSeed(str, len,
                                (uint64_t)base * 0x9E3779B97F4A7C15ull + 1);
}

/* Output index for (base, str); created (with its labels) when new. */
static long find_out(agg_state *a, eval_ctx *ctx, cv_state *cv, uint32_t base,
                     const char *str, bool split, const char *vl)
{
    size_t len = strlen(str);
    uint64_t key = out_key(base, str, len);
    for (;;) {
        uint32_t id = binagg_map_get(&cv->map, key);
        if (id == UINT32_MAX) {
            break;
        }
        if (cv->outs[id].base == base && strcmp(cv->outs[id].str, str) == 0) {
            return (long)id;
        }
        key = key * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    }
    char *copy = arena_strndup(ctx->mem, str, len);
    if (!copy) {
        return eval_oom(ctx);
    }
    labels_set labels = cv->base_labels[base];
    if (split) {
        labels_builder lb;
        labels_builder_init(&lb, ctx->mem, &labels);
        labels_builder_set(&lb, vl, copy);
        if (labels_builder_finish(&lb, &labels) < 0) {
            return eval_oom(ctx);
        }
    }
    if (cv->n_outs == cv->cap_outs) {
        size_t ncap = cv->cap_outs ? cv->cap_outs * 2 : 16;
        cv_out *no =
            arena_grow(ctx->mem, cv->outs, cv->n_outs, ncap, sizeof *no);
        if (!no) {
            return eval_oom(ctx);
        }
        cv->outs = no;
        cv->cap_outs = ncap;
    }
    uint32_t id = (uint32_t)cv->n_outs;
    cv->outs[id].base = base;
    cv->outs[id].str = copy;
    cv->n_outs++;
    if (!binagg_map_put(&cv->map, ctx->mem, key, id)) {
        return eval_oom(ctx);
    }
    if (!agg_out_add(a, ctx, labels, false)) {
        return -1;
    }
    return (long)id;
}

int agg_count_values(agg_state *a, eval_ctx *ctx)
{
    const char *vl = a->param_op ? a->param_op->str : NULL;
    size_t vl_len = a->param_op ? a->param_op->str_len : 0;
    if (!vl) {
        vl = "";
    }
    if (vl_len == 0 || !agg_valid_utf8(vl, vl_len)) {
        char q[512];
        agg_quote_go(vl, vl_len, q, sizeof q);
        return eval_fail(ctx, PQL_ERR_EXECUTION, "invalid label name %s", q);
    }
    /* The value label joins `by`; under `without` listing it removes it. */
    bool split = !(a->without && labels_names_has(&a->grouping, vl));
    labels_names base_names;
    const char **names =
        arena_alloc_array(ctx->mem, a->grouping.n + 1, sizeof *names);
    if (!names) {
        return eval_oom(ctx);
    }
    size_t nn = 0;
    for (size_t i = 0; i < a->grouping.n; i++) {
        if (a->without || strcmp(a->grouping.v[i], vl) != 0) {
            names[nn++] = a->grouping.v[i];
        }
    }
    if (a->without && split) {
        names[nn++] = vl; /* replaced by the value anyway */
    }
    if (labels_names_prepare(ctx->mem, names, nn, &base_names) < 0) {
        return eval_oom(ctx);
    }
    binagg_groups bases;
    cv_state cv;
    memset(&cv, 0, sizeof cv);
    if (!binagg_groups_init(&bases, ctx->mem,
                            a->without ? BINAGG_KEY_WITHOUT : BINAGG_KEY_ONLY,
                            &base_names, 64) ||
        !binagg_map_init(&cv.map, ctx->mem, 64)) {
        return eval_oom(ctx);
    }
    size_t cap_bases = 0;
    eval_series s;
    int rc;
    char buf[512];
    while ((rc = op_next(a->expr, ctx, &s)) > 0) {
        if (eval_check(ctx) < 0) {
            return -1;
        }
        bool created;
        uint64_t key = binagg_groups_key(&bases, &s.labels);
        uint32_t base = binagg_groups_find_or_add(&bases, ctx->mem, key,
                                                  &s.labels, &created);
        if (base == UINT32_MAX) {
            return eval_oom(ctx);
        }
        if (created) {
            if (cv.n_bases == cap_bases) {
                size_t ncap = cap_bases ? cap_bases * 2 : 16;
                labels_set *nb = arena_grow(ctx->mem, cv.base_labels,
                                            cv.n_bases, ncap, sizeof *nb);
                if (!nb) {
                    return eval_oom(ctx);
                }
                cv.base_labels = nb;
                cap_bases = ncap;
            }
            labels_set *bl = &cv.base_labels[cv.n_bases++];
            int lrc;
            if (a->without) {
                lrc = labels_without(ctx->mem, &s.labels, &base_names, bl);
            } else if (base_names.n > 0) {
                lrc = labels_only(ctx->mem, &s.labels, &base_names, bl);
            } else {
                *bl = labels_empty();
                lrc = 0;
            }
            if (lrc < 0) {
                return eval_oom(ctx);
            }
        }
        long last = -1;
        uint64_t last_bits = 0;
        size_t words = EVAL_BITMAP_WORDS(a->n);
        for (size_t w = 0; w < words; w++) {
            for (uint64_t bits = s.present[w]; bits; bits &= bits - 1) {
                size_t t = w * 64 + (size_t)__builtin_ctzll(bits);
                double v = s.vals[t];
                uint64_t vb;
                memcpy(&vb, &v, sizeof vb);
                long o = last;
                if (o < 0 || vb != last_bits) {
                    agg_format_float_f(v, buf, sizeof buf);
                    o = find_out(a, ctx, &cv, base, split ? buf : "", split,
                                 vl);
                    if (o < 0) {
                        return -1;
                    }
                    last = o;
                    last_bits = vb;
                }
                eval_series *out = &a->out.v[o];
                if (eval_bit_test(out->present, t)) {
                    out->vals[t] += 1;
                } else {
                    eval_bit_set(out->present, t);
                    out->vals[t] = 1;
                }
            }
        }
    }
    if (rc < 0) {
        return -1;
    }
    int64_t total = 0;
    for (size_t i = 0; i < a->out.n; i++) {
        total += (int64_t)eval_bitmap_count(a->out.v[i].present, a->n);
    }
    return eval_samples_take(ctx, total);
}
