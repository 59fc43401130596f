/* util.c: memory, text buffers, durations, float comparison and formatting
 * shared by the runner. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promqltest.h"

/* ---------------------------------------------------------- allocation -- */

static void out_of_memory(void)
{
    fputs("promqltest: out of memory\n", stderr);
    exit(2);
}

void *pt_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *pt_xrealloc(void *p, size_t size)
{
    p = realloc(p, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

char *pt_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(pt_xmalloc(n), s, n);
}

/* Blocks are chained; big requests get a block of their own so that a
 * 100k-value load line does not waste a fixed block size. */
typedef struct pool_block {
    struct pool_block *next;
    size_t used, cap;
    max_align_t data[];
} pool_block;

struct pt_pool {
    pool_block *head;
};

#define POOL_BLOCK_BYTES (64 * 1024)

pt_pool *pt_pool_new(void)
{
    pt_pool *pool = pt_xmalloc(sizeof *pool);
    pool->head = NULL;
    return pool;
}

void pt_pool_free(pt_pool *pool)
{
    if (!pool)
        return;
    pool_block *b = pool->head;
    while (b) {
        pool_block *next = b->next;
        free(b);
        b = next;
    }
    free(pool);
}

void *pt_pool_alloc(pt_pool *pool, size_t size)
{
    size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    pool_block *b = pool->head;
    if (!b || b->cap - b->used < size) {
        size_t cap = size > POOL_BLOCK_BYTES / 4 ? size : POOL_BLOCK_BYTES;
        b = pt_xmalloc(sizeof *b + cap);
        b->used = 0;
        b->cap = cap;
        /* A dedicated big block goes second so the current small block
         * keeps serving small requests. */
        if (size == cap && pool->head) {
            b->next = pool->head->next;
            pool->head->next = b;
        } else {
            b->next = pool->head;
            pool->head = b;
        }
    }
    void *p = (char *)b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *pt_pool_strndup(pt_pool *pool, const char *s, size_t len)
{
    char *p = pt_pool_alloc(pool, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void *pt_pool_memdup(pt_pool *pool, const void *p, size_t size)
{
    void *q = pt_pool_alloc(pool, size);
    if (size)
        memcpy(q, p, size);
    return q;
}

/* ---------------------------------------------------------------- sbuf -- */

static void sbuf_reserve(sbuf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 128;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = pt_xrealloc(b->data, cap);
    b->cap = cap;
}

void pt_sbuf_append(sbuf *b, const char *s, size_t len)
{
    sbuf_reserve(b, len);
    memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void pt_sbuf_puts(sbuf *b, const char *s)
{
    pt_sbuf_append(b, s, strlen(s));
}

void pt_sbuf_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    sbuf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *pt_sbuf_take(sbuf *b)
{
    char *s = b->data ? b->data : pt_xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void pt_sbuf_free(sbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ----------------------------------------------------------- durations -- */

int pt_dur_parse(const char *s, size_t len, int64_t *ms, const char **why)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {
        {"y", 365ULL * 24 * 3600 * 1000000000ULL},
        {"w", 7ULL * 24 * 3600 * 1000000000ULL},
        {"d", 24ULL * 3600 * 1000000000ULL},
        {"h", 3600ULL * 1000000000ULL},
        {"m", 60ULL * 1000000000ULL},
        {"s", 1000000000ULL},
        {"ms", 1000000ULL},
    };
    const uint64_t max_ns = (1ULL << 63) - 1;
    if (len == 1 && s[0] == '0') {
        *ms = 0;
        return 0;
    }
    if (len == 0) {
        *why = "empty duration string";
        return -1;
    }
    uint64_t total = 0;
    size_t i = 0;
    int last_unit = -1;
    while (i < len) {
        if (!isdigit((unsigned char)s[i]))
            goto invalid;
        uint64_t v = 0;
        for (; i < len && isdigit((unsigned char)s[i]); i++) {
            if (v > (UINT64_MAX - 9) / 10)
                goto invalid;
            v = v * 10 + (uint64_t)(s[i] - '0');
        }
        size_t u = i;
        while (i < len && !isdigit((unsigned char)s[i]))
            i++;
        if (i == u)
            goto invalid;
        int unit = -1;
        for (int k = 0; k < 7; k++)
            if (strlen(units[k].name) == i - u &&
                memcmp(units[k].name, s + u, i - u) == 0)
                unit = k;
        if (unit < 0) {
            *why = "unknown unit in duration";
            return -1;
        }
        if (unit <= last_unit)
            goto invalid;
        last_unit = unit;
        if (v > (1ULL << 63) / units[unit].ns) {
            *why = "duration out of range";
            return -1;
        }
        total += v * units[unit].ns;
        if (total > max_ns) {
            *why = "duration out of range";
            return -1;
        }
    }
    *ms = (int64_t)(total / 1000000ULL);
    return 0;
invalid:
    *why = "not a valid duration string";
    return -1;
}

/* ---------------------------------------------------------- comparison -- */

int pt_almost_equal(double a, double b)
{
    const double epsilon = 1e-6;
    const double min_normal = 2.2250738585072014e-308;
    int stale_a = pql_is_stale_marker(a), stale_b = pql_is_stale_marker(b);
    if (stale_a || stale_b)
        return stale_a && stale_b;
    if (isnan(a) && isnan(b))
        return 1;
    if (a == b)
        return 1;
    double abs_sum = fabs(a) + fabs(b);
    double diff = fabs(a - b);
    if (a == 0 || b == 0 || abs_sum < min_normal)
        return diff < epsilon * min_normal;
    return diff / fmin(abs_sum, 1.7976931348623157e308) < epsilon;
}

int pt_labels_compare(const pql_label *a, size_t na, const pql_label *b,
                      size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        int c = strcmp(a[i].name, b[i].name);
        if (c)
            return c;
        c = strcmp(a[i].value, b[i].value);
        if (c)
            return c;
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
}

/* ---------------------------------------------------------- formatting -- */

void pt_fmt_float(sbuf *b, double v)
{
    if (pql_is_stale_marker(v)) {
        pt_sbuf_puts(b, "stale");
        return;
    }
    if (isnan(v)) {
        pt_sbuf_puts(b, "NaN");
        return;
    }
    if (isinf(v)) {
        pt_sbuf_puts(b, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    /* Shortest digits that read back as v, then Go's %v layout: plain
     * notation unless the exponent is < -4 or >= 6 (so 1e+06). */
    char buf[64];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    char *e = strchr(buf, 'e');
    int exp = atoi(e + 1);
    if (exp < -4 || exp >= 6) {
        /* Go writes at least two exponent digits, as C does. */
        pt_sbuf_puts(b, buf);
        return;
    }
    int decimals = prec - 1 - exp;
    snprintf(buf, sizeof buf, "%.*f", decimals > 0 ? decimals : 0, v);
    pt_sbuf_puts(b, buf);
}

static int is_metric_name(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_' || *s == ':'))
        return 0;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == ':'))
            return 0;
    return 1;
}

static int is_label_name(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

void pt_fmt_quoted(sbuf *b, const char *s)
{
    pt_sbuf_append(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"':
            pt_sbuf_puts(b, "\\\"");
            break;
        case '\\':
            pt_sbuf_puts(b, "\\\\");
            break;
        case '\n':
            pt_sbuf_puts(b, "\\n");
            break;
        case '\t':
            pt_sbuf_puts(b, "\\t");
            break;
        case '\r':
            pt_sbuf_puts(b, "\\r");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                pt_sbuf_printf(b, "\\x%02x", c);
            else
                pt_sbuf_append(b, (const char *)&c, 1);
        }
    }
    pt_sbuf_append(b, "\"", 1);
}

void pt_fmt_labels(sbuf *b, const pql_label *labels, size_t n)
{
    const char *name = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(labels[i].name, "__name__") == 0 &&
            is_metric_name(labels[i].value))
            name = labels[i].value;
    if (name)
        pt_sbuf_puts(b, name);
    if (name && n == 1)
        return; /* `up`, not `up{}` */
    pt_sbuf_append(b, "{", 1);
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (name && strcmp(labels[i].name, "__name__") == 0)
            continue;
        if (!first)
            pt_sbuf_puts(b, ", ");
        first = 0;
        if (is_label_name(labels[i].name))
            pt_sbuf_puts(b, labels[i].name);
        else
            pt_fmt_quoted(b, labels[i].name);
        pt_sbuf_append(b, "=", 1);
        pt_fmt_quoted(b, labels[i].value);
    }
    pt_sbuf_append(b, "}", 1);
}

void pt_fmt_at_time(sbuf *b, int64_t ms)
{
    uint64_t a = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    pt_sbuf_printf(b, "%s%llu.%03llu", ms < 0 ? "-" : "",
                   (unsigned long long)(a / 1000),
                   (unsigned long long)(a % 1000));
}

void pt_fmt_duration(sbuf *b, int64_t ms)
{
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {{"y", 365LL * 86400000},
                 {"w", 7LL * 86400000},
                 {"d", 86400000},
                 {"h", 3600000},
                 {"m", 60000},
                 {"s", 1000},
                 {"ms", 1}};
    if (ms == 0) {
        pt_sbuf_puts(b, "0s");
        return;
    }
    if (ms < 0) {
        pt_sbuf_append(b, "-", 1);
        ms = -ms;
    }
    for (int i = 0; i < 7; i++) {
        if (ms >= units[i].ms) {
            pt_sbuf_printf(b, "%lld%s", (long long)(ms / units[i].ms),
                           units[i].name);
            ms %= units[i].ms;
        }
    }
}

/* ------------------------------------------------------------- matching -- */

int pt_text_match_check(const text_match *m, const char *s)
{
    if (m->message)
        return strcmp(m->message, s) == 0;
    if (m->regex)
        return regexec(m->regex, s, 0, NULL, 0) == 0;
    return 1;
}

regex_t *pt_regex_compile(const char *pattern)
{
    int flags = REG_EXTENDED | REG_NOSUB;
    if (strncmp(pattern, "(?i)", 4) == 0) {
        flags |= REG_ICASE;
        pattern += 4;
    }
    /* POSIX ERE lacks RE2's \d; \s and \w are GNU extensions glibc has. */
    sbuf t = {0};
    for (const char *p = pattern; *p; p++) {
        if (p[0] == '\\' && p[1] == 'd') {
            pt_sbuf_puts(&t, "[0-9]");
            p++;
        } else if (p[0] == '\\' && p[1] == 'D') {
            pt_sbuf_puts(&t, "[^0-9]");
            p++;
        } else if (p[0] == '\\' && p[1]) {
            pt_sbuf_append(&t, p, 2);
            p++;
        } else {
            pt_sbuf_append(&t, p, 1);
        }
    }
    char *text = pt_sbuf_take(&t);
    regex_t *re = pt_xmalloc(sizeof *re);
    int rc = regcomp(re, text, flags);
    free(text);
    if (rc != 0) {
        free(re);
        return NULL;
    }
    return re;
}

void pt_regex_free(regex_t *re)
{
    if (!re)
        return;
    regfree(re);
    free(re);
}
