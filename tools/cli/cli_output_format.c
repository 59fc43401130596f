/* cli_output_format.c: number and series formatting shared by the query output writers, matching Go's strconv and Prometheus's JSON marshalling. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_output.h"
#include "float_shortest.h"

/* The shortest decimal digits of |v| (finite, non-zero) that read back as
 * v, and the exponent of the first digit: v = 0.d1d2d3... * 10^(exp+1). */
static void cli_shortest_digits(double v, char *digits, size_t cap, int *exp10)
{
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.*e", float_shortest_precision(v) - 1, fabs(v));
    size_t k = 0;
    const char *p = tmp;
    for (; *p && *p != 'e' && k + 1 < cap; p++)
        if (*p >= '0' && *p <= '9')
            digits[k++] = *p;
    /* %.*e never leaves trailing zeros that matter, but shortest output
     * must not have any (e.g. "1.0e+00" cannot happen, "1e+00" can). */
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    *exp10 = atoi(p + 1);
}

void cli_format_go_float(double v, char fmt, char *out, size_t cap)
{
    if (isnan(v)) {
        snprintf(out, cap, "NaN");
        return;
    }
    if (isinf(v)) {
        snprintf(out, cap, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    const char *sign = signbit(v) ? "-" : "";
    if (v == 0) {
        snprintf(out, cap, fmt == 'e' ? "%s0e+00" : "%s0", sign);
        return;
    }
    char d[32];
    int e;
    cli_shortest_digits(v, d, sizeof d, &e);
    size_t nd = strlen(d);
    if (fmt == 'g')
        fmt = (e < -4 || e >= 6) ? 'e' : 'f'; /* strconv's shortest %g */
    if (fmt == 'e') {
        snprintf(out, cap, "%s%c%s%se%c%02d", sign, d[0], nd > 1 ? "." : "",
                 d + 1, e < 0 ? '-' : '+', abs(e));
        return;
    }
    /* 'f' with the fewest digits. */
    size_t k = 0;
    char buf[400];
    k += (size_t)snprintf(buf + k, sizeof buf - k, "%s", sign);
    if (e < 0) {
        buf[k++] = '0';
        buf[k++] = '.';
        for (int z = 0; z < -e - 1; z++)
            buf[k++] = '0';
        memcpy(buf + k, d, nd);
        k += nd;
    } else {
        for (int i = 0; i <= e; i++)
            buf[k++] = (size_t)i < nd ? d[i] : '0';
        if (nd > (size_t)e + 1) {
            buf[k++] = '.';
            memcpy(buf + k, d + e + 1, nd - (size_t)e - 1);
            k += nd - (size_t)e - 1;
        }
    }
    buf[k] = '\0';
    snprintf(out, cap, "%s", buf);
}

void cli_format_value(double v, char *out, size_t cap)
{
    double a = fabs(v);
    cli_format_go_float(v, (a != 0 && (a < 1e-6 || a >= 1e21)) ? 'e' : 'f',
                        out, cap);
}

void cli_format_timestamp(int64_t t, char *out, size_t cap)
{
    const char *sign = "";
    uint64_t u = (uint64_t)t;
    if (t < 0) {
        sign = "-";
        u = 0 - u;
    }
    unsigned frac = (unsigned)(u % 1000);
    if (frac == 0)
        snprintf(out, cap, "%s%llu", sign, (unsigned long long)(u / 1000));
    else
        snprintf(out, cap, "%s%llu.%03u", sign, (unsigned long long)(u / 1000),
                 frac);
}

/* Writes a label value as a PromQL double-quoted string (Go %q-like). */
static void cli_write_quoted(FILE *out, const char *s)
{
    putc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            putc('\\', out);
            putc(ch, out);
        } else if (ch == '\n') {
            fputs("\\n", out);
        } else if (ch < 0x20 || ch == 0x7f) {
            fprintf(out, "\\x%02x", ch);
        } else {
            putc(ch, out);
        }
    }
    putc('"', out);
}

void cli_write_series_name(FILE *out, const pql_label *labels, size_t n)
{
    const char *name = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(labels[i].name, "__name__") == 0)
            name = labels[i].value;
    if (name != NULL)
        fputs(name, out);
    if (name != NULL && n == 1)
        return;
    putc('{', out);
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(labels[i].name, "__name__") == 0)
            continue;
        if (!first)
            fputs(", ", out);
        first = 0;
        fprintf(out, "%s=", labels[i].name);
        cli_write_quoted(out, labels[i].value);
    }
    putc('}', out);
}
