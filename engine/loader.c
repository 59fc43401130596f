/* loader.c: the loader core: public pql_load_* calls, streaming line reader, format detection and the one appender batch per input. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "loader_internal.h"
#include "float_shortest.h"

/* Files are read through a buffer of this size; it only grows for a single
 * line longer than it. */
#define LOAD_CHUNK (1u << 20)
/* A series' buffered samples go to the appender once this many pile up, so
 * the loader never holds a second copy of a big file. */
#define LOAD_FLUSH_AT 8192

const char *pql_format_name(pql_format fmt)
{
    switch (fmt) {
    case PQL_FORMAT_AUTO:
        return "auto";
    case PQL_FORMAT_PROM_TEXT:
        return "prom";
    case PQL_FORMAT_OPENMETRICS:
        return "openmetrics";
    case PQL_FORMAT_CSV:
        return "csv";
    case PQL_FORMAT_PROMQLTEST:
        return "promqltest";
    }
    return "unknown";
}

pql_load_options pql_load_options_default(void)
{
    pql_load_options o;
    o.format = PQL_FORMAT_AUTO;
    o.default_ms = PQL_LOAD_NOW;
    o.max_samples = PQL_LOAD_MAX_SAMPLES;
    return o;
}

/* --------------------------------------------------------------- errors -- */

static void load_set_error(pql_error *err, pql_status code, const char *msg)
{
    if (err == NULL)
        return;
    err->code = code;
    err->start = -1;
    err->end = -1;
    snprintf(err->message, sizeof err->message, "%s", msg);
}

int load_fail_at(load_ctx *c, const char *at, const char *fmt, ...)
{
    if (c->failed)
        return -1;
    c->failed = 1;
    char msg[PQL_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t col = 1;
    if (at != NULL && c->line != NULL && at >= c->line &&
        at <= c->line + c->line_len)
        col = (size_t)(at - c->line) + 1;
    char full[PQL_ERROR_MESSAGE_MAX];
    snprintf(full, sizeof full, "%.200s:%zu:%zu: %.780s", c->name, c->line_no, col,
             msg);
    load_set_error(c->err, PQL_ERR_DATA, full);
    return -1;
}

int load_fail_nomem(load_ctx *c)
{
    if (!c->failed) {
        c->failed = 1;
        load_set_error(c->err, PQL_ERR_NOMEM, "out of memory");
    }
    return -1;
}

const char *load_quote(const char *s, size_t len, char *out, size_t cap)
{
    size_t k = 0;
    const size_t max = 40; /* messages quote a short piece of the input */
    if (cap < 8)
        return "";
    out[k++] = '"';
    for (size_t i = 0; i < len && i < max && k + 6 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            out[k++] = '\\';
            out[k++] = (char)ch;
        } else if (ch < 0x20 || ch == 0x7f) {
            k += (size_t)snprintf(out + k, cap - k, "\\x%02x", ch);
        } else {
            out[k++] = (char)ch;
        }
    }
    if (len > max && k + 5 < cap) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k++] = '"';
    out[k] = '\0';
    return out;
}

/* -------------------------------------------------------------- numbers -- */

static int load_ieq(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch != word[i])
            return 0;
    }
    return 1;
}

int load_parse_float(const char *s, size_t len, double *out)
{
    if (len == 0)
        return -1;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
    }
    /* Go takes a sign before Inf but not before NaN. */
    if (load_ieq(s + i, len - i, "inf") || load_ieq(s + i, len - i, "infinity")) {
        *out = neg ? -HUGE_VAL : HUGE_VAL;
        return 0;
    }
    if (i == 0 && load_ieq(s, len, "nan")) {
        *out = NAN;
        return 0;
    }
    size_t digits = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return -1;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == e)
            return -1;
    }
    if (i != len)
        return -1;
    /* Clinger's fast path: up to 15 significant digits and a power of ten
     * up to 22 are exact doubles, so one multiply or divide rounds
     * correctly; most data takes this path and skips strtod. */
    {
        const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
                                1e18, 1e19, 1e20, 1e21, 1e22};
        size_t k = (s[0] == '+' || s[0] == '-') ? 1 : 0;
        uint64_t m = 0;
        int nd = 0, frac = 0, seen_dot = 0, ok = 1;
        for (; k < len; k++) {
            char ch = s[k];
            if (ch == '.') {
                seen_dot = 1;
                continue;
            }
            if (ch < '0' || ch > '9') {
                ok = 0; /* an exponent: leave it to strtod */
                break;
            }
            if (m == 0 && ch == '0') {
                if (seen_dot)
                    frac++;
                continue;
            }
            if (++nd > 15) {
                ok = 0;
                break;
            }
            m = m * 10 + (uint64_t)(ch - '0');
            if (seen_dot)
                frac++;
        }
        if (ok && frac <= 22) {
            double v = (double)m / pow10[frac];
            *out = neg ? -v : v;
            return 0;
        }
    }
    char small[128];
    char *buf = small;
    if (len >= sizeof small) {
        buf = malloc(len + 1);
        if (buf == NULL)
            return -1;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    double v = strtod(buf, NULL);
    int range = errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL);
    if (buf != small)
        free(buf);
    if (range)
        return -2;
    *out = v;
    return 0;
}

int load_parse_int(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (len > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len)
        return -1;
    uint64_t v = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (limit - d) / 10)
            return -2;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int load_parse_duration(const char *s, size_t len, int64_t *ms)
{
    /* model.ParseDuration: units y w d h m s ms in this order, each at most
     * once; "0" alone is allowed. */
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"y", 365LL * 86400000}, {"w", 7LL * 86400000},
                 {"d", 86400000},         {"h", 3600000},
                 {"m", 60000},            {"s", 1000},
                 {"ms", 1}};
    if (len == 1 && s[0] == '0') {
        *ms = 0;
        return 0;
    }
    if (len == 0)
        return -1;
    size_t i = 0;
    int next_unit = 0;
    int64_t total = 0;
    while (i < len) {
        size_t d = i;
        int64_t n = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (n > INT64_MAX / 10)
                return -1;
            n = n * 10 + (s[i] - '0');
            i++;
        }
        if (i == d)
            return -1;
        size_t u = i;
        while (i < len && s[i] >= 'a' && s[i] <= 'z')
            i++;
        int found = -1;
        for (int k = next_unit; k < 7; k++) {
            if (strlen(units[k].unit) == i - u &&
                memcmp(units[k].unit, s + u, i - u) == 0) {
                found = k;
                break;
            }
        }
        if (found < 0)
            return -1;
        if (n > INT64_MAX / units[found].ms ||
            total > INT64_MAX - n * units[found].ms)
            return -1;
        total += n * units[found].ms;
        next_unit = found + 1;
    }
    *ms = total;
    return 0;
}

/* --------------------------------------------------------------- labels -- */

void load_labels_reset(load_labels *l)
{
    l->n = 0;
    l->text_len = 0;
}

static int load_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem)
            return 0;
        ncap *= 2;
    }
    void *p = realloc(*arr, ncap * elem);
    if (p == NULL)
        return 0;
    *arr = p;
    *cap = ncap;
    return 1;
}

static int load_text_append(load_ctx *c, const char *s, size_t len)
{
    load_labels *l = &c->lbl;
    if (len > SIZE_MAX / 4 || !load_grow((void **)&l->text, &l->text_cap,
                                         l->text_len + len + 1, 1))
        return load_fail_nomem(c);
    memcpy(l->text + l->text_len, s, len);
    l->text_len += len;
    return 0;
}

int load_labels_add_name(load_ctx *c, const char *name, size_t len)
{
    load_labels *l = &c->lbl;
    if (!load_grow((void **)&l->refs, &l->cap, l->n + 1, sizeof *l->refs))
        return load_fail_nomem(c);
    load_label_ref *r = &l->refs[l->n];
    r->name_off = l->text_len;
    r->name_len = len;
    if (load_text_append(c, name, len))
        return -1;
    r->value_off = l->text_len;
    r->value_len = 0;
    l->n++;
    return 0;
}

int load_labels_value_append(load_ctx *c, const char *s, size_t len)
{
    load_labels *l = &c->lbl;
    if (load_text_append(c, s, len))
        return -1;
    l->refs[l->n - 1].value_len += len;
    return 0;
}

int load_labels_text(load_ctx *c, const char *s, size_t len, size_t *off)
{
    *off = c->lbl.text_len;
    return load_text_append(c, s, len);
}

int load_labels_value_set(load_ctx *c, const char *s, size_t len)
{
    load_labels *l = &c->lbl;
    load_label_ref *r = &l->refs[l->n - 1];
    /* The value is the last text written, so it can be rewritten in place. */
    l->text_len = r->value_off;
    r->value_len = 0;
    return load_labels_value_append(c, s, len);
}

/* ---------------------------------------------------------- hash tables -- */

static int load_table_reserve(load_table *t)
{
    size_t cap = t->mask ? t->mask + 1 : 0;
    if ((t->count + 1) * 4 <= cap * 3)
        return 1;
    size_t ncap = cap ? cap * 2 : 256;
    load_slot *ns = calloc(ncap, sizeof *ns);
    if (ns == NULL)
        return 0;
    for (size_t i = 0; i < cap; i++) {
        if (t->slots[i].idx1 == 0)
            continue;
        size_t j = (size_t)t->slots[i].hash & (ncap - 1);
        while (ns[j].idx1 != 0)
            j = (j + 1) & (ncap - 1);
        ns[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = ns;
    t->mask = ncap - 1;
    return 1;
}

static void load_table_insert(load_table *t, uint64_t hash, uint32_t idx)
{
    size_t j = (size_t)hash & t->mask;
    while (t->slots[j].idx1 != 0)
        j = (j + 1) & t->mask;
    t->slots[j].hash = hash;
    t->slots[j].idx1 = idx + 1;
    t->count++;
}

static uint64_t load_raw_hash(int tag, const char *raw, size_t len)
{
    return XXH3_64bits_withSeed(raw, len, (uint64_t)tag + 1);
}

long load_series_find_raw(load_ctx *c, int tag, const char *raw, size_t len)
{
    if (c->by_raw.mask == 0)
        return -1;
    uint64_t h = load_raw_hash(tag, raw, len);
    for (size_t j = (size_t)h & c->by_raw.mask;; j = (j + 1) & c->by_raw.mask) {
        load_slot *s = &c->by_raw.slots[j];
        if (s->idx1 == 0)
            return -1;
        if (s->hash != h)
            continue;
        const load_raw *r = &c->raws[s->idx1 - 1];
        if (r->len == len + 1 && (unsigned char)r->text[0] == (unsigned)tag &&
            memcmp(r->text + 1, raw, len) == 0)
            return (long)r->series;
    }
}

static int load_ref_cmp_ctx_text(const load_ctx *c, const load_label_ref *a,
                                 const load_label_ref *b)
{
    const char *t = c->lbl.text;
    size_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
    int r = memcmp(t + a->name_off, t + b->name_off, n);
    if (r != 0)
        return r;
    return (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

long load_series_intern(load_ctx *c, int tag, const char *raw, size_t len,
                        const char *at)
{
    load_labels *l = &c->lbl;
    /* Sort by name (label sets are small: insertion sort), drop empty
     * values, refuse repeated names. */
    for (size_t i = 1; i < l->n; i++) {
        load_label_ref x = l->refs[i];
        size_t j = i;
        while (j > 0 && load_ref_cmp_ctx_text(c, &l->refs[j - 1], &x) > 0) {
            l->refs[j] = l->refs[j - 1];
            j--;
        }
        l->refs[j] = x;
    }
    size_t keep = 0, key_len = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (i > 0 && load_ref_cmp_ctx_text(c, &l->refs[i - 1], &l->refs[i]) == 0) {
            char q[64];
            return load_fail_at(c, at, "label name %s is not unique",
                                load_quote(l->text + l->refs[i].name_off,
                                           l->refs[i].name_len, q, sizeof q));
        }
        if (memchr(l->text + l->refs[i].value_off, '\0', l->refs[i].value_len) ||
            memchr(l->text + l->refs[i].name_off, '\0', l->refs[i].name_len))
            return load_fail_at(c, at, "label names and values must not "
                                       "contain NUL bytes");
        if (l->refs[i].value_len == 0)
            continue;
        l->refs[keep++] = l->refs[i];
        key_len += l->refs[i].name_len + l->refs[i].value_len + 2;
    }
    if (keep == 0)
        return load_fail_at(c, at, "a series needs at least one label with a "
                                   "non-empty value");
    if (!load_grow((void **)&c->keybuf, &c->keybuf_cap, key_len + 1, 1))
        return load_fail_nomem(c);
    size_t k = 0;
    for (size_t i = 0; i < keep; i++) {
        const load_label_ref *r = &l->refs[i];
        memcpy(c->keybuf + k, l->text + r->name_off, r->name_len);
        k += r->name_len;
        c->keybuf[k++] = '\xff';
        memcpy(c->keybuf + k, l->text + r->value_off, r->value_len);
        k += r->value_len;
        c->keybuf[k++] = '\xff';
    }
    uint64_t h = XXH3_64bits(c->keybuf, k);
    long found = -1;
    if (c->by_key.mask != 0) {
        for (size_t j = (size_t)h & c->by_key.mask;;
             j = (j + 1) & c->by_key.mask) {
            load_slot *s = &c->by_key.slots[j];
            if (s->idx1 == 0)
                break;
            const load_series *e = &c->series[s->idx1 - 1];
            if (s->hash == h && e->key_len == k &&
                memcmp(e->key, c->keybuf, k) == 0) {
                found = (long)(s->idx1 - 1);
                break;
            }
        }
    }
    if (found < 0) {
        if (c->n_series >= UINT32_MAX - 1 ||
            !load_grow((void **)&c->series, &c->cap_series, c->n_series + 1,
                       sizeof *c->series) ||
            !load_table_reserve(&c->by_key))
            return load_fail_nomem(c);
        load_series *e = &c->series[c->n_series];
        memset(e, 0, sizeof *e);
        e->labels = arena_alloc_array(&c->mem, keep, sizeof *e->labels);
        char *key = arena_strndup(&c->mem, c->keybuf, k);
        if (e->labels == NULL || key == NULL)
            return load_fail_nomem(c);
        for (size_t i = 0; i < keep; i++) {
            const load_label_ref *r = &l->refs[i];
            e->labels[i].name =
                arena_strndup(&c->mem, l->text + r->name_off, r->name_len);
            e->labels[i].value =
                arena_strndup(&c->mem, l->text + r->value_off, r->value_len);
            if (e->labels[i].name == NULL || e->labels[i].value == NULL)
                return load_fail_nomem(c);
        }
        e->n_labels = keep;
        e->key = key;
        e->key_len = k;
        e->hash = h;
        e->first_line = c->line_no;
        e->first_col = (size_t)(at - c->line) + 1;
        load_table_insert(&c->by_key, h, (uint32_t)c->n_series);
        found = (long)c->n_series++;
    }
    /* Remember the raw spelling so the next line with it skips parsing. */
    if (!load_grow((void **)&c->raws, &c->cap_raws, c->n_raws + 1,
                   sizeof *c->raws) ||
        !load_table_reserve(&c->by_raw))
        return load_fail_nomem(c);
    char *text = arena_alloc(&c->mem, len + 1);
    if (text == NULL)
        return load_fail_nomem(c);
    text[0] = (char)tag;
    memcpy(text + 1, raw, len);
    c->raws[c->n_raws] = (load_raw){text, len + 1, (uint32_t)found};
    load_table_insert(&c->by_raw, load_raw_hash(tag, raw, len),
                      (uint32_t)c->n_raws);
    c->n_raws++;
    return found;
}

/* --------------------------------------------------------------- samples -- */

static int load_same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Hands a series' buffered samples to the appender. */
static int load_flush_series(load_ctx *c, load_series *e)
{
    if (e->n == 0)
        return 0;
    pql_error aerr;
    pql_error_clear(&aerr);
    if (pql_appender_add(c->app, e->labels, e->n_labels, e->ts, e->v, e->n,
                         &aerr) != PQL_OK) {
        if (aerr.code == PQL_ERR_NOMEM)
            return load_fail_nomem(c);
        /* Report at the series' first line: the conflict is with data the
         * store already held (an earlier file). */
        c->failed = 1;
        char full[PQL_ERROR_MESSAGE_MAX];
        snprintf(full, sizeof full, "%.200s:%zu:%zu: %.780s", c->name, e->first_line,
                 e->first_col, aerr.message);
        load_set_error(c->err, aerr.code, full);
        return -1;
    }
    c->n_samples += e->n;
    e->n = 0;
    return 0;
}

int load_sample(load_ctx *c, long idx, int64_t t, double v, const char *at)
{
    load_series *e = &c->series[idx];
    if (e->has_last && t <= e->last_ts) {
        if (t < e->last_ts)
            return load_fail_at(c, at,
                                "out of order sample: time %lld is before "
                                "%lld, the previous sample of this series",
                                (long long)t, (long long)e->last_ts);
        if (load_same_bits(v, e->last_v))
            return 0;
        char a[40], b[40];
        float_format_go_g(e->last_v, a, sizeof a);
        float_format_go_g(v, b, sizeof b);
        return load_fail_at(c, at,
                            "duplicate sample for timestamp %lld; overrides "
                            "not allowed: existing %s, new value %s",
                            (long long)t, a, b);
    }
    if (e->n == e->cap) {
        size_t ncap = e->cap ? e->cap * 2 : 8;
        if (ncap > LOAD_FLUSH_AT)
            ncap = LOAD_FLUSH_AT;
        int64_t *nt = realloc(e->ts, ncap * sizeof *nt);
        if (nt == NULL)
            return load_fail_nomem(c);
        e->ts = nt;
        double *nv = realloc(e->v, ncap * sizeof *nv);
        if (nv == NULL)
            return load_fail_nomem(c);
        e->v = nv;
        e->cap = ncap;
    }
    e->ts[e->n] = t;
    e->v[e->n] = v;
    e->n++;
    e->has_last = 1;
    e->last_ts = t;
    e->last_v = v;
    if (!c->has_range) {
        c->has_range = 1;
        c->min_ms = c->max_ms = t;
    }
    if (t < c->min_ms)
        c->min_ms = t;
    if (t > c->max_ms)
        c->max_ms = t;
    if (e->n == LOAD_FLUSH_AT)
        return load_flush_series(c, e);
    return 0;
}

/* ---------------------------------------------------------------- lines -- */

static int load_line(load_ctx *c, const char *line, size_t len)
{
    c->line_no++;
    c->line = line;
    c->line_len = len;
    switch (c->format) {
    case PQL_FORMAT_PROM_TEXT:
    case PQL_FORMAT_OPENMETRICS:
        return load_prom_line(c);
    case PQL_FORMAT_CSV:
        return load_csv_line(c);
    case PQL_FORMAT_PROMQLTEST:
        return load_promqltest_line(c);
    default:
        return load_fail_at(c, line, "unknown format");
    }
}

static int load_finish(load_ctx *c)
{
    /* Errors about the end of the input point just past the last line. */
    c->line_no++;
    c->line = NULL;
    c->line_len = 0;
    if (c->format == PQL_FORMAT_OPENMETRICS || c->format == PQL_FORMAT_PROM_TEXT)
        return load_prom_finish(c);
    return 0;
}

/* Feeds every complete line of data[0..len); returns the bytes consumed
 * (the start of an unfinished last line) or SIZE_MAX after an error. When
 * `final`, the rest counts as a last line too. */
static size_t load_feed(load_ctx *c, const char *data, size_t len, int final)
{
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        if (nl == NULL) {
            if (!final)
                return pos;
            if (load_line(c, data + pos, len - pos))
                return SIZE_MAX;
            return len;
        }
        size_t n = (size_t)(nl - (data + pos));
        if (load_line(c, data + pos, n))
            return SIZE_MAX;
        pos += n + 1;
    }
    return pos;
}

/* ------------------------------------------------------------ detection -- */

static int load_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (m > n)
        return 0;
    for (size_t i = 0; i < m; i++) {
        char ch = s[n - m + i];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch != suffix[i])
            return 0;
    }
    return 1;
}

static pql_format load_format_by_name(const char *name)
{
    if (name == NULL)
        return PQL_FORMAT_AUTO;
    if (load_ends_with(name, ".om") || load_ends_with(name, ".openmetrics"))
        return PQL_FORMAT_OPENMETRICS;
    if (load_ends_with(name, ".prom") || load_ends_with(name, ".txt"))
        return PQL_FORMAT_PROM_TEXT;
    if (load_ends_with(name, ".csv"))
        return PQL_FORMAT_CSV;
    if (load_ends_with(name, ".test"))
        return PQL_FORMAT_PROMQLTEST;
    return PQL_FORMAT_AUTO;
}

/* True when `tail` (the input's last bytes) ends with an OpenMetrics EOF
 * line. */
static int load_tail_is_eof(const char *tail, size_t len)
{
    if (len > 0 && tail[len - 1] == '\n')
        len--;
    return len >= 5 && memcmp(tail + len - 5, "# EOF", 5) == 0 &&
           (len == 5 || tail[len - 6] == '\n');
}

/* Sniffs the first meaningful line of `head`. */
static pql_format load_format_by_content(const char *head, size_t len,
                                         int ends_with_eof)
{
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(head + pos, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - (head + pos)) : len - pos;
        const char *l = head + pos;
        pos += n + 1;
        size_t i = 0;
        while (i < n && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r'))
            i++;
        if (i == n)
            continue;
        if (n - i >= 5 && memcmp(l + i, "load", 4) == 0 &&
            (l[i + 4] == ' ' || l[i + 4] == '\t' || l[i + 4] == '_'))
            return PQL_FORMAT_PROMQLTEST;
        if (l[i] == '#') {
            if (n - i >= 6 && memcmp(l + i, "# HELP", 6) != 0 &&
                memcmp(l + i, "# TYPE", 6) != 0 &&
                memcmp(l + i, "# UNIT", 6) != 0 && !ends_with_eof)
                continue; /* a comment: CSV and promqltest allow them too */
            break;
        }
        if (n - i >= 25 && memcmp(l + i, "series,timestamp_ms,value", 25) == 0)
            return PQL_FORMAT_CSV;
        /* CSV: `...,<int>,<something>` with no blank after the series. */
        const char *c2 = NULL, *c1 = NULL;
        for (size_t k = n; k > i; k--) {
            if (l[k - 1] == ',') {
                if (c2 == NULL)
                    c2 = l + k - 1;
                else {
                    c1 = l + k - 1;
                    break;
                }
            }
        }
        if (c1 != NULL) {
            const char *p = c1 + 1;
            if (p < c2 && (*p == '-' || *p == '+'))
                p++;
            int digits = p < c2;
            for (; p < c2; p++)
                if (*p < '0' || *p > '9')
                    digits = 0;
            size_t vl = (size_t)(l + n - (c2 + 1));
            while (vl > 0 && c2[vl] == '\r')
                vl--;
            double v;
            if (digits && load_parse_float(c2 + 1, vl, &v) == 0)
                return PQL_FORMAT_CSV;
        }
        break;
    }
    return ends_with_eof ? PQL_FORMAT_OPENMETRICS : PQL_FORMAT_PROM_TEXT;
}

/* ----------------------------------------------------------------- core -- */

static int64_t load_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pql_status load_begin(load_ctx *c, pql_memstore *store, const char *name,
                             const pql_load_options *opts, pql_error *err)
{
    memset(c, 0, sizeof *c);
    c->name = name;
    c->err = err;
    c->store = store;
    c->default_ms = opts->default_ms == PQL_LOAD_NOW ? load_now_ms()
                                                      : opts->default_ms;
    c->st.csv_first_line = 1;
    c->max_samples = opts->max_samples ? opts->max_samples : PQL_LOAD_MAX_SAMPLES;
    arena_init(&c->mem, 0);
    return pql_appender_begin(store, &c->app, err);
}

static void load_end(load_ctx *c)
{
    if (c->app != NULL)
        pql_appender_rollback(c->app);
    for (size_t i = 0; i < c->n_series; i++) {
        free(c->series[i].ts);
        free(c->series[i].v);
    }
    free(c->series);
    free(c->by_key.slots);
    free(c->raws);
    free(c->by_raw.slots);
    free(c->keybuf);
    free(c->lbl.refs);
    free(c->lbl.text);
    arena_release(&c->mem);
}

/* Flushes every series and commits; fills info on success. */
static pql_status load_commit(load_ctx *c, pql_load_info *info)
{
    for (size_t i = 0; i < c->n_series && !c->failed; i++)
        load_flush_series(c, &c->series[i]);
    if (c->failed)
        return c->err ? c->err->code : PQL_ERR_DATA;
    pql_error aerr;
    pql_error_clear(&aerr);
    pql_appender *app = c->app;
    c->app = NULL;
    if (pql_appender_commit(app, &aerr) != PQL_OK) {
        char full[PQL_ERROR_MESSAGE_MAX];
        snprintf(full, sizeof full, "%.200s: %.780s", c->name, aerr.message);
        load_set_error(c->err, aerr.code, full);
        return aerr.code;
    }
    if (info != NULL) {
        info->format = c->format;
        info->series = c->n_series;
        info->samples = c->n_samples;
        info->min_ms = c->has_range ? c->min_ms : 0;
        info->max_ms = c->has_range ? c->max_ms : 0;
    }
    return PQL_OK;
}

static pql_status load_status(load_ctx *c)
{
    return c->err ? c->err->code : PQL_ERR_DATA;
}

pql_status pql_load_buffer_ex(pql_memstore *store, const char *name,
                              const char *data, size_t len,
                              const pql_load_options *opts,
                              pql_load_info *info, pql_error *err)
{
    pql_load_options defaults = pql_load_options_default();
    if (opts == NULL)
        opts = &defaults;
    if (store == NULL || (data == NULL && len > 0)) {
        load_set_error(err, PQL_ERR_INVALID_ARGUMENT,
                       "pql_load_buffer: NULL store or data");
        return PQL_ERR_INVALID_ARGUMENT;
    }
    if (name == NULL)
        name = "<buffer>";
    load_ctx c;
    pql_error local;
    if (err == NULL)
        err = &local; /* the core reads the code back from it */
    pql_status st = load_begin(&c, store, name, opts, err);
    if (st != PQL_OK) {
        load_end(&c);
        return st;
    }
    c.format = opts->format;
    if (c.format == PQL_FORMAT_AUTO)
        c.format = load_format_by_name(name);
    if (c.format == PQL_FORMAT_AUTO)
        c.format = load_format_by_content(
            data, len < 65536 ? len : 65536,
            load_tail_is_eof(len > 64 ? data + len - 64 : data,
                             len > 64 ? 64 : len));
    if (load_feed(&c, data ? data : "", len, 1) == SIZE_MAX ||
        load_finish(&c)) {
        st = load_status(&c);
        load_end(&c);
        return st;
    }
    st = load_commit(&c, info);
    load_end(&c);
    return st;
}

pql_status pql_load_buffer(pql_memstore *store, const char *name,
                           const char *data, size_t len, pql_format fmt,
                           pql_error *err)
{
    pql_load_options o = pql_load_options_default();
    o.format = fmt;
    return pql_load_buffer_ex(store, name, data, len, &o, NULL, err);
}

/* Reads the last bytes of a regular file for EOF detection without
 * disturbing the stream position; 0 when not seekable. */
static size_t load_read_tail(FILE *f, char *tail, size_t cap)
{
    long here = ftell(f);
    if (here < 0 || fseek(f, 0, SEEK_END) != 0)
        return 0;
    long size = ftell(f);
    size_t n = 0;
    if (size > 0) {
        long from = size > (long)cap ? size - (long)cap : 0;
        if (fseek(f, from, SEEK_SET) == 0)
            n = fread(tail, 1, (size_t)(size - from), f);
    }
    fseek(f, here, SEEK_SET);
    return n;
}

pql_status pql_load_file_ex(pql_memstore *store, const char *path,
                            const pql_load_options *opts, pql_load_info *info,
                            pql_error *err)
{
    pql_load_options defaults = pql_load_options_default();
    if (opts == NULL)
        opts = &defaults;
    if (store == NULL || path == NULL) {
        load_set_error(err, PQL_ERR_INVALID_ARGUMENT,
                       "pql_load_file: NULL store or path");
        return PQL_ERR_INVALID_ARGUMENT;
    }
    pql_error local;
    if (err == NULL)
        err = &local;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        char msg[PQL_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s: cannot open: %s", path, strerror(errno));
        load_set_error(err, PQL_ERR_IO, msg);
        return PQL_ERR_IO;
    }
    load_ctx c;
    pql_status st = load_begin(&c, store, path, opts, err);
    size_t cap = LOAD_CHUNK;
    char *buf = st == PQL_OK ? malloc(cap) : NULL;
    if (st == PQL_OK && buf == NULL) {
        load_fail_nomem(&c);
        st = PQL_ERR_NOMEM;
    }
    size_t have = 0;
    int first = 1;
    while (st == PQL_OK) {
        if (have == cap) { /* one line fills the buffer: make room */
            char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (nb == NULL) {
                load_fail_nomem(&c);
                st = PQL_ERR_NOMEM;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + have, 1, cap - have, f);
        if (got == 0 && ferror(f)) {
            char msg[PQL_ERROR_MESSAGE_MAX];
            snprintf(msg, sizeof msg, "%s: read error: %s", path,
                     strerror(errno));
            load_set_error(err, PQL_ERR_IO, msg);
            st = PQL_ERR_IO;
            break;
        }
        have += got;
        int final = got == 0;
        if (first) {
            first = 0;
            c.format = opts->format;
            if (c.format == PQL_FORMAT_AUTO)
                c.format = load_format_by_name(path);
            if (c.format == PQL_FORMAT_AUTO) {
                char tail[64];
                size_t tn = final ? 0 : load_read_tail(f, tail, sizeof tail);
                int eof = final ? load_tail_is_eof(buf, have)
                                : load_tail_is_eof(tail, tn);
                c.format = load_format_by_content(
                    buf, have < 65536 ? have : 65536, eof);
            }
        }
        size_t used = load_feed(&c, buf, have, final);
        if (used == SIZE_MAX) {
            st = load_status(&c);
            break;
        }
        memmove(buf, buf + used, have - used);
        have -= used;
        if (final)
            break;
    }
    free(buf);
    fclose(f);
    if (st == PQL_OK && load_finish(&c))
        st = load_status(&c);
    if (st == PQL_OK)
        st = load_commit(&c, info);
    load_end(&c);
    return st;
}

pql_status pql_load_file(pql_memstore *store, const char *path, pql_format fmt,
                         pql_error *err)
{
    pql_load_options o = pql_load_options_default();
    o.format = fmt;
    return pql_load_file_ex(store, path, &o, NULL, err);
}
