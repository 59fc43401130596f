/* op_matrix.c: the range vector selector: loads each series' samples once and gives per-step windows over them. */
#include "operator.h"
#include "window_edges.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct op_matrix {
    op base;
    const ast_node *ms; /* PQL_NODE_MATRIX_SELECTOR */
    const ast_node *vs; /* its vector selector */
    eval_timing tm;
    int64_t range_ms;
    /* anchored / smoothed widen each window by the lookback delta: before
     * the start (the anchor sample) and, smoothed only, after the end (the
     * sample to interpolate towards). 0 for plain selectors. */
    int64_t ext_before, ext_after;
    int64_t end0, end_step; /* window end of step i: end0 + i * end_step */
    int64_t mint, maxt;     /* storage read range, inclusive */
    void *set;
    int64_t *ts; /* samples of the current series, grown on demand */
    double *vals;
    size_t cap;
    uint32_t *lo, *hi;
    int64_t held;
    bool done;
    /* Start timestamps (rate, irate, increase, resets under
     * use-start-timestamps): st[] runs parallel to ts[]/vals[] with the
     * same capacity; any_st says the current series has a non-zero one. */
    bool want_st, any_st;
    int64_t *st;
} op_matrix;

static inline bool is_stale(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    return bits == PQL_STALE_NAN_BITS;
}

/* Index of the first NaN in v[from, to), or `to`. Staleness markers are
 * NaNs and NaNs are rare, so a read-only scan (two pairs per SSE2 compare)
 * lets the common batch skip the compaction copy entirely. */
static size_t first_nan(const double *v, size_t from, size_t to)
{
    size_t k = from;
#if defined(__SSE2__)
    for (; k + 8 <= to; k += 8) {
        __m128d a = _mm_loadu_pd(v + k), b = _mm_loadu_pd(v + k + 2);
        __m128d c = _mm_loadu_pd(v + k + 4), d = _mm_loadu_pd(v + k + 6);
        __m128d x = _mm_or_pd(_mm_cmpunord_pd(a, b), _mm_cmpunord_pd(c, d));
        if (_mm_movemask_pd(x))
            break;
    }
#endif
    for (; k < to; k++) {
        if (v[k] != v[k])
            return k;
    }
    return to;
}

/* Fills lo[]/hi[] for the current series (n samples in ts) and returns
 * the widest window. Windows are left-open: lo is the first sample after
 * the start, hi the first after the end. When the window length (range
 * plus extensions) is a whole number d of steps, a window's start is the
 * end of the window d steps earlier: lo[i] = hi[i - d], one sweep instead
 * of two. */
static size_t mat_windows(op_matrix *m, const int64_t *ts, size_t steps,
                          size_t n)
{
    uint32_t *lo = m->lo, *hi = m->hi;
    const int64_t span = m->range_ms + m->ext_before + m->ext_after;
    const int64_t first_end = m->end0 + m->ext_after;
    size_t lag = 0; /* 0: no reuse */
    if (m->end_step > 0 && span > 0 && span % m->end_step == 0)
        lag = (size_t)(span / m->end_step);
    window_upper_bounds(ts, n, first_end, m->end_step, steps, hi);
    if (lag) {
        size_t head = lag < steps ? lag : steps;
        window_upper_bounds(ts, n, first_end - span, m->end_step, head, lo);
        memcpy(lo + head, hi, (steps - head) * sizeof(*lo));
    } else {
        window_upper_bounds(ts, n, first_end - span, m->end_step, steps, lo);
    }
    uint32_t widest = 0;
    for (size_t i = 0; i < steps; i++) {
        uint32_t w = hi[i] - lo[i];
        widest = w > widest ? w : widest;
    }
    return widest;
}

static int mat_open(op *self, eval_ctx *ctx)
{
    op_matrix *m = (op_matrix *)self;
    const eval_grid *g = self->grid;
    size_t n = g->n_steps;
    m->lo = arena_alloc_array(ctx->mem, n, sizeof(uint32_t));
    m->hi = arena_alloc_array(ctx->mem, n, sizeof(uint32_t));
    m->cap = 256;
    m->ts = arena_alloc_array(ctx->mem, m->cap, sizeof(int64_t));
    m->vals = arena_alloc_array(ctx->mem, m->cap, sizeof(double));
    if (!m->lo || !m->hi || !m->ts || !m->vals)
        return eval_oom(ctx);
    if (m->want_st) {
        m->st = arena_alloc_array(ctx->mem, m->cap, sizeof(int64_t));
        if (!m->st)
            return eval_oom(ctx);
    }

    m->end0 = eval_ref_time(&m->tm, g->start_ms);
    m->end_step = m->tm.has_at ? 0 : g->step_ms;
    int64_t last_end = m->end0 + (int64_t)(n - 1) * m->end_step;
    /* Left-open range: a sample exactly `range` before the end is out. */
    m->mint = m->end0 - m->range_ms - m->ext_before + 1;
    m->maxt = last_end + m->ext_after;

    pql_select_hints hints = {
        .start_ms = m->mint,
        .end_ms = m->maxt,
        .step_ms = g->step_ms,
        .range_ms = m->range_ms,
        .func = NULL,
    };
    pql_error err;
    pql_error_clear(&err);
    pql_status st = ctx->storage.methods->select(
        ctx->storage.self, m->vs->u.vs.matchers, m->vs->u.vs.n_matchers,
        m->mint, m->maxt, &hints, &m->set, &err);
    if (st != PQL_OK) {
        m->set = NULL;
        return eval_fail(ctx, st, "%s", err.message);
    }
    return 0;
}

/* Reads all samples of one series in [mint, maxt], staleness markers
 * dropped (range functions never see them). With want_st it also fills
 * st[] when the storage reports start timestamps for the series (any_st),
 * zeros standing in for batches without. Returns the count or -1. */
static ptrdiff_t mat_load(op_matrix *m, eval_ctx *ctx, void *iter)
{
    const pql_storage_methods *sm = ctx->storage.methods;
    size_t n = 0;
    int64_t from = m->mint;
    pql_error err;
    m->any_st = false;
    for (;;) {
        if (m->cap - n < 64) {
            /* Doubling keeps the total copied bytes linear; the old block
             * stays in the arena, bounded by the largest series. */
            size_t cap = m->cap * 2;
            int64_t *ts = arena_grow(ctx->mem, m->ts, n, cap, sizeof(int64_t));
            double *vals = arena_grow(ctx->mem, m->vals, n, cap, sizeof(double));
            int64_t *st = m->want_st ? arena_grow(ctx->mem, m->st, n, cap,
                                                  sizeof(int64_t))
                                     : NULL;
            if (!ts || !vals || (m->want_st && !st))
                return eval_oom(ctx);
            m->ts = ts;
            m->vals = vals;
            m->st = st;
            m->cap = cap;
        }
        size_t want = m->cap - n;
        int has_st = 0;
        ptrdiff_t got =
            m->want_st
                ? sm->iter_read_floats_st(iter, from, m->maxt, m->ts + n,
                                          m->vals + n, m->st + n, want,
                                          &has_st, &err)
                : sm->iter_read_floats(iter, from, m->maxt, m->ts + n,
                                       m->vals + n, want, &err);
        if (got < 0)
            return eval_fail(ctx, err.code ? err.code : PQL_ERR_STORAGE, "%s",
                             err.message);
        ctx->total_samples += got;
        if (got == 0)
            break;
        if (has_st && !m->any_st) {
            /* Earlier batches had none: their entries are 0. */
            memset(m->st, 0, n * sizeof(int64_t));
            m->any_st = true;
        } else if (!has_st && m->any_st) {
            memset(m->st + n, 0, (size_t)got * sizeof(int64_t));
        }
        from = m->ts[n + (size_t)got - 1] + 1;
        /* Compact out staleness markers in place, from the first one on;
         * a batch without any (the normal case) is left as read. */
        size_t end = n + (size_t)got;
        size_t w = first_nan(m->vals, n, end);
        for (size_t k = w; k < end; k++) {
            if (!is_stale(m->vals[k])) {
                m->ts[w] = m->ts[k];
                m->vals[w] = m->vals[k];
                if (m->any_st)
                    m->st[w] = m->st[k];
                w++;
            }
        }
        n = w;
        if ((size_t)got < want)
            break;
        if (eval_check(ctx) < 0)
            return -1;
    }
    if (n > UINT32_MAX)
        return eval_fail(ctx, PQL_ERR_EXECUTION,
                         "too many samples in one series");
    return (ptrdiff_t)n;
}

/* Borrows the series' samples from a version-3 storage without copying,
 * when it vouches that they hold no NaN (hence no staleness marker to
 * drop). Returns the count, 0 when the view cannot be used (the caller then
 * copies with mat_load), or -1. */
static ptrdiff_t mat_view(op_matrix *m, eval_ctx *ctx, void *iter,
                          const int64_t **ts, const double **vals)
{
    const pql_storage_methods *sm = ctx->storage.methods;
    if (m->want_st || sm->version < 3 || sm->iter_view_floats == NULL)
        return 0;
    int no_nan = 0;
    pql_error err;
    ptrdiff_t n =
        sm->iter_view_floats(iter, m->mint, m->maxt, ts, vals, &no_nan, &err);
    if (n < 0)
        return eval_fail(ctx, err.code ? err.code : PQL_ERR_STORAGE, "%s",
                         err.message);
    if (!no_nan || n == 0)
        return 0;
    if ((size_t)n > UINT32_MAX)
        return eval_fail(ctx, PQL_ERR_EXECUTION,
                         "too many samples in one series");
    ctx->total_samples += n;
    return n;
}

static int mat_next_range(op *self, eval_ctx *ctx, eval_range_series *out)
{
    op_matrix *m = (op_matrix *)self;
    eval_samples_give(ctx, m->held);
    m->held = 0;
    if (m->done || !m->set)
        return 0;
    const size_t steps = self->grid->n_steps;
    for (;;) {
        if (eval_check(ctx) < 0)
            return -1;
        const pql_label *lbls;
        size_t n_lbls;
        void *iter;
        pql_error err;
        int rc = ctx->storage.methods->set_next(m->set, &lbls, &n_lbls, &iter,
                                                &err);
        if (rc < 0)
            return eval_fail(ctx, err.code ? err.code : PQL_ERR_STORAGE, "%s",
                             err.message);
        if (rc == 0) {
            m->done = true;
            return 0;
        }
        const int64_t *ts = NULL;
        const double *vals = NULL;
        ptrdiff_t n = mat_view(m, ctx, iter, &ts, &vals);
        if (n == 0) {
            n = mat_load(m, ctx, iter);
            ts = m->ts;
            vals = m->vals;
        }
        if (n < 0)
            return -1;
        if (n == 0)
            continue;
        size_t widest = mat_windows(m, ts, steps, (size_t)n);
        if (widest == 0)
            continue;
        /* Prometheus holds one window at a time; count the widest. */
        if (eval_samples_take(ctx, (int64_t)widest) < 0)
            return -1;
        m->held = (int64_t)widest;
        memset(out, 0, sizeof(*out));
        if (labels_copy(ctx->mem, lbls, n_lbls, &out->labels) < 0)
            return eval_oom(ctx);
        out->ts = ts;
        out->vals = vals;
        out->st = m->want_st && m->any_st ? m->st : NULL;
        out->n = (size_t)n;
        out->lo = m->lo;
        out->hi = m->hi;
        out->range_ms = m->range_ms;
        out->win_end0 = m->end0;
        out->win_end_step = m->end_step;
        out->drop_name = false;
        return 1;
    }
}

static void mat_close(op *self, eval_ctx *ctx)
{
    op_matrix *m = (op_matrix *)self;
    eval_samples_give(ctx, m->held);
    m->held = 0;
    if (m->set) {
        ctx->storage.methods->set_close(m->set);
        m->set = NULL;
    }
}

static const op_vtable mat_vtable = {
    .name = "matrix_selector",
    .open = mat_open,
    .next = NULL,
    .next_range = mat_next_range,
    .close = mat_close,
};

void op_matrix_want_start_timestamps(eval_ctx *ctx, op *o)
{
    /* Only a plain matrix selector passes STs on: Prometheus hands them to
     * range functions straight from the selector's iterator. */
    if (o->vt != &mat_vtable || !ctx->start_timestamps ||
        !eval_storage_has_st(ctx))
        return;
    ((op_matrix *)o)->want_st = true;
}

op *op_matrix_new(eval_ctx *ctx, const ast_node *ms, const eval_grid *grid)
{
    op_matrix *m = (op_matrix *)op_alloc(ctx, sizeof(op_matrix), &mat_vtable,
                                         PQL_TYPE_MATRIX, grid, ms);
    if (!m)
        return NULL;
    m->ms = ms;
    m->vs = ms->u.matrix.vs;
    /* With anchored / smoothed each window holds exactly the samples
     * Prometheus hands to the function (it widens its range the same way);
     * only the anchored/smoothed kernels (fn_extended_range.c) are planned
     * over such a matrix, plan_call rejects every other function. */
    if (m->vs->u.vs.anchored) {
        m->ext_before = ctx->lookback_ms;
    } else if (m->vs->u.vs.smoothed) {
        m->ext_before = ctx->lookback_ms;
        m->ext_after = ctx->lookback_ms;
    }
    if (plan_timing(ctx, &m->vs->u.vs.mods, &m->tm) < 0)
        return NULL;
    if (ms->u.matrix.range_expr) {
        if (plan_duration_ms(ctx, ms->u.matrix.range_expr, &m->range_ms) < 0)
            return NULL;
    } else {
        m->range_ms = ms->u.matrix.range_ns / 1000000;
    }
    return &m->base;
}
