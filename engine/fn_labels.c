/* fn_labels.c: label_replace() and label_join(): rewrite one label of every
 * series, then merge series whose label sets became equal. */
#include "fn_instant.h"

#include <stdlib.h>
#include <string.h>

#include "binagg_internal.h"
#include "regex_shim.h"

typedef struct fn_label_op {
    op base;
    op *child;
    bool is_join;
    const char *dst;
    /* label_replace */
    regex_prog *re; /* compiled at open, freed at close */
    const ast_str *pattern;
    const char *repl, *src;
    size_t repl_len;
    /* label_join */
    const char *sep;
    size_t sep_len;
    const char **srcs;
    size_t n_srcs;

    bool computed;
    fn_out_set out;
} fn_label_op;

static const ast_node *unparen(const ast_node *n)
{
    while (n && n->kind == PQL_NODE_PAREN)
        n = n->u.paren.expr;
    return n;
}

static const ast_str *arg_str(const ast_node *call, size_t i)
{
    return &unparen(call->u.call.args[i])->u.string.value;
}

/* The series' new label set, or the old one when label_replace's regex does
 * not match. Returns 0 or -1. */
static int relabel(fn_label_op *f, eval_ctx *ctx, eval_series *s)
{
    const char *value;
    if (f->is_join) {
        size_t len = 0;
        for (size_t i = 0; i < f->n_srcs; i++) {
            const char *v = labels_get(&s->labels, f->srcs[i]);
            len += (v ? strlen(v) : 0) + (i ? f->sep_len : 0);
        }
        char *buf = arena_alloc(ctx->mem, len + 1);
        if (!buf)
            return eval_oom(ctx);
        size_t pos = 0;
        for (size_t i = 0; i < f->n_srcs; i++) {
            if (i) {
                memcpy(buf + pos, f->sep, f->sep_len);
                pos += f->sep_len;
            }
            const char *v = labels_get(&s->labels, f->srcs[i]);
            size_t vl = v ? strlen(v) : 0;
            if (vl)
                memcpy(buf + pos, v, vl);
            pos += vl;
        }
        buf[pos] = '\0';
        value = buf;
    } else {
        const char *sv = labels_get(&s->labels, f->src);
        if (!sv)
            sv = "";
        char *res = NULL;
        size_t res_len = 0;
        int rc = regex_prog_replace(f->re, sv, strlen(sv), f->repl, f->repl_len,
                                    &res, &res_len);
        if (rc < 0)
            return eval_oom(ctx);
        if (rc == 0)
            return 0; /* no match: the series passes unchanged */
        char *copy = arena_strndup(ctx->mem, res, res_len);
        free(res);
        if (!copy)
            return eval_oom(ctx);
        value = copy;
    }
    labels_builder b;
    labels_builder_init(&b, ctx->mem, &s->labels);
    labels_builder_set(&b, f->dst, value);
    if (labels_builder_finish(&b, &s->labels) < 0)
        return eval_oom(ctx);
    /* Writing __name__ explicitly keeps it; any other label leaves the
     * series' pending name removal as it was. */
    if (strcmp(f->dst, LABELS_NAME) == 0)
        s->drop_name = false;
    return 0;
}

/* Relabels every input series and merges equal label sets step by step,
 * failing where two of them have a value at the same step (Prometheus's
 * mergeSeriesWithSameLabelset). Needs all input, so it materialises. */
static int label_compute(fn_label_op *f, eval_ctx *ctx)
{
    size_t n = f->base.grid->n_steps, words = EVAL_BITMAP_WORDS(n);
    eval_series_set *set = &f->out.set;
    memset(set, 0, sizeof(*set));
    set->n_steps = n;
    binagg_groups groups;
    if (!binagg_groups_init(&groups, ctx->mem, BINAGG_KEY_ALL, NULL, 64))
        return eval_oom(ctx);
    eval_series s;
    int rc;
    int64_t pending = 0;
    while ((rc = op_next(f->child, ctx, &s)) > 0) {
        /* The producer gave its points back at this call; hold ours now. */
        if (eval_samples_take(ctx, pending) < 0)
            return -1;
        pending = 0;
        if (eval_check(ctx) < 0)
            return -1;
        size_t pts = eval_bitmap_count(s.present, n);
        if (pts == 0)
            continue;
        if (relabel(f, ctx, &s) < 0)
            return -1;
        bool created;
        uint32_t id = binagg_groups_find_or_add(
            &groups, ctx->mem, binagg_groups_key(&groups, &s.labels), &s.labels,
            &created);
        if (id == UINT32_MAX)
            return eval_oom(ctx);
        if (created) {
            if (eval_series_set_add(ctx, set, &s) < 0)
                return -1;
            set->v[set->n - 1].sample_ts = NULL;
            pending = (int64_t)pts;
            set->n_samples += (int64_t)pts;
            continue;
        }
        eval_series *dst = &set->v[id];
        for (size_t w = 0; w < words; w++) {
            if (dst->present[w] & s.present[w])
                return eval_fail(ctx, PQL_ERR_EXECUTION,
                                 "vector cannot contain metrics with the same "
                                 "labelset");
        }
        for (size_t i = 0; i < n; i++) {
            if (eval_bit_test(s.present, i))
                dst->vals[i] = s.vals[i];
        }
        for (size_t w = 0; w < words; w++)
            dst->present[w] |= s.present[w];
        pending = (int64_t)pts;
        set->n_samples += (int64_t)pts;
    }
    if (rc < 0)
        return -1;
    return eval_samples_take(ctx, pending);
}

static int label_open(op *self, eval_ctx *ctx)
{
    fn_label_op *f = (fn_label_op *)self;
    if (!f->is_join) {
        /* Planning already proved the pattern valid, so only memory can
         * fail here. */
        f->re =
            regex_prog_compile(f->pattern->ptr, f->pattern->len, 0, NULL, 0);
        if (!f->re)
            return eval_oom(ctx);
    }
    return op_open(f->child, ctx);
}

static int label_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_label_op *f = (fn_label_op *)self;
    if (!f->computed) {
        f->computed = true;
        if (label_compute(f, ctx) < 0)
            return -1;
    }
    return fn_out_next(ctx, &f->out, out);
}

static void label_close(op *self, eval_ctx *ctx)
{
    fn_label_op *f = (fn_label_op *)self;
    fn_out_release(ctx, &f->out);
    if (f->re) {
        regex_prog_free(f->re);
        f->re = NULL;
    }
    op_close(f->child, ctx);
}

static const op_vtable label_vtable = {
    .name = "label_fn",
    .open = label_open,
    .next = label_next,
    .close = label_close,
};

op *fn_plan_label_replace(eval_ctx *ctx, const ast_node *call,
                          const eval_grid *grid)
{
    const ast_str *dst = arg_str(call, 1), *repl = arg_str(call, 2),
                  *src = arg_str(call, 3), *re = arg_str(call, 4);
    /* Prometheus checks the regex, then the destination, before it
     * evaluates the vector argument. */
    char errbuf[256];
    regex_prog *prog =
        regex_prog_compile(re->ptr, re->len, 0, errbuf, sizeof errbuf);
    if (!prog) {
        eval_fail(ctx, PQL_ERR_EXECUTION,
                  "invalid regular expression in label_replace(): %s", re->ptr);
        return NULL;
    }
    if (!fn_valid_label_name(dst->ptr, dst->len)) {
        regex_prog_free(prog);
        eval_fail(ctx, PQL_ERR_EXECUTION,
                  "invalid destination label name in label_replace(): %s",
                  dst->ptr);
        return NULL;
    }
    /* The program is only a check here; open() compiles the one it uses so
     * nothing outside the arena is held by a tree that never gets closed. */
    regex_prog_free(prog);
    op *child = plan_node(ctx, call->u.call.args[0], grid);
    if (!child)
        return NULL;
    fn_label_op *f = (fn_label_op *)op_alloc(
        ctx, sizeof(fn_label_op), &label_vtable, PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->child = child;
    f->pattern = re;
    f->dst = dst->ptr;
    f->repl = repl->ptr;
    f->repl_len = repl->len;
    f->src = src->ptr;
    return &f->base;
}

op *fn_plan_label_join(eval_ctx *ctx, const ast_node *call,
                       const eval_grid *grid)
{
    size_t n_srcs = call->u.call.n_args - 3;
    const char **srcs =
        arena_alloc_array(ctx->mem, n_srcs ? n_srcs : 1, sizeof(char *));
    if (!srcs) {
        eval_oom(ctx);
        return NULL;
    }
    for (size_t i = 0; i < n_srcs; i++) {
        const ast_str *s = arg_str(call, 3 + i);
        if (!fn_valid_label_name(s->ptr, s->len)) {
            eval_fail(ctx, PQL_ERR_EXECUTION,
                      "invalid source label name in label_join(): %s", s->ptr);
            return NULL;
        }
        srcs[i] = s->ptr;
    }
    const ast_str *dst = arg_str(call, 1), *sep = arg_str(call, 2);
    if (!fn_valid_label_name(dst->ptr, dst->len)) {
        eval_fail(ctx, PQL_ERR_EXECUTION,
                  "invalid destination label name in label_join(): %s",
                  dst->ptr);
        return NULL;
    }
    op *child = plan_node(ctx, call->u.call.args[0], grid);
    if (!child)
        return NULL;
    fn_label_op *f = (fn_label_op *)op_alloc(
        ctx, sizeof(fn_label_op), &label_vtable, PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->child = child;
    f->is_join = true;
    f->dst = dst->ptr;
    f->sep = sep->ptr;
    f->sep_len = sep->len;
    f->srcs = srcs;
    f->n_srcs = n_srcs;
    return &f->base;
}
