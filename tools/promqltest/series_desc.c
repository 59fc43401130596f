/* series_desc.c: parses series descriptions (`metric{a="b"} 1+2x3 _ stale
 * {{...}}`), @st sequences and literal expectations. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "promqltest.h"

/* Values are collected in a growable array, then copied into the pool. */
typedef struct value_list {
    seq_value *v;
    size_t n, cap;
} value_list;

static void values_push(value_list *l, seq_value v)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = pt_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = v;
}

static int fail(char *err, size_t cap, const char *fmt, const char *a,
                size_t alen)
{
    /* Every message quotes at most one piece of the input. */
    char piece[128];
    size_t n = alen < sizeof piece - 1 ? alen : sizeof piece - 1;
    memcpy(piece, a ? a : "", a ? n : 0);
    piece[a ? n : 0] = '\0';
    snprintf(err, cap, fmt, piece);
    return -1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ------------------------------------------------------------- strings -- */

static void put_utf8(sbuf *b, unsigned long r)
{
    char out[4];
    size_t n;
    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        r = 0xFFFD;
    if (r < 0x80) {
        out[0] = (char)r;
        n = 1;
    } else if (r < 0x800) {
        out[0] = (char)(0xC0 | (r >> 6));
        out[1] = (char)(0x80 | (r & 0x3F));
        n = 2;
    } else if (r < 0x10000) {
        out[0] = (char)(0xE0 | (r >> 12));
        out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
        out[2] = (char)(0x80 | (r & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (r >> 18));
        out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
        out[3] = (char)(0x80 | (r & 0x3F));
        n = 4;
    }
    pt_sbuf_append(b, out, n);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Reads a quoted literal starting at s[*pos] (", ' or `) with Go escapes,
 * as PromQL string literals are written. Appends the value to out and moves
 * *pos past the closing quote. Returns 0, or -1 on a malformed literal.
 */
static int read_quoted(const char *s, size_t len, size_t *pos, sbuf *out,
                       size_t *runes)
{
    char q = s[*pos];
    size_t i = *pos + 1;
    *runes = 0;
    if (q == '`') {
        for (; i < len && s[i] != '`'; i++)
            if (s[i] != '\r')
                pt_sbuf_append(out, s + i, 1);
        if (i >= len)
            return -1;
        *pos = i + 1;
        *runes = 2; /* raw strings are never rune literals */
        return 0;
    }
    while (i < len && s[i] != q) {
        if (s[i] == '\n')
            return -1;
        (*runes)++;
        if (s[i] != '\\') {
            /* Count a multi-byte UTF-8 sequence as one rune. */
            size_t start = i++;
            while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
                i++;
            pt_sbuf_append(out, s + start, i - start);
            continue;
        }
        if (++i >= len)
            return -1;
        char c = s[i++];
        switch (c) {
        case 'a':
            pt_sbuf_append(out, "\a", 1);
            break;
        case 'b':
            pt_sbuf_append(out, "\b", 1);
            break;
        case 'f':
            pt_sbuf_append(out, "\f", 1);
            break;
        case 'n':
            pt_sbuf_append(out, "\n", 1);
            break;
        case 'r':
            pt_sbuf_append(out, "\r", 1);
            break;
        case 't':
            pt_sbuf_append(out, "\t", 1);
            break;
        case 'v':
            pt_sbuf_append(out, "\v", 1);
            break;
        case '\\':
            pt_sbuf_append(out, "\\", 1);
            break;
        case '\'':
        case '"':
            if (c != q)
                return -1;
            pt_sbuf_append(out, &c, 1);
            break;
        case 'x':
        case 'u':
        case 'U': {
            int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            unsigned long r = 0;
            for (int k = 0; k < digits; k++, i++) {
                int h = i < len ? hex_value(s[i]) : -1;
                if (h < 0)
                    return -1;
                r = r * 16 + (unsigned long)h;
            }
            if (c == 'x') {
                char byte = (char)r;
                pt_sbuf_append(out, &byte, 1);
            } else {
                if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
                    return -1;
                put_utf8(out, r);
            }
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                unsigned v = (unsigned)(c - '0');
                for (int k = 0; k < 2; k++, i++) {
                    if (i >= len || s[i] < '0' || s[i] > '7')
                        return -1;
                    v = v * 8 + (unsigned)(s[i] - '0');
                }
                if (v > 255)
                    return -1;
                char byte = (char)v;
                pt_sbuf_append(out, &byte, 1);
                break;
            }
            return -1;
        }
    }
    if (i >= len)
        return -1;
    *pos = i + 1;
    return 0;
}

int pt_desc_unquote(const char *s, size_t len, pt_pool *pool, const char **out,
                    size_t *out_len)
{
    if (len < 2 || (s[0] != '"' && s[0] != '\'' && s[0] != '`') ||
        s[len - 1] != s[0])
        return -1;
    sbuf b = {0};
    size_t pos = 0, runes;
    if (read_quoted(s, len, &pos, &b, &runes) != 0 || pos != len ||
        (s[0] == '\'' && runes != 1)) {
        pt_sbuf_free(&b);
        return -1;
    }
    *out_len = b.len;
    *out = pt_pool_strndup(pool, b.data ? b.data : "", b.len);
    pt_sbuf_free(&b);
    return 0;
}

/* -------------------------------------------------------------- labels -- */

static int is_name_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || c == ':';
}

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == ':';
}

static int label_cmp(const void *a, const void *b)
{
    return strcmp(((const pql_label *)a)->name, ((const pql_label *)b)->name);
}

typedef struct label_list {
    pql_label v[64];
    size_t n;
} label_list;

static int labels_add(label_list *l, pt_pool *pool, const char *name,
                      size_t nlen, const char *value, size_t vlen, char *err,
                      size_t cap)
{
    if (l->n == sizeof l->v / sizeof l->v[0])
        return fail(err, cap, "too many labels in %s", "series", 6);
    l->v[l->n].name = pt_pool_strndup(pool, name, nlen);
    l->v[l->n].value = pt_pool_strndup(pool, value, vlen);
    l->n++;
    return 0;
}

/* Parses `name{...}` at s[*pos]; stops after the closing brace or name. */
static int parse_series_part(const char *s, size_t len, size_t *pos,
                             pt_pool *pool, series_desc *out, char *err,
                             size_t cap)
{
    label_list l;
    l.n = 0;
    size_t i = *pos;
    sbuf tmp = {0}, tmp2 = {0};
    int rc = -1;
    if (i < len && is_name_start(s[i])) {
        size_t start = i;
        while (i < len && is_name_char(s[i]))
            i++;
        if (labels_add(&l, pool, "__name__", 8, s + start, i - start, err, cap))
            goto done;
    }
    if (i < len && s[i] == '{') {
        i++;
        for (;;) {
            while (i < len && is_space(s[i]))
                i++;
            if (i < len && s[i] == '}') {
                i++;
                break;
            }
            /* A label name, quoted or bare, or a quoted metric name. */
            const char *name;
            size_t nlen;
            size_t runes;
            int quoted = 0;
            tmp.len = 0;
            if (i < len && (s[i] == '"' || s[i] == '\'' || s[i] == '`')) {
                quoted = 1;
                if (read_quoted(s, len, &i, &tmp, &runes)) {
                    fail(err, cap, "unterminated quoted string in %s", s, len);
                    goto done;
                }
                name = tmp.data ? tmp.data : "";
                nlen = tmp.len;
            } else if (i < len &&
                       (isalpha((unsigned char)s[i]) || s[i] == '_')) {
                size_t start = i;
                while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
                    i++;
                name = s + start;
                nlen = i - start;
            } else {
                fail(err, cap, "unexpected character in label set: %s", s + i,
                     len - i);
                goto done;
            }
            while (i < len && is_space(s[i]))
                i++;
            if (i < len && s[i] == '=') {
                i++;
                while (i < len && is_space(s[i]))
                    i++;
                tmp2.len = 0;
                if (i >= len || (s[i] != '"' && s[i] != '\'' && s[i] != '`') ||
                    read_quoted(s, len, &i, &tmp2, &runes)) {
                    fail(err, cap, "expected a quoted label value in %s", s,
                         len);
                    goto done;
                }
                if (labels_add(&l, pool, name, nlen, tmp2.data ? tmp2.data : "",
                               tmp2.len, err, cap))
                    goto done;
            } else if (quoted) {
                /* `{"metric.name", ...}`: a lone quoted string is the name. */
                if (labels_add(&l, pool, "__name__", 8, name, nlen, err, cap))
                    goto done;
            } else {
                fail(err, cap, "expected '=' after label name in %s", s, len);
                goto done;
            }
            while (i < len && is_space(s[i]))
                i++;
            if (i < len && s[i] == ',') {
                i++;
                continue;
            }
            if (i < len && s[i] == '}') {
                i++;
                break;
            }
            fail(err, cap, "unexpected end of label set in %s", s, len);
            goto done;
        }
    } else if (l.n == 0) {
        fail(err, cap, "missing series name or label set in %s", s, len);
        goto done;
    }
    /* Empty values mean "no such label", as in storage. */
    size_t k = 0;
    for (size_t j = 0; j < l.n; j++)
        if (l.v[j].value[0])
            l.v[k++] = l.v[j];
    l.n = k;
    qsort(l.v, l.n, sizeof l.v[0], label_cmp);
    for (size_t j = 1; j < l.n; j++)
        if (strcmp(l.v[j].name, l.v[j - 1].name) == 0) {
            fail(err, cap, "duplicate label name %s", l.v[j].name,
                 strlen(l.v[j].name));
            goto done;
        }
    out->labels = pt_pool_memdup(pool, l.v, l.n * sizeof l.v[0]);
    out->n_labels = l.n;
    *pos = i;
    rc = 0;
done:
    pt_sbuf_free(&tmp);
    pt_sbuf_free(&tmp2);
    return rc;
}

int pt_desc_parse_labels(const char *s, size_t len, pt_pool *pool,
                         series_desc *out, char *err, size_t cap)
{
    size_t pos = 0;
    memset(out, 0, sizeof *out);
    if (parse_series_part(s, len, &pos, pool, out, err, cap))
        return -1;
    if (pos != len)
        return fail(err, cap, "unexpected text after series: %s", s + pos,
                    len - pos);
    return 0;
}

/* -------------------------------------------------------------- values -- */

/* A decimal number or Inf/NaN without sign; returns its length or 0. */
static size_t scan_unsigned_number(const char *s, size_t len, double *v)
{
    size_t i = 0;
    if (i < len && isalpha((unsigned char)s[i])) {
        size_t start = i;
        while (i < len && isalpha((unsigned char)s[i]))
            i++;
        /* The letters may run into the repetition `x`: `Infx3`. */
        size_t n = i - start;
        if (n > 1 && (s[i - 1] == 'x') && i < len &&
            isdigit((unsigned char)s[i]))
            n--;
        if ((n == 3 && strncasecmp(s, "inf", 3) == 0) ||
            (n == 8 && strncasecmp(s, "infinity", 8) == 0)) {
            *v = INFINITY;
            return n;
        }
        if (n == 3 && strncasecmp(s, "nan", 3) == 0) {
            *v = NAN;
            return n;
        }
        return 0;
    }
    size_t digits = 0;
    while (i < len && isdigit((unsigned char)s[i]))
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && isdigit((unsigned char)s[i]))
            i++, digits++;
    }
    if (!digits)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < len && isdigit((unsigned char)s[j])) {
            while (j < len && isdigit((unsigned char)s[j]))
                j++;
            i = j;
        }
    }
    char buf[128];
    if (i >= sizeof buf)
        return 0;
    memcpy(buf, s, i);
    buf[i] = '\0';
    *v = strtod(buf, NULL);
    return i;
}

static size_t scan_signed_number(const char *s, size_t len, double *v)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    size_t n = scan_unsigned_number(s + i, len - i, v);
    if (!n)
        return 0;
    if (neg)
        *v = -*v;
    return i + n;
}

/* `x<uint>` at s; returns its length or 0. */
static size_t scan_times(const char *s, size_t len, uint64_t *n)
{
    if (len < 2 || s[0] != 'x' || !isdigit((unsigned char)s[1]))
        return 0;
    size_t i = 1;
    uint64_t v = 0;
    while (i < len && isdigit((unsigned char)s[i])) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > 100000000)
            return 0; /* no test needs that many values; refuse runaway */
        i++;
    }
    *n = v;
    return i;
}

/* Validates one `{{...}}` histogram at s; returns its length or 0. */
static size_t scan_histogram(const char *s, size_t len, char *err, size_t cap)
{
    static const char *keys[] = {"schema",
                                 "sum",
                                 "count",
                                 "z_bucket",
                                 "z_bucket_w",
                                 "buckets",
                                 "offset",
                                 "n_buckets",
                                 "n_offset",
                                 "custom_values",
                                 "counter_reset_hint"};
    int seen[11] = {0};
    if (len < 4 || s[0] != '{' || s[1] != '{')
        return 0;
    size_t i = 2;
    for (;;) {
        if (i + 1 < len && s[i] == '}' && s[i + 1] == '}')
            return i + 2;
        if (i >= len)
            break;
        size_t start = i;
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
            i++;
        if (i == start || i >= len || s[i] != ':') {
            fail(err, cap, "bad histogram descriptor found: \"%s\"", s + start,
                 i - start ? i - start : 1);
            return 0;
        }
        int key = -1;
        for (int k = 0; k < 11; k++)
            if (strlen(keys[k]) == i - start &&
                strncasecmp(keys[k], s + start, i - start) == 0)
                key = k;
        if (key < 0) {
            fail(err, cap, "bad histogram descriptor found: \"%s\"", s + start,
                 i - start);
            return 0;
        }
        if (seen[key]++) {
            fail(err, cap, "duplicate key \"%s\" in histogram", keys[key],
                 strlen(keys[key]));
            return 0;
        }
        i++; /* ':' */
        double v;
        if (key == 5 || key == 7 || key == 9) {
            if (i >= len || s[i] != '[') {
                fail(err, cap, "expected a bucket list in histogram %s", s,
                     len);
                return 0;
            }
            i++;
            for (;;) {
                while (i < len && s[i] == ' ')
                    i++;
                if (i < len && s[i] == ']') {
                    i++;
                    break;
                }
                size_t n = scan_signed_number(s + i, len - i, &v);
                if (!n) {
                    fail(err, cap, "bad bucket value in histogram %s", s, len);
                    return 0;
                }
                i += n;
            }
        } else if (key == 10) {
            size_t w = i;
            while (i < len && (isalpha((unsigned char)s[i]) || s[i] == '_'))
                i++;
            if (!((i - w == 7 && strncmp(s + w, "unknown", 7) == 0) ||
                  (i - w == 5 && strncmp(s + w, "reset", 5) == 0) ||
                  (i - w == 9 && strncmp(s + w, "not_reset", 9) == 0) ||
                  (i - w == 5 && strncmp(s + w, "gauge", 5) == 0))) {
                fail(err, cap, "bad counter_reset_hint in histogram %s", s,
                     len);
                return 0;
            }
        } else {
            size_t n = scan_signed_number(s + i, len - i, &v);
            if (!n) {
                fail(err, cap, "bad value for histogram key %s", keys[key],
                     strlen(keys[key]));
                return 0;
            }
            i += n;
        }
        /* Items are separated by one or more blanks; a blank may precede }}. */
        if (i < len && s[i] == ' ') {
            while (i < len && s[i] == ' ')
                i++;
        } else if (!(i + 1 < len && s[i] == '}' && s[i + 1] == '}')) {
            fail(err, cap, "unexpected \"%s\" in series values", s + i, 1);
            return 0;
        }
    }
    fail(err, cap, "unterminated histogram %s", s, len);
    return 0;
}

/* Parses one value item at s (up to the next blank outside {{ }}). */
static int parse_item(const char *s, size_t len, size_t *used, value_list *vals,
                      int *has_hist, char *err, size_t cap)
{
    size_t i = 0;
    uint64_t times;
    seq_value sv = {0};
    if (s[0] == '_') {
        i = 1;
        size_t t = scan_times(s + i, len - i, &times);
        sv.kind = SV_OMITTED;
        if (t) {
            i += t;
            for (uint64_t k = 0; k < times; k++)
                values_push(vals, sv);
        } else {
            values_push(vals, sv);
        }
    } else if (len >= 5 && strncmp(s, "stale", 5) == 0 &&
               (len == 5 || is_space(s[5]))) {
        i = 5;
        sv.value = pql_stale_marker();
        values_push(vals, sv);
    } else if (len >= 2 && s[0] == '{' && s[1] == '{') {
        size_t h = scan_histogram(s, len, err, cap);
        if (!h)
            return -1;
        i = h;
        uint64_t n = 0;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            size_t d = scan_histogram(s + i + 1, len - i - 1, err, cap);
            if (!d)
                return -1;
            i += 1 + d;
            size_t t = scan_times(s + i, len - i, &n);
            if (!t)
                return fail(err, cap, "missing repetition after histogram %s",
                            s, len);
            i += t;
        } else {
            i += scan_times(s + i, len - i, &n);
        }
        sv.kind = SV_HISTOGRAM;
        sv.value = 0;
        for (uint64_t k = 0; k <= n; k++)
            values_push(vals, sv);
        *has_hist = 1;
        /* The text is pinned by the caller, which knows the pool. */
        for (uint64_t k = 0; k <= n; k++) {
            vals->v[vals->n - 1 - k].hist = s;
            vals->v[vals->n - 1 - k].hist_len = (uint32_t)i;
        }
    } else {
        double a, b;
        size_t n = scan_signed_number(s, len, &a);
        if (!n)
            goto bad;
        i = n;
        size_t t = scan_times(s + i, len - i, &times);
        if (t) {
            i += t;
            sv.value = a;
            for (uint64_t k = 0; k <= times; k++)
                values_push(vals, sv);
        } else if (i < len && (s[i] == '+' || s[i] == '-')) {
            int neg = s[i] == '-';
            size_t m = scan_unsigned_number(s + i + 1, len - i - 1, &b);
            if (!m)
                goto bad;
            i += 1 + m;
            t = scan_times(s + i, len - i, &times);
            if (!t)
                goto bad;
            i += t;
            if (neg)
                b = -b;
            /* Repeated addition, as upstream accumulates (not a + k*b). */
            for (uint64_t k = 0; k <= times; k++) {
                sv.value = a;
                values_push(vals, sv);
                a += b;
            }
        } else {
            sv.value = a;
            values_push(vals, sv);
        }
    }
    if (i < len && !is_space(s[i]))
        goto bad;
    *used = i;
    return 0;
bad : {
    size_t end = 0;
    while (end < len && !is_space(s[end]))
        end++;
    return fail(err, cap, "bad series value \"%s\"", s, end);
}
}

int pt_desc_parse(const char *line, size_t len, pt_pool *pool, series_desc *out,
                  char *err, size_t cap)
{
    size_t pos = 0;
    memset(out, 0, sizeof *out);
    if (parse_series_part(line, len, &pos, pool, out, err, cap))
        return -1;
    if (pos < len && !is_space(line[pos]))
        return fail(err, cap, "unexpected text after series: %s", line + pos,
                    len - pos);
    value_list vals = {0};
    int has_hist = 0;
    for (;;) {
        while (pos < len && is_space(line[pos]))
            pos++;
        if (pos >= len)
            break;
        size_t used;
        size_t first = vals.n;
        if (parse_item(line + pos, len - pos, &used, &vals, &has_hist, err,
                       cap)) {
            free(vals.v);
            return -1;
        }
        /* Histogram texts point into the line; copy them into the pool. */
        if (vals.n > first && vals.v[first].kind == SV_HISTOGRAM) {
            const char *text = pt_pool_strndup(pool, vals.v[first].hist,
                                               vals.v[first].hist_len);
            for (size_t k = first; k < vals.n; k++)
                vals.v[k].hist = text;
        }
        pos += used;
    }
    out->values = pt_pool_memdup(pool, vals.v, vals.n * sizeof *vals.v);
    out->n_values = vals.n;
    out->has_histogram = has_hist;
    free(vals.v);
    return 0;
}

/* ---------------------------------------------------- @st and numbers -- */

/* A signed single-unit duration (`-1m`, `59999ms`, `0`); its length, or 0
 * when there is none. The value goes to *ms when ms is not NULL. */
static size_t scan_st_duration(const char *s, size_t len, int64_t *ms)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    size_t d = i;
    while (i < len && isdigit((unsigned char)s[i]))
        i++;
    if (i == d)
        return 0;
    while (i < len && isalpha((unsigned char)s[i]) && s[i] != 'x')
        i++;
    int64_t v;
    const char *why;
    if (pt_dur_parse(s + d, i - d, &v, &why))
        return 0;
    if (ms)
        *ms = neg ? -v : v;
    return i;
}

/* One item of an @st sequence: how many positions it stands for and, when
 * they carry offsets, the first one and the step between them. */
typedef struct st_item {
    size_t count;
    int omitted; /* `_` / `*` items: no start timestamp */
    int64_t base, step;
} st_item;

static int parse_st_item(const char *s, size_t len, st_item *it)
{
    uint64_t n;
    memset(it, 0, sizeof *it);
    if (s[0] == '_' || s[0] == '*') {
        it->omitted = 1;
        if (len == 1) {
            it->count = 1;
            return 0;
        }
        if (scan_times(s + 1, len - 1, &n) != len - 1 || (s[0] == '_' && !n))
            return -1;
        /* `_xN` is N positions, unlike every other `xN` (N + 1). */
        it->count = s[0] == '_' ? n : n + 1;
        return 0;
    }
    size_t i = scan_st_duration(s, len, &it->base);
    if (!i)
        return -1;
    if (i == len) {
        it->count = 1;
        return 0;
    }
    if (s[i] == '+' || s[i] == '-') {
        int64_t step;
        size_t d = scan_st_duration(s + i + 1, len - i - 1, &step);
        if (!d)
            return -1;
        it->step = s[i] == '-' ? -step : step;
        i += 1 + d;
    }
    if (scan_times(s + i, len - i, &n) != len - i)
        return -1;
    it->count = n + 1;
    return 0;
}

int pt_desc_parse_st_sequence(const char *s, size_t len, size_t *count,
                              char *err, size_t cap)
{
    return pt_desc_expand_st_sequence(s, len, NULL, count, NULL, NULL, err,
                                      cap);
}

int pt_desc_expand_st_sequence(const char *s, size_t len, pt_pool *pool,
                               size_t *count, int64_t **offsets,
                               uint8_t **has, char *err, size_t cap)
{
    size_t total = 0, i = 0;
    /* Two passes: count (and validate), then fill exactly sized arrays. */
    for (int pass = 0; pass < 2; pass++) {
        int64_t *off = NULL;
        uint8_t *set = NULL;
        if (pass == 1) {
            if (pool == NULL)
                break;
            off = pt_pool_alloc(pool, (total ? total : 1) * sizeof *off);
            set = pt_pool_alloc(pool, (total ? total : 1) * sizeof *set);
            *offsets = off;
            *has = set;
        }
        size_t pos = 0;
        i = 0;
        while (i < len) {
            while (i < len && is_space(s[i]))
                i++;
            size_t start = i;
            while (i < len && !is_space(s[i]))
                i++;
            if (i == start)
                break;
            st_item it;
            if (parse_st_item(s + start, i - start, &it))
                return fail(err, cap,
                            "invalid @st sequence: invalid ST item \"%s\"",
                            s + start, i - start);
            if (pass == 0) {
                total += it.count;
                continue;
            }
            for (size_t k = 0; k < it.count; k++, pos++) {
                set[pos] = !it.omitted;
                off[pos] = it.omitted ? 0 : it.base + (int64_t)k * it.step;
            }
        }
    }
    *count = total;
    return 0;
}

/* Go's strconv.ParseInt(s, 0, 64) syntax (without underscores). */
static int parse_go_int(const char *s, double *out)
{
    const char *p = s;
    int neg = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
        base = 8, p += 2;
    else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
        base = 2, p += 2;
    else if (p[0] == '0' && p[1])
        base = 8, p += 1;
    if (!*p)
        return -1;
    double v = 0;
    for (; *p; p++) {
        int d = hex_value(*p);
        if (d < 0 || d >= base)
            return -1;
        v = v * base + d;
    }
    if (v > 9223372036854775807.0)
        return -1; /* out of int64 range: ParseFloat decides */
    *out = neg ? -v : v;
    return 0;
}

int pt_desc_parse_number(const char *s, double *out)
{
    if (parse_go_int(s, out) == 0)
        return 0;
    const char *p = s;
    if (*p == '+' || *p == '-')
        p++;
    if (strcasecmp(p, "inf") == 0 || strcasecmp(p, "infinity") == 0) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return 0;
    }
    if (strcasecmp(p, "nan") == 0) {
        *out = NAN;
        return 0;
    }
    /* Decimal (or hexadecimal with a p exponent) floats; strtod would also
     * take "nan(...)" or a bare "0x1", which Go refuses, so check first. */
    int hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    const char *q = hex ? p + 2 : p;
    int digits = 0;
    while (hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q))
        q++, digits++;
    if (*q == '.')
        for (q++;
             hex ? isxdigit((unsigned char)*q) : isdigit((unsigned char)*q);
             q++)
            digits++;
    if (!digits)
        return -1;
    char e = hex ? 'p' : 'e';
    if (*q == e || *q == e - 32) {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!isdigit((unsigned char)*q))
            return -1;
        while (isdigit((unsigned char)*q))
            q++;
    } else if (hex) {
        return -1;
    }
    if (*q)
        return -1;
    *out = strtod(s, NULL);
    return 0;
}
