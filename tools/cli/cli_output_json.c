/* cli_output_json.c: writes a query's answer byte for byte as the body of Prometheus's /api/v1/query and /api/v1/query_range. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_output.h"

/* Length of the well-formed UTF-8 sequence at s, or 0 (as Go decodes). */
static size_t json_utf8_len(const unsigned char *s, size_t avail, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t r;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        r = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        r = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        r = c & 0x07u;
    } else {
        return 0;
    }
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0u) != 0x80u)
            return 0;
        r = (r << 6) | (s[i] & 0x3Fu);
    }
    if ((n == 3 && r < 0x800) || (n == 4 && r < 0x10000) || r > 0x10FFFF ||
        (r >= 0xD800 && r <= 0xDFFF))
        return 0;
    *cp = r;
    return n;
}

/*
 * A JSON string as Prometheus's encoder (jsoniter, standard-library
 * compatible) writes it: \" \\ \n \r \t, other control bytes as \u00xx, HTML
 * characters < > & as \u003c \u003e \u0026, U+2028/U+2029 escaped, and each
 * byte of invalid UTF-8 as \ufffd.
 */
static void json_string(FILE *out, const char *str)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t len = strlen(str);
    putc('"', out);
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' &&
            c != '>' && c != '&') {
            putc(c, out);
            i++;
            continue;
        }
        if (c < 0x80) {
            switch (c) {
            case '"':
                fputs("\\\"", out);
                break;
            case '\\':
                fputs("\\\\", out);
                break;
            case '\n':
                fputs("\\n", out);
                break;
            case '\r':
                fputs("\\r", out);
                break;
            case '\t':
                fputs("\\t", out);
                break;
            default:
                fprintf(out, "\\u00%c%c", hex[c >> 4], hex[c & 0xF]);
            }
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = json_utf8_len(s + i, len - i, &cp);
        if (n == 0) {
            fputs("\\ufffd", out);
            i++;
        } else if (cp == 0x2028 || cp == 0x2029) {
            fprintf(out, "\\u202%c", cp == 0x2028 ? '8' : '9');
            i += n;
        } else {
            fwrite(s + i, 1, n, out);
            i += n;
        }
    }
    putc('"', out);
}

static void json_metric(FILE *out, const pql_label *labels, size_t n)
{
    fputs("{\"metric\":{", out);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            putc(',', out);
        json_string(out, labels[i].name);
        putc(':', out);
        json_string(out, labels[i].value);
    }
    putc('}', out);
}

/* [<timestamp>,"<value>"] */
static void json_point(FILE *out, int64_t t, double v)
{
    char ts[32], val[400];
    cli_format_timestamp(t, ts, sizeof ts);
    cli_format_value(v, val, sizeof val);
    fprintf(out, "[%s,\"%s\"]", ts, val);
}

/* A float64 as encoding/json writes it: shortest 'f', 'e' outside
 * [1e-6, 1e21) with a one-digit negative exponent ("1e-7"). */
static void json_float(FILE *out, double v)
{
    char buf[400];
    double a = fabs(v);
    int e = a != 0 && (a < 1e-6 || a >= 1e21);
    cli_format_go_float(v, e ? 'e' : 'f', buf, sizeof buf);
    size_t n = strlen(buf);
    if (e && n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' &&
        buf[n - 2] == '0') {
        buf[n - 2] = buf[n - 1];
        buf[n - 1] = '\0';
    }
    fputs(buf, out);
}

/* float64(t)/1000 through encoding/json. */
static void json_seconds(FILE *out, int64_t t)
{
    json_float(out, (double)t / 1000.0);
}

/* A timing in seconds; Go's durations are whole nanoseconds. */
static void json_timing(FILE *out, double seconds)
{
    json_float(out, round(seconds * 1e9) / 1e9);
}

static void json_result(FILE *out, const pql_result *r)
{
    int64_t t;
    double v;
    switch (pql_result_get_type(r)) {
    case PQL_RESULT_SCALAR: {
        /* Scalars and strings go through their own MarshalJSON: the time
         * as float64(t)/1000 and the value in 'f' form throughout. */
        char val[400];
        fputs("\"resultType\":\"scalar\",\"result\":[", out);
        pql_result_scalar(r, &t, &v);
        json_seconds(out, t);
        cli_format_go_float(v, 'f', val, sizeof val);
        fprintf(out, ",\"%s\"]", val);
        return;
    }
    case PQL_RESULT_STRING: {
        fputs("\"resultType\":\"string\",\"result\":[", out);
        const char *s = pql_result_string(r, &t);
        json_seconds(out, t);
        putc(',', out);
        json_string(out, s ? s : "");
        putc(']', out);
        return;
    }
    case PQL_RESULT_VECTOR:
        fputs("\"resultType\":\"vector\",\"result\":[", out);
        for (size_t i = 0; i < pql_result_series_count(r); i++) {
            const pql_label *labels;
            size_t n;
            pql_result_labels(r, i, &labels, &n);
            pql_result_sample(r, i, &t, &v);
            if (i > 0)
                putc(',', out);
            json_metric(out, labels, n);
            fputs(",\"value\":", out);
            json_point(out, t, v);
            putc('}', out);
        }
        putc(']', out);
        return;
    case PQL_RESULT_MATRIX: {
        fputs("\"resultType\":\"matrix\",\"result\":[", out);
        int first = 1;
        for (size_t i = 0; i < pql_result_series_count(r); i++) {
            const pql_label *labels;
            size_t n, np;
            const int64_t *ts;
            const double *vs;
            pql_result_labels(r, i, &labels, &n);
            pql_result_points(r, i, &ts, &vs, &np);
            if (np == 0)
                continue; /* Prometheus never returns an empty series */
            if (!first)
                putc(',', out);
            first = 0;
            json_metric(out, labels, n);
            fputs(",\"values\":[", out);
            for (size_t k = 0; k < np; k++) {
                if (k > 0)
                    putc(',', out);
                json_point(out, ts[k], vs[k]);
            }
            fputs("]}", out);
        }
        putc(']', out);
        return;
    }
    }
    fputs("\"resultType\":\"vector\",\"result\":[]", out);
}

/* The stats object of ?stats=all (without the per-step sample counts, which
 * the engine does not keep). */
static void json_stats(FILE *out, const pql_result *r)
{
    pql_query_stats st;
    memset(&st, 0, sizeof st);
    pql_result_stats(r, &st);
    double eval_total = st.prepare_seconds + st.eval_seconds;
    fputs(",\"stats\":{\"timings\":{\"evalTotalTime\":", out);
    json_timing(out, eval_total);
    fputs(",\"resultSortTime\":0,\"queryPreparationTime\":", out);
    json_timing(out, st.prepare_seconds);
    fputs(",\"innerEvalTime\":", out);
    json_timing(out, st.eval_seconds);
    fputs(",\"execQueueTime\":0,\"execTotalTime\":", out);
    json_timing(out, eval_total + st.parse_seconds);
    fprintf(out,
            "},\"samples\":{\"totalQueryableSamples\":%lld,\"peakSamples\":"
            "%lld}}",
            (long long)st.total_samples, (long long)st.peak_samples);
}

static void json_string_array(FILE *out, const char *key, const pql_result *r,
                              size_t n,
                              const char *(*get)(const pql_result *, size_t))
{
    if (n == 0)
        return;
    fprintf(out, ",\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            putc(',', out);
        const char *s = get(r, i);
        json_string(out, s ? s : "");
    }
    putc(']', out);
}

int cli_output_json(FILE *out, const cli_query_run *run)
{
    if (run->result == NULL) {
        fputs("{\"status\":\"error\",\"errorType\":", out);
        json_string(out, run->error_type);
        fputs(",\"error\":", out);
        json_string(out, run->error);
        fputs("}\n", out);
        return CLI_EXIT_FAIL;
    }
    const pql_result *r = run->result;
    fputs("{\"status\":\"success\",\"data\":{", out);
    json_result(out, r);
    if (run->stats)
        json_stats(out, r);
    putc('}', out);
    json_string_array(out, "warnings", r, pql_result_warning_count(r),
                      pql_result_warning);
    json_string_array(out, "infos", r, pql_result_info_count(r),
                      pql_result_info);
    fputs("}\n", out);
    return CLI_EXIT_OK;
}
