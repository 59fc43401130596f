/* fn_info.c: the experimental info() function: enriches series with the data
 * labels of info series (target_info by default) joined on job and instance. */
#include "fn_instant.h"

#include <stdio.h>
#include <string.h>

#include "binagg_internal.h"
#include "matcher.h"

/*
 * How it works. The base argument is drained first, because which info
 * series are needed depends on the identifying labels (job, instance) the
 * base series carry. The info series are then read by a vector selector
 * built at run time (the second argument's matchers, target_info by default,
 * plus job/instance regexes listing the wanted values) at the reference
 * times of the base argument's first selector, so @ and offset pin the
 * enrichment the way they pin the base samples. The selector reports each
 * info sample's own timestamp: where two info series of one metric match
 * the same base series at a step, the newer sample wins.
 *
 * Label work is per series, not per step: each base series finds, per info
 * metric name, its candidate info series once. Per step only the choice of
 * candidate is made; a step whose choice equals the previous step's reuses
 * the same output series.
 */

/* The labels info series are joined on (upstream hard-codes them). */
static const char *const info_id_labels[2] = {"instance", "job"};

#define INFO_DEFAULT_METRIC "target_info"
/* What an info metric's name looks like, when only exclusions are given. */
#define INFO_NAME_PATTERN ".+_info"

/* Where the info series are looked up, relative to a step of the grid:
 * the @ time (if any) else the step time, minus the offset. */
typedef struct info_timing {
    bool found;
    bool has_at;
    int64_t at_ms;
    int64_t offset_ms;
} info_timing;

typedef struct fn_info_op {
    op base;
    op *child;
    const ast_node *sel; /* the second argument, or NULL */
    info_timing tm;
    matcher_set *name_ms; /* __name__ matchers naming the info metrics */
    matcher_set *data_ms; /* the other matchers of the second argument */
    pql_matcher *sel_ms;  /* selects the info series (before job/instance) */
    size_t n_sel_ms;
    bool computed;
    fn_out_set out;
} fn_info_op;

/* ------------------------------------------------------------ planning -- */

static int info_apply_mods(eval_ctx *ctx, const ast_time_mods *mods,
                           info_timing *acc)
{
    eval_timing tm;
    if (plan_timing(ctx, mods, &tm) < 0)
        return -1;
    if (tm.has_at) {
        /* An @ overrides whatever was outside it; offsets written inside
         * still apply on top of it. */
        acc->has_at = true;
        acc->at_ms = tm.at_ms;
        acc->offset_ms = tm.offset_ms;
    } else {
        acc->offset_ms += tm.offset_ms;
    }
    return 0;
}

/* Finds the first vector selector of `n` in upstream's traversal order
 * (children left to right, an aggregation's expression before its
 * parameter) and accumulates the @ and offsets on the path to it. Returns
 * 1 when found, 0 when not, -1 on error. */
static int info_find_timing(eval_ctx *ctx, const ast_node *n, info_timing acc,
                            info_timing *out)
{
    if (!n)
        return 0;
    switch (n->kind) {
    case PQL_NODE_VECTOR_SELECTOR:
        if (info_apply_mods(ctx, &n->u.vs.mods, &acc) < 0)
            return -1;
        acc.found = true;
        *out = acc;
        return 1;
    case PQL_NODE_MATRIX_SELECTOR:
        return info_find_timing(ctx, n->u.matrix.vs, acc, out);
    case PQL_NODE_SUBQUERY:
        if (info_apply_mods(ctx, &n->u.subquery.mods, &acc) < 0)
            return -1;
        return info_find_timing(ctx, n->u.subquery.expr, acc, out);
    case PQL_NODE_CALL:
        for (size_t i = 0; i < n->u.call.n_args; i++) {
            int rc = info_find_timing(ctx, n->u.call.args[i], acc, out);
            if (rc != 0)
                return rc;
        }
        return 0;
    case PQL_NODE_AGGREGATE: {
        int rc = info_find_timing(ctx, n->u.agg.expr, acc, out);
        return rc != 0 ? rc : info_find_timing(ctx, n->u.agg.param, acc, out);
    }
    case PQL_NODE_BINARY: {
        int rc = info_find_timing(ctx, n->u.binary.lhs, acc, out);
        return rc != 0 ? rc : info_find_timing(ctx, n->u.binary.rhs, acc, out);
    }
    case PQL_NODE_UNARY:
        return info_find_timing(ctx, n->u.unary.expr, acc, out);
    case PQL_NODE_PAREN:
        return info_find_timing(ctx, n->u.paren.expr, acc, out);
    default:
        return 0;
    }
}

static const op_vtable info_vtable;

op *fn_plan_info(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    const ast_node *arg = call->u.call.args[0];
    op *child = plan_node(ctx, arg, grid);
    if (!child)
        return NULL;
    fn_info_op *f = (fn_info_op *)op_alloc(
        ctx, sizeof(fn_info_op), &info_vtable, PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->child = child;
    f->sel = call->u.call.n_args > 1 ? call->u.call.args[1] : NULL;
    while (f->sel && f->sel->kind == PQL_NODE_PAREN)
        f->sel = f->sel->u.paren.expr;
    info_timing none = {0};
    if (info_find_timing(ctx, arg, none, &f->tm) < 0)
        return NULL;
    return &f->base;
}

/* ------------------------------------------------------------ matchers -- */

/* Splits the second argument into name and data matchers, compiled, and
 * prepares the matchers selecting info series. With no second argument the
 * info metric is target_info and every data label is wanted. With only
 * negative __name__ matchers, `__name__=~".+_info"` is implied (as upstream
 * does): otherwise every ordinary series would count as an info series. */
static int info_compile_matchers(fn_info_op *f, eval_ctx *ctx)
{
    const pql_matcher *ms = f->sel ? f->sel->u.vs.matchers : NULL;
    size_t n = f->sel ? f->sel->u.vs.n_matchers : 0;
    pql_matcher *names = arena_alloc_array(ctx->mem, n + 1, sizeof(*names));
    pql_matcher *data = arena_alloc_array(ctx->mem, n + 1, sizeof(*data));
    f->sel_ms = arena_alloc_array(ctx->mem, n + 1, sizeof(*f->sel_ms));
    if (!names || !data || !f->sel_ms)
        return eval_oom(ctx);
    size_t nn = 0, nd = 0;
    bool positive = false;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ms[i].name, LABELS_NAME) == 0) {
            positive |=
                ms[i].type == PQL_MATCH_EQUAL || ms[i].type == PQL_MATCH_REGEX;
            names[nn++] = ms[i];
        } else {
            data[nd++] = ms[i];
        }
    }
    if (n)
        memcpy(f->sel_ms, ms, n * sizeof(*ms));
    f->n_sel_ms = n;
    if (!f->sel || !nn) {
        /* No name given: target_info is looked up, but with a selector
         * argument nothing in the base argument counts as an info series. */
        f->sel_ms[f->n_sel_ms++] =
            (pql_matcher){LABELS_NAME, PQL_MATCH_EQUAL, INFO_DEFAULT_METRIC,
                          sizeof(INFO_DEFAULT_METRIC) - 1};
        if (!f->sel)
            names[nn++] = f->sel_ms[f->n_sel_ms - 1];
    } else if (!positive) {
        f->sel_ms[f->n_sel_ms++] =
            (pql_matcher){LABELS_NAME, PQL_MATCH_REGEX, INFO_NAME_PATTERN,
                          sizeof(INFO_NAME_PATTERN) - 1};
        names[nn++] = f->sel_ms[f->n_sel_ms - 1];
    }
    pql_error err;
    pql_error_clear(&err);
    pql_status st = matcher_set_new(names, nn, 0, &f->name_ms, &err);
    if (st == PQL_OK)
        st = matcher_set_new(data, nd, 0, &f->data_ms, &err);
    if (st != PQL_OK)
        return eval_fail(ctx, st, "%s", err.message);
    return 0;
}

/* Whether a base series is an info series itself (its name satisfies every
 * __name__ matcher): those pass through unenriched. */
static bool info_is_ignored(const fn_info_op *f, const labels_set *ls)
{
    if (f->name_ms->n == 0)
        return false;
    const char *name = labels_get(ls, LABELS_NAME);
    for (size_t i = 0; i < f->name_ms->n; i++) {
        const matcher *m = &f->name_ms->items[i];
        if (!matcher_matches(m, name ? name : "", name ? strlen(name) : 0))
            return false;
    }
    return true;
}

static bool info_is_data_label(const fn_info_op *f, const char *name)
{
    if (f->data_ms->n == 0)
        return true;
    for (size_t i = 0; i < f->data_ms->n; i++) {
        if (strcmp(f->data_ms->items[i].name, name) == 0)
            return true;
    }
    return false;
}

static bool info_all_match_empty(const fn_info_op *f)
{
    for (size_t i = 0; i < f->data_ms->n; i++) {
        if (!f->data_ms->items[i].matches_empty)
            return false;
    }
    return true;
}

/* ------------------------------------------------------- info series -- */

typedef struct info_series {
    labels_set labels;
    const char *name;
    uint64_t *present;
    int64_t *ts; /* sample time per step */
} info_series;

typedef struct info_set {
    info_series *v;
    size_t n, cap;
} info_set;

/* A growing list of distinct label values, for the id-label regexes. */
typedef struct value_list {
    const char **v;
    size_t n, cap;
} value_list;

static int value_list_add(arena *a, value_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i], s) == 0)
            return 0;
    }
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        const char **nv = arena_grow(a, (void *)l->v, l->n, nc, sizeof(*nv));
        if (!nv)
            return -1;
        l->v = nv;
        l->cap = nc;
    }
    l->v[l->n++] = s;
    return 0;
}

/* `v1|v2|...` with regex metacharacters escaped (Go's regexp.QuoteMeta),
 * so the matcher accepts exactly the listed values. */
static char *alternation(arena *a, const value_list *l, size_t *len)
{
    size_t cap = 1;
    for (size_t i = 0; i < l->n; i++)
        cap += 2 * strlen(l->v[i]) + 1;
    char *out = arena_alloc(a, cap);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0)
            out[k++] = '|';
        for (const char *c = l->v[i]; *c; c++) {
            if (strchr("\\.+*?()|[]{}^$", *c))
                out[k++] = '\\';
            out[k++] = *c;
        }
    }
    out[k] = '\0';
    *len = k;
    return out;
}

/* Reads the info series for the identifying values in `ids` at the
 * reference times of the base argument. */
static int info_fetch(fn_info_op *f, eval_ctx *ctx, value_list ids[2],
                      info_set *out)
{
    pql_matcher *ms = arena_alloc_array(ctx->mem, f->n_sel_ms + 2, sizeof(*ms));
    if (!ms)
        return eval_oom(ctx);
    memcpy(ms, f->sel_ms, f->n_sel_ms * sizeof(*ms));
    size_t nm = f->n_sel_ms;
    for (size_t k = 0; k < 2; k++) {
        if (ids[k].n == 0)
            continue;
        size_t len;
        char *re = alternation(ctx->mem, &ids[k], &len);
        if (!re)
            return eval_oom(ctx);
        ms[nm++] = (pql_matcher){info_id_labels[k], PQL_MATCH_REGEX, re, len};
    }

    ast_node *vs = arena_alloc(ctx->mem, sizeof(*vs));
    if (!vs)
        return eval_oom(ctx);
    memset(vs, 0, sizeof(*vs));
    vs->kind = PQL_NODE_VECTOR_SELECTOR;
    vs->type = PQL_TYPE_VECTOR;
    vs->start = f->base.node->start;
    vs->end = f->base.node->end;
    vs->u.vs.matchers = ms;
    vs->u.vs.n_matchers = nm;
    if (f->tm.has_at) {
        vs->u.vs.mods.at = PQL_AT_TIMESTAMP;
        vs->u.vs.mods.at_ms = f->tm.at_ms;
    }
    vs->u.vs.mods.has_offset = f->tm.offset_ms != 0;
    vs->u.vs.mods.offset_ns = f->tm.offset_ms * 1000000;

    op *sel = op_selector_new(ctx, vs, f->base.grid, true);
    if (!sel)
        return -1;
    size_t n = f->base.grid->n_steps;
    size_t words = EVAL_BITMAP_WORDS(n);
    int rc = op_open(sel, ctx);
    eval_series s;
    while (rc == 0 && (rc = op_next(sel, ctx, &s)) > 0) {
        rc = 0;
        if (out->n == out->cap) {
            size_t nc = out->cap ? out->cap * 2 : 8;
            info_series *nv =
                arena_grow(ctx->mem, out->v, out->n, nc, sizeof(*nv));
            if (!nv) {
                rc = eval_oom(ctx);
                break;
            }
            out->v = nv;
            out->cap = nc;
        }
        info_series *is = &out->v[out->n];
        is->labels = s.labels;
        is->name = labels_get(&s.labels, LABELS_NAME);
        is->present = eval_alloc_bitmap(ctx, n);
        is->ts = arena_alloc_array(ctx->mem, n, sizeof(int64_t));
        if (!is->present || !is->ts) {
            rc = eval_oom(ctx);
            break;
        }
        memcpy(is->present, s.present, words * sizeof(uint64_t));
        memcpy(is->ts, s.sample_ts, n * sizeof(int64_t));
        if (!is->name)
            is->name = "";
        out->n++;
    }
    op_close(sel, ctx);
    return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------- joining -- */

/* The candidates of one base series for one info metric: the info series
 * of that metric with the same identifying labels. */
typedef struct info_cands {
    const uint32_t *idx;
    size_t n;
} info_cands;

typedef struct info_join {
    eval_ctx *ctx;
    fn_info_op *f;
    size_t n_steps;
    info_set infos;
    const char **names; /* distinct info metric names, first-seen order */
    size_t n_names;
    binagg_groups sig_groups; /* keyed on __name__, instance, job */
    labels_names sig_names;
    uint32_t *grp_off, *grp_idx; /* CSR: info series per signature group */
    binagg_groups outs;
    eval_series *res;
    size_t n_res, cap_res;
} info_join;

static int join_index_infos(info_join *j)
{
    eval_ctx *ctx = j->ctx;
    arena *a = ctx->mem;
    static const char *const sig[3] = {LABELS_NAME, "instance", "job"};
    if (labels_names_prepare(a, sig, 3, &j->sig_names) < 0 ||
        !binagg_groups_init(&j->sig_groups, a, BINAGG_KEY_ONLY, &j->sig_names,
                            j->infos.n + 1))
        return eval_oom(ctx);
    uint32_t *grp = arena_alloc_array(a, j->infos.n + 1, sizeof(*grp));
    j->names = arena_alloc_array(a, j->infos.n + 1, sizeof(*j->names));
    if (!grp || !j->names)
        return eval_oom(ctx);
    for (size_t i = 0; i < j->infos.n; i++) {
        const info_series *is = &j->infos.v[i];
        bool created;
        grp[i] = binagg_groups_find_or_add(
            &j->sig_groups, a, binagg_groups_key(&j->sig_groups, &is->labels),
            &is->labels, &created);
        if (grp[i] == UINT32_MAX)
            return eval_oom(ctx);
        bool known = false;
        for (size_t k = 0; k < j->n_names && !known; k++)
            known = strcmp(j->names[k], is->name) == 0;
        if (!known)
            j->names[j->n_names++] = is->name;
    }
    size_t ng = j->sig_groups.n;
    j->grp_off = arena_alloc_array(a, ng + 1, sizeof(uint32_t));
    j->grp_idx = arena_alloc_array(a, j->infos.n + 1, sizeof(uint32_t));
    uint32_t *fill = arena_alloc_array(a, ng + 1, sizeof(uint32_t));
    if (!j->grp_off || !j->grp_idx || !fill)
        return eval_oom(ctx);
    for (size_t i = 0; i < j->infos.n; i++)
        j->grp_off[grp[i] + 1]++;
    for (size_t g = 0; g < ng; g++)
        j->grp_off[g + 1] += j->grp_off[g];
    for (size_t i = 0; i < j->infos.n; i++)
        j->grp_idx[j->grp_off[grp[i]] + fill[grp[i]]++] = (uint32_t)i;
    return 0;
}

/* The info series of metric `name` sharing the base series' job/instance. */
static int join_candidates(info_join *j, const labels_set *base,
                           const char *name, info_cands *out)
{
    out->idx = NULL;
    out->n = 0;
    labels_set empty = labels_empty();
    labels_builder lb;
    labels_builder_init(&lb, j->ctx->mem, &empty);
    labels_builder_set(&lb, LABELS_NAME, name);
    for (size_t k = 0; k < 2; k++)
        labels_builder_set(&lb, info_id_labels[k],
                           labels_get(base, info_id_labels[k]));
    labels_set probe;
    if (labels_builder_finish(&lb, &probe) < 0)
        return eval_oom(j->ctx);
    uint32_t g = binagg_groups_find(
        &j->sig_groups, binagg_groups_key(&j->sig_groups, &probe), &probe);
    if (g != UINT32_MAX) {
        out->idx = j->grp_idx + j->grp_off[g];
        out->n = j->grp_off[g + 1] - j->grp_off[g];
    }
    return 0;
}

/* The newest candidate sample at step i, UINT32_MAX when none; two with
 * the same time are an error, as upstream cannot tell them apart. */
static int join_pick(info_join *j, const info_cands *c, size_t i,
                     uint32_t *pick)
{
    *pick = UINT32_MAX;
    for (size_t k = 0; k < c->n; k++) {
        const info_series *is = &j->infos.v[c->idx[k]];
        if (!eval_bit_test(is->present, i))
            continue;
        if (*pick == UINT32_MAX) {
            *pick = c->idx[k];
            continue;
        }
        const info_series *cur = &j->infos.v[*pick];
        if (is->ts[i] > cur->ts[i]) {
            *pick = c->idx[k];
        } else if (is->ts[i] == cur->ts[i]) {
            char *l1 = labels_format(j->ctx->mem, &cur->labels);
            char *l2 = labels_format(j->ctx->mem, &is->labels);
            if (!l1 || !l2)
                return eval_oom(j->ctx);
            return eval_fail(j->ctx, PQL_ERR_EXECUTION,
                             "found duplicate series for info metric: "
                             "existing %s @ %lld, new %s @ %lld",
                             l1, (long long)cur->ts[i], l2,
                             (long long)is->ts[i]);
        }
    }
    return 0;
}

/* The output labels of a base series enriched by the picked info series
 * (one per info metric, UINT32_MAX for none). Sets *keep false when the
 * sample is dropped: nothing matched and a data matcher needs a value. */
static int join_labels(info_join *j, const labels_set *base,
                       const uint32_t *picks, labels_set *out, bool *keep)
{
    eval_ctx *ctx = j->ctx;
    fn_info_op *f = j->f;
    labels_set empty = labels_empty();
    labels_builder add;
    labels_builder_init(&add, ctx->mem, &empty);
    size_t seen = 0;
    for (size_t k = 0; k < j->n_names; k++) {
        if (picks[k] == UINT32_MAX)
            continue;
        seen++;
        const labels_set *il = &j->infos.v[picks[k]].labels;
        for (uint32_t l = 0; l < il->n; l++) {
            const pql_label *lab = &il->v[l];
            if (strcmp(lab->name, LABELS_NAME) == 0 ||
                !info_is_data_label(f, lab->name))
                continue;
            /* Two info metrics disagreeing on a label is an error even when
             * the base series has that label itself. */
            for (size_t x = 0; x < add.n; x++) {
                if (strcmp(add.v[x].name, lab->name) == 0 &&
                    strcmp(add.v[x].value, lab->value) != 0)
                    return eval_fail(ctx, PQL_ERR_EXECUTION,
                                     "conflicting label: %s", lab->name);
            }
            if (labels_get(base, lab->name))
                continue;
            labels_builder_set(&add, lab->name, lab->value);
        }
    }
    *keep = seen > 0 || info_all_match_empty(f);
    if (!*keep)
        return 0;
    if (add.n == 0) {
        *out = *base;
        return 0;
    }
    labels_builder lb;
    labels_builder_init(&lb, ctx->mem, base);
    for (size_t x = 0; x < add.n; x++)
        labels_builder_set(&lb, add.v[x].name, add.v[x].value);
    return labels_builder_finish(&lb, out) < 0 ? eval_oom(ctx) : 0;
}

/* The output series with labels `ls`, created on first use. */
static int join_output(info_join *j, const labels_set *ls, bool drop_name,
                       uint32_t *id)
{
    eval_ctx *ctx = j->ctx;
    bool created;
    *id = binagg_groups_find_or_add(&j->outs, ctx->mem, ls->hash, ls, &created);
    if (*id == UINT32_MAX)
        return eval_oom(ctx);
    if (!created)
        return 0;
    if (j->n_res == j->cap_res) {
        size_t nc = j->cap_res ? j->cap_res * 2 : 16;
        eval_series *nr =
            arena_grow(ctx->mem, j->res, j->n_res, nc, sizeof(*nr));
        if (!nr)
            return eval_oom(ctx);
        j->res = nr;
        j->cap_res = nc;
    }
    eval_series *s = &j->res[j->n_res++];
    memset(s, 0, sizeof(*s));
    s->labels = *ls;
    s->drop_name = drop_name;
    s->vals = eval_alloc_column(ctx, j->n_steps);
    s->present = eval_alloc_bitmap(ctx, j->n_steps);
    return s->vals && s->present ? 0 : -1;
}

static int join_put(info_join *j, uint32_t id, size_t i, double v)
{
    eval_series *o = &j->res[id];
    if (eval_bit_test(o->present, i))
        return eval_fail(j->ctx, PQL_ERR_EXECUTION,
                         "vector cannot contain metrics with the same "
                         "labelset");
    o->vals[i] = v;
    eval_bit_set(o->present, i);
    return 0;
}

/* Enriches one base series step by step. */
static int join_series(info_join *j, const eval_series *b, bool ignored,
                       info_cands *cands, uint32_t *picks, uint32_t *prev)
{
    size_t n = j->n_steps;
    if (ignored) {
        uint32_t id;
        if (join_output(j, &b->labels, b->drop_name, &id) < 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            if (eval_bit_test(b->present, i) &&
                join_put(j, id, i, b->vals[i]) < 0)
                return -1;
        }
        return 0;
    }
    for (size_t k = 0; k < j->n_names; k++) {
        if (join_candidates(j, &b->labels, j->names[k], &cands[k]) < 0)
            return -1;
    }
    bool have_prev = false, prev_keep = false;
    uint32_t prev_id = 0;
    for (size_t i = 0; i < n; i++) {
        if (!eval_bit_test(b->present, i))
            continue;
        for (size_t k = 0; k < j->n_names; k++) {
            if (join_pick(j, &cands[k], i, &picks[k]) < 0)
                return -1;
        }
        if (!have_prev ||
            memcmp(picks, prev, j->n_names * sizeof(*picks)) != 0) {
            labels_set ls;
            if (join_labels(j, &b->labels, picks, &ls, &prev_keep) < 0)
                return -1;
            if (prev_keep && join_output(j, &ls, b->drop_name, &prev_id) < 0)
                return -1;
            memcpy(prev, picks, j->n_names * sizeof(*picks));
            have_prev = true;
        }
        if (prev_keep && join_put(j, prev_id, i, b->vals[i]) < 0)
            return -1;
    }
    return 0;
}

static int info_compute(fn_info_op *f, eval_ctx *ctx)
{
    if (info_compile_matchers(f, ctx) < 0)
        return -1;
    eval_series_set in;
    if (op_drain(f->child, ctx, &in) < 0)
        return -1;
    info_join j;
    memset(&j, 0, sizeof(j));
    j.ctx = ctx;
    j.f = f;
    j.n_steps = f->base.grid->n_steps;
    bool *ignored = arena_alloc_array(ctx->mem, in.n + 1, sizeof(bool));
    if (!ignored)
        return eval_oom(ctx);
    value_list ids[2] = {{0}, {0}};
    for (size_t s = 0; s < in.n; s++) {
        ignored[s] = info_is_ignored(f, &in.v[s].labels);
        if (ignored[s])
            continue;
        for (size_t k = 0; k < 2; k++) {
            const char *v = labels_get(&in.v[s].labels, info_id_labels[k]);
            if (v && *v && value_list_add(ctx->mem, &ids[k], v) < 0)
                return eval_oom(ctx);
        }
    }
    /* Without any job or instance to join on there is nothing to fetch;
     * the data matchers still decide what passes. */
    if ((ids[0].n || ids[1].n) && info_fetch(f, ctx, ids, &j.infos) < 0)
        return -1;
    if (join_index_infos(&j) < 0)
        return -1;
    if (!binagg_groups_init(&j.outs, ctx->mem, BINAGG_KEY_ALL, NULL, in.n + 16))
        return eval_oom(ctx);
    size_t nn = j.n_names ? j.n_names : 1;
    info_cands *cands = arena_alloc_array(ctx->mem, nn, sizeof(*cands));
    uint32_t *picks = arena_alloc_array(ctx->mem, nn, sizeof(*picks));
    uint32_t *prev = arena_alloc_array(ctx->mem, nn, sizeof(*prev));
    if (!cands || !picks || !prev)
        return eval_oom(ctx);
    for (size_t s = 0; s < in.n; s++) {
        if (eval_check(ctx) < 0)
            return -1;
        if (join_series(&j, &in.v[s], ignored[s], cands, picks, prev) < 0)
            return -1;
    }
    eval_samples_give(ctx, in.n_samples);
    eval_series_set *out = &f->out.set;
    memset(out, 0, sizeof(*out));
    out->n_steps = j.n_steps;
    for (size_t r = 0; r < j.n_res; r++) {
        int64_t pts = (int64_t)eval_bitmap_count(j.res[r].present, j.n_steps);
        if (eval_samples_take(ctx, pts) < 0)
            return -1;
        if (eval_series_set_add(ctx, out, &j.res[r]) < 0)
            return -1;
        out->n_samples += pts;
    }
    return 0;
}

/* ------------------------------------------------------------ operator -- */

static int info_open(op *self, eval_ctx *ctx)
{
    return op_open(((fn_info_op *)self)->child, ctx);
}

static int info_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_info_op *f = (fn_info_op *)self;
    if (!f->computed) {
        f->computed = true;
        if (info_compute(f, ctx) < 0)
            return -1;
    }
    return fn_out_next(ctx, &f->out, out);
}

static void info_close(op *self, eval_ctx *ctx)
{
    fn_info_op *f = (fn_info_op *)self;
    fn_out_release(ctx, &f->out);
    op_close(f->child, ctx);
    matcher_set_free(f->name_ms);
    matcher_set_free(f->data_ms);
    f->name_ms = f->data_ms = NULL;
}

static const op_vtable info_vtable = {
    .name = "info",
    .open = info_open,
    .next = info_next,
    .close = info_close,
};
