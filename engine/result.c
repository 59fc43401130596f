/* result.c: collects the root operator's output into the public result, with delayed name removal, and its accessors. */
#define _POSIX_C_SOURCE 200809L
#include "query_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

double query_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ collect -- */

/* A series gathered from the root, points compacted, in the query arena. */
typedef struct coll_series {
    labels_set labels;
    bool drop_name;
    int64_t *ts;
    double *vals;
    size_t n;
    size_t order; /* arrival index: instant vectors keep arrival order */
} coll_series;

typedef struct collector {
    coll_series *v;
    size_t n, cap;
    arena *points; /* the result's arena: points are written once, there */
    int64_t *grid_ts; /* all grid times, shared by fully present series */
} collector;

static coll_series *coll_push(eval_ctx *ctx, collector *c, size_t n_points,
                              int64_t *shared_ts)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        coll_series *v = arena_grow(ctx->mem, c->v, c->n, cap, sizeof(*v));
        if (!v) {
            eval_oom(ctx);
            return NULL;
        }
        c->v = v;
        c->cap = cap;
    }
    coll_series *s = &c->v[c->n];
    memset(s, 0, sizeof(*s));
    /* Not zeroed: the caller writes all n_points of both. */
    s->ts = shared_ts ? shared_ts
                      : arena_alloc_array_uninit(c->points, n_points,
                                                 sizeof(int64_t));
    s->vals = arena_alloc_array_uninit(c->points, n_points, sizeof(double));
    if (!s->ts || !s->vals) {
        if (c->points->limit && c->points->exhausted)
            eval_fail(ctx, PQL_ERR_MEMORY_LIMIT,
                      "query exceeded the memory limit of %zu bytes",
                      c->points->limit);
        else
            eval_oom(ctx);
        return NULL;
    }
    s->order = c->n++;
    return s;
}

static int collect_vector(eval_ctx *ctx, op *root, collector *c)
{
    const eval_grid *g = root->grid;
    eval_series s;
    int rc;
    /* The result holds every point it shows, as Prometheus's does. A
     * series' points are taken only after the producer gave its own count
     * back (at its next call), so nothing is counted twice. */
    int64_t pending = 0;
    while ((rc = op_next(root, ctx, &s)) > 0) {
        if (eval_samples_take(ctx, pending) < 0)
            return -1;
        pending = 0;
        if (eval_check(ctx) < 0)
            return -1;
        size_t n = eval_bitmap_count(s.present, g->n_steps);
        if (n == 0)
            continue;
        pending = (int64_t)n;
        /* Dense series (the common case) share one array of grid times:
         * half the result memory, and no per-point time writes. */
        bool dense = n == g->n_steps;
        if (dense && !c->grid_ts) {
            c->grid_ts = arena_alloc_array(c->points, n, sizeof(int64_t));
            if (!c->grid_ts)
                return eval_oom(ctx);
            for (size_t i = 0; i < n; i++)
                c->grid_ts[i] = eval_grid_time(g, i);
        }
        coll_series *cs = coll_push(ctx, c, n, dense ? c->grid_ts : NULL);
        if (!cs)
            return -1;
        cs->labels = s.labels;
        cs->drop_name = s.drop_name;
        if (dense) {
            memcpy(cs->vals, s.vals, n * sizeof(double));
            cs->n = n;
            continue;
        }
        size_t k = 0;
        for (size_t i = 0; i < g->n_steps; i++) {
            if (eval_bit_test(s.present, i)) {
                cs->ts[k] = eval_grid_time(g, i);
                cs->vals[k] = s.vals[i];
                k++;
            }
        }
        cs->n = k;
    }
    if (rc == 0 && eval_samples_take(ctx, pending) < 0)
        return -1;
    return rc;
}

/* An instant query over a range vector: the samples of the first (only)
 * step's window, with their own timestamps. */
static int collect_matrix(eval_ctx *ctx, op *root, collector *c)
{
    eval_range_series rs;
    int rc;
    int64_t pending = 0; /* as in collect_vector */
    while ((rc = op_next_range(root, ctx, &rs)) > 0) {
        if (eval_samples_take(ctx, pending) < 0)
            return -1;
        pending = 0;
        if (eval_check(ctx) < 0)
            return -1;
        size_t lo = rs.lo[0], hi = rs.hi[0];
        if (hi <= lo)
            continue;
        pending = (int64_t)(hi - lo);
        coll_series *cs = coll_push(ctx, c, hi - lo, NULL);
        if (!cs)
            return -1;
        cs->labels = rs.labels;
        cs->drop_name = rs.drop_name;
        memcpy(cs->ts, rs.ts + lo, (hi - lo) * sizeof(int64_t));
        memcpy(cs->vals, rs.vals + lo, (hi - lo) * sizeof(double));
        cs->n = hi - lo;
    }
    if (rc == 0 && eval_samples_take(ctx, pending) < 0)
        return -1;
    return rc;
}

/* ----------------------------------------------- name removal / merge -- */

static int cmp_labels_then_order(const void *a, const void *b)
{
    const coll_series *x = *(const coll_series *const *)a;
    const coll_series *y = *(const coll_series *const *)b;
    int c = labels_compare(&x->labels, &y->labels);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

typedef struct point {
    int64_t t;
    double v;
} point;

static int cmp_point(const void *a, const void *b)
{
    const point *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t;
}

/* Series that share a label set after name removal become one (Prometheus
 * merges them, e.g. after `or` of differently named series); sharing a
 * timestamp is the "same labelset" error. Leaves `sorted` holding the
 * surviving series in label order and returns their count, or -1. */
static ptrdiff_t merge_same_labels(eval_ctx *ctx, collector *c,
                                   coll_series **sorted)
{
    arena *pm = c->points;
    for (size_t i = 0; i < c->n; i++)
        sorted[i] = &c->v[i];
    qsort(sorted, c->n, sizeof(*sorted), cmp_labels_then_order);
    size_t out = 0;
    for (size_t i = 0; i < c->n;) {
        size_t j = i + 1;
        while (j < c->n && labels_equal(&sorted[i]->labels, &sorted[j]->labels))
            j++;
        coll_series *base = sorted[i];
        if (j - i > 1) {
            size_t total = 0;
            for (size_t k = i; k < j; k++)
                total += sorted[k]->n;
            point *pts = arena_alloc_array(ctx->mem, total, sizeof(point));
            int64_t *ts = arena_alloc_array(pm, total, sizeof(int64_t));
            double *vals = arena_alloc_array(pm, total, sizeof(double));
            if (!pts || !ts || !vals)
                return eval_oom(ctx);
            size_t p = 0;
            for (size_t k = i; k < j; k++) {
                for (size_t q = 0; q < sorted[k]->n; q++) {
                    pts[p].t = sorted[k]->ts[q];
                    pts[p].v = sorted[k]->vals[q];
                    p++;
                }
            }
            qsort(pts, total, sizeof(point), cmp_point);
            for (size_t k = 0; k < total; k++) {
                if (k && pts[k].t == pts[k - 1].t)
                    return eval_fail(
                        ctx, PQL_ERR_EXECUTION,
                        "vector cannot contain metrics with the same labelset");
                ts[k] = pts[k].t;
                vals[k] = pts[k].v;
            }
            base->ts = ts;
            base->vals = vals;
            base->n = total;
        }
        sorted[out++] = base;
        i = j;
    }
    return (ptrdiff_t)out;
}

static int cmp_order(const void *a, const void *b)
{
    const coll_series *x = *(const coll_series *const *)a;
    const coll_series *y = *(const coll_series *const *)b;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* ------------------------------------------------------------ output -- */

static pql_result *result_new(eval_ctx *ctx, pql_result_type type)
{
    pql_result *r = calloc(1, sizeof(*r));
    if (!r) {
        eval_oom(ctx);
        return NULL;
    }
    /* The result's points count against the same per-query limit. */
    arena_init(&r->mem, ctx->mem->limit);
    r->type = type;
    return r;
}

static int copy_series(pql_result *r, result_series *dst, const coll_series *s)
{
    pql_label *l = NULL;
    if (s->labels.n) {
        l = arena_alloc_array(&r->mem, s->labels.n, sizeof(*l));
        if (!l)
            return -1;
        for (size_t i = 0; i < s->labels.n; i++) {
            l[i].name = arena_strdup(&r->mem, s->labels.v[i].name);
            l[i].value = arena_strdup(&r->mem, s->labels.v[i].value);
            if (!l[i].name || !l[i].value)
                return -1;
        }
    }
    dst->labels = l;
    dst->n_labels = s->labels.n;
    /* Points were collected straight into the result's arena. */
    dst->ts = s->ts;
    dst->vals = s->vals;
    dst->n = s->n;
    return 0;
}

static int copy_notes(pql_result *r, const eval_note *head, size_t n,
                      const char ***out)
{
    *out = NULL;
    if (!n)
        return 0;
    const char **v = arena_alloc_array(&r->mem, n, sizeof(*v));
    if (!v)
        return -1;
    size_t i = 0;
    for (const eval_note *e = head; e && i < n; e = e->next) {
        v[i] = arena_strdup(&r->mem, e->text);
        if (!v[i])
            return -1;
        i++;
    }
    *out = v;
    return 0;
}

static int finish_series(eval_ctx *ctx, pql_result *r, coll_series **v,
                         size_t n)
{
    r->n_series = n;
    r->series = n ? arena_alloc_array(&r->mem, n, sizeof(result_series)) : NULL;
    if (n && !r->series)
        return eval_oom(ctx);
    for (size_t i = 0; i < n; i++) {
        if (copy_series(r, &r->series[i], v[i]) < 0)
            return eval_oom(ctx);
    }
    return 0;
}

int result_build(eval_ctx *ctx, op *root, pql_result **out)
{
    *out = NULL;
    const eval_grid *g = root->grid;
    pql_result *r = NULL;

    if (root->type == PQL_TYPE_STRING) {
        r = result_new(ctx, PQL_RESULT_STRING);
        if (!r)
            return -1;
        r->t_ms = g->start_ms;
        r->str = arena_strndup(&r->mem, root->str ? root->str : "",
                               root->str ? root->str_len : 0);
        if (!r->str)
            goto oom;
    } else if (root->type == PQL_TYPE_SCALAR && ctx->is_instant) {
        eval_series s;
        int rc = op_next(root, ctx, &s);
        if (rc < 0)
            return -1;
        r = result_new(ctx, PQL_RESULT_SCALAR);
        if (!r)
            return -1;
        r->t_ms = g->start_ms;
        r->value = rc > 0 ? s.vals[0] : 0;
    } else {
        bool instant_vector = ctx->is_instant && root->type != PQL_TYPE_MATRIX;
        r = result_new(ctx, instant_vector ? PQL_RESULT_VECTOR
                                           : PQL_RESULT_MATRIX);
        if (!r)
            return -1;
        collector c = {0};
        c.points = &r->mem;
        int rc = root->type == PQL_TYPE_MATRIX ? collect_matrix(ctx, root, &c)
                                               : collect_vector(ctx, root, &c);
        if (rc < 0) {
            pql_result_free(r);
            return -1;
        }
        /* Delayed name removal happens here, once, for flagged series. */
        for (size_t i = 0; i < c.n; i++) {
            if (c.v[i].drop_name &&
                labels_drop_name(ctx->mem, &c.v[i].labels, &c.v[i].labels) < 0)
                goto oom;
        }
        coll_series **sorted =
            arena_alloc_array(ctx->mem, c.n ? c.n : 1, sizeof(*sorted));
        if (!sorted)
            goto oom;
        ptrdiff_t n = merge_same_labels(ctx, &c, sorted);
        if (n < 0) {
            pql_result_free(r);
            return -1;
        }
        /* Range results and matrices come sorted by labels; an instant
         * vector keeps the order its operators produced, as Prometheus's
         * does. */
        if (instant_vector)
            qsort(sorted, (size_t)n, sizeof(*sorted), cmp_order);
        if (finish_series(ctx, r, sorted, (size_t)n) < 0) {
            pql_result_free(r);
            return -1;
        }
    }
    if (copy_notes(r, ctx->warnings, ctx->n_warnings, &r->warnings) < 0 ||
        copy_notes(r, ctx->infos, ctx->n_infos, &r->infos) < 0)
        goto oom;
    r->n_warnings = ctx->n_warnings;
    r->n_infos = ctx->n_infos;
    *out = r;
    return 0;
oom:
    pql_result_free(r);
    return eval_oom(ctx);
}

/* ---------------------------------------------------------- accessors -- */

pql_result_type pql_result_get_type(const pql_result *r)
{
    return r->type;
}

void pql_result_scalar(const pql_result *r, int64_t *t_ms, double *value)
{
    if (t_ms)
        *t_ms = r->t_ms;
    if (value)
        *value = r->value;
}

const char *pql_result_string(const pql_result *r, int64_t *t_ms)
{
    if (t_ms)
        *t_ms = r->t_ms;
    return r->type == PQL_RESULT_STRING ? r->str : NULL;
}

size_t pql_result_series_count(const pql_result *r)
{
    return r->n_series;
}

void pql_result_labels(const pql_result *r, size_t i, const pql_label **labels,
                       size_t *n_labels)
{
    if (i >= r->n_series) {
        *labels = NULL;
        *n_labels = 0;
        return;
    }
    *labels = r->series[i].labels;
    *n_labels = r->series[i].n_labels;
}

void pql_result_sample(const pql_result *r, size_t i, int64_t *t_ms,
                       double *value)
{
    if (i >= r->n_series || r->series[i].n == 0)
        return;
    if (t_ms)
        *t_ms = r->series[i].ts[0];
    if (value)
        *value = r->series[i].vals[0];
}

void pql_result_points(const pql_result *r, size_t i, const int64_t **t_ms,
                       const double **values, size_t *n)
{
    if (i >= r->n_series) {
        *t_ms = NULL;
        *values = NULL;
        *n = 0;
        return;
    }
    *t_ms = r->series[i].ts;
    *values = r->series[i].vals;
    *n = r->series[i].n;
}

size_t pql_result_warning_count(const pql_result *r)
{
    return r->n_warnings;
}

const char *pql_result_warning(const pql_result *r, size_t i)
{
    return i < r->n_warnings ? r->warnings[i] : NULL;
}

size_t pql_result_info_count(const pql_result *r)
{
    return r->n_infos;
}

const char *pql_result_info(const pql_result *r, size_t i)
{
    return i < r->n_infos ? r->infos[i] : NULL;
}

void pql_result_stats(const pql_result *r, pql_query_stats *stats)
{
    *stats = r->stats;
}

void pql_result_free(pql_result *r)
{
    if (!r)
        return;
    arena_release(&r->mem);
    free(r);
}
