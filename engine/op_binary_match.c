/* op_binary_match.c: vector-vector arithmetic and comparisons with one-to-one,
 * group_left/group_right and fill matching. */
#include "op_binary.h"

#include <stdio.h>
#include <string.h>

#include "binagg_internal.h"

/*
 * How it works. Both sides are drained. As Prometheus does, one-to-many is
 * turned into many-to-one by swapping the sides: "A" is the many (or lhs)
 * side, "B" the one side; values are swapped back when computing, and the
 * fill values keep applying to A (fill_left) and B (fill_right) as
 * Prometheus applies them after its swap.
 *
 * Label work happens once: every series gets its matching signature and a
 * group; every (a, b) pair of a group that is present together at some step
 * becomes a "pair" with its result label set; pairs with equal result labels
 * share one output series. Per-step work is then column arithmetic masked
 * by the pair's presence bitmap (AND of the two operands' bitmaps, or
 * "present here and nobody on the other side" for filled pairs).
 *
 * Prometheus raises its matching errors per step, only where the offending
 * series have values at the same step; the checks below run over presence
 * bitmaps of groups that have more than one member and report the error of
 * the earliest step, in the order Prometheus meets them within a step.
 */

#define BINOP_FILL UINT32_MAX

typedef struct binop_pair {
    uint32_t a, b; /* indexes into A and B, or BINOP_FILL */
    uint32_t grp;
    uint32_t out;
} binop_pair;

typedef struct binop_match {
    op base;
    op *lhs, *rhs;
    pql_op opk;
    bool ret_bool;
    pql_cardinality card;
    bool on;
    labels_names match, include;
    bool has_fill_a, has_fill_b;
    double fill_a, fill_b;

    bool computed;
    eval_series_set out;
    size_t next_out;
} binop_match;

/* Working state of one evaluation. */
typedef struct match_state {
    eval_ctx *ctx;
    binop_match *b;
    size_t n, words;
    eval_series_set L, R;
    eval_series_set *A, *B;
    bool swapped;
    binagg_groups sigs;
    uint32_t *ga, *gb;         /* group of each A / B series */
    uint32_t *a_off, *a_idx;   /* CSR: members of each group in A */
    uint32_t *b_off, *b_idx;   /* and in B */
    uint64_t **any_a, **any_b; /* OR of presence per group */
    uint64_t *all_a;           /* OR of every A series */
    binop_pair *pairs;
    size_t n_pairs, cap_pairs;
    binagg_groups outs;
    labels_set *out_labels;
    bool *out_drop;
    size_t n_outs, cap_outs;
    /* first error found: step, rank (0 = duplicate on the one side, 1 =
     * many side), order within the step, message */
    size_t err_t;
    int err_rank;
    size_t err_order;
    char *err_msg;
} match_state;

static uint64_t *bitmap_new(match_state *st)
{
    return eval_alloc_bitmap(st->ctx, st->n);
}

/* Index of the first set bit of m[0..words), or SIZE_MAX. */
static size_t first_bit(const uint64_t *m, size_t words)
{
    for (size_t w = 0; w < words; w++) {
        if (m[w]) {
            return w * 64 + (size_t)__builtin_ctzll(m[w]);
        }
    }
    return SIZE_MAX;
}

static void consider_error(match_state *st, size_t t, int rank, size_t order,
                           char *msg)
{
    if (t == SIZE_MAX || !msg) {
        return;
    }
    if (!st->err_msg || t < st->err_t ||
        (t == st->err_t && (rank < st->err_rank ||
                            (rank == st->err_rank && order < st->err_order)))) {
        st->err_t = t;
        st->err_rank = rank;
        st->err_order = order;
        st->err_msg = msg;
    }
}

/* --------------------------------------------------------------- groups -- */

static int build_groups(match_state *st)
{
    eval_ctx *ctx = st->ctx;
    binop_match *b = st->b;
    arena *a = ctx->mem;
    size_t na = st->A->n, nb = st->B->n;
    if (!binagg_groups_init(&st->sigs, a,
                            b->on ? BINAGG_KEY_ONLY : BINAGG_KEY_WITHOUT,
                            &b->match, na + nb)) {
        return eval_oom(ctx);
    }
    st->ga = arena_alloc_array(a, na + 1, sizeof *st->ga);
    st->gb = arena_alloc_array(a, nb + 1, sizeof *st->gb);
    if (!st->ga || !st->gb) {
        return eval_oom(ctx);
    }
    bool created;
    for (size_t i = 0; i < na; i++) {
        const labels_set *l = &st->A->v[i].labels;
        st->ga[i] = binagg_groups_find_or_add(
            &st->sigs, a, binagg_groups_key(&st->sigs, l), l, &created);
        if (st->ga[i] == UINT32_MAX) {
            return eval_oom(ctx);
        }
    }
    for (size_t j = 0; j < nb; j++) {
        const labels_set *l = &st->B->v[j].labels;
        st->gb[j] = binagg_groups_find_or_add(
            &st->sigs, a, binagg_groups_key(&st->sigs, l), l, &created);
        if (st->gb[j] == UINT32_MAX) {
            return eval_oom(ctx);
        }
    }
    size_t ng = st->sigs.n;
    st->a_off = arena_alloc_array(a, ng + 1, sizeof *st->a_off);
    st->b_off = arena_alloc_array(a, ng + 1, sizeof *st->b_off);
    st->a_idx = arena_alloc_array(a, na + 1, sizeof *st->a_idx);
    st->b_idx = arena_alloc_array(a, nb + 1, sizeof *st->b_idx);
    st->any_a = arena_alloc_array(a, ng + 1, sizeof *st->any_a);
    st->any_b = arena_alloc_array(a, ng + 1, sizeof *st->any_b);
    st->all_a = bitmap_new(st);
    if (!st->a_off || !st->b_off || !st->a_idx || !st->b_idx || !st->any_a ||
        !st->any_b || !st->all_a) {
        return eval_oom(ctx);
    }
    /* Counting sort keeps members in input order inside each group. */
    for (size_t i = 0; i < na; i++) {
        st->a_off[st->ga[i] + 1]++;
    }
    for (size_t j = 0; j < nb; j++) {
        st->b_off[st->gb[j] + 1]++;
    }
    for (size_t g = 0; g < ng; g++) {
        st->a_off[g + 1] += st->a_off[g];
        st->b_off[g + 1] += st->b_off[g];
        st->any_a[g] = bitmap_new(st);
        st->any_b[g] = bitmap_new(st);
        if (!st->any_a[g] || !st->any_b[g]) {
            return -1;
        }
    }
    uint32_t *fill = arena_alloc_array(a, ng + 1, sizeof *fill);
    if (!fill) {
        return eval_oom(ctx);
    }
    for (size_t i = 0; i < na; i++) {
        uint32_t g = st->ga[i];
        st->a_idx[st->a_off[g] + fill[g]++] = (uint32_t)i;
        for (size_t w = 0; w < st->words; w++) {
            st->any_a[g][w] |= st->A->v[i].present[w];
            st->all_a[w] |= st->A->v[i].present[w];
        }
    }
    memset(fill, 0, (ng + 1) * sizeof *fill);
    for (size_t j = 0; j < nb; j++) {
        uint32_t g = st->gb[j];
        st->b_idx[st->b_off[g] + fill[g]++] = (uint32_t)j;
        for (size_t w = 0; w < st->words; w++) {
            st->any_b[g][w] |= st->B->v[j].present[w];
        }
    }
    return 0;
}

/* ------------------------------------------------------------- labels -- */

/* The labels a filled-in series gets: the match group's labels of the
 * series on the other side (Prometheus's MatchLabels). */
static int match_labels(match_state *st, const labels_set *s, labels_set *out)
{
    binop_match *b = st->b;
    int rc = b->on ? labels_only(st->ctx->mem, s, &b->match, out)
                   : labels_without(st->ctx->mem, s, &b->match, out);
    return rc < 0 ? eval_oom(st->ctx) : 0;
}

/* Prometheus's resultMetric for the (possibly swapped) operands. */
static int result_labels(match_state *st, const labels_set *lhs,
                         const labels_set *rhs, labels_set *out)
{
    binop_match *b = st->b;
    eval_ctx *ctx = st->ctx;
    labels_set base = *lhs;
    if (b->card == PQL_CARD_ONE_TO_ONE && b->on) {
        if (labels_only(ctx->mem, lhs, &b->match, &base) < 0) {
            return eval_oom(ctx);
        }
    }
    labels_builder lb;
    labels_builder_init(&lb, ctx->mem, &base);
    /* Arithmetic drops the name here even under delayed removal, as
     * Prometheus's resultMetric does; the type and unit go with it. */
    if (binop_drops_name(b->opk) ||
        (b->ret_bool && !ctx->delayed_name_removal)) {
        labels_builder_drop_name(&lb);
    }
    if (b->card == PQL_CARD_ONE_TO_ONE && !b->on) {
        for (size_t i = 0; i < b->match.n; i++) {
            labels_builder_del(&lb, b->match.v[i]);
        }
    }
    for (size_t i = 0; i < b->include.n; i++) {
        const char *v = labels_get(rhs, b->include.v[i]);
        if (v && *v) {
            labels_builder_set(&lb, b->include.v[i], v);
        } else {
            labels_builder_del(&lb, b->include.v[i]);
        }
    }
    return labels_builder_finish(&lb, out) < 0 ? eval_oom(ctx) : 0;
}

/* Presence mask of a pair into m; returns whether any bit is set. */
static bool pair_mask(const match_state *st, const binop_pair *p, uint64_t *m)
{
    uint64_t any = 0;
    for (size_t w = 0; w < st->words; w++) {
        uint64_t v;
        if (p->a == BINOP_FILL) {
            v = st->B->v[p->b].present[w] & ~st->any_a[p->grp][w];
        } else if (p->b == BINOP_FILL) {
            v = st->A->v[p->a].present[w] & ~st->any_b[p->grp][w];
        } else {
            v = st->A->v[p->a].present[w] & st->B->v[p->b].present[w];
        }
        m[w] = v;
        any |= v;
    }
    return any != 0;
}

static int add_pair(match_state *st, uint32_t a, uint32_t bi, uint32_t grp,
                    uint64_t *scratch)
{
    binop_pair p = {a, bi, grp, 0};
    if (!pair_mask(st, &p, scratch)) {
        return 0;
    }
    eval_ctx *ctx = st->ctx;
    labels_set lhs, rhs, res;
    if (a == BINOP_FILL) {
        if (match_labels(st, &st->B->v[bi].labels, &lhs) < 0) {
            return -1;
        }
    } else {
        lhs = st->A->v[a].labels;
    }
    if (bi == BINOP_FILL) {
        if (match_labels(st, &st->A->v[a].labels, &rhs) < 0) {
            return -1;
        }
    } else {
        rhs = st->B->v[bi].labels;
    }
    if (result_labels(st, &lhs, &rhs, &res) < 0) {
        return -1;
    }
    bool created;
    uint32_t out = binagg_groups_find_or_add(&st->outs, ctx->mem, res.hash,
                                             &res, &created);
    if (out == UINT32_MAX) {
        return eval_oom(ctx);
    }
    if (created) {
        if (st->n_outs == st->cap_outs) {
            size_t ncap = st->cap_outs ? st->cap_outs * 2 : 16;
            labels_set *nl = arena_grow(ctx->mem, st->out_labels, st->n_outs,
                                        ncap, sizeof *nl);
            bool *nd = arena_grow(ctx->mem, st->out_drop, st->n_outs, ncap,
                                  sizeof *nd);
            if (!nl || !nd) {
                return eval_oom(ctx);
            }
            st->out_labels = nl;
            st->out_drop = nd;
            st->cap_outs = ncap;
        }
        st->out_labels[st->n_outs] = res;
        bool drop = false;
        if (st->b->ret_bool) {
            drop = ctx->delayed_name_removal;
        } else if (binop_is_comparison(st->b->opk) && a != BINOP_FILL) {
            /* A filter passes the many side's series on, pending name
             * removal included. */
            drop = st->A->v[a].drop_name;
        }
        st->out_drop[st->n_outs] = drop;
        st->n_outs++;
    }
    p.out = out;
    if (st->n_pairs == st->cap_pairs) {
        size_t ncap = st->cap_pairs ? st->cap_pairs * 2 : 64;
        binop_pair *np =
            arena_grow(ctx->mem, st->pairs, st->n_pairs, ncap, sizeof *np);
        if (!np) {
            return eval_oom(ctx);
        }
        st->pairs = np;
        st->cap_pairs = ncap;
    }
    st->pairs[st->n_pairs++] = p;
    return 0;
}

static int build_pairs(match_state *st)
{
    binop_match *b = st->b;
    uint64_t *scratch = bitmap_new(st);
    if (!scratch || !binagg_groups_init(&st->outs, st->ctx->mem, BINAGG_KEY_ALL,
                                        NULL, st->A->n + 16)) {
        return eval_oom(st->ctx);
    }
    for (size_t i = 0; i < st->A->n; i++) {
        uint32_t g = st->ga[i];
        for (uint32_t k = st->b_off[g]; k < st->b_off[g + 1]; k++) {
            if (add_pair(st, (uint32_t)i, st->b_idx[k], g, scratch) < 0) {
                return -1;
            }
        }
        if (b->has_fill_b &&
            add_pair(st, (uint32_t)i, BINOP_FILL, g, scratch) < 0) {
            return -1;
        }
        if (eval_check(st->ctx) < 0) {
            return -1;
        }
    }
    if (b->has_fill_a) {
        for (size_t j = 0; j < st->B->n; j++) {
            if (add_pair(st, BINOP_FILL, (uint32_t)j, st->gb[j], scratch) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------- errors -- */

static char *fmt_labels(match_state *st, const labels_set *s)
{
    char *r = labels_format(st->ctx->mem, s);
    if (!r) {
        eval_oom(st->ctx);
    }
    return r;
}

/* Two series of one match group on the "one" side, present at the same step
 * while the other side has samples: many-to-many. */
static int check_one_side(match_state *st)
{
    binop_match *b = st->b;
    uint64_t *one = bitmap_new(st), *two = bitmap_new(st);
    if (!one || !two) {
        return -1;
    }
    bool filling = b->has_fill_a || b->has_fill_b;
    for (size_t g = 0; g < st->sigs.n; g++) {
        uint32_t lo = st->b_off[g], hi = st->b_off[g + 1];
        if (hi - lo < 2) {
            continue;
        }
        memset(one, 0, st->words * sizeof *one);
        memset(two, 0, st->words * sizeof *two);
        for (uint32_t k = lo; k < hi; k++) {
            const uint64_t *p = st->B->v[st->b_idx[k]].present;
            for (size_t w = 0; w < st->words; w++) {
                two[w] |= one[w] & p[w];
                one[w] |= p[w];
            }
        }
        if (!filling) {
            for (size_t w = 0; w < st->words; w++) {
                two[w] &= st->all_a[w];
            }
        }
        size_t t = first_bit(two, st->words);
        if (t == SIZE_MAX || (st->err_msg && t > st->err_t)) {
            continue;
        }
        /* The first two members present at t, in input order. */
        const eval_series *s1 = NULL, *s2 = NULL;
        size_t second = 0;
        for (uint32_t k = lo; k < hi && !s2; k++) {
            const eval_series *s = &st->B->v[st->b_idx[k]];
            if (eval_bit_test(s->present, t)) {
                if (!s1) {
                    s1 = s;
                } else {
                    s2 = s;
                    second = st->b_idx[k];
                }
            }
        }
        labels_set ml;
        if (match_labels(st, &s2->labels, &ml) < 0) {
            return -1;
        }
        /* Prometheus lists the two series in label order. */
        if (labels_compare(&s1->labels, &s2->labels) > 0) {
            const eval_series *x = s1;
            s1 = s2;
            s2 = x;
        }
        char *m = fmt_labels(st, &ml), *l1 = fmt_labels(st, &s1->labels),
             *l2 = fmt_labels(st, &s2->labels);
        if (!m || !l1 || !l2) {
            return -1;
        }
        const char *side = st->swapped ? "left" : "right";
        size_t len = strlen(m) + strlen(l1) + strlen(l2) + 256;
        char *msg = arena_alloc(st->ctx->mem, len);
        if (!msg) {
            return eval_oom(st->ctx);
        }
        snprintf(msg, len,
                 "found duplicate series for the match group %s on the %s "
                 "hand-side of the operation: [%s, %s];many-to-many matching "
                 "not allowed: matching labels must be unique on one side",
                 m, side, l1, l2);
        consider_error(st, t, 0, second, msg);
    }
    return 0;
}

/* Duplicates on the many side: for one-to-one any two series of a match
 * group meeting at a step; for group_x two that produce the same result
 * labels at a step. */
static int check_many_side(match_state *st)
{
    binop_match *b = st->b;
    bool one_to_one = b->card == PQL_CARD_ONE_TO_ONE;
    size_t n_keys = one_to_one ? st->sigs.n : st->n_outs;
    if (st->n_pairs < 2) {
        return 0;
    }
    /* Pairs per key (group or output series), counting-sorted. */
    uint32_t *off = arena_alloc_array(st->ctx->mem, n_keys + 1, sizeof *off);
    uint32_t *idx = arena_alloc_array(st->ctx->mem, st->n_pairs, sizeof *idx);
    uint32_t *fill = arena_alloc_array(st->ctx->mem, n_keys + 1, sizeof *fill);
    uint64_t *one = bitmap_new(st), *two = bitmap_new(st), *m = bitmap_new(st);
    if (!off || !idx || !fill || !one || !two || !m) {
        return eval_oom(st->ctx);
    }
    for (size_t i = 0; i < st->n_pairs; i++) {
        uint32_t key = one_to_one ? st->pairs[i].grp : st->pairs[i].out;
        off[key + 1]++;
    }
    for (size_t k = 0; k < n_keys; k++) {
        off[k + 1] += off[k];
    }
    for (size_t i = 0; i < st->n_pairs; i++) {
        uint32_t key = one_to_one ? st->pairs[i].grp : st->pairs[i].out;
        idx[off[key] + fill[key]++] = (uint32_t)i;
    }
    for (size_t k = 0; k < n_keys; k++) {
        if (off[k + 1] - off[k] < 2) {
            continue;
        }
        memset(one, 0, st->words * sizeof *one);
        memset(two, 0, st->words * sizeof *two);
        for (uint32_t x = off[k]; x < off[k + 1]; x++) {
            pair_mask(st, &st->pairs[idx[x]], m);
            for (size_t w = 0; w < st->words; w++) {
                two[w] |= one[w] & m[w];
                one[w] |= m[w];
            }
        }
        size_t t = first_bit(two, st->words);
        if (t == SIZE_MAX || (st->err_msg && t > st->err_t)) {
            continue;
        }
        /* Order within the step: the many-side series of the second pair
         * met at t. */
        size_t seen = 0, order = 0;
        for (uint32_t x = off[k]; x < off[k + 1]; x++) {
            const binop_pair *p = &st->pairs[idx[x]];
            pair_mask(st, p, m);
            if (eval_bit_test(m, t) && ++seen == 2) {
                order = p->a == BINOP_FILL ? SIZE_MAX - 1 : p->a;
                break;
            }
        }
        consider_error(
            st, t, 1, order,
            one_to_one
                ? "multiple matches for labels: many-to-one matching must be "
                  "explicit (group_left/group_right)"
                : "multiple matches for labels: grouping labels must ensure "
                  "unique matches");
    }
    return 0;
}

/* ------------------------------------------------------------- values -- */

static int compute_values(match_state *st)
{
    binop_match *b = st->b;
    eval_ctx *ctx = st->ctx;
    size_t n = st->n;
    eval_series_set *out = &b->out;
    memset(out, 0, sizeof *out);
    out->n_steps = n;
    out->v = arena_alloc_array(ctx->mem, st->n_outs + 1, sizeof *out->v);
    if (!out->v) {
        return eval_oom(ctx);
    }
    out->cap = st->n_outs + 1;
    for (size_t o = 0; o < st->n_outs; o++) {
        eval_series *s = &out->v[o];
        s->labels = st->out_labels[o];
        s->drop_name = st->out_drop[o];
        s->vals = eval_alloc_column(ctx, n);
        s->present = bitmap_new(st);
        if (!s->vals || !s->present) {
            return -1;
        }
    }
    out->n = st->n_outs;
    double *fa = eval_alloc_column(ctx, n), *fb = eval_alloc_column(ctx, n);
    double *res = eval_alloc_column(ctx, n);
    uint8_t *keep = arena_alloc(ctx->mem, n + 1);
    uint64_t *m = bitmap_new(st);
    if (!fa || !fb || !res || !keep || !m) {
        return eval_oom(ctx);
    }
    for (size_t t = 0; t < n; t++) {
        fa[t] = b->fill_a;
        fb[t] = b->fill_b;
    }
    bool cmp = binop_is_comparison(b->opk);
    for (size_t i = 0; i < st->n_pairs; i++) {
        const binop_pair *p = &st->pairs[i];
        pair_mask(st, p, m);
        const double *av = p->a == BINOP_FILL ? fa : st->A->v[p->a].vals;
        const double *bv = p->b == BINOP_FILL ? fb : st->B->v[p->b].vals;
        const double *lv = st->swapped ? bv : av;
        const double *rv = st->swapped ? av : bv;
        const double *src = res;
        if (binop_is_trim(b->opk)) {
            binop_note_trim(ctx, st->b->base.node, b->opk);
            continue;
        }
        if (cmp) {
            binop_compare_cols(b->opk, lv, rv, keep, n);
            if (b->ret_bool) {
                for (size_t t = 0; t < n; t++) {
                    res[t] = keep[t] ? 1.0 : 0.0;
                }
            } else {
                /* The filter keeps the left operand's value. */
                for (size_t t = 0; t < n; t++) {
                    if (!keep[t]) {
                        eval_bit_clear(m, t);
                    }
                }
                src = lv;
            }
        } else {
            binop_arith_cols(b->opk, lv, rv, res, n);
        }
        eval_series *o = &out->v[p->out];
        for (size_t w = 0; w < st->words; w++) {
            uint64_t bits = m[w];
            o->present[w] |= bits;
            while (bits) {
                size_t t = w * 64 + (size_t)__builtin_ctzll(bits);
                o->vals[t] = src[t];
                bits &= bits - 1;
            }
        }
        if (eval_check(ctx) < 0) {
            return -1;
        }
    }
    /* Drop output series a filter emptied. */
    size_t k = 0;
    for (size_t o = 0; o < out->n; o++) {
        if (first_bit(out->v[o].present, st->words) != SIZE_MAX) {
            out->v[k++] = out->v[o];
        }
    }
    out->n = k;
    return 0;
}

static int64_t set_points(const eval_series_set *s)
{
    int64_t total = 0;
    for (size_t i = 0; i < s->n; i++) {
        total += (int64_t)eval_bitmap_count(s->v[i].present, s->n_steps);
    }
    return total;
}

static int compute(binop_match *b, eval_ctx *ctx)
{
    match_state st;
    memset(&st, 0, sizeof st);
    st.ctx = ctx;
    st.b = b;
    st.n = b->base.grid->n_steps;
    st.words = EVAL_BITMAP_WORDS(st.n);
    if (op_drain(b->lhs, ctx, &st.L) < 0 || op_drain(b->rhs, ctx, &st.R) < 0) {
        return -1;
    }
    st.swapped = b->card == PQL_CARD_ONE_TO_MANY;
    st.A = st.swapped ? &st.R : &st.L;
    st.B = st.swapped ? &st.L : &st.R;
    int rc = 0;
    if ((st.A->n == 0 && !b->has_fill_a) || (st.B->n == 0 && !b->has_fill_b)) {
        /* Nothing can match and no side is filled in. */
        memset(&b->out, 0, sizeof b->out);
    } else if (build_groups(&st) < 0 || build_pairs(&st) < 0 ||
               check_one_side(&st) < 0 || check_many_side(&st) < 0) {
        rc = -1;
    } else if (st.err_msg) {
        rc = eval_fail(ctx, PQL_ERR_EXECUTION, "%s", st.err_msg);
    } else {
        rc = compute_values(&st);
    }
    /* The operands are no longer held once the result exists. */
    eval_samples_give(ctx, set_points(&st.L) + set_points(&st.R));
    if (rc == 0 && eval_samples_take(ctx, set_points(&b->out)) < 0) {
        rc = -1;
    }
    return rc;
}

/* ------------------------------------------------------------ operator -- */

static int match_open(op *self, eval_ctx *ctx)
{
    binop_match *b = (binop_match *)self;
    if (op_open(b->lhs, ctx) < 0 || op_open(b->rhs, ctx) < 0) {
        return -1;
    }
    return 0;
}

static int match_next(op *self, eval_ctx *ctx, eval_series *out)
{
    binop_match *b = (binop_match *)self;
    if (!b->computed) {
        b->computed = true;
        if (compute(b, ctx) < 0) {
            return -1;
        }
    }
    if (b->next_out >= b->out.n) {
        return 0;
    }
    eval_series *s = &b->out.v[b->next_out++];
    eval_samples_give(ctx,
                      (int64_t)eval_bitmap_count(s->present, b->out.n_steps));
    *out = *s;
    return 1;
}

static void match_close(op *self, eval_ctx *ctx)
{
    binop_match *b = (binop_match *)self;
    op_close(b->lhs, ctx);
    op_close(b->rhs, ctx);
}

static const op_vtable binop_match_vt = {"binary(vector,vector)", match_open,
                                         match_next, NULL, match_close};

op *binop_match_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                    op *lhs, op *rhs)
{
    binop_match *b = (binop_match *)op_alloc(ctx, sizeof *b, &binop_match_vt,
                                             PQL_TYPE_VECTOR, grid, node);
    if (!b) {
        return NULL;
    }
    b->lhs = lhs;
    b->rhs = rhs;
    b->opk = node->u.binary.op;
    b->ret_bool = node->u.binary.return_bool;
    b->card = PQL_CARD_ONE_TO_ONE;
    const ast_vector_matching *vm = node->u.binary.matching;
    if (vm) {
        if (vm->card != PQL_CARD_NONE) {
            b->card = vm->card;
        }
        b->on = vm->on;
        if (labels_names_prepare(ctx->mem, vm->matching.names,
                                 vm->matching.count, &b->match) < 0 ||
            labels_names_prepare(ctx->mem, vm->include.names, vm->include.count,
                                 &b->include) < 0) {
            eval_oom(ctx);
            return NULL;
        }
        b->has_fill_a = vm->has_fill_lhs;
        b->has_fill_b = vm->has_fill_rhs;
        b->fill_a = vm->fill_lhs;
        b->fill_b = vm->fill_rhs;
    }
    return &b->base;
}
