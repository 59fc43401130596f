/* eval.c: the evaluation context's services: errors, limits, cancellation, annotations, operator lifecycle. */
#define _POSIX_C_SOURCE 200809L
#include "operator.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ bitmaps -- */

size_t eval_bitmap_count(const uint64_t *bm, size_t n)
{
    size_t full = n / 64, c = 0;
    for (size_t w = 0; w < full; w++)
        c += (size_t)__builtin_popcountll(bm[w]);
    if (n % 64)
        c += (size_t)__builtin_popcountll(bm[full] &
                                          (((uint64_t)1 << (n % 64)) - 1));
    return c;
}

void eval_bitmap_fill(uint64_t *bm, size_t n)
{
    size_t full = n / 64;
    for (size_t w = 0; w < full; w++)
        bm[w] = ~(uint64_t)0;
    if (n % 64)
        bm[full] = ((uint64_t)1 << (n % 64)) - 1;
}

/* ------------------------------------------------------------- errors -- */

int eval_fail(eval_ctx *ctx, pql_status code, const char *fmt, ...)
{
    if (ctx->failed)
        return -1;
    ctx->failed = true;
    ctx->err.code = code;
    ctx->err.start = -1;
    ctx->err.end = -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err.message, sizeof(ctx->err.message), fmt, ap);
    va_end(ap);
    return -1;
}

int eval_oom(eval_ctx *ctx)
{
    if (ctx->mem->limit && ctx->mem->exhausted)
        return eval_fail(ctx, PQL_ERR_MEMORY_LIMIT,
                         "query exceeded the memory limit of %zu bytes",
                         ctx->mem->limit);
    return eval_fail(ctx, PQL_ERR_NOMEM, "out of memory");
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int eval_check(eval_ctx *ctx)
{
    if (ctx->failed)
        return -1;
    if (ctx->cancel_flag &&
        atomic_load_explicit(ctx->cancel_flag, memory_order_relaxed))
        return eval_fail(ctx, PQL_ERR_CANCELED,
                         "query was canceled in expression evaluation");
    /* The clock costs ~20ns; reading it every 64th check keeps the
     * per-series overhead negligible while still stopping promptly. */
    if (ctx->deadline_ns && (ctx->check_tick++ & 63u) == 0 &&
        monotonic_ns() > ctx->deadline_ns)
        return eval_fail(ctx, PQL_ERR_TIMEOUT,
                         "query timed out in expression evaluation");
    return 0;
}

int eval_samples_take(eval_ctx *ctx, int64_t n)
{
    ctx->cur_samples += n;
    if (ctx->cur_samples > ctx->peak_samples)
        ctx->peak_samples = ctx->cur_samples;
    if (ctx->max_samples > 0 && ctx->cur_samples > ctx->max_samples)
        return eval_fail(ctx, PQL_ERR_TOO_MANY_SAMPLES,
                         "query processing would load too many samples into "
                         "memory in query execution");
    return 0;
}

void eval_samples_give(eval_ctx *ctx, int64_t n)
{
    ctx->cur_samples -= n;
}

/* -------------------------------------------------------- annotations -- */

void eval_annotate(eval_ctx *ctx, eval_note_kind kind, const ast_node *node,
                   const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    if (node && ctx->query_text && node->start <= ctx->query_len) {
        /* Prometheus appends the start position as line:col (1-based). */
        size_t line = 1, col_start = 0;
        for (size_t i = 0; i < node->start; i++) {
            if (ctx->query_text[i] == '\n') {
                line++;
                col_start = i + 1;
            }
        }
        int m = snprintf(buf + len, sizeof(buf) - len, " (%zu:%zu)", line,
                         (size_t)node->start - col_start + 1);
        if (m > 0)
            len += (size_t)m < sizeof(buf) - len ? (size_t)m
                                                  : sizeof(buf) - len - 1;
    }
    eval_note **head = kind == EVAL_NOTE_INFO ? &ctx->infos : &ctx->warnings;
    eval_note **tail =
        kind == EVAL_NOTE_INFO ? &ctx->infos_tail : &ctx->warnings_tail;
    for (eval_note *e = *head; e; e = e->next) {
        if (strlen(e->text) == len && memcmp(e->text, buf, len) == 0)
            return;
    }
    eval_note *note = arena_alloc(ctx->mem, sizeof(*note));
    char *text = note ? arena_strndup(ctx->mem, buf, len) : NULL;
    if (!text)
        return; /* an annotation lost to OOM is not worth failing for */
    note->text = text;
    if (*tail)
        (*tail)->next = note;
    else
        *head = note;
    *tail = note;
    if (kind == EVAL_NOTE_INFO)
        ctx->n_infos++;
    else
        ctx->n_warnings++;
}

/* ---------------------------------------------------------- operators -- */

op *op_alloc(eval_ctx *ctx, size_t size, const op_vtable *vt,
             pql_value_type type, const eval_grid *grid, const ast_node *node)
{
    op *o = arena_alloc(ctx->mem, size);
    if (!o) {
        eval_oom(ctx);
        return NULL;
    }
    o->vt = vt;
    o->type = type;
    o->grid = grid;
    o->node = node;
    return o;
}

int op_open(op *o, eval_ctx *ctx)
{
    if (o->opened)
        return 0;
    o->opened = true;
    if (eval_check(ctx) < 0)
        return -1;
    return o->vt->open ? o->vt->open(o, ctx) : 0;
}

void op_close(op *o, eval_ctx *ctx)
{
    if (!o || o->closed)
        return;
    o->closed = true;
    if (o->vt->close)
        o->vt->close(o, ctx);
}

double *eval_alloc_column(eval_ctx *ctx, size_t n_steps)
{
    double *c = arena_alloc_array(ctx->mem, n_steps, sizeof(double));
    if (!c)
        eval_oom(ctx);
    return c;
}

uint64_t *eval_alloc_bitmap(eval_ctx *ctx, size_t n_steps)
{
    uint64_t *b =
        arena_alloc_array(ctx->mem, EVAL_BITMAP_WORDS(n_steps), sizeof(uint64_t));
    if (!b)
        eval_oom(ctx);
    return b;
}

int eval_series_clone(eval_ctx *ctx, const eval_series *s, size_t n_steps,
                      eval_series *out)
{
    *out = *s;
    out->vals = eval_alloc_column(ctx, n_steps);
    out->present = eval_alloc_bitmap(ctx, n_steps);
    if (!out->vals || !out->present)
        return -1;
    memcpy(out->vals, s->vals, n_steps * sizeof(double));
    memcpy(out->present, s->present,
           EVAL_BITMAP_WORDS(n_steps) * sizeof(uint64_t));
    if (s->sample_ts) {
        out->sample_ts = arena_alloc_array(ctx->mem, n_steps, sizeof(int64_t));
        if (!out->sample_ts)
            return eval_oom(ctx);
        memcpy(out->sample_ts, s->sample_ts, n_steps * sizeof(int64_t));
    }
    return 0;
}

int eval_series_set_add(eval_ctx *ctx, eval_series_set *set,
                        const eval_series *s)
{
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        eval_series *v =
            arena_grow(ctx->mem, set->v, set->n, cap, sizeof(eval_series));
        if (!v)
            return eval_oom(ctx);
        set->v = v;
        set->cap = cap;
    }
    if (eval_series_clone(ctx, s, set->n_steps, &set->v[set->n]) < 0)
        return -1;
    set->n++;
    return 0;
}

int op_drain(op *child, eval_ctx *ctx, eval_series_set *out)
{
    memset(out, 0, sizeof(*out));
    out->n_steps = child->grid->n_steps;
    eval_series s;
    int rc;
    /* Points of a copied series are taken once the producer has given its
     * own count back (at its next call), so nothing is counted twice. */
    int64_t pending = 0;
    while ((rc = op_next(child, ctx, &s)) > 0) {
        if (eval_samples_take(ctx, pending) < 0)
            return -1;
        pending = 0;
        if (eval_check(ctx) < 0)
            return -1;
        size_t pts = eval_bitmap_count(s.present, out->n_steps);
        if (pts == 0)
            continue;
        if (eval_series_set_add(ctx, out, &s) < 0)
            return -1;
        pending = (int64_t)pts;
        out->n_samples += (int64_t)pts;
    }
    if (rc == 0 && eval_samples_take(ctx, pending) < 0)
        return -1;
    return rc;
}
