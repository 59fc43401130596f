/* loader_promqltest.c: reads the `load` blocks of promqltest scripts (series descriptions with `_`, `stale` and `a+bxN` expansions). */
#include <math.h>
#include <string.h>

#include "loader_internal.h"

/* One line may expand to at most this many positions, and a whole load to
 * pql_load_options.max_samples: enough for any test, and a typo like
 * `1x99999999999` (or many lines of big expansions) cannot eat all memory. */
#define PT_MAX_VALUES 50000000ull

static int pt_is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

static int pt_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* An unsigned PromQL number at s: decimal float, 0x hex integer, Inf or NaN.
 * Returns its length (0 when none) and the value. */
static size_t pt_scan_number(const char *s, size_t len, double *v)
{
    size_t i = 0;
    if (len >= 3 && (s[0] == 'I' || s[0] == 'i') && (s[1] == 'n' || s[1] == 'N') &&
        (s[2] == 'f' || s[2] == 'F')) {
        *v = INFINITY;
        return 3;
    }
    if (len >= 3 && (s[0] == 'N' || s[0] == 'n') && (s[1] == 'a' || s[1] == 'A') &&
        (s[2] == 'N' || s[2] == 'n')) {
        *v = NAN;
        return 3;
    }
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        double r = 0;
        i = 2;
        while (i < len && ((s[i] >= '0' && s[i] <= '9') ||
                           ((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f'))) {
            int d = s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10;
            r = r * 16 + d;
            i++;
        }
        if (i == 2)
            return 0;
        *v = r;
        return i;
    }
    size_t digits = 0;
    while (i < len && pt_is_digit(s[i]))
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && pt_is_digit(s[i]))
            i++, digits++;
    }
    if (digits == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < len && pt_is_digit(s[j])) {
            while (j < len && pt_is_digit(s[j]))
                j++;
            i = j;
        }
    }
    if (load_parse_float(s, i, v) != 0)
        return 0;
    return i;
}

/* `x<N>` at s; returns its length or 0. */
static size_t pt_scan_times(const char *s, size_t len, uint64_t *n)
{
    if (len < 2 || s[0] != 'x' || !pt_is_digit(s[1]))
        return 0;
    size_t i = 1;
    uint64_t v = 0;
    while (i < len && pt_is_digit(s[i])) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > PT_MAX_VALUES)
            v = PT_MAX_VALUES + 1; /* refused by the caller */
        i++;
    }
    *n = v;
    return i;
}

/* Adds `count` samples starting at position *k (each k*gap); omitted
 * positions only advance *k. */
static int pt_emit(load_ctx *c, long idx, uint64_t *k, uint64_t count,
                   int omitted, double a, double b, const char *at)
{
    if (*k + count > PT_MAX_VALUES)
        return load_fail_at(c, at, "too many values on one line (more than "
                                   "%llu)",
                            (unsigned long long)PT_MAX_VALUES);
    if (c->st.expanded + count > c->max_samples)
        return load_fail_at(c, at, "too many values in one load (more than "
                                   "%llu)",
                            (unsigned long long)c->max_samples);
    c->st.expanded += count;
    for (uint64_t j = 0; j < count; j++, (*k)++) {
        if (omitted)
            continue;
        if (c->st.gap_ms > 0 && *k > (uint64_t)(INT64_MAX / c->st.gap_ms))
            return load_fail_at(c, at, "sample time out of range (position %llu of interval %lld ms)",
                                (unsigned long long)*k, (long long)c->st.gap_ms);
        int64_t t = (int64_t)*k * c->st.gap_ms;
        if (load_sample(c, idx, t, a, at))
            return -1;
        a += b; /* repeated addition, as Prometheus accumulates */
    }
    return 0;
}

static int pt_series_line(load_ctx *c, const char *s, size_t len)
{
    char g[64];
    size_t used = load_read_promql_series(c, s, len);
    if (used == 0)
        return -1;
    long idx = load_series_intern(c, 0, s, used, s);
    if (idx < 0)
        return -1;
    size_t i = used;
    if (i < len && !pt_is_space(s[i]))
        return load_fail_at(c, s + i, "expected a blank after the series, got "
                                      "%s",
                            load_quote(s + i, 1, g, sizeof g));
    uint64_t k = 0;
    for (;;) {
        while (i < len && pt_is_space(s[i]))
            i++;
        if (i >= len)
            break;
        const char *item = s + i;
        size_t end = i;
        while (end < len && !pt_is_space(s[end]))
            end++;
        const char *p = item;
        size_t n = end - i;
        uint64_t times;
        if (p[0] == '_') {
            size_t t = pt_scan_times(p + 1, n - 1, &times);
            if (1 + t != n)
                goto bad;
            if (pt_emit(c, idx, &k, t ? times : 1, 1, 0, 0, item))
                return -1;
        } else if (n == 5 && memcmp(p, "stale", 5) == 0) {
            if (pt_emit(c, idx, &k, 1, 0, pql_stale_marker(), 0, item))
                return -1;
        } else if (n >= 2 && p[0] == '{' && p[1] == '{') {
            return load_fail_at(c, item, "native histogram samples are not "
                                         "supported by the in-memory store");
        } else {
            size_t j = 0;
            int neg = 0;
            if (p[0] == '+' || p[0] == '-') {
                neg = p[0] == '-';
                j = 1;
            }
            double a, b = 0;
            size_t m = pt_scan_number(p + j, n - j, &a);
            if (m == 0)
                goto bad;
            if (neg)
                a = -a;
            j += m;
            uint64_t count = 1;
            if (j < n && p[j] == 'x') {
                size_t t = pt_scan_times(p + j, n - j, &times);
                if (t == 0)
                    goto bad;
                j += t;
                count = times + 1;
            } else if (j < n && (p[j] == '+' || p[j] == '-')) {
                int bneg = p[j] == '-';
                m = pt_scan_number(p + j + 1, n - j - 1, &b);
                if (m == 0)
                    goto bad;
                if (bneg)
                    b = -b;
                j += 1 + m;
                size_t t = pt_scan_times(p + j, n - j, &times);
                if (t == 0)
                    goto bad;
                j += t;
                count = times + 1;
            }
            if (j != n)
                goto bad;
            if (pt_emit(c, idx, &k, count, 0, a, b, item))
                return -1;
        }
        i = end;
        continue;
    bad:
        return load_fail_at(c, item, "expected a series value (a number, "
                                     "\"_\", \"stale\", \"a+bxN\", \"axN\" or "
                                     "\"_xN\"), got %s",
                            load_quote(item, n, g, sizeof g));
    }
    return 0;
}

int load_promqltest_line(load_ctx *c)
{
    const char *s = c->line;
    size_t len = c->line_len;
    /* Lines are trimmed and comments are blank, as the test runner reads
     * them; a blank line ends a block. */
    size_t lead = 0;
    while (lead < len && pt_is_space(s[lead]))
        lead++;
    while (len > lead && pt_is_space(s[len - 1]))
        len--;
    if (lead == len || s[lead] == '#') {
        c->st.in_load = 0;
        return 0;
    }
    s += lead;
    len -= lead;
    if (c->st.in_load == 1)
        return pt_series_line(c, s, len);
    if (c->st.in_load == 2)
        return 0; /* the body of another command */
    if (len >= 4 && memcmp(s, "load", 4) == 0 &&
        (len == 4 || pt_is_space(s[4]) || s[4] == '_')) {
        size_t i = 4;
        if (i < len && s[i] == '_')
            return load_fail_at(c, s + i, "only plain \"load\" blocks are "
                                          "supported (native histograms are "
                                          "not)");
        while (i < len && pt_is_space(s[i]))
            i++;
        if (i == 4 || i >= len)
            return load_fail_at(c, s + i, "expected \"load <interval>\"");
        int64_t gap;
        if (load_parse_duration(s + i, len - i, &gap) != 0) {
            char g[64];
            return load_fail_at(c, s + i, "expected an interval like 15s or "
                                          "1m, got %s",
                                load_quote(s + i, len - i, g, sizeof g));
        }
        c->st.gap_ms = gap;
        c->st.in_load = 1;
        return 0;
    }
    if (len == 5 && memcmp(s, "clear", 5) == 0)
        return load_fail_at(c, s, "\"clear\" is not supported when loading "
                                  "a script into one store");
    c->st.in_load = 2; /* eval and friends: skip up to the next blank line */
    return 0;
}
