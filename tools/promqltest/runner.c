/* runner.c: executes parsed scripts against a pql_memstore and a pql_engine and
 * checks every eval as upstream's runner does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promqltest.h"

/* State of one script run. */
typedef struct run_ctx {
    const script *s;
    pql_engine *engine;
    pql_memstore *store;
    pql_storage storage;
    const run_options *opts;
    /* Since the last clear, data the store cannot hold was left out; used
     * only to name the likely reason of a failure. */
    int histograms_dropped;
    int line; /* of the command running, for traces */
} run_ctx;

/* Why one execution of an eval failed. */
typedef struct failure {
    sbuf msg;           /* what went wrong, upstream's wording */
    sbuf run;           /* which execution: query kind, time, text */
    const char *reason; /* short category, for expected-failure lists */
    char *engine_error; /* an unexpected engine error (reason candidate) */
    sbuf actual;        /* readable dump of what the engine returned */
} failure;

static void failure_free(failure *f)
{
    pt_sbuf_free(&f->msg);
    pt_sbuf_free(&f->run);
    pt_sbuf_free(&f->actual);
    free(f->engine_error);
}

pql_engine_options pt_run_engine_options(void)
{
    pql_engine_options o = pql_engine_options_default();
    o.lookback_delta_ms = 5 * 60 * 1000;
    o.max_samples = 10000;
    o.timeout_ms = 100 * 1000;
    o.default_step_ms = 60 * 1000;
    o.enable_delayed_name_removal = 1;
    o.enable_start_timestamps = 1;
    o.parse = pql_parse_options_default();
    return o;
}

static const char *error_text(const pql_error *err, pql_status st)
{
    return err->message[0] ? err->message : pql_status_text(st);
}

/* --------------------------------------------------------------- dumps -- */

static void dump_value(sbuf *b, const seq_value *v)
{
    if (v->kind == SV_OMITTED)
        pt_sbuf_puts(b, "_");
    else if (v->kind == SV_HISTOGRAM)
        pt_sbuf_append(b, v->hist, v->hist_len);
    else
        pt_fmt_float(b, v->value);
}

static void dump_expected(sbuf *b, const eval_cmd *ev, int max_lines)
{
    if (ev->expect_string) {
        pt_sbuf_puts(b, "    string ");
        pt_fmt_quoted(b, ev->string);
        pt_sbuf_puts(b, "\n");
        return;
    }
    if (ev->expect_scalar) {
        pt_sbuf_puts(b, "    scalar ");
        pt_fmt_float(b, ev->scalar.value);
        pt_sbuf_puts(b, "\n");
        return;
    }
    if (ev->n_series == 0) {
        pt_sbuf_puts(b, "    (empty result)\n");
        return;
    }
    for (size_t i = 0; i < ev->n_series; i++) {
        if ((int)i == max_lines) {
            pt_sbuf_printf(b, "    ... %zu more\n", ev->n_series - i);
            break;
        }
        const series_desc *d = &ev->series[i].desc;
        pt_sbuf_puts(b, "    ");
        pt_fmt_labels(b, d->labels, d->n_labels);
        for (size_t k = 0; k < d->n_values; k++) {
            pt_sbuf_puts(b, " ");
            dump_value(b, &d->values[k]);
        }
        pt_sbuf_puts(b, "\n");
    }
}

typedef struct sample_view {
    const pql_label *labels;
    size_t n_labels;
    double value;
    size_t index; /* series index in the result (matrix dumps) */
} sample_view;

static int view_cmp(const void *pa, const void *pb)
{
    const sample_view *a = pa, *b = pb;
    return pt_labels_compare(a->labels, a->n_labels, b->labels, b->n_labels);
}

static void dump_vector(sbuf *b, const sample_view *v, size_t n, int max_lines)
{
    if (n == 0) {
        pt_sbuf_puts(b, "    (empty vector)\n");
        return;
    }
    sample_view *sorted = pt_xmalloc(n * sizeof *sorted);
    memcpy(sorted, v, n * sizeof *v);
    qsort(sorted, n, sizeof *sorted, view_cmp);
    for (size_t i = 0; i < n; i++) {
        if ((int)i == max_lines) {
            pt_sbuf_printf(b, "    ... %zu more\n", n - i);
            break;
        }
        pt_sbuf_puts(b, "    ");
        pt_fmt_labels(b, sorted[i].labels, sorted[i].n_labels);
        pt_sbuf_puts(b, " ");
        pt_fmt_float(b, sorted[i].value);
        pt_sbuf_puts(b, "\n");
    }
    free(sorted);
}

static void dump_result(sbuf *b, const pql_result *r, int max_lines)
{
    int64_t t;
    double v;
    switch (pql_result_get_type(r)) {
    case PQL_RESULT_SCALAR:
        pql_result_scalar(r, &t, &v);
        pt_sbuf_puts(b, "    scalar ");
        pt_fmt_float(b, v);
        pt_sbuf_puts(b, "\n");
        return;
    case PQL_RESULT_STRING:
        pt_sbuf_puts(b, "    string ");
        pt_fmt_quoted(b, pql_result_string(r, &t));
        pt_sbuf_puts(b, "\n");
        return;
    case PQL_RESULT_VECTOR: {
        size_t n = pql_result_series_count(r);
        sample_view *views = pt_xmalloc((n ? n : 1) * sizeof *views);
        for (size_t i = 0; i < n; i++) {
            pql_result_labels(r, i, &views[i].labels, &views[i].n_labels);
            pql_result_sample(r, i, &t, &views[i].value);
        }
        dump_vector(b, views, n, max_lines);
        free(views);
        return;
    }
    case PQL_RESULT_MATRIX: {
        size_t n = pql_result_series_count(r);
        if (n == 0) {
            pt_sbuf_puts(b, "    (empty matrix)\n");
            return;
        }
        sample_view *views = pt_xmalloc(n * sizeof *views);
        for (size_t i = 0; i < n; i++) {
            pql_result_labels(r, i, &views[i].labels, &views[i].n_labels);
            views[i].index = i;
        }
        qsort(views, n, sizeof *views, view_cmp);
        for (size_t i = 0; i < n; i++) {
            if ((int)i == max_lines) {
                pt_sbuf_printf(b, "    ... %zu more\n", n - i);
                break;
            }
            const int64_t *ts;
            const double *vals;
            size_t np;
            pql_result_points(r, views[i].index, &ts, &vals, &np);
            pt_sbuf_puts(b, "    ");
            pt_fmt_labels(b, views[i].labels, views[i].n_labels);
            for (size_t k = 0; k < np; k++) {
                pt_sbuf_puts(b, " ");
                pt_fmt_float(b, vals[k]);
                pt_sbuf_puts(b, "@");
                pt_fmt_duration(b, ts[k]);
            }
            pt_sbuf_puts(b, "\n");
        }
        free(views);
        return;
    }
    }
    pt_sbuf_puts(b, "    (unknown result type)\n");
}

static void dump_annotations(sbuf *b, const pql_result *r)
{
    size_t nw = pql_result_warning_count(r), ni = pql_result_info_count(r);
    for (size_t i = 0; i < nw; i++)
        pt_sbuf_printf(b, "    warning: %s\n", pql_result_warning(r, i));
    for (size_t i = 0; i < ni; i++)
        pt_sbuf_printf(b, "    info: %s\n", pql_result_info(r, i));
}

/* ---------------------------------------------------------- comparison -- */

static const expected_series *find_expected(const eval_cmd *ev,
                                            const pql_label *labels, size_t n)
{
    size_t lo = 0, hi = ev->n_series;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const series_desc *d = &ev->series[mid].desc;
        int c = pt_labels_compare(labels, n, d->labels, d->n_labels);
        if (c == 0)
            return &ev->series[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int is_ordered(const eval_cmd *ev)
{
    return ev->legacy_ordered || ev->n_expects[EXPECT_ORDERED] > 0;
}

static int is_fail(const eval_cmd *ev)
{
    return ev->legacy_fail || ev->n_expects[EXPECT_FAIL] > 0;
}

static void label_text(sbuf *b, const pql_label *l, size_t n)
{
    pt_fmt_labels(b, l, n);
}

static int compare_vector(const eval_cmd *ev, const sample_view *v, size_t n,
                          failure *f)
{
    if (ev->expect_scalar) {
        pt_sbuf_puts(&f->msg, "expected scalar result, but got a vector");
        return -1;
    }
    char *seen = calloc(ev->n_series ? ev->n_series : 1, 1);
    int rc = -1;
    for (size_t pos = 0; pos < n; pos++) {
        const expected_series *e =
            find_expected(ev, v[pos].labels, v[pos].n_labels);
        if (!e) {
            pt_sbuf_puts(&f->msg, "unexpected metric ");
            label_text(&f->msg, v[pos].labels, v[pos].n_labels);
            pt_sbuf_puts(&f->msg, " in result, has value ");
            pt_fmt_float(&f->msg, v[pos].value);
            goto done;
        }
        if (is_ordered(ev) && e->pos != (int)pos + 1) {
            pt_sbuf_puts(&f->msg, "expected metric ");
            label_text(&f->msg, v[pos].labels, v[pos].n_labels);
            pt_sbuf_printf(&f->msg, " at position %d but was at %zu", e->pos,
                           pos + 1);
            goto done;
        }
        const seq_value *exp0 = &e->desc.values[0];
        if (exp0->kind == SV_HISTOGRAM) {
            pt_sbuf_puts(&f->msg, "expected histogram ");
            pt_sbuf_append(&f->msg, exp0->hist, exp0->hist_len);
            pt_sbuf_puts(&f->msg, " for ");
            label_text(&f->msg, v[pos].labels, v[pos].n_labels);
            pt_sbuf_puts(&f->msg, " but got float value ");
            pt_fmt_float(&f->msg, v[pos].value);
            pt_sbuf_puts(&f->msg, " (native histograms not supported yet)");
            goto done;
        }
        double want = exp0->kind == SV_OMITTED ? 0 : exp0->value;
        if (!pt_almost_equal(want, v[pos].value)) {
            pt_sbuf_puts(&f->msg, "expected ");
            pt_fmt_float(&f->msg, want);
            pt_sbuf_puts(&f->msg, " for ");
            label_text(&f->msg, v[pos].labels, v[pos].n_labels);
            pt_sbuf_puts(&f->msg, " but got ");
            pt_fmt_float(&f->msg, v[pos].value);
            goto done;
        }
        seen[e - ev->series] = 1;
    }
    for (size_t i = 0; i < ev->n_series; i++) {
        if (!seen[i]) {
            const series_desc *d = &ev->series[i].desc;
            pt_sbuf_puts(&f->msg, "expected metric ");
            label_text(&f->msg, d->labels, d->n_labels);
            pt_sbuf_puts(&f->msg, " with ");
            dump_value(&f->msg, &d->values[0]);
            pt_sbuf_puts(&f->msg, " not found");
            goto done;
        }
    }
    rc = 0;
done:
    free(seen);
    return rc;
}

static int check_sorted(const pql_result *r, failure *f)
{
    size_t n = pql_result_series_count(r);
    for (size_t i = 0; i + 1 < n; i++) {
        const pql_label *a, *b;
        size_t na, nb;
        pql_result_labels(r, i, &a, &na);
        pql_result_labels(r, i + 1, &b, &nb);
        if (pt_labels_compare(a, na, b, nb) > 0) {
            pt_sbuf_printf(&f->msg,
                           "matrix results should always be sorted by labels, "
                           "but matrix is not sorted: series at index %zu with "
                           "labels ",
                           i + 1);
            label_text(&f->msg, b, nb);
            pt_sbuf_printf(&f->msg,
                           " sorts before series at index %zu with labels ", i);
            label_text(&f->msg, a, na);
            return -1;
        }
    }
    return 0;
}

static int compare_matrix(const eval_cmd *ev, const pql_result *r, failure *f)
{
    if (is_ordered(ev)) {
        pt_sbuf_puts(&f->msg,
                     "expected ordered result, but query returned a matrix");
        return -1;
    }
    if (ev->expect_scalar) {
        pt_sbuf_puts(&f->msg, "expected scalar result, but got matrix");
        return -1;
    }
    if (check_sorted(r, f))
        return -1;
    size_t n = pql_result_series_count(r);
    char *seen = calloc(ev->n_series ? ev->n_series : 1, 1);
    int rc = -1;
    for (size_t i = 0; i < n; i++) {
        const pql_label *labels;
        size_t nl;
        const int64_t *ts;
        const double *vals;
        size_t np;
        pql_result_labels(r, i, &labels, &nl);
        pql_result_points(r, i, &ts, &vals, &np);
        const expected_series *e = find_expected(ev, labels, nl);
        if (!e) {
            pt_sbuf_puts(&f->msg, "unexpected metric ");
            label_text(&f->msg, labels, nl);
            pt_sbuf_printf(&f->msg, " in result, has %zu float points", np);
            goto done;
        }
        seen[e - ev->series] = 1;
        const series_desc *d = &e->desc;
        size_t n_floats = 0, n_hists = 0;
        for (size_t k = 0; k < d->n_values; k++) {
            /* Step arithmetic in 128 bits would be overkill: test ranges
             * are tiny, and an overflow can only make the point "late". */
            int64_t t = ev->start_ms + (int64_t)k * ev->step_ms;
            if (t > ev->end_ms) {
                pt_sbuf_printf(&f->msg, "expected %zu points for ",
                               d->n_values);
                label_text(&f->msg, d->labels, d->n_labels);
                pt_sbuf_puts(
                    &f->msg,
                    ", but query time range cannot return this many points");
                goto done;
            }
            if (d->values[k].kind == SV_HISTOGRAM)
                n_hists++;
            else if (d->values[k].kind == SV_FLOAT)
                n_floats++;
        }
        if (n_floats != np || n_hists != 0) {
            pt_sbuf_printf(&f->msg,
                           "expected %zu float points and %zu histogram points "
                           "for ",
                           n_floats, n_hists);
            label_text(&f->msg, d->labels, d->n_labels);
            pt_sbuf_printf(&f->msg,
                           ", but got %zu float points and 0 histogram points",
                           np);
            if (n_hists)
                pt_sbuf_puts(&f->msg, " (native histograms not supported yet)");
            goto done;
        }
        size_t p = 0;
        for (size_t k = 0; k < d->n_values; k++) {
            if (d->values[k].kind != SV_FLOAT)
                continue;
            int64_t t = ev->start_ms + (int64_t)k * ev->step_ms;
            if (ts[p] != t) {
                pt_sbuf_printf(&f->msg,
                               "expected float value at index %zu for ", p);
                label_text(&f->msg, d->labels, d->n_labels);
                pt_sbuf_printf(
                    &f->msg,
                    " to have timestamp %lld, but it had timestamp %lld",
                    (long long)t, (long long)ts[p]);
                goto done;
            }
            if (!pt_almost_equal(vals[p], d->values[k].value)) {
                pt_sbuf_printf(
                    &f->msg, "expected float value at index %zu (t=%lld) for ",
                    p, (long long)t);
                label_text(&f->msg, d->labels, d->n_labels);
                pt_sbuf_puts(&f->msg, " to be ");
                pt_fmt_float(&f->msg, d->values[k].value);
                pt_sbuf_puts(&f->msg, ", but got ");
                pt_fmt_float(&f->msg, vals[p]);
                goto done;
            }
            p++;
        }
    }
    for (size_t i = 0; i < ev->n_series; i++) {
        if (!seen[i]) {
            pt_sbuf_puts(&f->msg, "expected metric ");
            label_text(&f->msg, ev->series[i].desc.labels,
                       ev->series[i].desc.n_labels);
            pt_sbuf_puts(&f->msg, " not found");
            goto done;
        }
    }
    rc = 0;
done:
    free(seen);
    return rc;
}

static int compare_scalar(const eval_cmd *ev, double v, failure *f)
{
    if (!ev->expect_scalar) {
        pt_sbuf_puts(&f->msg,
                     "expected vector or matrix result, but got scalar ");
        pt_fmt_float(&f->msg, v);
        return -1;
    }
    if (!pt_almost_equal(ev->scalar.value, v)) {
        pt_sbuf_puts(&f->msg, "expected scalar ");
        pt_fmt_float(&f->msg, ev->scalar.value);
        pt_sbuf_puts(&f->msg, " but got ");
        pt_fmt_float(&f->msg, v);
        return -1;
    }
    return 0;
}

static int compare_result(const eval_cmd *ev, const pql_result *r, failure *f)
{
    int64_t t;
    double v;
    switch (pql_result_get_type(r)) {
    case PQL_RESULT_MATRIX:
        return compare_matrix(ev, r, f);
    case PQL_RESULT_VECTOR: {
        size_t n = pql_result_series_count(r);
        sample_view *views = pt_xmalloc((n ? n : 1) * sizeof *views);
        for (size_t i = 0; i < n; i++) {
            pql_result_labels(r, i, &views[i].labels, &views[i].n_labels);
            pql_result_sample(r, i, &t, &views[i].value);
        }
        int rc = compare_vector(ev, views, n, f);
        free(views);
        return rc;
    }
    case PQL_RESULT_SCALAR:
        pql_result_scalar(r, &t, &v);
        return compare_scalar(ev, v, f);
    case PQL_RESULT_STRING: {
        const char *want = ev->expect_string ? ev->string : "";
        const char *got = pql_result_string(r, &t);
        if (strcmp(want, got ? got : "") != 0) {
            pt_sbuf_puts(&f->msg, "expected string ");
            pt_fmt_quoted(&f->msg, want);
            pt_sbuf_puts(&f->msg, " but got ");
            pt_fmt_quoted(&f->msg, got ? got : "");
            return -1;
        }
        return 0;
    }
    }
    pt_sbuf_puts(&f->msg, "unknown result type");
    return -1;
}

/* --------------------------------------------------------- annotations -- */

static int check_annotation_kind(const text_match *want, size_t n_want,
                                 const char *(*get)(const pql_result *, size_t),
                                 size_t n_got, const pql_result *r,
                                 const char *kind, failure *f)
{
    if (n_want == 0)
        return 0;
    if (n_got == 0) {
        pt_sbuf_printf(&f->msg, "expected %s annotations but none were found",
                       kind);
        return -1;
    }
    for (size_t i = 0; i < n_want; i++) {
        size_t k;
        for (k = 0; k < n_got; k++)
            if (pt_text_match_check(&want[i], get(r, k)))
                break;
        if (k == n_got) {
            pt_sbuf_printf(&f->msg,
                           "expected %s annotation matching %s \"%s\" but no "
                           "matching annotation was found",
                           kind, want[i].message ? "message" : "pattern",
                           want[i].message   ? want[i].message
                           : want[i].pattern ? want[i].pattern
                                             : "^.*$");
            return -1;
        }
    }
    for (size_t k = 0; k < n_got; k++) {
        size_t i;
        for (i = 0; i < n_want; i++)
            if (pt_text_match_check(&want[i], get(r, k)))
                break;
        if (i == n_want) {
            pt_sbuf_printf(&f->msg, "unexpected %s annotation \"%s\" found",
                           kind, get(r, k));
            return -1;
        }
    }
    return 0;
}

static int check_annotations(const eval_cmd *ev, const pql_result *r,
                             failure *f)
{
    size_t nw = pql_result_warning_count(r), ni = pql_result_info_count(r);
    if (ev->legacy_warn && nw == 0) {
        pt_sbuf_puts(&f->msg,
                     "expected warnings evaluating query but got none");
        return -1;
    }
    if (ev->legacy_info && ni == 0) {
        pt_sbuf_puts(&f->msg,
                     "expected info annotations evaluating query but got none");
        return -1;
    }
    if (check_annotation_kind(ev->expects[EXPECT_WARN],
                              ev->n_expects[EXPECT_WARN], pql_result_warning,
                              nw, r, "warn", f) ||
        check_annotation_kind(ev->expects[EXPECT_INFO],
                              ev->n_expects[EXPECT_INFO], pql_result_info, ni,
                              r, "info", f))
        return -1;
    if (ev->n_expects[EXPECT_NO_WARN] && nw) {
        pt_sbuf_puts(&f->msg,
                     "unexpected warning annotations evaluating query");
        return -1;
    }
    if (ev->n_expects[EXPECT_NO_INFO] && ni) {
        pt_sbuf_puts(&f->msg, "unexpected info annotations evaluating query");
        return -1;
    }
    return 0;
}

/* Upstream's checkExpectedFailure: 0 when the error is the expected one. */
static int check_expected_failure(const eval_cmd *ev, const char *msg,
                                  failure *f)
{
    const text_match *m = NULL;
    if (ev->legacy_fail_match.message || ev->legacy_fail_match.regex)
        m = &ev->legacy_fail_match;
    else if (ev->n_expects[EXPECT_FAIL])
        m = &ev->expects[EXPECT_FAIL][0];
    if (!m || pt_text_match_check(m, msg))
        return 0;
    if (m->message)
        pt_sbuf_printf(&f->msg, "expected error \"%s\", but got: %s",
                       m->message, msg);
    else
        pt_sbuf_printf(&f->msg, "expected error matching \"%s\", but got: %s",
                       m->pattern, msg);
    f->reason = "wrong error message";
    f->engine_error = pt_xstrdup(msg);
    return -1;
}

/* ------------------------------------------------------------ queries -- */

static void describe_instant(sbuf *b, const char *kind, const char *text,
                             int64_t t)
{
    pt_sbuf_printf(b, "%s at ", kind);
    pt_fmt_duration(b, t);
    pt_sbuf_printf(b, " (%lld ms): %s", (long long)t, text);
}

static void trace_instant(const run_ctx *c, const char *text, int64_t t)
{
    if (c->opts->trace)
        fprintf(stderr, "trace %s:%d instant t=%lld: %s\n", c->s->name, c->line,
                (long long)t, text);
}

static void trace_range(const run_ctx *c, const char *text, int64_t start,
                        int64_t end, int64_t step)
{
    if (c->opts->trace)
        fprintf(stderr, "trace %s:%d range %lld..%lld step %lld: %s\n",
                c->s->name, c->line, (long long)start, (long long)end,
                (long long)step, text);
}

static int contains_query_context_function(const char *text)
{
    return strstr(text, "start()") || strstr(text, "end()") ||
           strstr(text, "range()") || strstr(text, "step()");
}

/* The range-mode cross-check of one instant run: the same text over
 * [t-1m, t+1m] must agree at t. */
static int range_mode_check(run_ctx *c, const eval_cmd *ev, const char *text,
                            int64_t t, pql_result_type instant_type, failure *f)
{
    pql_result *r = NULL;
    pql_error err;
    pql_error_clear(&err);
    pt_sbuf_free(&f->run);
    pt_sbuf_printf(&f->run, "range-mode check, range query from ");
    pt_fmt_duration(&f->run, t - 60000);
    pt_sbuf_puts(&f->run, " to ");
    pt_fmt_duration(&f->run, t + 60000);
    pt_sbuf_printf(&f->run, " step 1m: %s", text);
    trace_range(c, text, t - 60000, t + 60000, 60000);
    pql_status st = pql_query_range(c->engine, &c->storage, text, strlen(text),
                                    t - 60000, t + 60000, 60000, &r, &err);
    if (st != PQL_OK) {
        pt_sbuf_printf(&f->msg, "error evaluating query in range mode: %s",
                       error_text(&err, st));
        f->engine_error = pt_xstrdup(error_text(&err, st));
        f->reason = "range-mode query failed";
        return -1;
    }
    int rc = -1;
    if (is_ordered(ev)) {
        rc = 0;
        goto done;
    }
    if (pql_result_get_type(r) != PQL_RESULT_MATRIX) {
        pt_sbuf_puts(&f->msg, "range query did not return a matrix");
        f->reason = "range-mode result differs";
        goto done;
    }
    if (check_sorted(r, f)) {
        f->reason = "range-mode result not sorted";
        goto done;
    }
    size_t n = pql_result_series_count(r), k = 0;
    sample_view *views = pt_xmalloc((n ? n : 1) * sizeof *views);
    for (size_t i = 0; i < n; i++) {
        const int64_t *ts;
        const double *vals;
        size_t np;
        pql_result_points(r, i, &ts, &vals, &np);
        for (size_t p = 0; p < np; p++) {
            if (ts[p] == t) {
                pql_result_labels(r, i, &views[k].labels, &views[k].n_labels);
                views[k].value = vals[p];
                k++;
                break;
            }
        }
    }
    if (instant_type == PQL_RESULT_SCALAR) {
        if (k == 0) {
            pt_sbuf_puts(&f->msg,
                         "range mode returned no point at the eval time "
                         "for a scalar expression");
            rc = -1;
        } else {
            rc = compare_scalar(ev, views[0].value, f);
        }
    } else {
        rc = compare_vector(ev, views, k, f);
    }
    if (rc) {
        f->reason = "range-mode result differs";
        dump_vector(&f->actual, views, k, c->opts->max_lines);
    }
    free(views);
done:
    pql_result_free(r);
    return rc;
}

/* One instant execution (upstream's runInstantQuery). */
static int run_instant(run_ctx *c, const eval_cmd *ev, const char *text,
                       int64_t t, const char *kind, failure *f)
{
    pql_query *q = NULL;
    pql_result *r = NULL;
    pql_error err;
    pql_error_clear(&err);
    describe_instant(&f->run, kind, text, t);
    trace_instant(c, text, t);
    pql_status st = pql_query_new_instant(c->engine, &c->storage, text,
                                          strlen(text), t, &q, &err);
    if (st == PQL_OK)
        st = pql_query_exec(q, &r, &err);
    int rc = -1;
    if (st != PQL_OK) {
        const char *msg = error_text(&err, st);
        if (is_fail(ev)) {
            rc = check_expected_failure(ev, msg, f);
        } else {
            pt_sbuf_printf(&f->msg, "error evaluating query: %s", msg);
            f->engine_error = pt_xstrdup(msg);
            f->reason = "unexpected error";
        }
        goto done;
    }
    if (is_fail(ev)) {
        pt_sbuf_puts(&f->msg, "expected error evaluating query but got none");
        f->reason = "expected an error, got none";
        dump_result(&f->actual, r, c->opts->max_lines);
        goto done;
    }
    if (check_annotations(ev, r, f)) {
        f->reason = "wrong annotations";
        dump_annotations(&f->actual, r);
        goto done;
    }
    if (compare_result(ev, r, f)) {
        f->reason = "wrong result";
        dump_result(&f->actual, r, c->opts->max_lines);
        goto done;
    }
    if (ev->exclude_from_range || contains_query_context_function(text)) {
        rc = 0;
        goto done;
    }
    rc = range_mode_check(c, ev, text, t, pql_result_get_type(r), f);
done:
    pql_result_free(r);
    pql_query_free(q);
    return rc;
}

static int run_range(run_ctx *c, const eval_cmd *ev, failure *f)
{
    pql_result *r = NULL;
    pql_error err;
    pql_error_clear(&err);
    pt_sbuf_puts(&f->run, "range query from ");
    pt_fmt_duration(&f->run, ev->start_ms);
    pt_sbuf_puts(&f->run, " to ");
    pt_fmt_duration(&f->run, ev->end_ms);
    pt_sbuf_puts(&f->run, " step ");
    pt_fmt_duration(&f->run, ev->step_ms);
    pt_sbuf_printf(&f->run, ": %s", ev->expr);
    trace_range(c, ev->expr, ev->start_ms, ev->end_ms, ev->step_ms);
    pql_status st =
        pql_query_range(c->engine, &c->storage, ev->expr, strlen(ev->expr),
                        ev->start_ms, ev->end_ms, ev->step_ms, &r, &err);
    if (st != PQL_OK) {
        const char *msg = error_text(&err, st);
        if (is_fail(ev))
            return check_expected_failure(ev, msg, f);
        pt_sbuf_printf(&f->msg, "error evaluating query: %s", msg);
        f->engine_error = pt_xstrdup(msg);
        f->reason = "unexpected error";
        return -1;
    }
    int rc = -1;
    if (is_fail(ev)) {
        pt_sbuf_puts(&f->msg, "expected error evaluating query but got none");
        f->reason = "expected an error, got none";
        dump_result(&f->actual, r, c->opts->max_lines);
    } else if (check_annotations(ev, r, f)) {
        f->reason = "wrong annotations";
        dump_annotations(&f->actual, r);
    } else if (compare_result(ev, r, f)) {
        f->reason = "wrong result";
        dump_result(&f->actual, r, c->opts->max_lines);
    } else {
        rc = 0;
    }
    pql_result_free(r);
    return rc;
}

/* Upstream's execInstantEval: the query as written, then the @ variant at
 * -10T, 0, T/5, T, 10T (or -1s, 0, 1s when T is 0). */
static int run_instant_eval(run_ctx *c, const eval_cmd *ev, failure *f)
{
    int64_t t = ev->eval_ms;
    if (run_instant(c, ev, ev->expr, t, "instant query", f))
        return -1;
    char *text = NULL;
    int kind = pt_at_rewrite(ev->expr, t, &text);
    if (kind < 0) {
        pt_sbuf_free(&f->run);
        pt_sbuf_printf(&f->run, "@ modifier variant of: %s", ev->expr);
        pt_sbuf_puts(&f->msg, text);
        f->reason = "cannot build the @ modifier variant";
        free(text);
        return -1;
    }
    if (kind == 0)
        return 0;
    int64_t times[5] = {-10 * t, 0, t / 5, t, 10 * t};
    int64_t zero_times[3] = {-1000, 0, 1000};
    const int64_t *at = t == 0 ? zero_times : times;
    size_t n = t == 0 ? 3 : 5;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        pt_sbuf_free(&f->run);
        rc = run_instant(c, ev, text, at[i],
                         "@ modifier variant, instant query", f);
        if (rc && f->reason && strcmp(f->reason, "wrong result") == 0)
            f->reason = "@ modifier variant differs";
    }
    free(text);
    return rc;
}

/* ---------------------------------------------------------------- load -- */

static int name_has_suffix(const series_desc *d, const char *suffix)
{
    for (size_t i = 0; i < d->n_labels; i++) {
        if (strcmp(d->labels[i].name, "__name__") != 0)
            continue;
        size_t n = strlen(d->labels[i].value), k = strlen(suffix);
        return n > k && strcmp(d->labels[i].value + n - k, suffix) == 0;
    }
    return 0;
}

static int run_load(run_ctx *c, const load_cmd *ld, sbuf *msg)
{
    pql_appender *app = NULL;
    pql_error err;
    pql_error_clear(&err);
    if (pql_appender_begin(c->store, &app, &err) != PQL_OK) {
        pt_sbuf_printf(msg, "cannot begin a load: %s", err.message);
        return -1;
    }
    size_t cap = 0;
    int64_t *ts = NULL, *st = NULL;
    double *vals = NULL;
    for (size_t i = 0; i < ld->n_series; i++) {
        const series_desc *d = &ld->series[i];
        if (d->n_values > cap) {
            cap = d->n_values;
            ts = pt_xrealloc(ts, cap * sizeof *ts);
            vals = pt_xrealloc(vals, cap * sizeof *vals);
            st = pt_xrealloc(st, cap * sizeof *st);
        }
        size_t n = 0;
        for (size_t k = 0; k < d->n_values; k++) {
            if (d->values[k].kind != SV_FLOAT)
                continue;
            ts[n] = (int64_t)k * ld->interval_ms;
            vals[n] = d->values[k].value;
            /* Upstream stores the sample's time plus the offset; an
             * omitted ST is 0, "unknown". */
            st[n] = d->st_offsets && d->st_set[k] ? ts[n] + d->st_offsets[k]
                                                  : 0;
            n++;
        }
        if (ld->with_nhcb &&
            (name_has_suffix(d, "_bucket") || name_has_suffix(d, "_count") ||
             name_has_suffix(d, "_sum")))
            c->histograms_dropped = 1;
        if (n == 0)
            continue;
        if (pql_appender_add_with_start(app, d->labels, d->n_labels, ts, vals,
                                        d->st_offsets ? st : NULL, n,
                                        &err) != PQL_OK) {
            pt_sbuf_puts(msg, "cannot load ");
            pt_fmt_labels(msg, d->labels, d->n_labels);
            pt_sbuf_printf(msg, ": %s", err.message);
            pql_appender_rollback(app);
            free(ts);
            free(vals);
            free(st);
            return -1;
        }
    }
    free(ts);
    free(vals);
    free(st);
    if (pql_appender_commit(app, &err) != PQL_OK) {
        pt_sbuf_printf(msg, "load failed: %s", err.message);
        return -1;
    }
    if (ld->has_histograms)
        c->histograms_dropped = 1;
    return 0;
}

/* --------------------------------------------------------------- cases -- */

/* A one-line reason for an expected-failures list. */
static char *derive_reason(const run_ctx *c, const eval_cmd *ev,
                           const failure *f)
{
    sbuf b = {0};
    if (ev && ev->wants_histograms) {
        pt_sbuf_puts(&b, "needs native histograms (expects histogram samples)");
    } else if (f->engine_error) {
        /* The engine's own words say most ("function ... not implemented"). */
        const char *m = f->engine_error;
        size_t n = strcspn(m, "\n");
        if (n > 120)
            n = 120;
        pt_sbuf_append(&b, m, n);
    } else if (c->histograms_dropped) {
        pt_sbuf_puts(&b, "needs native histograms (its data has native histogram "
                         "series the store cannot hold yet)");
    } else {
        pt_sbuf_puts(&b, f->reason ? f->reason : "failed");
    }
    return pt_sbuf_take(&b);
}

static void report_failure(run_ctx *c, const command *cmd, const eval_cmd *ev,
                           failure *f, case_sink sink, void *ctx)
{
    sbuf d = {0};
    if (f->run.len)
        pt_sbuf_printf(&d, "  run:      %s\n", f->run.data);
    pt_sbuf_printf(&d, "  error:    %s\n", f->msg.len ? f->msg.data : "failed");
    if (ev) {
        pt_sbuf_puts(&d, "  expected:\n");
        if (is_fail(ev))
            pt_sbuf_puts(&d, "    (an error)\n");
        else
            dump_expected(&d, ev, c->opts->max_lines);
    }
    if (f->actual.len) {
        pt_sbuf_puts(&d, "  got:\n");
        pt_sbuf_append(&d, f->actual.data, f->actual.len);
    }
    char *reason = derive_reason(c, ev, f);
    case_outcome o = {c->s->name, cmd->line, cmd->text, 0, d.data, reason};
    sink(ctx, &o);
    free(reason);
    pt_sbuf_free(&d);
}

static int selected(const run_ctx *c, const command *cmd)
{
    if (!c->opts->filter)
        return 1;
    sbuf key = {0};
    pt_sbuf_printf(&key, "%s:%d %s", c->s->name, cmd->line, cmd->eval.expr);
    int hit = strstr(key.data, c->opts->filter) != NULL;
    pt_sbuf_free(&key);
    return hit;
}

void pt_run_script(const script *s, pql_engine *engine, const run_options *opts,
                   case_sink sink, void *ctx)
{
    if (s->error_line > 0) {
        /* One failed case names the script error; nothing else runs. */
        sbuf d = {0};
        pt_sbuf_printf(&d, "  error:    %s\n", s->error);
        char *reason = pt_xstrdup("script does not parse");
        case_outcome o = {s->name, s->error_line, "script", 0, d.data, reason};
        sink(ctx, &o);
        free(reason);
        pt_sbuf_free(&d);
        return;
    }
    run_ctx c = {0};
    c.s = s;
    c.engine = engine;
    c.opts = opts;
    pql_error err;
    pql_error_clear(&err);
    if (pql_memstore_new(&c.store, &err) != PQL_OK) {
        fprintf(stderr, "promqltest: cannot create a store: %s\n", err.message);
        exit(2);
    }
    c.storage = pql_memstore_storage(c.store);
    for (size_t i = 0; i < s->n_cmds; i++) {
        const command *cmd = &s->cmds[i];
        failure f = {0};
        c.line = cmd->line;
        switch (cmd->kind) {
        case CMD_CLEAR:
            pql_memstore_clear(c.store);
            c.histograms_dropped = 0;
            break;
        case CMD_LOAD:
            /* A failed load is a failed case of its own; later evals see
             * the store as it was, since a batch is all-or-nothing. */
            if (run_load(&c, &cmd->load, &f.msg)) {
                f.reason = "load failed";
                f.engine_error = pt_xstrdup(f.msg.data);
                report_failure(&c, cmd, NULL, &f, sink, ctx);
            }
            break;
        case CMD_EVAL: {
            if (!selected(&c, cmd))
                break;
            const eval_cmd *ev = &cmd->eval;
            int rc = ev->is_range ? run_range(&c, ev, &f)
                                  : run_instant_eval(&c, ev, &f);
            if (rc) {
                report_failure(&c, cmd, ev, &f, sink, ctx);
            } else {
                case_outcome o = {s->name, cmd->line, cmd->text, 1, NULL, NULL};
                sink(ctx, &o);
            }
            break;
        }
        }
        failure_free(&f);
    }
    pql_memstore_free(c.store);
}
