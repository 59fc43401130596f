/* op_selector.c: the instant vector selector: reads each series once and fills one column by lookback. */
#include "operator.h"

#include <string.h>

/* Samples are read from storage in blocks this big; the block buffers are
 * allocated once per operator, so reading costs no allocation per series. */
#define SEL_READ_BLOCK 1024

typedef struct op_selector {
    op base;
    const ast_node *vs;
    eval_timing tm;
    bool want_ts;
    /* sample_ts carries start timestamps instead of sample times (the input
     * of start_timestamp()); rst is the read block for them, NULL when the
     * storage has none to give (every ST is then 0). */
    bool want_st;
    int64_t *rst;
    int64_t mint, maxt; /* storage read range, inclusive */
    int64_t *ref;       /* [n_steps] reference time per step (@/offset) */
    void *set;          /* storage series set, NULL when closed */
    double *vals;
    uint64_t *present;
    int64_t *sample_ts;
    int64_t *rts; /* read block */
    double *rvals;
    int64_t held; /* samples taken for the series last yielded */
    bool done;
    bool smoothed;   /* `x smoothed`: interpolate at each reference time */
    int64_t *sts;    /* smoothed: all samples of the series, grown on demand */
    double *svals;
    size_t scap;
} op_selector;

static inline bool is_stale(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    return bits == PQL_STALE_NAN_BITS;
}

static int sel_open(op *self, eval_ctx *ctx)
{
    op_selector *s = (op_selector *)self;
    const eval_grid *g = self->grid;
    size_t n = g->n_steps;
    s->ref = arena_alloc_array(ctx->mem, n, sizeof(int64_t));
    s->vals = eval_alloc_column(ctx, n);
    s->present = eval_alloc_bitmap(ctx, n);
    s->rts = arena_alloc_array(ctx->mem, SEL_READ_BLOCK, sizeof(int64_t));
    s->rvals = arena_alloc_array(ctx->mem, SEL_READ_BLOCK, sizeof(double));
    if (s->want_ts)
        s->sample_ts = arena_alloc_array(ctx->mem, n, sizeof(int64_t));
    bool read_st = s->want_st && eval_storage_has_st(ctx);
    if (read_st)
        s->rst = arena_alloc_array(ctx->mem, SEL_READ_BLOCK, sizeof(int64_t));
    if (!s->ref || !s->vals || !s->present || !s->rts || !s->rvals ||
        (s->want_ts && !s->sample_ts) || (read_st && !s->rst))
        return eval_oom(ctx);

    /* Reference times never decrease along the grid (the step is >= 0 and
     * @ makes them constant), which is what lets next() merge the sample
     * stream and the steps in one forward pass. */
    for (size_t i = 0; i < n; i++)
        s->ref[i] = eval_ref_time(&s->tm, eval_grid_time(g, i));
    /* Left-open lookback: a sample exactly lookback before is excluded. */
    s->mint = s->ref[0] - ctx->lookback_ms + 1;
    s->maxt = s->ref[n - 1];
    if (s->want_ts && !s->want_st && s->tm.has_at && s->tm.offset_ms != 0) {
        /* Prometheus's timestamp() over `x @ T offset O` replaces the
         * offset by (step time - T) so every step reads at T: the samples
         * are fetched for T - O as usual, but looked up with T's lookback
         * window. With O >= lookback nothing qualifies. Copied as is. */
        for (size_t i = 0; i < n; i++)
            s->ref[i] += s->tm.offset_ms;
    }
    if (s->smoothed) {
        /* Interpolation also looks up to one lookback past the step. */
        s->maxt += ctx->lookback_ms;
        s->scap = SEL_READ_BLOCK;
        s->sts = arena_alloc_array(ctx->mem, s->scap, sizeof(int64_t));
        s->svals = arena_alloc_array(ctx->mem, s->scap, sizeof(double));
        if (!s->sts || !s->svals)
            return eval_oom(ctx);
    }

    pql_select_hints hints = {
        .start_ms = s->mint,
        .end_ms = s->maxt,
        .step_ms = g->step_ms,
        .range_ms = 0,
        .func = NULL,
    };
    pql_error err;
    pql_error_clear(&err);
    const ast_node *vs = s->vs;
    pql_status st = ctx->storage.methods->select(
        ctx->storage.self, vs->u.vs.matchers, vs->u.vs.n_matchers, s->mint,
        s->maxt, &hints, &s->set, &err);
    if (st != PQL_OK) {
        s->set = NULL;
        return eval_fail(ctx, st, "%s", err.message);
    }
    return 0;
}

/* Fills the column of one series from its iterator. Returns the number of
 * present steps, or -1 on a storage error. */
static ptrdiff_t sel_fill(op_selector *s, eval_ctx *ctx, void *iter)
{
    const size_t n = s->base.grid->n_steps;
    const int64_t *ref = s->ref;
    const int64_t lookback = ctx->lookback_ms;
    memset(s->present, 0, EVAL_BITMAP_WORDS(n) * sizeof(uint64_t));

    size_t i = 0, present = 0;
    bool have = false;
    int64_t last_t = 0, last_st = 0;
    double last_v = 0;
    int64_t from = s->mint;
    pql_error err;

/* Settles step i with the latest sample at or before its reference time:
 * present when that sample is inside the left-open lookback window and is
 * not a staleness marker (a marker ends the series until the next sample). */
#define SETTLE(i)                                                              \
    do {                                                                       \
        if (have && last_t > ref[i] - lookback && !is_stale(last_v)) {         \
            s->vals[i] = last_v;                                               \
            if (s->sample_ts)                                                  \
                s->sample_ts[i] = s->want_st ? last_st : last_t;               \
            eval_bit_set(s->present, i);                                       \
            present++;                                                         \
        }                                                                      \
    } while (0)

    for (;;) {
        int has_st = 0;
        ptrdiff_t got =
            s->rst
                ? ctx->storage.methods->iter_read_floats_st(
                      iter, from, s->maxt, s->rts, s->rvals, s->rst,
                      SEL_READ_BLOCK, &has_st, &err)
                : ctx->storage.methods->iter_read_floats(
                      iter, from, s->maxt, s->rts, s->rvals, SEL_READ_BLOCK,
                      &err);
        if (got < 0) {
            eval_fail(ctx, err.code ? err.code : PQL_ERR_STORAGE, "%s",
                      err.message);
            return -1;
        }
        ctx->total_samples += got;
        for (ptrdiff_t k = 0; k < got; k++) {
            int64_t t = s->rts[k];
            while (i < n && ref[i] < t) {
                SETTLE(i);
                i++;
            }
            have = true;
            last_t = t;
            last_v = s->rvals[k];
            last_st = has_st ? s->rst[k] : 0;
        }
        if ((size_t)got < SEL_READ_BLOCK || i == n)
            break;
        from = last_t + 1;
    }
    for (; i < n; i++)
        SETTLE(i);
#undef SETTLE
    return (ptrdiff_t)present;
}

/* The smoothed selector (Prometheus's smoothSeries): at reference time r,
 * among the samples in (r - lookback, r + lookback] (staleness markers
 * dropped), take the sample at r, else interpolate linearly between the
 * last one before and the first one after, else carry the last one before
 * forward; with nothing before r the step stays empty. The series' samples
 * are loaded once and swept with one forward index. Returns the number of
 * present steps or -1. */
static ptrdiff_t sel_fill_smoothed(op_selector *s, eval_ctx *ctx, void *iter)
{
    const size_t steps = s->base.grid->n_steps;
    const int64_t lb = ctx->lookback_ms;
    memset(s->present, 0, EVAL_BITMAP_WORDS(steps) * sizeof(uint64_t));
    size_t n = 0;
    int64_t from = s->mint;
    pql_error err;
    for (;;) {
        if (s->scap - n < SEL_READ_BLOCK) {
            size_t cap = s->scap * 2;
            int64_t *ts = arena_grow(ctx->mem, s->sts, n, cap, sizeof(int64_t));
            double *vs = arena_grow(ctx->mem, s->svals, n, cap, sizeof(double));
            if (!ts || !vs)
                return eval_oom(ctx);
            s->sts = ts;
            s->svals = vs;
            s->scap = cap;
        }
        ptrdiff_t got = ctx->storage.methods->iter_read_floats(
            iter, from, s->maxt, s->sts + n, s->svals + n, SEL_READ_BLOCK, &err);
        if (got < 0)
            return eval_fail(ctx, err.code ? err.code : PQL_ERR_STORAGE, "%s",
                             err.message);
        ctx->total_samples += got;
        if (got == 0)
            break;
        from = s->sts[n + (size_t)got - 1] + 1;
        size_t w = n;
        for (size_t k = n; k < n + (size_t)got; k++) {
            if (!is_stale(s->svals[k])) {
                s->sts[w] = s->sts[k];
                s->svals[w] = s->svals[k];
                w++;
            }
        }
        n = w;
        if (got < SEL_READ_BLOCK)
            break;
        if (eval_check(ctx) < 0)
            return -1;
    }
    const int64_t *t = s->sts;
    const double *v = s->svals;
    size_t j = 0, present = 0;
    for (size_t i = 0; i < steps; i++) {
        int64_t r = s->ref[i];
        while (j < n && t[j] < r)
            j++;
        bool has_prev = j > 0 && t[j - 1] > r - lb;
        bool has_next = j < n && t[j] <= r + lb;
        double val;
        if (has_next && t[j] == r) {
            val = v[j];
        } else if (has_prev && has_next) {
            /* Go's interpolate(): y1 + (y2-y1)*(t-t1)/(t2-t1), in that
             * order; the selector never treats the series as a counter. */
            double y1 = v[j - 1], y2 = v[j];
            val = y1 + (y2 - y1) * (double)(r - t[j - 1]) /
                           (double)(t[j] - t[j - 1]);
        } else if (has_prev) {
            val = v[j - 1];
        } else {
            continue;
        }
        s->vals[i] = val;
        if (s->sample_ts)
            s->sample_ts[i] = r;
        eval_bit_set(s->present, i);
        present++;
    }
    return (ptrdiff_t)present;
}

static int sel_next(op *self, eval_ctx *ctx, eval_series *out)
{
    op_selector *s = (op_selector *)self;
    eval_samples_give(ctx, s->held);
    s->held = 0;
    if (s->done || !s->set)
        return 0;
    for (;;) {
        if (eval_check(ctx) < 0)
            return -1;
        const pql_label *lbls;
        size_t n_lbls;
        void *iter;
        pql_error err;
        int rc = ctx->storage.methods->set_next(s->set, &lbls, &n_lbls, &iter,
                                                &err);
        if (rc < 0)
            return eval_fail(ctx, err.code ? err.code : PQL_ERR_STORAGE, "%s",
                             err.message);
        if (rc == 0) {
            s->done = true;
            return 0;
        }
        ptrdiff_t present = s->smoothed ? sel_fill_smoothed(s, ctx, iter)
                                        : sel_fill(s, ctx, iter);
        if (present < 0)
            return -1;
        if (present == 0)
            continue;
        if (eval_samples_take(ctx, present) < 0)
            return -1;
        s->held = present;
        memset(out, 0, sizeof(*out));
        /* Storage labels die at the next set_next; operators may keep
         * labels for the whole query, so they are copied once here. */
        if (labels_copy(ctx->mem, lbls, n_lbls, &out->labels) < 0)
            return eval_oom(ctx);
        out->vals = s->vals;
        out->present = s->present;
        out->sample_ts = s->sample_ts;
        out->drop_name = false;
        return 1;
    }
}

static void sel_close(op *self, eval_ctx *ctx)
{
    op_selector *s = (op_selector *)self;
    eval_samples_give(ctx, s->held);
    s->held = 0;
    if (s->set) {
        ctx->storage.methods->set_close(s->set);
        s->set = NULL;
    }
}

static const op_vtable sel_vtable = {
    .name = "vector_selector",
    .open = sel_open,
    .next = sel_next,
    .next_range = NULL,
    .close = sel_close,
};

op *op_selector_new_start_ts(eval_ctx *ctx, const ast_node *vs,
                             const eval_grid *grid)
{
    op *o = op_selector_new(ctx, vs, grid, true);
    if (!o)
        return NULL;
    ((op_selector *)o)->want_st = true;
    return o;
}

op *op_selector_new(eval_ctx *ctx, const ast_node *vs, const eval_grid *grid,
                    bool want_timestamps)
{
    op_selector *s = (op_selector *)op_alloc(ctx, sizeof(op_selector),
                                             &sel_vtable, PQL_TYPE_VECTOR,
                                             grid, vs);
    if (!s)
        return NULL;
    s->vs = vs;
    s->want_ts = want_timestamps;
    /* `anchored` changes nothing for an instant selector (Prometheus only
     * looks at it on range selectors). timestamp() reads the sample found
     * by plain lookback even under `smoothed`, as Prometheus's special
     * path for it does. */
    s->smoothed = vs->u.vs.smoothed && !want_timestamps;
    if (plan_timing(ctx, &vs->u.vs.mods, &s->tm) < 0)
        return NULL;
    return &s->base;
}
