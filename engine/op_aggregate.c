/* op_aggregate.c: aggregation operators: grouping, per-group accumulator rows
 * for sum/avg/count/min/max/group/stddev/stdvar/quantile, and the constructor.
 */
#include "op_aggregate.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <stdlib.h>
#include <string.h>

#include "binagg_internal.h"
#include "op_binary.h"

/*
 * Series-major aggregation: each input series is mapped to its group once
 * (key = XXH3 of the grouping labels), then its whole column is folded into
 * the group's accumulator row with a tight per-step loop. Memory grows with
 * groups x steps, never with input series (quantile excepted: it needs every
 * value of a step, as Prometheus's does).
 */

typedef struct agg_group {
    labels_set labels;
    bool drop_name;    /* any member still carries a name to drop */
    uint64_t *seen;    /* steps with at least one member */
    double *v;         /* running value: sum, min/max, M2 of stddev */
    double *c;         /* Kahan compensation of v (sum, avg) or of the mean */
    double *mean;      /* avg (incremental mode), stddev/stdvar */
    double *cnt;       /* avg, count, stddev/stdvar */
    uint8_t *incr;     /* avg: switched to the incremental mean */
    uint32_t *members; /* quantile: member series (indexes into `in`) */
    size_t n_members, cap_members;
} agg_group;

static int group_alloc_rows(agg_state *a, eval_ctx *ctx, agg_group *g)
{
    size_t n = a->n;
    g->seen = eval_alloc_bitmap(ctx, n);
    if (!g->seen) {
        return -1;
    }
    bool need_v = false, need_c = false, need_mean = false, need_cnt = false;
    switch (a->aop) {
    case PQL_AGG_SUM:
        need_v = need_c = true;
        break;
    case PQL_AGG_AVG:
        need_v = need_c = need_mean = need_cnt = true;
        break;
    case PQL_AGG_COUNT:
        need_cnt = true;
        break;
    case PQL_AGG_MIN:
    case PQL_AGG_MAX:
        need_v = true;
        break;
    case PQL_AGG_STDDEV:
    case PQL_AGG_STDVAR:
        need_v = need_c = need_mean = need_cnt = true;
        break;
    default:
        break;
    }
    if ((need_v && !(g->v = eval_alloc_column(ctx, n))) ||
        (need_c && !(g->c = eval_alloc_column(ctx, n))) ||
        (need_mean && !(g->mean = eval_alloc_column(ctx, n))) ||
        (need_cnt && !(g->cnt = eval_alloc_column(ctx, n)))) {
        return -1;
    }
    if (a->aop == PQL_AGG_AVG) {
        g->incr = arena_alloc(ctx->mem, n + 1);
        if (!g->incr) {
            return eval_oom(ctx);
        }
    }
    return 0;
}

/* Group labels: by keeps the listed labels, without drops them and the
 * name, no clause gives the empty set. */
static int group_labels(agg_state *a, eval_ctx *ctx, const labels_set *s,
                        labels_set *out)
{
    int rc;
    if (a->without) {
        rc = labels_without(ctx->mem, s, &a->grouping, out);
    } else if (a->grouping.n > 0) {
        rc = labels_only(ctx->mem, s, &a->grouping, out);
    } else {
        *out = labels_empty();
        rc = 0;
    }
    return rc < 0 ? eval_oom(ctx) : 0;
}

/* Finds or creates the group of s; returns its index or -1. A series whose
 * name is only pending removal (drop_name) still groups by that name, as
 * Prometheus partitions `by (__name__)` before the name goes: both
 * name_label_dropping.test cases depend on it. The group drops the name
 * at the end when any member would.
 * NOTE(core): operator.h says grouping treats drop_name series as nameless;
 * Prometheus 3.14 does not, so this file follows Prometheus. */
long agg_group_of(agg_state *a, eval_ctx *ctx, const labels_set *s,
                  bool alloc_rows)
{
    bool created;
    uint64_t key = binagg_groups_key(&a->keys, s);
    uint32_t id =
        binagg_groups_find_or_add(&a->keys, ctx->mem, key, s, &created);
    if (id == UINT32_MAX) {
        return eval_oom(ctx);
    }
    if (created) {
        if (a->n_groups == a->cap_groups) {
            size_t ncap = a->cap_groups ? a->cap_groups * 2 : 16;
            agg_group *ng =
                arena_grow(ctx->mem, a->groups, a->n_groups, ncap, sizeof *ng);
            if (!ng) {
                return eval_oom(ctx);
            }
            a->groups = ng;
            a->cap_groups = ncap;
        }
        agg_group *g = &a->groups[a->n_groups++];
        memset(g, 0, sizeof *g);
        if (group_labels(a, ctx, s, &g->labels) < 0) {
            return -1;
        }
        if (alloc_rows && group_alloc_rows(a, ctx, g) < 0) {
            return -1;
        }
    }
    return (long)id;
}

/* ---------------------------------------------------------- accumulate -- */

/* Iterates the set bits of a presence bitmap. */
#define FOR_EACH_STEP(present, words, t)                                       \
    for (size_t w_ = 0; w_ < (words); w_++)                                    \
        for (uint64_t b_ = (present)[w_]; b_; b_ &= b_ - 1)                    \
            for (size_t t = w_ * 64 + (size_t)__builtin_ctzll(b_), once_ = 1;  \
                 once_; once_ = 0)

/* agg_kahan_inc over a run of steps that all have a sample and a running
 * sum (a dense sum's common case): the same operations per step, two steps
 * per instruction, both candidate compensations computed and the right one
 * selected by mask. (GCC does not vectorise the plain loop.) */
static void sum_kahan_block(const double *x, double *v, double *c, size_t len)
{
    size_t k = 0;
#if defined(__SSE2__)
    const __m128d sign = _mm_set1_pd(-0.0), inf = _mm_set1_pd(INFINITY);
    for (; k + 2 <= len; k += 2) {
        __m128d sum = _mm_loadu_pd(v + k), inc = _mm_loadu_pd(x + k);
        __m128d t = _mm_add_pd(sum, inc);
        __m128d big_sum = _mm_add_pd(_mm_sub_pd(sum, t), inc);
        __m128d big_inc = _mm_add_pd(_mm_sub_pd(inc, t), sum);
        __m128d ge = _mm_cmpge_pd(_mm_andnot_pd(sign, sum), _mm_andnot_pd(sign, inc));
        __m128d comp = _mm_or_pd(_mm_and_pd(ge, big_sum), _mm_andnot_pd(ge, big_inc));
        __m128d next_c = _mm_add_pd(_mm_loadu_pd(c + k), comp);
        __m128d is_inf = _mm_cmpeq_pd(_mm_andnot_pd(sign, t), inf);
        _mm_storeu_pd(c + k, _mm_andnot_pd(is_inf, next_c));
        _mm_storeu_pd(v + k, t);
    }
#endif
    for (; k < len; k++)
        agg_kahan_inc(x[k], &v[k], &c[k]);
}

/* Folds one input column into its group's row, step by step exactly as
 * Prometheus's aggregation() treats one sample. */
static void accumulate(agg_state *a, agg_group *g, const eval_series *s)
{
    size_t words = EVAL_BITMAP_WORDS(a->n);
    const double *x = s->vals;
    switch (a->aop) {
    case PQL_AGG_SUM:
        for (size_t w = 0; w < words; w++) {
            uint64_t p = s->present[w];
            size_t base = w * 64, len = a->n - base < 64 ? a->n - base : 64;
            uint64_t full = len == 64 ? ~(uint64_t)0 : ((uint64_t)1 << len) - 1;
            if (p == full && g->seen[w] == full) {
                sum_kahan_block(x + base, g->v + base, g->c + base, len);
                continue;
            }
            for (uint64_t b = p; b; b &= b - 1) {
                size_t t = base + (size_t)__builtin_ctzll(b);
                if (!eval_bit_test(g->seen, t)) {
                    eval_bit_set(g->seen, t);
                    g->v[t] = x[t];
                    g->c[t] = 0;
                } else {
                    agg_kahan_inc(x[t], &g->v[t], &g->c[t]);
                }
            }
        }
        break;
    case PQL_AGG_AVG:
        FOR_EACH_STEP(s->present, words, t)
        {
            double f = x[t];
            if (!eval_bit_test(g->seen, t)) {
                eval_bit_set(g->seen, t);
                g->v[t] = f;
                g->mean[t] = f;
                g->c[t] = 0;
                g->cnt[t] = 1;
                g->incr[t] = 0;
                continue;
            }
            double cnt = ++g->cnt[t];
            if (!g->incr[t]) {
                double nv = g->v[t], nc = g->c[t];
                agg_kahan_inc(f, &nv, &nc);
                if (!isinf(nv)) {
                    g->v[t] = nv;
                    g->c[t] = nc;
                    continue;
                }
                /* The sum would overflow: continue with an incremental
                 * mean from here on, as Prometheus does. */
                g->incr[t] = 1;
                g->mean[t] = g->v[t] / (cnt - 1);
                g->c[t] /= cnt - 1;
            }
            double mean = g->mean[t];
            if (isinf(mean)) {
                if (isinf(f) && (mean > 0) == (f > 0)) {
                    continue;
                }
                if (!isinf(f) && !isnan(f)) {
                    continue;
                }
            }
            double cur = mean + g->c[t];
            agg_kahan_inc(f / cnt - cur / cnt, &g->mean[t], &g->c[t]);
        }
        break;
    case PQL_AGG_COUNT:
        FOR_EACH_STEP(s->present, words, t)
        {
            if (!eval_bit_test(g->seen, t)) {
                eval_bit_set(g->seen, t);
                g->cnt[t] = 1;
            } else {
                g->cnt[t]++;
            }
        }
        break;
    case PQL_AGG_GROUP:
        for (size_t w = 0; w < words; w++) {
            g->seen[w] |= s->present[w];
        }
        break;
    case PQL_AGG_MIN:
    case PQL_AGG_MAX: {
        bool is_max = a->aop == PQL_AGG_MAX;
        FOR_EACH_STEP(s->present, words, t)
        {
            double f = x[t];
            if (!eval_bit_test(g->seen, t)) {
                eval_bit_set(g->seen, t);
                g->v[t] = f;
            } else if ((is_max ? g->v[t] < f : g->v[t] > f) || isnan(g->v[t])) {
                g->v[t] = f;
            }
        }
        break;
    }
    case PQL_AGG_STDDEV:
    case PQL_AGG_STDVAR:
        FOR_EACH_STEP(s->present, words, t)
        {
            double f = x[t];
            if (!eval_bit_test(g->seen, t)) {
                eval_bit_set(g->seen, t);
                g->v[t] = (isnan(f) || isinf(f)) ? NAN : 0;
                g->mean[t] = f;
                g->c[t] = 0;
                g->cnt[t] = 1;
                continue;
            }
            /* Welford's update with a compensated running mean. */
            double cnt = ++g->cnt[t];
            double delta = f - (g->mean[t] + g->c[t]);
            agg_kahan_inc(delta / cnt, &g->mean[t], &g->c[t]);
            g->v[t] += delta * (f - (g->mean[t] + g->c[t]));
        }
        break;
    default:
        break;
    }
}

/* Final value of a group at step t. */
static double finish_value(const agg_state *a, const agg_group *g, size_t t)
{
    switch (a->aop) {
    case PQL_AGG_SUM:
        return g->v[t] + g->c[t];
    case PQL_AGG_AVG:
        if (g->incr[t]) {
            return g->mean[t] + g->c[t];
        }
        return (g->v[t] + g->c[t]) / g->cnt[t];
    case PQL_AGG_COUNT:
        return g->cnt[t];
    case PQL_AGG_GROUP:
        return 1;
    case PQL_AGG_MIN:
    case PQL_AGG_MAX:
        return g->v[t];
    case PQL_AGG_STDVAR:
        return g->v[t] / g->cnt[t];
    case PQL_AGG_STDDEV:
        return sqrt(g->v[t] / g->cnt[t]);
    default:
        return NAN;
    }
}

/* ------------------------------------------------------------ quantile -- */

/* Ascending with NaN first, as vectorByValueHeap orders them. */
static int cmp_nan_first(const void *pa, const void *pb)
{
    double x = *(const double *)pa, y = *(const double *)pb;
    bool nx = isnan(x), ny = isnan(y);
    if (nx || ny) {
        return (int)ny - (int)nx;
    }
    return (x > y) - (x < y);
}

double agg_quantile(double q, double *vals, size_t n)
{
    if (n == 0 || isnan(q)) {
        return NAN;
    }
    if (q < 0) {
        return -INFINITY;
    }
    if (q > 1) {
        return INFINITY;
    }
    qsort(vals, n, sizeof *vals, cmp_nan_first);
    double nn = (double)n;
    double rank = q * (nn - 1);
    double lower = fmax(0, floor(rank));
    double upper = fmin(nn - 1, lower + 1);
    double weight = rank - floor(rank);
    return vals[(size_t)lower] * (1 - weight) + vals[(size_t)upper] * weight;
}

/* --------------------------------------------------------------- driver -- */

static int add_member(eval_ctx *ctx, agg_group *g, uint32_t idx)
{
    if (g->n_members == g->cap_members) {
        size_t ncap = g->cap_members ? g->cap_members * 2 : 8;
        uint32_t *nm =
            arena_grow(ctx->mem, g->members, g->n_members, ncap, sizeof *nm);
        if (!nm) {
            return eval_oom(ctx);
        }
        g->members = nm;
        g->cap_members = ncap;
    }
    g->members[g->n_members++] = idx;
    return 0;
}

/* Quantile needs each step's values of a group together: the input is
 * materialised, members listed per group, and each step sorted once. */
static int compute_quantile(agg_state *a, eval_ctx *ctx)
{
    if (op_drain(a->expr, ctx, &a->in) < 0) {
        return -1;
    }
    size_t max_members = 0;
    for (size_t i = 0; i < a->in.n; i++) {
        const eval_series *s = &a->in.v[i];
        long gi = agg_group_of(a, ctx, &s->labels, true);
        if (gi < 0) {
            return -1;
        }
        agg_group *g = &a->groups[gi];
        g->drop_name |= s->drop_name;
        if (add_member(ctx, g, (uint32_t)i) < 0) {
            return -1;
        }
        if (g->n_members > max_members) {
            max_members = g->n_members;
        }
    }
    double *buf = arena_alloc_array(ctx->mem, max_members + 1, sizeof *buf);
    if (!buf) {
        return eval_oom(ctx);
    }
    for (size_t gi = 0; gi < a->n_groups; gi++) {
        agg_group *g = &a->groups[gi];
        eval_series *o = agg_out_add(a, ctx, g->labels, g->drop_name);
        if (!o) {
            return -1;
        }
        for (size_t t = 0; t < a->n; t++) {
            size_t k = 0;
            for (size_t m = 0; m < g->n_members; m++) {
                const eval_series *s = &a->in.v[g->members[m]];
                if (eval_bit_test(s->present, t)) {
                    buf[k++] = s->vals[t];
                }
            }
            if (k > 0) {
                o->vals[t] = agg_quantile(a->param[t], buf, k);
                eval_bit_set(o->present, t);
            }
        }
        if (eval_check(ctx) < 0) {
            return -1;
        }
    }
    agg_give_input(a, ctx);
    return 0;
}

static int compute_rows(agg_state *a, eval_ctx *ctx)
{
    eval_series s;
    int rc;
    while ((rc = op_next(a->expr, ctx, &s)) > 0) {
        if (eval_check(ctx) < 0) {
            return -1;
        }
        long gi = agg_group_of(a, ctx, &s.labels, true);
        if (gi < 0) {
            return -1;
        }
        agg_group *g = &a->groups[gi];
        g->drop_name |= s.drop_name;
        accumulate(a, g, &s);
    }
    if (rc < 0) {
        return -1;
    }
    size_t words = EVAL_BITMAP_WORDS(a->n);
    for (size_t gi = 0; gi < a->n_groups; gi++) {
        agg_group *g = &a->groups[gi];
        if (agg_first_set(g->seen, words) == SIZE_MAX) {
            continue;
        }
        eval_series *o = agg_out_add(a, ctx, g->labels, g->drop_name);
        if (!o) {
            return -1;
        }
        memcpy(o->present, g->seen, words * sizeof *o->present);
        FOR_EACH_STEP(g->seen, words, t)
        {
            o->vals[t] = finish_value(a, g, t);
        }
    }
    return 0;
}

size_t agg_first_set(const uint64_t *m, size_t words)
{
    for (size_t w = 0; w < words; w++) {
        if (m[w]) {
            return w * 64 + (size_t)__builtin_ctzll(m[w]);
        }
    }
    return SIZE_MAX;
}

eval_series *agg_out_add(agg_state *a, eval_ctx *ctx, labels_set labels,
                         bool drop_name)
{
    if (a->out.n == a->out.cap) {
        size_t ncap = a->out.cap ? a->out.cap * 2 : 16;
        eval_series *nv =
            arena_grow(ctx->mem, a->out.v, a->out.n, ncap, sizeof *nv);
        if (!nv) {
            eval_oom(ctx);
            return NULL;
        }
        a->out.v = nv;
        a->out.cap = ncap;
    }
    eval_series *o = &a->out.v[a->out.n];
    memset(o, 0, sizeof *o);
    o->labels = labels;
    o->drop_name = drop_name;
    o->vals = eval_alloc_column(ctx, a->n);
    o->present = eval_alloc_bitmap(ctx, a->n);
    if (!o->vals || !o->present) {
        return NULL;
    }
    a->out.n++;
    return o;
}

void agg_give_input(agg_state *a, eval_ctx *ctx)
{
    int64_t total = 0;
    for (size_t i = 0; i < a->in.n; i++) {
        total += (int64_t)eval_bitmap_count(a->in.v[i].present, a->n);
    }
    eval_samples_give(ctx, total);
}

/* Reads the per-step parameter and raises Prometheus's parameter errors and
 * warnings before any input is aggregated. */
static int load_param(agg_state *a, eval_ctx *ctx)
{
    if (!a->param_op || a->param_op->type != PQL_TYPE_SCALAR) {
        return 0;
    }
    a->param = eval_alloc_column(ctx, a->n);
    if (!a->param || binop_pull_scalar(a->param_op, ctx, a->param, a->n) < 0) {
        return -1;
    }
    bool any_nan = false;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t t = 0; t < a->n; t++) {
        double p = a->param[t];
        if (isnan(p)) {
            any_nan = true;
            continue;
        }
        lo = fmin(lo, p);
        hi = fmax(hi, p);
    }
    const ast_node *pnode = a->base.node->u.agg.param;
    char buf[64];
    switch (a->aop) {
    case PQL_AGG_TOPK:
    case PQL_AGG_BOTTOMK:
    case PQL_AGG_LIMITK:
        if (any_nan) {
            return eval_fail(ctx, PQL_ERR_EXECUTION, "Parameter value is NaN");
        }
        for (size_t t = 0; t < a->n; t++) {
            double p = a->param[t];
            if (!(p <= 9223372036854774784.0 && p >= -9223372036854775808.0)) {
                agg_format_float_g(p, buf, sizeof buf);
                return eval_fail(ctx, PQL_ERR_EXECUTION,
                                 "Scalar value %s overflows int64", buf);
            }
        }
        break;
    case PQL_AGG_LIMIT_RATIO:
        if (any_nan) {
            return eval_fail(ctx, PQL_ERR_EXECUTION, "Ratio value is NaN");
        }
        if (hi > 1.0) {
            agg_format_float_g(hi, buf, sizeof buf);
            eval_annotate(ctx, EVAL_NOTE_WARNING, pnode,
                          "PromQL warning: ratio value should be between -1 "
                          "and 1, got %s, capping to 1",
                          buf);
        }
        if (lo < -1.0) {
            agg_format_float_g(lo, buf, sizeof buf);
            eval_annotate(ctx, EVAL_NOTE_WARNING, pnode,
                          "PromQL warning: ratio value should be between -1 "
                          "and 1, got %s, capping to -1",
                          buf);
        }
        break;
    case PQL_AGG_QUANTILE:
        if (any_nan) {
            eval_annotate(ctx, EVAL_NOTE_WARNING, pnode,
                          "PromQL warning: quantile value should be between 0 "
                          "and 1, got NaN");
        }
        if (hi > 1) {
            agg_format_float_g(hi, buf, sizeof buf);
            eval_annotate(ctx, EVAL_NOTE_WARNING, pnode,
                          "PromQL warning: quantile value should be between 0 "
                          "and 1, got %s",
                          buf);
        }
        if (lo < 0) {
            agg_format_float_g(lo, buf, sizeof buf);
            eval_annotate(ctx, EVAL_NOTE_WARNING, pnode,
                          "PromQL warning: quantile value should be between 0 "
                          "and 1, got %s",
                          buf);
        }
        break;
    default:
        break;
    }
    return 0;
}

static int agg_compute(agg_state *a, eval_ctx *ctx)
{
    if (a->aop == PQL_AGG_COUNT_VALUES) {
        return agg_count_values(a, ctx);
    }
    if (load_param(a, ctx) < 0) {
        return -1;
    }
    int rc;
    switch (a->aop) {
    case PQL_AGG_TOPK:
    case PQL_AGG_BOTTOMK:
    case PQL_AGG_LIMITK:
    case PQL_AGG_LIMIT_RATIO:
        rc = agg_compute_k(a, ctx);
        break;
    case PQL_AGG_QUANTILE:
        rc = compute_quantile(a, ctx);
        break;
    default:
        rc = compute_rows(a, ctx);
        break;
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

/* ------------------------------------------------------------ operator -- */

static int agg_open(op *self, eval_ctx *ctx)
{
    agg_state *a = (agg_state *)self;
    if (a->param_op && op_open(a->param_op, ctx) < 0) {
        return -1;
    }
    if (op_open(a->expr, ctx) < 0) {
        return -1;
    }
    if (!binagg_groups_init(&a->keys, ctx->mem,
                            a->without ? BINAGG_KEY_WITHOUT : BINAGG_KEY_ONLY,
                            &a->grouping, 64)) {
        return eval_oom(ctx);
    }
    return 0;
}

static int agg_next(op *self, eval_ctx *ctx, eval_series *out)
{
    agg_state *a = (agg_state *)self;
    if (!a->computed) {
        a->computed = true;
        a->out.n_steps = a->n;
        if (agg_compute(a, ctx) < 0) {
            return -1;
        }
    }
    while (a->next_out < a->out.n) {
        eval_series *s = &a->out.v[a->next_out++];
        int64_t pts = (int64_t)eval_bitmap_count(s->present, a->n);
        eval_samples_give(ctx, pts);
        if (pts == 0) {
            continue;
        }
        *out = *s;
        return 1;
    }
    return 0;
}

static void agg_close(op *self, eval_ctx *ctx)
{
    agg_state *a = (agg_state *)self;
    if (a->param_op) {
        op_close(a->param_op, ctx);
    }
    op_close(a->expr, ctx);
}

static const op_vtable agg_vt = {"aggregate", agg_open, agg_next, NULL,
                                 agg_close};

op *op_aggregate_new(eval_ctx *ctx, const ast_node *node, const eval_grid *grid,
                     op *expr, op *param)
{
    agg_state *a = (agg_state *)op_alloc(ctx, sizeof *a, &agg_vt,
                                         PQL_TYPE_VECTOR, grid, node);
    if (!a) {
        return NULL;
    }
    a->expr = expr;
    a->param_op = param;
    a->aop = node->u.agg.op;
    a->without = node->u.agg.without;
    a->n = grid->n_steps;
    if (labels_names_prepare(ctx->mem, node->u.agg.grouping.names,
                             node->u.agg.grouping.count, &a->grouping) < 0) {
        eval_oom(ctx);
        return NULL;
    }
    return &a->base;
}
