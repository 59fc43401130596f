/* op_subquery.c: the subquery `expr[range:step]`: evaluates expr on its own step-aligned grid and serves the results as range series. */
#include "operator.h"

#include <stdlib.h>
#include <string.h>

/*
 * Prometheus evaluates a subquery once for the whole query: its inner grid
 * starts at the first multiple of the step strictly after
 * (first outer reference time - range) and ends at the last outer reference
 * time (reference = @ or step time, minus offset). The inner points then
 * feed the range function exactly like stored samples, with the same
 * left-open windows (end - range, end] per outer step.
 *
 * The inner operator is drained completely: Prometheus holds the whole
 * subquery result until the function is done (so the points count against
 * the sample limit for that long), and series that come out of the inner
 * operator more than once with the same labels (`a or b`, label_replace,
 * ...) must be merged into one, as Prometheus's per-step evaluation merges
 * them by label set, before any window is taken over them.
 */

typedef struct op_subquery {
    op base;
    eval_timing tm;
    int64_t range_ms;
    eval_grid inner_grid; /* grid of the inner operator (own storage) */
    bool empty;           /* inner grid has no step: yields nothing */
    op *inner;
    int64_t end0, end_step; /* window end of outer step i */

    eval_series_set set;  /* drained inner series */
    eval_series **sorted; /* set members sorted by labels */
    size_t pos;           /* next group start in sorted */
    bool drained;

    int64_t *ts; /* samples of the current merged series [inner steps] */
    double *vals;
    uint32_t *lo, *hi;
    int64_t held; /* widest window of the series last yielded */
} op_subquery;

static inline bool is_stale(double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    return bits == PQL_STALE_NAN_BITS;
}

static int sq_cmp_labels(const void *a, const void *b)
{
    const eval_series *x = *(const eval_series *const *)a;
    const eval_series *y = *(const eval_series *const *)b;
    int c = labels_compare(&x->labels, &y->labels);
    if (c)
        return c;
    /* Stable on arrival order: the first arrival's drop_name wins, as the
     * first sample creates the series in Prometheus's rangeEval. */
    return x < y ? -1 : x > y;
}

static int sq_open(op *self, eval_ctx *ctx)
{
    op_subquery *s = (op_subquery *)self;
    size_t n = self->grid->n_steps;
    s->lo = arena_alloc_array(ctx->mem, n, sizeof(uint32_t));
    s->hi = arena_alloc_array(ctx->mem, n, sizeof(uint32_t));
    if (!s->lo || !s->hi)
        return eval_oom(ctx);
    if (s->empty)
        return 0;
    size_t m = s->inner_grid.n_steps;
    s->ts = arena_alloc_array(ctx->mem, m, sizeof(int64_t));
    s->vals = arena_alloc_array(ctx->mem, m, sizeof(double));
    if (!s->ts || !s->vals)
        return eval_oom(ctx);
    return op_open(s->inner, ctx);
}

/* Runs the inner expression to the end and groups its series by labels. */
static int sq_drain(op_subquery *s, eval_ctx *ctx)
{
    s->drained = true;
    if (op_drain(s->inner, ctx, &s->set) < 0)
        return -1;
    /* The inner operator has nothing left to give; release its storage
     * sets now rather than at the end of the query. */
    op_close(s->inner, ctx);
    if (s->set.n == 0)
        return 0;
    s->sorted = arena_alloc_array(ctx->mem, s->set.n, sizeof(eval_series *));
    if (!s->sorted)
        return eval_oom(ctx);
    for (size_t i = 0; i < s->set.n; i++)
        s->sorted[i] = &s->set.v[i];
    qsort(s->sorted, s->set.n, sizeof(*s->sorted), sq_cmp_labels);
    return 0;
}

/* Merges sorted[from, to) (one label set) into ts/vals; returns the point
 * count or -1 when two members claim the same inner step. */
static ptrdiff_t sq_merge(op_subquery *s, eval_ctx *ctx, size_t from, size_t to)
{
    const eval_grid *g = &s->inner_grid;
    size_t n = 0;
    if (to - from == 1) {
        const eval_series *e = s->sorted[from];
        for (size_t k = 0; k < g->n_steps; k++) {
            if (eval_bit_test(e->present, k) && !is_stale(e->vals[k])) {
                s->ts[n] = eval_grid_time(g, k);
                s->vals[n] = e->vals[k];
                n++;
            }
        }
        return (ptrdiff_t)n;
    }
    for (size_t k = 0; k < g->n_steps; k++) {
        bool found = false;
        double v = 0;
        for (size_t j = from; j < to; j++) {
            const eval_series *e = s->sorted[j];
            if (!eval_bit_test(e->present, k))
                continue;
            if (found)
                return eval_fail(
                    ctx, PQL_ERR_EXECUTION,
                    "vector cannot contain metrics with the same labelset");
            found = true;
            v = e->vals[k];
        }
        if (found && !is_stale(v)) {
            s->ts[n] = eval_grid_time(g, k);
            s->vals[n] = v;
            n++;
        }
    }
    return (ptrdiff_t)n;
}

static int sq_next_range(op *self, eval_ctx *ctx, eval_range_series *out)
{
    op_subquery *s = (op_subquery *)self;
    eval_samples_give(ctx, s->held);
    s->held = 0;
    if (s->empty)
        return 0;
    if (!s->drained && sq_drain(s, ctx) < 0)
        return -1;
    const size_t steps = self->grid->n_steps;
    while (s->pos < s->set.n) {
        if (eval_check(ctx) < 0)
            return -1;
        size_t from = s->pos, to = from + 1;
        while (to < s->set.n &&
               labels_equal(&s->sorted[from]->labels, &s->sorted[to]->labels))
            to++;
        s->pos = to;
        ptrdiff_t n = sq_merge(s, ctx, from, to);
        if (n < 0)
            return -1;
        if (n == 0)
            continue;
        /* Both window bounds only move forward along the outer grid. */
        size_t lo = 0, hi = 0, widest = 0;
        for (size_t i = 0; i < steps; i++) {
            int64_t end = s->end0 + (int64_t)i * s->end_step;
            int64_t start = end - s->range_ms;
            while (lo < (size_t)n && s->ts[lo] <= start)
                lo++;
            if (hi < lo)
                hi = lo;
            while (hi < (size_t)n && s->ts[hi] <= end)
                hi++;
            s->lo[i] = (uint32_t)lo;
            s->hi[i] = (uint32_t)hi;
            if (hi - lo > widest)
                widest = hi - lo;
        }
        if (widest == 0)
            continue;
        /* The drained points stay counted until close (Prometheus keeps the
         * subquery result until the function ends); the window on top of
         * them is counted as a matrix selector counts its own. */
        if (eval_samples_take(ctx, (int64_t)widest) < 0)
            return -1;
        s->held = (int64_t)widest;
        memset(out, 0, sizeof(*out));
        out->labels = s->sorted[from]->labels;
        out->ts = s->ts;
        out->vals = s->vals;
        out->n = (size_t)n;
        out->lo = s->lo;
        out->hi = s->hi;
        out->range_ms = s->range_ms;
        out->win_end0 = s->end0;
        out->win_end_step = s->end_step;
        out->drop_name = s->sorted[from]->drop_name;
        return 1;
    }
    return 0;
}

static void sq_close(op *self, eval_ctx *ctx)
{
    op_subquery *s = (op_subquery *)self;
    eval_samples_give(ctx, s->held);
    s->held = 0;
    eval_samples_give(ctx, s->set.n_samples);
    s->set.n_samples = 0;
    op_close(s->inner, ctx);
}

static const op_vtable sq_vtable = {
    .name = "subquery",
    .open = sq_open,
    .next = NULL,
    .next_range = sq_next_range,
    .close = sq_close,
};

op *op_subquery_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid)
{
    op_subquery *s = (op_subquery *)op_alloc(
        ctx, sizeof(op_subquery), &sq_vtable, PQL_TYPE_MATRIX, grid, node);
    if (!s)
        return NULL;
    if (plan_timing(ctx, &node->u.subquery.mods, &s->tm) < 0)
        return NULL;
    if (node->u.subquery.range_expr) {
        if (plan_duration_ms(ctx, node->u.subquery.range_expr, &s->range_ms) <
            0)
            return NULL;
    } else {
        s->range_ms = node->u.subquery.range_ns / 1000000;
    }
    int64_t step_ms;
    if (node->u.subquery.step_expr) {
        if (plan_duration_ms(ctx, node->u.subquery.step_expr, &step_ms) < 0)
            return NULL;
    } else if (node->u.subquery.step_ns) {
        step_ms = node->u.subquery.step_ns / 1000000;
    } else {
        step_ms = ctx->default_step_ms;
    }
    if (step_ms <= 0) {
        eval_fail(ctx, PQL_ERR_EXECUTION,
                  "subquery step must be greater than 0");
        return NULL;
    }

    s->end0 = eval_ref_time(&s->tm, grid->start_ms);
    s->end_step = s->tm.has_at ? 0 : grid->step_ms;
    int64_t last_end = s->end0 + (int64_t)(grid->n_steps - 1) * s->end_step;

    /* First multiple of the step strictly after the earliest window start.
     * C and Go both truncate toward zero, so this also holds before 1970. */
    int64_t from = s->end0 - s->range_ms;
    int64_t start = step_ms * (from / step_ms);
    if (start <= from)
        start += step_ms;

    eval_grid *ig = &s->inner_grid;
    ig->start_ms = start;
    ig->step_ms = step_ms;
    if (last_end < start) {
        /* No inner step falls in any window. The inner expression is still
         * planned (so invalid ones fail alike) but never run. */
        s->empty = true;
        ig->end_ms = start;
        ig->n_steps = 1;
    } else {
        ig->n_steps = (size_t)((last_end - start) / step_ms) + 1;
        /* Go's inner evaluator ends at the reference time itself, not at
         * the last aligned step; sort() warns by comparing the two ends. */
        ig->end_ms = last_end;
        if (ig->n_steps > UINT32_MAX) {
            eval_fail(ctx, PQL_ERR_EXECUTION, "subquery has too many steps");
            return NULL;
        }
    }
    s->inner = plan_node(ctx, node->u.subquery.expr, ig);
    if (!s->inner)
        return NULL;
    if (s->inner->type != PQL_TYPE_VECTOR &&
        s->inner->type != PQL_TYPE_SCALAR) {
        eval_fail(ctx, PQL_ERR_EXECUTION,
                  "subquery is only allowed on instant vector");
        return NULL;
    }
    return &s->base;
}
