/* fn_histogram_classic.c: histogram_quantile() and histogram_fraction() over
 * classic histograms (series with an `le` bucket label). */
#define _POSIX_C_SOURCE 200809L
#include "fn_instant.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "binagg_internal.h"

/*
 * Classic buckets are ordinary float series that share every label but
 * `le`. Grouping is decided once per series (label work before values, as
 * everywhere in the engine); the per-step work is only gathering the
 * present buckets of each group, already in bucket order, and one
 * quantile/fraction computation.
 *
 * Native histograms are a later issue: the engine's columns carry floats
 * only. When they arrive, a native sample whose labels equal a group's
 * labels at the same step must suppress that group's result and warn
 * "vector contains a mix of classic and native histograms" (see
 * NATIVE_HOOK below), and the other native samples are evaluated with their
 * own quantile/fraction code.
 */

#define SMALL_DELTA_TOLERANCE 1e-12

typedef struct hc_bucket {
    double upper;
    double count;
} hc_bucket;

/* What forcing monotonicity changed, for the info annotation. */
typedef struct hc_fix {
    bool forced;
    double min_bucket, max_bucket, max_diff;
} hc_fix;

/* util/almost.Equal: relative comparison with an absolute floor near 0. */
static bool almost_equal(double a, double b, double eps)
{
    const double min_normal = 2.2250738585072014e-308;
    if (isnan(a) && isnan(b))
        return true;
    if (a == b)
        return true;
    double abs_sum = fabs(a) + fabs(b), diff = fabs(a - b);
    if (a == 0 || b == 0 || abs_sum < min_normal)
        return diff < eps * min_normal;
    return diff / fmin(abs_sum, 1.7976931348623157e308) < eps;
}

/* Merges buckets with the same upper bound (input sorted); returns the new
 * count. */
static size_t coalesce(hc_bucket *b, size_t n)
{
    size_t i = 0;
    hc_bucket last = b[0];
    for (size_t k = 1; k < n; k++) {
        if (b[k].upper == last.upper) {
            last.count += b[k].count;
        } else {
            b[i++] = last;
            last = b[k];
        }
    }
    b[i++] = last;
    return i;
}

/* First silently absorbs differences that look like float noise (either
 * direction), then flattens real decreases; `prev` only moves on an
 * accepted count, as upstream does. */
static void ensure_monotonic(hc_bucket *b, size_t n, hc_fix *fix)
{
    fix->min_bucket = INFINITY;
    fix->max_bucket = -INFINITY;
    double prev = b[0].count;
    for (size_t i = 1; i < n; i++) {
        double curr = b[i].count;
        if (curr == prev)
            continue;
        if (almost_equal(prev, curr, SMALL_DELTA_TOLERANCE)) {
            b[i].count = prev;
            continue;
        }
        if (curr < prev) {
            b[i].count = prev;
            fix->forced = true;
            if (b[i].upper < fix->min_bucket)
                fix->min_bucket = b[i].upper;
            if (b[i].upper > fix->max_bucket)
                fix->max_bucket = b[i].upper;
            if (prev - curr > fix->max_diff)
                fix->max_diff = prev - curr;
            continue;
        }
        prev = curr;
    }
}

/* Prometheus's BucketQuantile over buckets sorted by upper bound. Linear
 * interpolation inside the bucket holding the rank; 0 is the natural lower
 * bound of a first bucket above 0; the +Inf bucket answers with the
 * second-highest bound. */
static double bucket_quantile(double q, hc_bucket *b, size_t n, hc_fix *fix)
{
    memset(fix, 0, sizeof(*fix));
    if (isnan(q))
        return NAN;
    if (q < 0)
        return -INFINITY;
    if (q > 1)
        return INFINITY;
    if (!(isinf(b[n - 1].upper) && b[n - 1].upper > 0))
        return NAN;
    n = coalesce(b, n);
    ensure_monotonic(b, n, fix);
    if (n < 2)
        return NAN;
    double observations = b[n - 1].count;
    if (observations == 0)
        return NAN;
    double rank = q * observations;
    /* sort.Search over all but the +Inf bucket. */
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b[mid].count >= rank)
            hi = mid;
        else
            lo = mid + 1;
    }
    size_t k = lo;
    if (k == n - 1)
        return b[n - 2].upper;
    if (k == 0 && b[0].upper <= 0)
        return b[0].upper;
    double start = 0, end = b[k].upper, count = b[k].count;
    if (k > 0) {
        start = b[k - 1].upper;
        count -= b[k - 1].count;
        rank -= b[k - 1].count;
    }
    return start + (end - start) * (rank / count);
}

/* Prometheus's BucketFraction: the share of observations in (lower, upper]
 * with linear interpolation; counts are cumulative, the first bucket's
 * lower bound is 0 when its upper bound is above 0, else -Inf. */
static double bucket_fraction(double lower, double upper, hc_bucket *b,
                              size_t n)
{
    if (!(isinf(b[n - 1].upper) && b[n - 1].upper > 0))
        return NAN;
    n = coalesce(b, n);
    double count = b[n - 1].count;
    if (count == 0 || isnan(lower) || isnan(upper))
        return NAN;
    if (lower >= upper)
        return 0;
    double rank = 0, lower_rank = 0, upper_rank = 0;
    bool lower_set = false, upper_set = false;
    double lb = b[0].upper <= 0 ? -INFINITY : 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            lb = b[i - 1].upper;
        double ub = b[i].upper;
        if (!lower_set && lb >= lower) {
            lower_rank = rank;
            lower_set = true;
        }
        if (!upper_set && lb >= upper) {
            upper_rank = rank;
            upper_set = true;
        }
        if (lower_set && upper_set)
            break;
        if (!lower_set && lb < lower && ub > lower) {
            lower_rank =
                isinf(lb) && lb < 0
                    ? b[i].count
                    : rank + (b[i].count - rank) * (lower - lb) / (ub - lb);
            lower_set = true;
        }
        if (!upper_set && lb < upper && ub > upper) {
            upper_rank =
                isinf(lb) && lb < 0
                    ? b[i].count
                    : rank + (b[i].count - rank) * (upper - lb) / (ub - lb);
            upper_set = true;
        }
        if (lower_set && upper_set)
            break;
        rank = b[i].count;
    }
    if (!lower_set || lower_rank > count)
        lower_rank = count;
    if (!upper_set || upper_rank > count)
        upper_rank = count;
    return (upper_rank - lower_rank) / count;
}

/* --------------------------------------------------------- annotations -- */

/* Forced-monotonicity notes merge per metric name across steps and groups,
 * as upstream's annotation does: widest bucket range, largest fix, first
 * and last time, number of samples. */
typedef struct hc_mono_note {
    const char *metric;
    int64_t min_ts, max_ts;
    double min_bucket, max_bucket, max_diff;
    size_t count;
} hc_mono_note;

static void fmt_g(double v, char *buf, size_t cap)
{
    agg_format_float_g(v, buf, cap);
}

static void fmt_rfc3339(int64_t ms, char *buf, size_t cap)
{
    time_t secs = (time_t)(ms / 1000); /* Go's minTs/1000 truncates */
    struct tm tm;
    if (!gmtime_r(&secs, &tm)) {
        snprintf(buf, cap, "?");
        return;
    }
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "<text> for metric name "<name>"" when the name is known. */
static void with_metric(char *buf, size_t cap, const char *text,
                        const char *metric)
{
    if (!metric || !metric[0]) {
        snprintf(buf, cap, "%s", text);
        return;
    }
    char q[512];
    agg_quote_go(metric, strlen(metric), q, sizeof q);
    snprintf(buf, cap, "%s for metric name %s", text, q);
}

static void emit_mono_note(eval_ctx *ctx, const ast_node *pos,
                           const hc_mono_note *m)
{
    char head[1024], lo[64], hi[64], diff[64], from[64], to[64];
    with_metric(head, sizeof head,
                "PromQL info: input to histogram_quantile needed to be fixed "
                "for monotonicity (see https://prometheus.io/docs/prometheus/"
                "latest/querying/functions/#histogram_quantile)",
                m->metric);
    fmt_g(m->min_bucket, lo, sizeof lo);
    fmt_g(m->max_bucket, hi, sizeof hi);
    snprintf(diff, sizeof diff, "%.2g", m->max_diff);
    fmt_rfc3339(m->min_ts, from, sizeof from);
    fmt_rfc3339(m->max_ts, to, sizeof to);
    eval_annotate(ctx, EVAL_NOTE_INFO, pos,
                  "%s, from buckets %s to %s, with a max diff of %s, over %zu "
                  "samples from %s to %s",
                  head, lo, hi, diff, m->count, from, to);
}

/* ------------------------------------------------------------ operator -- */

typedef struct hc_member {
    uint32_t series; /* index into the drained input */
    double upper;
} hc_member;

typedef struct hc_group {
    labels_set labels; /* the series' labels without `le` */
    hc_member *members;
    size_t n, cap;
} hc_group;

typedef struct fn_hist {
    op base;
    op *child;
    op *p1, *p2; /* quantile: q; fraction: lower, upper */
    bool fraction;
    /* histogram_quantiles: the quantile operators and the label naming
     * them; p1/p2 are unused then. */
    op **qs;
    size_t n_qs;
    const char *q_label;
    const ast_node *vec_arg; /* where bucket warnings point */
    bool computed;
    fn_out_set out;
} fn_hist;

/* strconv.ParseFloat for the `le` value: decimal or hexadecimal (with a p
 * exponent) floats, optional sign, "Inf"/"Infinity"/"NaN" in any case, and
 * underscores only between digits. */
static bool parse_le(const char *s, double *out)
{
    if (!s || !*s)
        return false;
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return true;
    }
    if (strcasecmp(p, "nan") == 0 && p == s) {
        *out = NAN;
        return true;
    }
    char buf[256];
    size_t k = 0;
    bool hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    for (const char *c = s; *c; c++) {
        if (*c == '_') {
            /* Go allows '_' only between digits (base prefix counts). */
            char prev = c > s ? c[-1] : 0, next = c[1];
            bool ok_prev = (prev >= '0' && prev <= '9') ||
                           (hex && ((prev >= 'a' && prev <= 'f') ||
                                    (prev >= 'A' && prev <= 'F') ||
                                    prev == 'x' || prev == 'X'));
            bool ok_next = (next >= '0' && next <= '9') ||
                           (hex && ((next >= 'a' && next <= 'f') ||
                                    (next >= 'A' && next <= 'F')));
            if (!ok_prev || !ok_next)
                return false;
            continue;
        }
        if (k + 1 >= sizeof buf)
            return false;
        buf[k++] = *c;
    }
    buf[k] = '\0';
    const char *q = buf + ((buf[0] == '+' || buf[0] == '-') ? 1 : 0);
    if (hex)
        q += 2;
    size_t digits = 0;
    while (hex ? isxdigit((unsigned char)*q) : (*q >= '0' && *q <= '9'))
        q++, digits++;
    if (*q == '.') {
        q++;
        while (hex ? isxdigit((unsigned char)*q) : (*q >= '0' && *q <= '9'))
            q++, digits++;
    }
    if (!digits)
        return false;
    char e = hex ? 'p' : 'e';
    if (*q == e || *q == (char)(e - 32)) {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!(*q >= '0' && *q <= '9'))
            return false;
        while (*q >= '0' && *q <= '9')
            q++;
    } else if (hex) {
        return false;
    }
    if (*q)
        return false;
    /* Go returns ±Inf with a range error for overflow: the value is
     * unusable there too. */
    double v = strtod(buf, NULL);
    if (isinf(v))
        return false;
    *out = v;
    return true;
}

static int member_cmp(const void *a, const void *b)
{
    const hc_member *x = a, *y = b;
    if (x->upper < y->upper)
        return -1;
    if (x->upper > y->upper)
        return 1;
    /* Equal bounds keep input order (Go's insertion sort does). */
    return x->series < y->series ? -1 : (x->series > y->series ? 1 : 0);
}

/* The drained input grouped into classic histograms: each group lists its
 * bucket series sorted by upper bound. Shared by histogram_quantile,
 * histogram_quantiles and histogram_fraction. */
typedef struct hc_input {
    eval_series_set in;
    hc_group *groups;
    size_t n_groups;
    hc_bucket *buf; /* room for the widest group */
} hc_input;

/* Drains `child` and groups its series by their labels without `le`,
 * warning (at vec_arg) about series whose `le` is missing or malformed. */
static int hc_input_build(eval_ctx *ctx, op *child, const ast_node *vec_arg,
                          hc_input *hi)
{
    memset(hi, 0, sizeof(*hi));
    if (op_drain(child, ctx, &hi->in) < 0)
        return -1;
    const eval_series_set *in = &hi->in;
    binagg_groups keys;
    if (!binagg_groups_init(&keys, ctx->mem, BINAGG_KEY_ALL, NULL, 64))
        return eval_oom(ctx);
    size_t cap_groups = 0, widest = 0;
    for (size_t s = 0; s < in->n; s++) {
        const labels_set *ls = &in->v[s].labels;
        const char *le = labels_get(ls, "le");
        double upper;
        if (!parse_le(le, &upper)) {
            char text[2048], qv[512];
            agg_quote_go(le ? le : "", le ? strlen(le) : 0, qv, sizeof qv);
            char base[600];
            snprintf(base, sizeof base,
                     "PromQL warning: bucket label \"le\" is missing or has a "
                     "malformed value of %s",
                     qv);
            with_metric(text, sizeof text, base, labels_get(ls, LABELS_NAME));
            eval_annotate(ctx, EVAL_NOTE_WARNING, vec_arg, "%s", text);
            continue;
        }
        labels_builder lb;
        labels_builder_init(&lb, ctx->mem, ls);
        labels_builder_del(&lb, "le");
        labels_set key;
        if (labels_builder_finish(&lb, &key) < 0)
            return eval_oom(ctx);
        bool created;
        uint32_t id = binagg_groups_find_or_add(
            &keys, ctx->mem, binagg_groups_key(&keys, &key), &key, &created);
        if (id == UINT32_MAX)
            return eval_oom(ctx);
        if (created) {
            if (hi->n_groups == cap_groups) {
                size_t nc = cap_groups ? cap_groups * 2 : 16;
                hc_group *ng = arena_grow(ctx->mem, hi->groups, hi->n_groups,
                                          nc, sizeof(hc_group));
                if (!ng)
                    return eval_oom(ctx);
                hi->groups = ng;
                cap_groups = nc;
            }
            memset(&hi->groups[hi->n_groups], 0, sizeof(hc_group));
            hi->groups[hi->n_groups].labels = key;
            hi->n_groups++;
        }
        hc_group *gr = &hi->groups[id];
        if (gr->n == gr->cap) {
            size_t nc = gr->cap ? gr->cap * 2 : 8;
            hc_member *nm =
                arena_grow(ctx->mem, gr->members, gr->n, nc, sizeof(hc_member));
            if (!nm)
                return eval_oom(ctx);
            gr->members = nm;
            gr->cap = nc;
        }
        gr->members[gr->n++] = (hc_member){(uint32_t)s, upper};
        if (gr->n > widest)
            widest = gr->n;
    }
    /* Bucket order is fixed per group, so sort once, not per step. */
    for (size_t gi = 0; gi < hi->n_groups; gi++)
        qsort(hi->groups[gi].members, hi->groups[gi].n, sizeof(hc_member),
              member_cmp);
    hi->buf =
        arena_alloc_array(ctx->mem, widest ? widest : 1, sizeof(hc_bucket));
    return hi->buf ? 0 : eval_oom(ctx);
}

/* Copies the buckets of group `gr` present at step i into hi->buf, in
 * bucket order; returns how many. The quantile code rewrites the buffer,
 * so it is gathered again for every computation. */
static size_t hc_gather(hc_input *hi, const hc_group *gr, size_t i)
{
    size_t k = 0;
    for (size_t m = 0; m < gr->n; m++) {
        const eval_series *src = &hi->in.v[gr->members[m].series];
        if (eval_bit_test(src->present, i))
            hi->buf[k++] = (hc_bucket){gr->members[m].upper, src->vals[i]};
    }
    return k;
}

/* The metric name forced-monotonicity notes carry: only known to the
 * function under delayed name removal, as upstream. */
static const char *hc_note_metric(eval_ctx *ctx, const hc_group *gr)
{
    const char *m =
        ctx->delayed_name_removal ? labels_get(&gr->labels, LABELS_NAME) : "";
    return m ? m : "";
}

typedef struct hc_notes {
    hc_mono_note *v;
    size_t n, cap;
} hc_notes;

/* Folds one forced-monotonicity fix into the note of its metric name. */
static int hc_note_fix(eval_ctx *ctx, hc_notes *notes, const char *metric,
                       int64_t ts, const hc_fix *fix)
{
    hc_mono_note *note = NULL;
    for (size_t j = 0; j < notes->n; j++) {
        if (strcmp(notes->v[j].metric, metric) == 0) {
            note = &notes->v[j];
            break;
        }
    }
    if (!note) {
        if (notes->n == notes->cap) {
            size_t nc = notes->cap ? notes->cap * 2 : 4;
            hc_mono_note *nn = arena_grow(ctx->mem, notes->v, notes->n, nc,
                                          sizeof(hc_mono_note));
            if (!nn)
                return eval_oom(ctx);
            notes->v = nn;
            notes->cap = nc;
        }
        note = &notes->v[notes->n++];
        *note = (hc_mono_note){
            metric, ts, ts, fix->min_bucket, fix->max_bucket, fix->max_diff, 0};
    }
    if (ts < note->min_ts)
        note->min_ts = ts;
    if (ts > note->max_ts)
        note->max_ts = ts;
    if (fix->min_bucket < note->min_bucket)
        note->min_bucket = fix->min_bucket;
    if (fix->max_bucket > note->max_bucket)
        note->max_bucket = fix->max_bucket;
    if (fix->max_diff > note->max_diff)
        note->max_diff = fix->max_diff;
    note->count++;
    return 0;
}

/* Upstream validates every quantile at every step, even without input. */
static void hc_validate_q(eval_ctx *ctx, const double *q, size_t n,
                          const ast_node *pos)
{
    for (size_t i = 0; i < n; i++) {
        if (isnan(q[i]) || q[i] < 0 || q[i] > 1) {
            char qs[64];
            fmt_g(q[i], qs, sizeof qs);
            eval_annotate(ctx, EVAL_NOTE_WARNING, pos,
                          "PromQL warning: quantile value should be between 0 "
                          "and 1, got %s",
                          qs);
        }
    }
}

/* Hands a finished series to the output set, taking its points. */
static int hc_emit(eval_ctx *ctx, eval_series_set *out, eval_series *s)
{
    size_t pts = eval_bitmap_count(s->present, out->n_steps);
    if (pts == 0)
        return 0;
    if (eval_samples_take(ctx, (int64_t)pts) < 0)
        return -1;
    if (eval_series_set_add(ctx, out, s) < 0)
        return -1;
    out->n_samples += (int64_t)pts;
    return 0;
}

static int hist_compute(fn_hist *f, eval_ctx *ctx)
{
    const eval_grid *g = f->base.grid;
    size_t n = g->n_steps;
    double *a = fn_scalar_column(ctx, f->p1, n);
    double *b = f->p2 ? fn_scalar_column(ctx, f->p2, n) : NULL;
    if (!a || (f->p2 && !b))
        return -1;
    if (!f->fraction)
        hc_validate_q(ctx, a, n, f->base.node->u.call.args[0]);
    hc_input hi;
    if (hc_input_build(ctx, f->child, f->vec_arg, &hi) < 0)
        return -1;
    eval_series_set *out = &f->out.set;
    memset(out, 0, sizeof(*out));
    out->n_steps = n;
    hc_notes notes = {0};
    for (size_t gi = 0; gi < hi.n_groups; gi++) {
        if (eval_check(ctx) < 0)
            return -1;
        const hc_group *gr = &hi.groups[gi];
        eval_series s;
        memset(&s, 0, sizeof(s));
        s.labels = gr->labels;
        s.vals = eval_alloc_column(ctx, n);
        s.present = eval_alloc_bitmap(ctx, n);
        if (!s.vals || !s.present)
            return -1;
        for (size_t i = 0; i < n; i++) {
            size_t k = hc_gather(&hi, gr, i);
            if (k == 0)
                continue;
            /* NATIVE_HOOK: a native histogram with exactly these labels at
             * step i cancels this result and warns about the mix. */
            eval_bit_set(s.present, i);
            if (f->fraction) {
                s.vals[i] = bucket_fraction(a[i], b[i], hi.buf, k);
                continue;
            }
            hc_fix fix;
            s.vals[i] = bucket_quantile(a[i], hi.buf, k, &fix);
            if (fix.forced && hc_note_fix(ctx, &notes, hc_note_metric(ctx, gr),
                                          eval_grid_time(g, i), &fix) < 0)
                return -1;
        }
        if (fn_drop_name(ctx, &s) < 0 || hc_emit(ctx, out, &s) < 0)
            return -1;
    }
    for (size_t j = 0; j < notes.n; j++)
        emit_mono_note(ctx, f->vec_arg, &notes.v[j]);
    eval_samples_give(ctx, hi.in.n_samples);
    return 0;
}

/* labels.FormatOpenMetricsFloat: Go's shortest %g, with ".0" appended when
 * that has neither a point nor an exponent, so 1 is "1.0". */
static void fmt_openmetrics(double v, char *buf, size_t cap)
{
    if (isnan(v)) {
        snprintf(buf, cap, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(buf, cap, "%s", v > 0 ? "+Inf" : "-Inf");
        return;
    }
    size_t len = agg_format_float_g(v, buf, cap);
    if (!strpbrk(buf, "e.") && len + 3 <= cap)
        memcpy(buf + len, ".0", 3);
}

/* histogram_quantiles(v, "label", q...): every classic histogram gives one
 * series per quantile, labelled with the quantile. The quantiles are
 * scalars that may vary by step, so the label (and thus the output series)
 * is decided per step; a repeated q reuses the previous step's series. Two
 * results with the same labels at one step are an error, as in upstream's
 * range evaluation. */
static int hq_compute(fn_hist *f, eval_ctx *ctx)
{
    const eval_grid *g = f->base.grid;
    size_t n = g->n_steps;
    const ast_node *call = f->base.node;
    double **q = arena_alloc_array(ctx->mem, f->n_qs, sizeof(double *));
    if (!q)
        return eval_oom(ctx);
    for (size_t j = 0; j < f->n_qs; j++) {
        if (!(q[j] = fn_scalar_column(ctx, f->qs[j], n)))
            return -1;
        hc_validate_q(ctx, q[j], n, call->u.call.args[2 + j]);
    }
    hc_input hi;
    if (hc_input_build(ctx, f->child, f->vec_arg, &hi) < 0)
        return -1;
    eval_series_set *out = &f->out.set;
    memset(out, 0, sizeof(*out));
    out->n_steps = n;
    binagg_groups keys;
    if (!binagg_groups_init(&keys, ctx->mem, BINAGG_KEY_ALL, NULL,
                            hi.n_groups * f->n_qs + 1))
        return eval_oom(ctx);
    /* Series are collected here with their own columns; points are taken
     * once the set is complete. */
    eval_series *res = NULL;
    size_t n_res = 0, cap_res = 0;
    hc_notes notes = {0};
    for (size_t j = 0; j < f->n_qs; j++) {
        for (size_t gi = 0; gi < hi.n_groups; gi++) {
            if (eval_check(ctx) < 0)
                return -1;
            const hc_group *gr = &hi.groups[gi];
            labels_set base = gr->labels;
            if (!ctx->delayed_name_removal &&
                labels_drop_name(ctx->mem, &base, &base) < 0)
                return eval_oom(ctx);
            uint32_t cur = UINT32_MAX;
            double cur_q = 0;
            for (size_t i = 0; i < n; i++) {
                size_t k = hc_gather(&hi, gr, i);
                if (k == 0)
                    continue;
                if (cur == UINT32_MAX ||
                    memcmp(&cur_q, &q[j][i], sizeof(double)) != 0) {
                    char qv[64];
                    fmt_openmetrics(q[j][i], qv, sizeof qv);
                    char *val = arena_strdup(ctx->mem, qv);
                    labels_builder lb;
                    labels_builder_init(&lb, ctx->mem, &base);
                    labels_builder_set(&lb, f->q_label, val);
                    labels_set ls;
                    if (!val || labels_builder_finish(&lb, &ls) < 0)
                        return eval_oom(ctx);
                    bool created;
                    cur = binagg_groups_find_or_add(&keys, ctx->mem, ls.hash,
                                                    &ls, &created);
                    if (cur == UINT32_MAX)
                        return eval_oom(ctx);
                    if (created) {
                        if (n_res == cap_res) {
                            size_t nc = cap_res ? cap_res * 2 : 16;
                            eval_series *nr = arena_grow(ctx->mem, res, n_res,
                                                         nc, sizeof(*nr));
                            if (!nr)
                                return eval_oom(ctx);
                            res = nr;
                            cap_res = nc;
                        }
                        eval_series *s = &res[n_res++];
                        memset(s, 0, sizeof(*s));
                        s->labels = ls;
                        s->drop_name = ctx->delayed_name_removal;
                        s->vals = eval_alloc_column(ctx, n);
                        s->present = eval_alloc_bitmap(ctx, n);
                        if (!s->vals || !s->present)
                            return -1;
                    }
                    cur_q = q[j][i];
                }
                eval_series *s = &res[cur];
                if (eval_bit_test(s->present, i))
                    return eval_fail(ctx, PQL_ERR_EXECUTION,
                                     "vector cannot contain metrics with the "
                                     "same labelset");
                hc_fix fix;
                s->vals[i] = bucket_quantile(q[j][i], hi.buf, k, &fix);
                eval_bit_set(s->present, i);
                /* Upstream points this note at the vector argument, unlike
                 * histogram_quantile's. */
                if (fix.forced &&
                    hc_note_fix(ctx, &notes, hc_note_metric(ctx, gr),
                                eval_grid_time(g, i), &fix) < 0)
                    return -1;
            }
        }
    }
    eval_samples_give(ctx, hi.in.n_samples);
    for (size_t r = 0; r < n_res; r++) {
        if (hc_emit(ctx, out, &res[r]) < 0)
            return -1;
    }
    for (size_t j = 0; j < notes.n; j++)
        emit_mono_note(ctx, f->vec_arg, &notes.v[j]);
    return 0;
}

static int hist_open(op *self, eval_ctx *ctx)
{
    fn_hist *f = (fn_hist *)self;
    if (f->p1 && op_open(f->p1, ctx) < 0)
        return -1;
    if (f->p2 && op_open(f->p2, ctx) < 0)
        return -1;
    for (size_t j = 0; j < f->n_qs; j++) {
        if (op_open(f->qs[j], ctx) < 0)
            return -1;
    }
    return op_open(f->child, ctx);
}

static int hist_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_hist *f = (fn_hist *)self;
    if (!f->computed) {
        f->computed = true;
        if ((f->qs ? hq_compute(f, ctx) : hist_compute(f, ctx)) < 0)
            return -1;
    }
    return fn_out_next(ctx, &f->out, out);
}

static void hist_close(op *self, eval_ctx *ctx)
{
    fn_hist *f = (fn_hist *)self;
    fn_out_release(ctx, &f->out);
    op_close(f->child, ctx);
    if (f->p1)
        op_close(f->p1, ctx);
    if (f->p2)
        op_close(f->p2, ctx);
    for (size_t j = 0; j < f->n_qs; j++)
        op_close(f->qs[j], ctx);
}

static const op_vtable hist_vtable = {
    .name = "histogram_classic",
    .open = hist_open,
    .next = hist_next,
    .close = hist_close,
};

static op *hist_new(eval_ctx *ctx, const ast_node *call, const eval_grid *grid,
                    bool fraction)
{
    ast_node *const *args = call->u.call.args;
    size_t vi = fraction ? 2 : 1;
    op *p1 = plan_node(ctx, args[0], grid);
    if (!p1)
        return NULL;
    op *p2 = NULL;
    if (fraction && !(p2 = plan_node(ctx, args[1], grid)))
        return NULL;
    op *child = plan_node(ctx, args[vi], grid);
    if (!child)
        return NULL;
    fn_hist *f = (fn_hist *)op_alloc(ctx, sizeof(fn_hist), &hist_vtable,
                                     PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->child = child;
    f->p1 = p1;
    f->p2 = p2;
    f->fraction = fraction;
    f->vec_arg = args[vi];
    return &f->base;
}

op *fn_plan_histogram_quantile(eval_ctx *ctx, const ast_node *call,
                               const eval_grid *grid)
{
    return hist_new(ctx, call, grid, false);
}

op *fn_plan_histogram_fraction(eval_ctx *ctx, const ast_node *call,
                               const eval_grid *grid)
{
    return hist_new(ctx, call, grid, true);
}

op *fn_plan_histogram_quantiles(eval_ctx *ctx, const ast_node *call,
                                const eval_grid *grid)
{
    ast_node *const *args = call->u.call.args;
    size_t n_qs = call->u.call.n_args - 2;
    /* Arguments are planned left to right, as Prometheus evaluates them. */
    op *child = plan_node(ctx, args[0], grid);
    if (!child)
        return NULL;
    op **qs = arena_alloc_array(ctx->mem, n_qs, sizeof(op *));
    if (!qs) {
        eval_oom(ctx);
        return NULL;
    }
    for (size_t j = 0; j < n_qs; j++) {
        if (!(qs[j] = plan_node(ctx, args[2 + j], grid)))
            return NULL;
    }
    fn_hist *f = (fn_hist *)op_alloc(ctx, sizeof(fn_hist), &hist_vtable,
                                     PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->child = child;
    f->qs = qs;
    f->n_qs = n_qs;
    f->q_label = args[1]->u.string.value.ptr;
    f->vec_arg = args[0];
    return &f->base;
}
