/* bench_oracle.c: loads a prom-oracle CSV data set into the in-memory store and times range queries, for side-by-side runs with the real Prometheus. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

/* Parses `name{a="b",c="d"}` in place into labels; returns count or -1. */
static int parse_series(char *s, pql_label *labels, int cap)
{
    int n = 0;
    char *brace = strchr(s, '{');
    if (brace) {
        *brace = '\0';
    }
    if (*s) {
        labels[n++] = (pql_label){"__name__", s};
    }
    if (!brace)
        return n;
    char *p = brace + 1;
    while (*p && *p != '}') {
        if (n >= cap)
            return -1;
        char *name = p;
        char *eq = strchr(p, '=');
        if (!eq || eq[1] != '"')
            return -1;
        *eq = '\0';
        char *v = eq + 2, *w = v;
        while (*v && *v != '"') {
            if (*v == '\\' && v[1])
                v++;
            *w++ = *v++;
        }
        if (*v != '"')
            return -1;
        *w = '\0';
        labels[n++] = (pql_label){name, eq + 2};
        p = v + 1;
        if (*p == ',')
            p++;
    }
    return n;
}

static int flush(pql_appender *app, char *series, int64_t *ts, double *vals,
                 size_t count)
{
    pql_label labels[64];
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", series);
    int n = parse_series(copy, labels, 64);
    pql_error err;
    if (n <= 0) {
        fprintf(stderr, "bad series: %s\n", series);
        return -1;
    }
    if (pql_appender_add(app, labels, (size_t)n, ts, vals, count, &err)) {
        fprintf(stderr, "append: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int load_csv(pql_memstore *store, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    pql_appender *app;
    pql_error err;
    if (pql_appender_begin(store, &app, &err))
        return -1;
    size_t cap = 1 << 16, count = 0;
    int64_t *ts = malloc(cap * sizeof *ts);
    double *vals = malloc(cap * sizeof *vals);
    char cur[4096] = "";
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &line_cap, f)) > 0) {
        char *c2 = strrchr(line, ',');
        if (!c2)
            continue;
        *c2 = '\0';
        char *c1 = strrchr(line, ',');
        if (!c1)
            continue;
        *c1 = '\0';
        if (strcmp(line, cur) != 0) {
            if (count && flush(app, cur, ts, vals, count)) {
                rc = -1;
                break;
            }
            count = 0;
            snprintf(cur, sizeof cur, "%s", line);
        }
        if (count == cap) {
            cap *= 2;
            ts = realloc(ts, cap * sizeof *ts);
            vals = realloc(vals, cap * sizeof *vals);
        }
        ts[count] = strtoll(c1 + 1, NULL, 10);
        vals[count] = strtod(c2 + 1, NULL);
        count++;
    }
    if (rc == 0 && count && flush(app, cur, ts, vals, count))
        rc = -1;
    if (rc == 0)
        rc = pql_appender_commit(app, &err) == PQL_OK ? 0 : -1;
    else
        pql_appender_rollback(app);
    free(line);
    free(ts);
    free(vals);
    fclose(f);
    return rc;
}

/* Writes the result of `expr` as JSON lines, one series per line:
 * {"query": ..., "metric": {labels}, "values": [[t_s, "v"], ...]}, values
 * printed with 17 significant digits so they read back exactly. */
static int dump_result(FILE *out, pql_engine *eng, const pql_storage *st,
                       const char *expr, int64_t start, int64_t end,
                       int64_t step)
{
    pql_result *res;
    pql_error err;
    if (pql_query_range(eng, st, expr, strlen(expr), start, end, step, &res,
                        &err) != PQL_OK) {
        fprintf(stderr, "%s: %s\n", expr, err.message);
        return -1;
    }
    for (size_t i = 0; i < pql_result_series_count(res); i++) {
        fprintf(out, "{\"query\": \"");
        for (const char *c = expr; *c; c++) {
            if (*c == '"' || *c == '\\')
                fputc('\\', out);
            fputc(*c, out);
        }
        fprintf(out, "\", \"metric\": {");
        const pql_label *l;
        size_t nl;
        pql_result_labels(res, i, &l, &nl);
        for (size_t k = 0; k < nl; k++) {
            /* label values of the generated data need no escaping */
            fprintf(out, "%s\"%s\": \"%s\"", k ? ", " : "", l[k].name,
                    l[k].value);
        }
        fprintf(out, "}, \"values\": [");
        const int64_t *ts;
        const double *vs;
        size_t n;
        pql_result_points(res, i, &ts, &vs, &n);
        for (size_t k = 0; k < n; k++)
            fprintf(out, "%s[%lld, \"%.17g\"]", k ? ", " : "",
                    (long long)ts[k], vs[k]);
        fprintf(out, "]}\n");
    }
    pql_result_free(res);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr,
                "usage: bench_oracle DATA.csv START_S END_S STEP_S EXPR... "
                "[--repeat N] [--dump OUT.jsonl]\n"
                "  Loads the CSV written by ../shared/tools/prom-oracle/gen_data.py\n"
                "  and times each EXPR as a range query, printing one row each.\n"
                "  Options apply to the EXPRs after them. --dump writes each\n"
                "  result as JSON lines for bench/compare_oracle.py.\n");
        return 2;
    }
    int repeat = 5;
    FILE *dump = NULL;
    pql_memstore *store;
    pql_error err;
    if (pql_memstore_new(&store, &err))
        return 1;
    double t0 = bench_now();
    if (load_csv(store, argv[1]))
        return 1;
    double load_s = bench_now() - t0;
    printf("loaded %zu series, %zu samples in %.2f s (RSS %ld MiB)\n\n",
           pql_memstore_series_count(store), pql_memstore_sample_count(store),
           load_s, bench_rss_kib() / 1024);
    int64_t start = (int64_t)(atof(argv[2]) * 1000.0);
    int64_t end = (int64_t)(atof(argv[3]) * 1000.0);
    int64_t step = (int64_t)(atof(argv[4]) * 1000.0);
    pql_engine *eng;
    pql_engine_options opts = pql_engine_options_default();
    if (pql_engine_new(&opts, &eng, &err))
        return 1;
    pql_storage st = pql_memstore_storage(store);
    bench_print_header();
    for (int i = 5; i < argc; i++) {
        if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = atoi(argv[++i]);
            continue;
        }
        if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc) {
            dump = fopen(argv[++i], "w");
            if (!dump) {
                perror(argv[i]);
                return 1;
            }
            continue;
        }
        bench_figures f;
        bench_run_range(eng, &st, argv[i], start, end, step, repeat, &f);
        bench_print_row(argv[i], (size_t)((end - start) / step + 1), &f);
        if (f.ok)
            printf("  rss growth during first run: %ld KiB\n", f.rss_growth_kib);
        if (f.ok && dump &&
            dump_result(dump, eng, &st, argv[i], start, end, step) < 0)
            return 1;
    }
    if (dump)
        fclose(dump);
    pql_engine_free(eng);
    pql_memstore_free(store);
    return 0;
}
