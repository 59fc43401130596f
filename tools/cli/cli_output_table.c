/* cli_output_table.c: `--format table`: aligned columns for a person, range results one row per series with a unicode sparkline. */
#define _POSIX_C_SOURCE 200809L /* open_memstream, gmtime_r */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli_output.h"

/* Sparklines are at most this many cells; longer series are averaged into
 * buckets of consecutive steps. */
#define TABLE_SPARK_MAX 60

/* Display width of UTF-8 text: one cell per code point. */
static size_t table_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

static void table_pad(FILE *out, const char *s, size_t width)
{
    fputs(s, out);
    for (size_t w = table_width(s); w < width; w++)
        putc(' ', out);
}

/* The series name as text (malloc'd). */
static char *table_series_text(const pql_label *labels, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL)
        return NULL;
    cli_write_series_name(m, labels, n);
    fclose(m);
    return buf;
}

static void table_time(int64_t ms, char *out, size_t cap)
{
    time_t sec = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)sec * 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t k = strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac != 0)
        k += (size_t)snprintf(out + k, cap - k, ".%03d", frac);
    snprintf(out + k, cap - k, "Z");
}

/* One sparkline cell per step bucket: ▁..█ scaled between the series'
 * minimum and maximum, blank where the series has no point, "!" for NaN or
 * infinities. */
static void table_sparkline(char *out, size_t cap, const int64_t *ts,
                            const double *vs, size_t np, int64_t start,
                            int64_t step, size_t n_steps)
{
    static const char *bars[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    size_t cells = n_steps < TABLE_SPARK_MAX ? n_steps : TABLE_SPARK_MAX;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < np; i++) {
        if (isfinite(vs[i])) {
            lo = vs[i] < lo ? vs[i] : lo;
            hi = vs[i] > hi ? vs[i] : hi;
        }
    }
    size_t k = 0, p = 0;
    out[0] = '\0';
    for (size_t cell = 0; cell < cells && k + 4 < cap; cell++) {
        size_t s0 = cell * n_steps / cells, s1 = (cell + 1) * n_steps / cells;
        int64_t t0 = start + (int64_t)s0 * step, t1 = start + (int64_t)s1 * step;
        double sum = 0;
        size_t cnt = 0;
        int bad = 0;
        while (p < np && ts[p] < t0)
            p++;
        for (; p < np && ts[p] < t1; p++) {
            if (isfinite(vs[p])) {
                sum += vs[p];
                cnt++;
            } else {
                bad = 1;
            }
        }
        const char *glyph = " ";
        if (cnt > 0) {
            double v = sum / (double)cnt;
            int level = hi > lo ? (int)((v - lo) / (hi - lo) * 7.0 + 0.5) : 3;
            glyph = bars[level < 0 ? 0 : level > 7 ? 7 : level];
        } else if (bad) {
            glyph = "!";
        }
        size_t gl = strlen(glyph);
        memcpy(out + k, glyph, gl);
        k += gl;
        out[k] = '\0';
    }
}

typedef struct table_row {
    char *cells[7];
} table_row;

static void table_print(FILE *out, const char *const *head, size_t ncol,
                        table_row *rows, size_t nrows)
{
    size_t width[7] = {0};
    for (size_t c = 0; c < ncol; c++) {
        width[c] = table_width(head[c]);
        for (size_t r = 0; r < nrows; r++) {
            size_t w = rows[r].cells[c] ? table_width(rows[r].cells[c]) : 0;
            width[c] = w > width[c] ? w : width[c];
        }
    }
    for (size_t c = 0; c < ncol; c++) {
        if (c + 1 < ncol)
            table_pad(out, head[c], width[c] + 2);
        else
            fputs(head[c], out);
    }
    putc('\n', out);
    for (size_t r = 0; r < nrows; r++) {
        for (size_t c = 0; c < ncol; c++) {
            const char *s = rows[r].cells[c] ? rows[r].cells[c] : "";
            if (c + 1 < ncol)
                table_pad(out, s, width[c] + 2);
            else
                fputs(s, out);
        }
        putc('\n', out);
        for (size_t c = 0; c < ncol; c++)
            free(rows[r].cells[c]);
    }
}

static char *table_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

static char *table_value(double v)
{
    char buf[400];
    cli_format_value(v, buf, sizeof buf);
    return table_strdup(buf);
}

int cli_output_table(FILE *out, const cli_query_run *run)
{
    const pql_result *r = run->result;
    if (r == NULL) {
        fprintf(stderr, "promql query: %s: %s\n", run->error_type, run->error);
        return CLI_EXIT_FAIL;
    }
    char when[64];
    int64_t t;
    double v;
    size_t n = pql_result_series_count(r);
    switch (pql_result_get_type(r)) {
    case PQL_RESULT_SCALAR: {
        pql_result_scalar(r, &t, &v);
        char val[400];
        cli_format_value(v, val, sizeof val);
        table_time(t, when, sizeof when);
        fprintf(out, "scalar  %s  at %s\n", val, when);
        break;
    }
    case PQL_RESULT_STRING: {
        const char *s = pql_result_string(r, &t);
        table_time(t, when, sizeof when);
        fprintf(out, "string  %s  at %s\n", s ? s : "", when);
        break;
    }
    case PQL_RESULT_VECTOR: {
        table_row *rows = calloc(n ? n : 1, sizeof *rows);
        if (rows == NULL)
            return CLI_EXIT_FAIL;
        for (size_t i = 0; i < n; i++) {
            const pql_label *labels;
            size_t nl;
            pql_result_labels(r, i, &labels, &nl);
            pql_result_sample(r, i, &t, &v);
            rows[i].cells[0] = table_series_text(labels, nl);
            rows[i].cells[1] = table_value(v);
        }
        static const char *const head[] = {"SERIES", "VALUE"};
        table_print(out, head, 2, rows, n);
        free(rows);
        table_time(run->time_ms, when, sizeof when);
        fprintf(out, "(%zu series at %s)\n", n, when);
        break;
    }
    case PQL_RESULT_MATRIX: {
        table_row *rows = calloc(n ? n : 1, sizeof *rows);
        if (rows == NULL)
            return CLI_EXIT_FAIL;
        size_t nrows = 0;
        for (size_t i = 0; i < n; i++) {
            const pql_label *labels;
            size_t nl, np;
            const int64_t *ts;
            const double *vs;
            pql_result_labels(r, i, &labels, &nl);
            pql_result_points(r, i, &ts, &vs, &np);
            if (np == 0)
                continue;
            double lo = INFINITY, hi = -INFINITY;
            for (size_t k = 0; k < np; k++) {
                lo = vs[k] < lo ? vs[k] : lo;
                hi = vs[k] > hi ? vs[k] : hi;
            }
            table_row *row = &rows[nrows++];
            row->cells[0] = table_series_text(labels, nl);
            char buf[64];
            snprintf(buf, sizeof buf, "%zu", np);
            row->cells[1] = table_strdup(buf);
            row->cells[2] = table_value(lo);
            row->cells[3] = table_value(hi);
            row->cells[4] = table_value(vs[np - 1]);
            char spark[TABLE_SPARK_MAX * 4 + 8];
            if (run->is_range) {
                size_t steps = (size_t)((run->end_ms - run->start_ms) /
                                        run->step_ms) + 1;
                table_sparkline(spark, sizeof spark, ts, vs, np, run->start_ms,
                                run->step_ms, steps);
            } else {
                /* Raw samples of a range selector: one cell per sample. */
                int64_t step = np > 1 ? (ts[np - 1] - ts[0]) / (int64_t)(np - 1) : 1;
                table_sparkline(spark, sizeof spark, ts, vs, np, ts[0],
                                step > 0 ? step : 1, np);
            }
            row->cells[5] = table_strdup(spark);
        }
        static const char *const head[] = {"SERIES", "POINTS", "MIN", "MAX",
                                            "LAST", "SPARKLINE"};
        table_print(out, head, 6, rows, nrows);
        free(rows);
        if (run->is_range) {
            char a[64], b[64];
            table_time(run->start_ms, a, sizeof a);
            table_time(run->end_ms, b, sizeof b);
            fprintf(out, "(%zu series, %s to %s every %lldms)\n", nrows, a, b,
                    (long long)run->step_ms);
        } else {
            table_time(run->time_ms, when, sizeof when);
            fprintf(out, "(%zu series at %s)\n", nrows, when);
        }
        break;
    }
    }
    for (size_t i = 0; i < pql_result_warning_count(r); i++)
        fprintf(stderr, "warning: %s\n", pql_result_warning(r, i));
    for (size_t i = 0; i < pql_result_info_count(r); i++)
        fprintf(stderr, "info: %s\n", pql_result_info(r, i));
    return CLI_EXIT_OK;
}
