/* bench_prom_set.c: Prometheus's BenchmarkRangeQuery data set and cases (reference/prom-bench.md), timed on libpromql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

#define N_INTERVALS 18640
#define INTERVAL_MS 10000
#define N_FULL_SERIES 1443

typedef struct bench_data {
    pql_memstore *store;
    int64_t *ts;
    double *vals;
    int next_index; /* position in generation order over the full series */
} bench_data;

static void die(const char *what, const pql_error *err)
{
    fprintf(stderr, "bench: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

/* Appends one full series: value s + i/1443 at step s. */
static void add_full(bench_data *d, pql_appender *app, const char *name,
                     const char *l, const char *le)
{
    pql_label labels[3];
    size_t n = 0;
    labels[n++] = (pql_label){"__name__", name};
    if (l)
        labels[n++] = (pql_label){"l", l};
    if (le)
        labels[n++] = (pql_label){"le", le};
    double frac = (double)d->next_index++ / N_FULL_SERIES;
    for (int s = 0; s < N_INTERVALS; s++)
        d->vals[s] = (double)s + frac;
    pql_error err;
    if (pql_appender_add(app, labels, n, d->ts, d->vals, N_INTERVALS, &err))
        die("append", &err);
}

static void add_histogram(bench_data *d, pql_appender *app, const char *name,
                          const char *l)
{
    static const char *les[] = {"0", "1", "2", "3", "4", "5",
                                "6", "7", "8", "9", "+Inf"};
    for (size_t i = 0; i < sizeof les / sizeof les[0]; i++)
        add_full(d, app, name, l, les[i]);
}

static void build(bench_data *d)
{
    pql_error err;
    if (pql_memstore_new(&d->store, &err))
        die("memstore", &err);
    d->ts = malloc(sizeof(int64_t) * N_INTERVALS);
    d->vals = malloc(sizeof(double) * N_INTERVALS);
    for (int s = 0; s < N_INTERVALS; s++)
        d->ts[s] = (int64_t)s * INTERVAL_MS;
    pql_appender *app;
    if (pql_appender_begin(d->store, &app, &err))
        die("appender", &err);
    char l[8];
    add_full(d, app, "a_one", NULL, NULL);
    add_full(d, app, "b_one", NULL, NULL);
    add_histogram(d, app, "h_one", NULL);
    for (int j = 0; j < 10; j++) {
        snprintf(l, sizeof l, "%d", j);
        add_full(d, app, "a_ten", l, NULL);
        add_full(d, app, "b_ten", l, NULL);
    }
    for (int j = 0; j < 10; j++) {
        snprintf(l, sizeof l, "%d", j);
        add_histogram(d, app, "h_ten", l);
    }
    for (int j = 0; j < 100; j++) {
        snprintf(l, sizeof l, "%d", j);
        add_full(d, app, "a_hundred", l, NULL);
        add_full(d, app, "b_hundred", l, NULL);
    }
    for (int j = 0; j < 100; j++) {
        snprintf(l, sizeof l, "%d", j);
        add_histogram(d, app, "h_hundred", l);
    }
    /* sparse{l=k} is present for 372 consecutive intervals only. */
    for (int k = 0; k <= 50; k++) {
        int first = k * 372, count = 0;
        for (int s = first; s < N_INTERVALS && s < first + 372; s++) {
            d->vals[count] = (double)s / N_FULL_SERIES;
            count++;
        }
        if (!count)
            continue;
        snprintf(l, sizeof l, "%d", k);
        pql_label labels[2] = {{"__name__", "sparse"}, {"l", l}};
        if (pql_appender_add(app, labels, 2, d->ts + first, d->vals,
                             (size_t)count, &err))
            die("append sparse", &err);
    }
    if (pql_appender_commit(app, &err))
        die("commit", &err);
}

typedef struct bench_case {
    const char *tmpl; /* X is replaced by one and hundred */
    int steps[2];     /* 0 = unused */
} bench_case;

static const bench_case cases[] = {
    {"a_X", {1, 1000}},
    {"rate(a_X[1m])", {1, 1000}},
    {"rate(a_X[1m])", {10000, 0}},
    {"rate(sparse[1m])", {10000, 0}},
    {"rate(a_X[1m] smoothed)", {1, 1000}},
    {"rate(a_X[1m] smoothed)", {10000, 0}},
    {"rate(sparse[1m] smoothed)", {10000, 0}},
    {"double_exponential_smoothing(a_X[1d], 0.3, 0.3)", {1, 1000}},
    {"changes(a_X[1d])", {1, 1000}},
    {"rate(a_X[1d])", {1, 1000}},
    {"absent_over_time(a_X[1d])", {1, 1000}},
    {"-a_X", {1, 1000}},
    {"a_X - b_X", {1, 1000}},
    {"a_X - b_X", {10000, 0}},
    {"a_X and b_X{l=~'.*[0-4]$'}", {1, 1000}},
    {"a_X or b_X{l=~'.*[0-4]$'}", {1, 1000}},
    {"a_X unless b_X{l=~'.*[0-4]$'}", {1, 1000}},
    {"a_X and b_X{l='notfound'}", {1, 1000}},
    {"abs(a_X)", {1, 1000}},
    {"label_replace(a_X, 'l2', '$1', 'l', '(.*)')", {1, 1000}},
    {"label_join(a_X, 'l2', '-', 'l', 'l')", {1, 1000}},
    {"sum(a_X)", {1, 1000}},
    {"avg(a_X)", {1, 1000}},
    {"sum without (l)(h_X)", {1, 1000}},
    {"sum without (le)(h_X)", {1, 1000}},
    {"sum by (l)(h_X)", {1, 1000}},
    {"sum by (le)(h_X)", {1, 1000}},
    {"count_values('value', h_X)", {100, 0}},
    {"topk(1, a_X)", {1, 1000}},
    {"topk(5, a_X)", {1, 1000}},
    {"limitk(1, a_X)", {1, 1000}},
    {"limitk(5, a_X)", {1, 1000}},
    {"limit_ratio(0.1, a_X)", {1, 1000}},
    {"limit_ratio(0.5, a_X)", {1, 1000}},
    {"limit_ratio(-0.5, a_X)", {1, 1000}},
    {"rate(a_X[1m]) + rate(b_X[1m])", {1, 1000}},
    {"sum without (l)(rate(a_X[1m]))", {1, 1000}},
    {"sum without (l)(rate(a_X[1m])) / sum without (l)(rate(b_X[1m]))", {1, 1000}},
    {"histogram_quantile(0.9, rate(h_X[5m]))", {1, 1000}},
    {"a_X + on(l) group_right a_one", {1, 1000}},
    {"count({__name__!=\"\"})", {1, 0}},
    {"count({__name__!=\"\",l=\"\"})", {1, 0}},
    {"timestamp(a_X)", {1, 1000}},
    /* Not in Prometheus's set: the other range functions and subqueries,
     * on the same data and windows. */
    {"irate(a_X[1m])", {1, 1000}},
    {"avg_over_time(a_X[5m])", {1, 1000}},
    {"max_over_time(a_X[5m])", {1, 1000}},
    {"quantile_over_time(0.9, a_X[5m])", {1, 1000}},
    {"max_over_time(rate(a_X[1m])[5m:1m])", {1, 1000}},
    {"rate(sum(a_X)[5m:1m])", {1, 1000}},
};

/* Replaces every X in tmpl by size; returns 0 when tmpl has no X (and
 * size is the second variant, so the case runs once). */
static int expand(const char *tmpl, const char *size, char *out, size_t cap)
{
    size_t o = 0;
    int found = 0;
    for (const char *p = tmpl; *p && o + 16 < cap; p++) {
        if (*p == 'X' && p > tmpl && p[-1] == '_') {
            o += (size_t)snprintf(out + o, cap - o, "%s", size);
            found = 1;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return found;
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    int repeat = argc > 2 ? atoi(argv[2]) : 3;
    bench_data d = {0};
    double t0 = bench_now();
    build(&d);
    printf("data set: %zu series, %zu samples, built in %.2f s, RSS %ld MiB\n\n",
           pql_memstore_series_count(d.store), pql_memstore_sample_count(d.store),
           bench_now() - t0, bench_rss_kib() / 1024);
    pql_engine *eng;
    pql_error err;
    pql_engine_options opts = pql_engine_options_default();
    opts.timeout_ms = 100000;
    if (pql_engine_new(&opts, &eng, &err))
        die("engine", &err);
    pql_storage st = pql_memstore_storage(d.store);
    bench_print_header();
    static const char *sizes[] = {"one", "hundred"};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int v = 0; v < 2; v++) {
            char expr[256];
            if (!expand(cases[c].tmpl, sizes[v], expr, sizeof expr) && v == 1)
                continue;
            if (filter && !strstr(expr, filter))
                continue;
            for (int k = 0; k < 2 && cases[c].steps[k]; k++) {
                int steps = cases[c].steps[k];
                int64_t end = (int64_t)N_INTERVALS * INTERVAL_MS;
                int64_t start = (int64_t)(N_INTERVALS - steps) * INTERVAL_MS;
                bench_figures f;
                bench_run_range(eng, &st, expr, start, end, INTERVAL_MS, repeat,
                                &f);
                bench_print_row(expr, (size_t)steps, &f);
            }
        }
    }
    pql_engine_free(eng);
    pql_memstore_free(d.store);
    free(d.ts);
    free(d.vals);
    return 0;
}
