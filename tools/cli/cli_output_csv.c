/* cli_output_csv.c: `--format csv`: one row per point, one column per label name, for spreadsheets (RFC 4180 quoting). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_output.h"

/* A field, quoted only when it has to be. */
static void csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

static int csv_name_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    /* __name__ leads, as it does in a series name. */
    int xn = strcmp(x, "__name__") == 0, yn = strcmp(y, "__name__") == 0;
    if (xn != yn)
        return yn - xn;
    return strcmp(x, y);
}

/* Every label name of the result, sorted, unique; the caller frees. */
static const char **csv_columns(const pql_result *r, size_t *count)
{
    size_t cap = 16, n = 0;
    const char **names = malloc(cap * sizeof *names);
    if (names == NULL)
        return NULL;
    for (size_t i = 0; i < pql_result_series_count(r); i++) {
        const pql_label *labels;
        size_t nl;
        pql_result_labels(r, i, &labels, &nl);
        for (size_t k = 0; k < nl; k++) {
            size_t j = 0;
            while (j < n && strcmp(names[j], labels[k].name) != 0)
                j++;
            if (j < n)
                continue;
            if (n == cap) {
                const char **p = realloc(names, cap * 2 * sizeof *names);
                if (p == NULL) {
                    free(names);
                    return NULL;
                }
                names = p;
                cap *= 2;
            }
            names[n++] = labels[k].name;
        }
    }
    qsort(names, n, sizeof *names, csv_name_cmp);
    *count = n;
    return names;
}

static void csv_row(FILE *out, const char **cols, size_t ncols,
                    const pql_label *labels, size_t nl, int64_t t, double v)
{
    for (size_t c = 0; c < ncols; c++) {
        for (size_t k = 0; k < nl; k++) {
            if (strcmp(labels[k].name, cols[c]) == 0) {
                csv_field(out, labels[k].value);
                break;
            }
        }
        putc(',', out);
    }
    char ts[32], val[400];
    cli_format_timestamp(t, ts, sizeof ts);
    cli_format_value(v, val, sizeof val);
    fprintf(out, "%s,%s\n", ts, val);
}

int cli_output_csv(FILE *out, const cli_query_run *run)
{
    const pql_result *r = run->result;
    if (r == NULL) {
        fprintf(stderr, "promql query: %s: %s\n", run->error_type, run->error);
        return CLI_EXIT_FAIL;
    }
    int64_t t;
    double v;
    pql_result_type type = pql_result_get_type(r);
    if (type == PQL_RESULT_SCALAR || type == PQL_RESULT_STRING) {
        fputs("timestamp,value\n", out);
        char ts[32];
        if (type == PQL_RESULT_SCALAR) {
            char val[400];
            pql_result_scalar(r, &t, &v);
            cli_format_timestamp(t, ts, sizeof ts);
            cli_format_value(v, val, sizeof val);
            fprintf(out, "%s,%s\n", ts, val);
        } else {
            const char *s = pql_result_string(r, &t);
            cli_format_timestamp(t, ts, sizeof ts);
            fprintf(out, "%s,", ts);
            csv_field(out, s ? s : "");
            putc('\n', out);
        }
        return CLI_EXIT_OK;
    }
    size_t ncols = 0;
    const char **cols = csv_columns(r, &ncols);
    if (cols == NULL) {
        fputs("promql query: out of memory\n", stderr);
        return CLI_EXIT_FAIL;
    }
    for (size_t c = 0; c < ncols; c++) {
        csv_field(out, cols[c]);
        putc(',', out);
    }
    fputs("timestamp,value\n", out);
    for (size_t i = 0; i < pql_result_series_count(r); i++) {
        const pql_label *labels;
        size_t nl;
        pql_result_labels(r, i, &labels, &nl);
        if (type == PQL_RESULT_VECTOR) {
            pql_result_sample(r, i, &t, &v);
            csv_row(out, cols, ncols, labels, nl, t, v);
            continue;
        }
        const int64_t *ts;
        const double *vs;
        size_t np;
        pql_result_points(r, i, &ts, &vs, &np);
        for (size_t k = 0; k < np; k++)
            csv_row(out, cols, ncols, labels, nl, ts[k], vs[k]);
    }
    free(cols);
    return CLI_EXIT_OK;
}
