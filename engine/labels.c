/* labels.c: query-local label sets: copying, XXH3 hashing, Prometheus ordering and editing. */
#include "labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* Separator between name and value bytes in hashed input; 0xff never occurs
 * in valid UTF-8, so "a"+"bc" and "ab"+"c" hash differently. */
#define LABELS_SEP '\xff'

bool labels_is_metadata(const char *name)
{
    /* All three start with "__"; check that first so ordinary names exit
     * after two byte compares. */
    if (name[0] != '_' || name[1] != '_')
        return false;
    return strcmp(name, "__name__") == 0 || strcmp(name, "__type__") == 0 ||
           strcmp(name, "__unit__") == 0;
}

/* ------------------------------------------------------------ names -- */

static int names_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int labels_names_prepare(arena *a, const char *const *names, size_t n,
                         labels_names *out)
{
    out->v = NULL;
    out->n = 0;
    if (n == 0)
        return 0;
    const char **v = arena_alloc_array(a, n, sizeof(*v));
    if (!v)
        return -1;
    memcpy(v, names, n * sizeof(*v));
    qsort(v, n, sizeof(*v), names_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k == 0 || strcmp(v[k - 1], v[i]) != 0)
            v[k++] = v[i];
    }
    out->v = v;
    out->n = k;
    return 0;
}

bool labels_names_has(const labels_names *names, const char *name)
{
    size_t lo = 0, hi = names->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(names->v[mid], name);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* ----------------------------------------------------------- hashing -- */

/* Streams the selected labels through XXH3. Short sets (the common case)
 * go through one stack buffer and a single one-shot hash call. */
typedef struct hash_buf {
    char buf[1024];
    size_t len;
    int streaming;
    XXH3_state_t state;
} hash_buf;

static void hash_begin(hash_buf *h)
{
    h->len = 0;
    h->streaming = 0;
}

static void hash_bytes(hash_buf *h, const char *p, size_t n)
{
    if (!h->streaming && h->len + n <= sizeof(h->buf)) {
        memcpy(h->buf + h->len, p, n);
        h->len += n;
        return;
    }
    if (!h->streaming) {
        XXH3_64bits_reset(&h->state);
        XXH3_64bits_update(&h->state, h->buf, h->len);
        h->streaming = 1;
    }
    XXH3_64bits_update(&h->state, p, n);
}

static void hash_label(hash_buf *h, const pql_label *l)
{
    static const char sep = LABELS_SEP;
    hash_bytes(h, l->name, strlen(l->name));
    hash_bytes(h, &sep, 1);
    hash_bytes(h, l->value, strlen(l->value));
    hash_bytes(h, &sep, 1);
}

static uint64_t hash_end(hash_buf *h)
{
    if (h->streaming)
        return XXH3_64bits_digest(&h->state);
    return XXH3_64bits(h->buf, h->len);
}

uint64_t labels_hash(const pql_label *v, size_t n)
{
    hash_buf h;
    hash_begin(&h);
    for (size_t i = 0; i < n; i++)
        hash_label(&h, &v[i]);
    return hash_end(&h);
}

/* Walks two sorted lists in step: label names against a prepared name
 * list, calling keep() logic inline. `want` = 1 keeps listed names
 * (only), 0 keeps unlisted names except __name__ (without). */
static inline bool names_select(const labels_names *names, size_t *j,
                                const char *name, bool want)
{
    while (*j < names->n && strcmp(names->v[*j], name) < 0)
        (*j)++;
    bool listed = *j < names->n && strcmp(names->v[*j], name) == 0;
    if (want)
        return listed;
    return !listed && strcmp(name, LABELS_NAME) != 0;
}

static uint64_t hash_select(const labels_set *s, const labels_names *names,
                            bool want)
{
    hash_buf h;
    hash_begin(&h);
    size_t j = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (names_select(names, &j, s->v[i].name, want))
            hash_label(&h, &s->v[i]);
    }
    return hash_end(&h);
}

uint64_t labels_hash_only(const labels_set *s, const labels_names *names)
{
    return hash_select(s, names, true);
}

uint64_t labels_hash_without(const labels_set *s, const labels_names *names)
{
    return hash_select(s, names, false);
}

/* ------------------------------------------------------------ making -- */

labels_set labels_wrap(const pql_label *v, size_t n)
{
    labels_set s = {v, (uint32_t)n, labels_hash(v, n)};
    return s;
}

labels_set labels_empty(void)
{
    return labels_wrap(NULL, 0);
}

int labels_copy(arena *a, const pql_label *v, size_t n, labels_set *out)
{
    pql_label *c = NULL;
    if (n) {
        /* One allocation for the array and all strings keeps the set
         * contiguous and costs one bump per series. */
        size_t bytes = n * sizeof(pql_label);
        for (size_t i = 0; i < n; i++)
            bytes += strlen(v[i].name) + strlen(v[i].value) + 2;
        c = arena_alloc(a, bytes);
        if (!c)
            return -1;
        char *p = (char *)(c + n);
        for (size_t i = 0; i < n; i++) {
            size_t ln = strlen(v[i].name) + 1, lv = strlen(v[i].value) + 1;
            memcpy(p, v[i].name, ln);
            c[i].name = p;
            p += ln;
            memcpy(p, v[i].value, lv);
            c[i].value = p;
            p += lv;
        }
    }
    *out = labels_wrap(c, n);
    return 0;
}

/* --------------------------------------------------------- comparing -- */

int labels_compare(const labels_set *a, const labels_set *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++) {
        int c = strcmp(a->v[i].name, b->v[i].name);
        if (c)
            return c < 0 ? -1 : 1;
        c = strcmp(a->v[i].value, b->v[i].value);
        if (c)
            return c < 0 ? -1 : 1;
    }
    if (a->n == b->n)
        return 0;
    return a->n < b->n ? -1 : 1;
}

bool labels_equal(const labels_set *a, const labels_set *b)
{
    if (a->hash != b->hash || a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->v[i].name, b->v[i].name) ||
            strcmp(a->v[i].value, b->v[i].value))
            return false;
    }
    return true;
}

/* Compares the selected sub-sequences of a and b label by label. */
static bool equal_select(const labels_set *a, const labels_set *b,
                         const labels_names *names, bool want)
{
    size_t i = 0, j = 0, ni = 0, nj = 0;
    for (;;) {
        while (i < a->n && !names_select(names, &ni, a->v[i].name, want))
            i++;
        while (j < b->n && !names_select(names, &nj, b->v[j].name, want))
            j++;
        if (i == a->n || j == b->n)
            return i == a->n && j == b->n;
        if (strcmp(a->v[i].name, b->v[j].name) ||
            strcmp(a->v[i].value, b->v[j].value))
            return false;
        i++;
        j++;
    }
}

bool labels_equal_only(const labels_set *a, const labels_set *b,
                       const labels_names *names)
{
    return equal_select(a, b, names, true);
}

bool labels_equal_without(const labels_set *a, const labels_set *b,
                          const labels_names *names)
{
    return equal_select(a, b, names, false);
}

const char *labels_get(const labels_set *s, const char *name)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->v[mid].name, name);
        if (c == 0)
            return s->v[mid].value;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool labels_has_name(const labels_set *s)
{
    return labels_get(s, LABELS_NAME) != NULL;
}

/* ---------------------------------------------------------- deriving -- */

static int derive_select(arena *a, const labels_set *s,
                         const labels_names *names, bool want, labels_set *out)
{
    pql_label *v = s->n ? arena_alloc_array(a, s->n, sizeof(*v)) : NULL;
    if (s->n && !v)
        return -1;
    size_t k = 0, j = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (names_select(names, &j, s->v[i].name, want))
            v[k++] = s->v[i];
    }
    *out = labels_wrap(v, k);
    return 0;
}

int labels_only(arena *a, const labels_set *s, const labels_names *names,
                labels_set *out)
{
    return derive_select(a, s, names, true, out);
}

int labels_without(arena *a, const labels_set *s, const labels_names *names,
                   labels_set *out)
{
    return derive_select(a, s, names, false, out);
}

int labels_drop_name(arena *a, const labels_set *s, labels_set *out)
{
    size_t drop = 0;
    for (size_t i = 0; i < s->n; i++)
        drop += labels_is_metadata(s->v[i].name);
    if (drop == 0) {
        *out = *s;
        return 0;
    }
    size_t n = s->n - drop;
    pql_label *v = n ? arena_alloc_array(a, n, sizeof(*v)) : NULL;
    if (n && !v)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!labels_is_metadata(s->v[i].name))
            v[k++] = s->v[i];
    }
    *out = labels_wrap(v, k);
    return 0;
}

/* ----------------------------------------------------------- builder -- */

void labels_builder_init(labels_builder *b, arena *a, const labels_set *base)
{
    b->mem = a;
    b->n = 0;
    b->failed = 0;
    b->cap = (base ? base->n : 0) + 4;
    b->v = arena_alloc_array(a, b->cap, sizeof(pql_label));
    if (!b->v) {
        b->failed = 1;
        b->cap = 0;
        return;
    }
    if (base && base->n) {
        memcpy(b->v, base->v, base->n * sizeof(pql_label));
        b->n = base->n;
    }
}

static ptrdiff_t builder_find(const labels_builder *b, const char *name)
{
    for (size_t i = 0; i < b->n; i++) {
        if (strcmp(b->v[i].name, name) == 0)
            return (ptrdiff_t)i;
    }
    return -1;
}

void labels_builder_del(labels_builder *b, const char *name)
{
    ptrdiff_t i = builder_find(b, name);
    if (i < 0)
        return;
    /* Keep the array sorted so finish() has nothing to sort in the
     * usual base-plus-edits case. */
    memmove(&b->v[i], &b->v[i + 1], (b->n - (size_t)i - 1) * sizeof(pql_label));
    b->n--;
}

void labels_builder_drop_name(labels_builder *b)
{
    size_t k = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (!labels_is_metadata(b->v[i].name))
            b->v[k++] = b->v[i];
    }
    b->n = k;
}

void labels_builder_set(labels_builder *b, const char *name, const char *value)
{
    if (b->failed)
        return;
    if (!value || !value[0]) {
        labels_builder_del(b, name);
        return;
    }
    ptrdiff_t i = builder_find(b, name);
    if (i >= 0) {
        b->v[i].value = value;
        return;
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        pql_label *v = arena_grow(b->mem, b->v, b->n, cap, sizeof(pql_label));
        if (!v) {
            b->failed = 1;
            return;
        }
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n].name = name;
    b->v[b->n].value = value;
    b->n++;
}

static int label_cmp(const void *a, const void *b)
{
    return strcmp(((const pql_label *)a)->name, ((const pql_label *)b)->name);
}

int labels_builder_finish(labels_builder *b, labels_set *out)
{
    if (b->failed)
        return -1;
    for (size_t i = 1; i < b->n; i++) {
        if (strcmp(b->v[i - 1].name, b->v[i].name) > 0) {
            qsort(b->v, b->n, sizeof(pql_label), label_cmp);
            break;
        }
    }
    /* The builder's array becomes the set; a later init allocates anew. */
    *out = labels_wrap(b->v, b->n);
    b->v = NULL;
    b->n = b->cap = 0;
    return 0;
}

/* Appends Go's strconv.Quote form of s (enough for label values: escapes
 * quotes, backslashes and control bytes; UTF-8 passes through). */
static size_t quote_into(char *out, size_t cap, size_t pos, const char *s)
{
#define PUT(c)                                                                 \
    do {                                                                       \
        if (pos + 1 < cap)                                                     \
            out[pos] = (c);                                                    \
        pos++;                                                                 \
    } while (0)
    PUT('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT((char)c);
        } else if (c == '\n') {
            PUT('\\');
            PUT('n');
        } else if (c == '\t') {
            PUT('\\');
            PUT('t');
        } else if (c == '\r') {
            PUT('\\');
            PUT('r');
        } else if (c < 0x20 || c == 0x7f) {
            static const char hex[] = "0123456789abcdef";
            PUT('\\');
            PUT('x');
            PUT(hex[c >> 4]);
            PUT(hex[c & 15]);
        } else {
            PUT((char)c);
        }
    }
    PUT('"');
#undef PUT
    return pos;
}

char *labels_format(arena *a, const labels_set *s)
{
    /* Worst case: every value byte becomes a 4-byte \xNN escape. */
    size_t cap = 3;
    for (size_t i = 0; i < s->n; i++)
        cap += strlen(s->v[i].name) + 4 * strlen(s->v[i].value) + 5;
    char *out = arena_alloc(a, cap);
    if (!out)
        return NULL;
    size_t pos = 0;
    out[pos++] = '{';
    for (size_t i = 0; i < s->n; i++) {
        if (i) {
            out[pos++] = ',';
            out[pos++] = ' ';
        }
        size_t ln = strlen(s->v[i].name);
        memcpy(out + pos, s->v[i].name, ln);
        pos += ln;
        out[pos++] = '=';
        pos = quote_into(out, cap, pos, s->v[i].value);
    }
    out[pos++] = '}';
    out[pos] = '\0';
    return out;
}
