/* matcher.c: compiles and runs label matchers, answering common regex shapes
 * without RE2. */
#define _GNU_SOURCE /* memmem */

#include "matcher.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "regex_shim.h"

/*
 * Fast paths. Prometheus spends most regex time on a few shapes: literals,
 * alternations of literals (`a|b|c`, what Grafana's multi-value variables
 * produce), and literals glued by `.*` / `.+` (`foo.*`, `.*bar`, `.+-server`).
 * Those are recognised here by a tiny parser and answered with memcmp/memmem;
 * everything else (classes, groups, flags such as `(?i)`, other repetitions)
 * goes to RE2. The idea follows Prometheus's FastRegexMatcher; the code is
 * our own.
 *
 * A pattern is an alternation of branches; a branch is a sequence of
 * segments, each a gap (run of `.*`/`.+`, needing at least gap_min runes, or
 * no gap at all) followed by a literal, plus a trailing gap. Because every
 * gap is unbounded above, placing each literal at its leftmost possible
 * position is optimal, so matching is one forward scan.
 */
typedef struct fast_seg {
    size_t off, len;  /* literal bytes in buf */
    uint32_t gap_min; /* runes the gap before the literal needs */
    uint8_t gap_any;  /* 0: no gap (literal is anchored to what precedes) */
} fast_seg;

typedef struct fast_branch {
    size_t first_seg, n_segs;
    uint32_t tail_min;
    uint8_t tail_any;
} fast_branch;

struct matcher_fast {
    size_t n_branches;
    fast_branch *branches;
    fast_seg *segs;
    char *buf; /* unescaped literal bytes */
    /* When every branch is a plain literal: the literals, sorted by (length,
     * bytes) for binary search. */
    size_t n_set;
    const char **set_vals;
    size_t *set_lens;
};

/* --------------------------------------------------------------- UTF-8 -- */

/* Length of the rune at s as Go's decoder sees it: a valid UTF-8 sequence,
 * or 1 for any invalid byte (which Go reads as U+FFFD and `.` matches). */
static size_t fast_rune_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0xC2 || c > 0xF4)
        return 1;
    if (c < 0xE0)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 1;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    if (n < 2 || s[1] < lo || s[1] > hi)
        return 1;
    if (c < 0xF0)
        return n >= 3 && (s[2] & 0xC0) == 0x80 ? 3 : 1;
    return n >= 4 && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 1;
}

/* Advances *pos over k runes without passing end; 0 when there are fewer. */
static int fast_skip_runes(const char *s, size_t *pos, size_t end, uint32_t k)
{
    size_t p = *pos;
    for (uint32_t i = 0; i < k; i++) {
        if (p >= end)
            return 0;
        p += fast_rune_len((const unsigned char *)s + p, end - p);
    }
    *pos = p;
    return 1;
}

/* ------------------------------------------------------------- parsing -- */

static int fast_is_meta(unsigned char c)
{
    return strchr("\\.+*?()|[]{}^$", c) != NULL && c != '\0';
}

static int fast_is_ascii_punct(unsigned char c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
           (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

/* Strips one group around the whole pattern, `(...)` or `(?:...)`, when its
 * closing paren is the last byte; then the body must hold no other parens
 * (the branch parser rejects them). */
static void fast_strip_group(const char **p, size_t *len)
{
    const char *s = *p;
    size_t n = *len;
    if (n < 2 || s[0] != '(' || s[n - 1] != ')')
        return;
    size_t start = 1;
    if (n >= 3 && s[1] == '?') {
        if (n < 4 || s[2] != ':')
            return;
        start = 3;
    }
    /* The final `)` must not be escaped: walk escapes from the start. */
    size_t i = start;
    while (i < n - 1)
        i += s[i] == '\\' ? 2 : 1;
    if (i != n - 1)
        return;
    *p = s + start;
    *len = n - 1 - start;
}

/* Parses pattern p into f (whose arrays are sized for len+1 entries).
 * Returns 0 when the pattern is not of a shape the fast path handles. */
static int fast_parse(struct matcher_fast *f, const char *p, size_t len)
{
    fast_strip_group(&p, &len);
    size_t n_buf = 0, n_segs = 0, n_branches = 0;
    size_t lit_start = 0;
    int have_lit = 0;
    uint32_t gap_min = 0;
    uint8_t gap_any = 0;
    fast_branch *br = &f->branches[n_branches++];
    br->first_seg = 0;

    for (size_t i = 0; i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)p[i] : '|';
        if (c == '|' || c == '.') {
            if (have_lit) {
                fast_seg *sg = &f->segs[n_segs++];
                sg->off = lit_start;
                sg->len = n_buf - lit_start;
                sg->gap_min = gap_min;
                sg->gap_any = gap_any;
                have_lit = 0;
                gap_min = 0;
                gap_any = 0;
            }
        }
        if (c == '|') {
            br->n_segs = n_segs - br->first_seg;
            br->tail_min = gap_min;
            br->tail_any = gap_any;
            gap_min = 0;
            gap_any = 0;
            if (i < len) {
                br = &f->branches[n_branches++];
                br->first_seg = n_segs;
            }
            continue;
        }
        if (c == '.') {
            if (i + 1 >= len || (p[i + 1] != '*' && p[i + 1] != '+'))
                return 0;
            /* `.*?`, `.**`, `.+{2}`: a modifier we do not model. */
            if (i + 2 < len && p[i + 2] != '\0' &&
                strchr("*+?{", p[i + 2]) != NULL)
                return 0;
            if (p[i + 1] == '+') {
                if (gap_min == UINT32_MAX)
                    return 0;
                gap_min++;
            }
            gap_any = 1;
            i++;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= len || !fast_is_ascii_punct((unsigned char)p[i + 1]))
                return 0;
            c = (unsigned char)p[++i];
        } else if (fast_is_meta(c)) {
            return 0;
        }
        if (!have_lit) {
            have_lit = 1;
            lit_start = n_buf;
        }
        f->buf[n_buf++] = (char)c;
    }
    f->n_branches = n_branches;
    return 1;
}

static int fast_set_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    if (al != bl)
        return al < bl ? -1 : 1;
    return al ? memcmp(a, b, al) : 0;
}

/* Sorts the literal set by (length, bytes); insertion sort into place is
 * fine for small sets, a simple merge sort keeps big ones O(n log n). */
static void fast_sort_set(const char **v, size_t *l, size_t n, const char **tv,
                          size_t *tl)
{
    if (n < 2)
        return;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            const char *x = v[i];
            size_t xl = l[i], j = i;
            while (j > 0 && fast_set_cmp(v[j - 1], l[j - 1], x, xl) > 0) {
                v[j] = v[j - 1];
                l[j] = l[j - 1];
                j--;
            }
            v[j] = x;
            l[j] = xl;
        }
        return;
    }
    size_t h = n / 2;
    fast_sort_set(v, l, h, tv, tl);
    fast_sort_set(v + h, l + h, n - h, tv, tl);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (fast_set_cmp(v[j], l[j], v[i], l[i]) < 0) {
            tv[k] = v[j];
            tl[k++] = l[j++];
        } else {
            tv[k] = v[i];
            tl[k++] = l[i++];
        }
    }
    while (i < h) {
        tv[k] = v[i];
        tl[k++] = l[i++];
    }
    while (j < n) {
        tv[k] = v[j];
        tl[k++] = l[j++];
    }
    memcpy(v, tv, n * sizeof *v);
    memcpy(l, tl, n * sizeof *l);
}

/* Builds the fast path for a pattern; NULL when the shape is not handled
 * (or on out of memory, when RE2 simply takes over). One malloc holds it. */
static struct matcher_fast *fast_build(const char *p, size_t len)
{
    size_t slots = len + 2;
    size_t bytes = sizeof(struct matcher_fast) + slots * sizeof(fast_branch) +
                   slots * sizeof(fast_seg) + slots * sizeof(char *) +
                   2 * slots * sizeof(size_t) + len + 1;
    if (len > SIZE_MAX / 64)
        return NULL;
    unsigned char *mem = malloc(bytes);
    if (mem == NULL)
        return NULL;
    struct matcher_fast *f = (struct matcher_fast *)mem;
    memset(f, 0, sizeof *f);
    unsigned char *q = mem + sizeof *f;
    f->branches = (fast_branch *)q;
    q += slots * sizeof(fast_branch);
    f->segs = (fast_seg *)q;
    q += slots * sizeof(fast_seg);
    f->set_vals = (const char **)q;
    q += slots * sizeof(char *);
    f->set_lens = (size_t *)q;
    q += slots * sizeof(size_t);
    size_t *tmp_lens = (size_t *)q;
    q += slots * sizeof(size_t);
    f->buf = (char *)q;
    if (!fast_parse(f, p, len)) {
        free(mem);
        return NULL;
    }
    /* All-literal alternations become a sorted set. */
    int all_lit = 1;
    for (size_t b = 0; b < f->n_branches && all_lit; b++) {
        const fast_branch *br = &f->branches[b];
        if (br->tail_any || br->n_segs > 1 ||
            (br->n_segs == 1 && f->segs[br->first_seg].gap_any))
            all_lit = 0;
    }
    if (all_lit) {
        for (size_t b = 0; b < f->n_branches; b++) {
            const fast_branch *br = &f->branches[b];
            if (br->n_segs == 0) {
                f->set_vals[b] = f->buf;
                f->set_lens[b] = 0;
            } else {
                f->set_vals[b] = f->buf + f->segs[br->first_seg].off;
                f->set_lens[b] = f->segs[br->first_seg].len;
            }
        }
        f->n_set = f->n_branches;
        /* The segment array is no longer needed: reuse it as scratch. */
        fast_sort_set(f->set_vals, f->set_lens, f->n_set,
                      (const char **)(void *)f->segs, tmp_lens);
    }
    return f;
}

/* ------------------------------------------------------------ matching -- */

static int fast_branch_match(const struct matcher_fast *f,
                             const fast_branch *br, const char *s, size_t len)
{
    const fast_seg *seg = f->segs + br->first_seg;
    size_t n = br->n_segs;
    size_t pos = 0, end = len;
    size_t lo = 0, hi = n;
    const char *buf = f->buf;

    if (n > 0 && !seg[0].gap_any) {
        if (len < seg[0].len || memcmp(s, buf + seg[0].off, seg[0].len) != 0)
            return 0;
        pos = seg[0].len;
        lo = 1;
    }
    if (!br->tail_any) {
        if (n == 0)
            return len == 0;
        if (lo == 1 && n == 1)
            return pos == len; /* a single anchored literal: equality */
        const fast_seg *last = &seg[n - 1];
        if (end - pos < last->len ||
            memcmp(s + end - last->len, buf + last->off, last->len) != 0)
            return 0;
        end -= last->len;
        hi = n - 1;
    }
    for (size_t i = lo; i < hi; i++) {
        if (!fast_skip_runes(s, &pos, end, seg[i].gap_min))
            return 0;
        const char *hit =
            seg[i].len == 0
                ? s + pos
                : memmem(s + pos, end - pos, buf + seg[i].off, seg[i].len);
        if (hit == NULL)
            return 0;
        pos = (size_t)(hit - s) + seg[i].len;
    }
    /* The gap left before the anchored suffix, or the trailing gap. */
    uint32_t need = hi < n ? seg[hi].gap_min : br->tail_min;
    return fast_skip_runes(s, &pos, end, need);
}

static int fast_match(const struct matcher_fast *f, const char *s, size_t len)
{
    if (f->n_set > 0) {
        size_t lo = 0, hi = f->n_set;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = fast_set_cmp(f->set_vals[mid], f->set_lens[mid], s, len);
            if (c == 0)
                return 1;
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        return 0;
    }
    for (size_t b = 0; b < f->n_branches; b++)
        if (fast_branch_match(f, &f->branches[b], s, len))
            return 1;
    return 0;
}

/* ------------------------------------------------------------ matchers -- */

/* Prometheus skips parsing a pattern that is a literal or an alternation of
 * literals with no metacharacter at all (even invalid UTF-8 is accepted then),
 * so we do too. */
static int matcher_is_plain_alternation(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != '|' && fast_is_meta((unsigned char)p[i]))
            return 0;
    return 1;
}

static int matcher_regex_test(const matcher *m, const char *s, size_t len)
{
    if (m->fast != NULL)
        return fast_match(m->fast, s, len);
    return regex_prog_match(m->re, s, len);
}

int matcher_matches(const matcher *m, const char *s, size_t len)
{
    if (s == NULL)
        s = "";
    switch (m->type) {
    case PQL_MATCH_EQUAL:
        return len == m->value_len && memcmp(s, m->value, len) == 0;
    case PQL_MATCH_NOT_EQUAL:
        return !(len == m->value_len && memcmp(s, m->value, len) == 0);
    case PQL_MATCH_REGEX:
        return matcher_regex_test(m, s, len);
    case PQL_MATCH_NOT_REGEX:
        return !matcher_regex_test(m, s, len);
    }
    return 0;
}

static pql_status matcher_fail(pql_error *err, pql_status code, const char *msg)
{
    if (err != NULL) {
        err->code = code;
        err->start = -1;
        err->end = -1;
        size_t n = strlen(msg);
        if (n >= sizeof err->message)
            n = sizeof err->message - 1;
        memcpy(err->message, msg, n);
        err->message[n] = '\0';
    }
    return code;
}

pql_status matcher_compile(matcher *m, const pql_matcher *src, int flags,
                           pql_error *err)
{
    memset(m, 0, sizeof *m);
    const char *name = src->name != NULL ? src->name : "";
    const char *value = src->value != NULL ? src->value : "";
    size_t value_len = src->value != NULL ? src->value_len : 0;
    size_t name_len = strlen(name);
    m->name = malloc(name_len + 1);
    m->value = malloc(value_len + 1);
    if (m->name == NULL || m->value == NULL) {
        matcher_release(m);
        return matcher_fail(err, PQL_ERR_NOMEM, "out of memory");
    }
    memcpy(m->name, name, name_len + 1);
    if (value_len)
        memcpy(m->value, value, value_len);
    m->value[value_len] = '\0';
    m->value_len = value_len;
    m->type = src->type;

    if (m->type == PQL_MATCH_REGEX || m->type == PQL_MATCH_NOT_REGEX) {
        int use_fast = !(flags & MATCHER_NO_FASTPATH);
        if (!use_fast ||
            !matcher_is_plain_alternation(m->value, m->value_len)) {
            char msg[PQL_ERROR_MESSAGE_MAX];
            m->re = regex_prog_compile(m->value, m->value_len, REGEX_CHECK_BARE,
                                       msg, sizeof msg);
            if (m->re == NULL) {
                matcher_release(m);
                return matcher_fail(err, PQL_ERR_INVALID_ARGUMENT, msg);
            }
        }
        if (use_fast) {
            m->fast = fast_build(m->value, m->value_len);
            if (m->fast != NULL && m->re != NULL) {
                regex_prog_free(m->re);
                m->re = NULL;
            } else if (m->fast == NULL && m->re == NULL) {
                /* A plain alternation the fast path could not take (out of
                 * memory): fall back to RE2 after all. */
                char msg[PQL_ERROR_MESSAGE_MAX];
                m->re = regex_prog_compile(m->value, m->value_len, 0, msg,
                                           sizeof msg);
                if (m->re == NULL) {
                    matcher_release(m);
                    return matcher_fail(err, PQL_ERR_INVALID_ARGUMENT, msg);
                }
            }
        }
    }
    m->matches_empty = matcher_matches(m, "", 0);
    return PQL_OK;
}

void matcher_release(matcher *m)
{
    if (m == NULL)
        return;
    free(m->name);
    free(m->value);
    regex_prog_free(m->re);
    free(m->fast);
    memset(m, 0, sizeof *m);
}

size_t matcher_literal_set(const matcher *m, const char *const **values,
                           const size_t **lens)
{
    if (m->fast == NULL || m->fast->n_set == 0 ||
        (m->type != PQL_MATCH_REGEX && m->type != PQL_MATCH_NOT_REGEX))
        return 0;
    *values = m->fast->set_vals;
    *lens = m->fast->set_lens;
    return m->fast->n_set;
}

const char *matcher_label_value(const pql_label *labels, size_t n_labels,
                                const char *name)
{
    size_t lo = 0, hi = n_labels;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(labels[mid].name, name);
        if (c == 0)
            return labels[mid].value;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

pql_status matcher_set_new(const pql_matcher *ms, size_t n, int flags,
                           matcher_set **out, pql_error *err)
{
    *out = NULL;
    if (n > (SIZE_MAX - sizeof(matcher_set)) / sizeof(matcher))
        return matcher_fail(err, PQL_ERR_NOMEM, "out of memory");
    matcher_set *set = malloc(sizeof *set + n * sizeof(matcher));
    if (set == NULL)
        return matcher_fail(err, PQL_ERR_NOMEM, "out of memory");
    set->n = 0;
    for (size_t i = 0; i < n; i++) {
        pql_status st = matcher_compile(&set->items[i], &ms[i], flags, err);
        if (st != PQL_OK) {
            matcher_set_free(set);
            return st;
        }
        set->n = i + 1;
    }
    *out = set;
    return PQL_OK;
}

void matcher_set_free(matcher_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n; i++)
        matcher_release(&set->items[i]);
    free(set);
}

int matcher_set_matches(const matcher_set *set, const pql_label *labels,
                        size_t n_labels)
{
    for (size_t i = 0; i < set->n; i++) {
        const matcher *m = &set->items[i];
        const char *v = matcher_label_value(labels, n_labels, m->name);
        int ok =
            v == NULL ? m->matches_empty : matcher_matches(m, v, strlen(v));
        if (!ok)
            return 0;
    }
    return 1;
}
