/* memstore_index.c: the store's hash tables, string interning, label-set
 * hashing and postings lists. */
#include "memstore.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ---------------------------------------------------------- hash table -- */

static uint32_t ht_fold(uint64_t h)
{
    return (uint32_t)h ^ (uint32_t)(h >> 32);
}

int memstore_ht_reserve(memstore_ht *ht, size_t extra)
{
    size_t cap = ht->slots ? ht->mask + 1 : 0;
    if (extra > SIZE_MAX / 4 - ht->count)
        return 0;
    size_t need = (ht->count + extra) * 2; /* load factor at most 1/2 */
    if (cap >= need && cap > 0)
        return 1;
    size_t ncap = cap ? cap : 16;
    while (ncap < need) {
        if (ncap > ((size_t)1 << 31)) /* slots hold 32-bit hashes and ids */
            return 0;
        ncap *= 2;
    }
    memstore_slot *ns = calloc(ncap, sizeof *ns);
    if (ns == NULL)
        return 0;
    size_t nmask = ncap - 1;
    for (size_t i = 0; i < cap; i++) {
        memstore_slot s = ht->slots[i];
        if (!s.idx1)
            continue;
        size_t j = s.hash & nmask;
        while (ns[j].idx1)
            j = (j + 1) & nmask;
        ns[j] = s;
    }
    free(ht->slots);
    ht->slots = ns;
    ht->mask = nmask;
    return 1;
}

uint32_t memstore_ht_find(const memstore_ht *ht, uint64_t hash,
                          memstore_eq_fn eq, const void *ctx)
{
    if (ht->slots == NULL)
        return UINT32_MAX;
    uint32_t h = ht_fold(hash);
    for (size_t i = h & ht->mask;; i = (i + 1) & ht->mask) {
        const memstore_slot *s = &ht->slots[i];
        if (!s->idx1)
            return UINT32_MAX;
        if (s->hash == h && eq(ctx, s->idx1 - 1))
            return s->idx1 - 1;
    }
}

void memstore_ht_insert(memstore_ht *ht, uint64_t hash, uint32_t idx)
{
    uint32_t h = ht_fold(hash);
    size_t i = h & ht->mask;
    while (ht->slots[i].idx1)
        i = (i + 1) & ht->mask;
    ht->slots[i].hash = h;
    ht->slots[i].idx1 = idx + 1;
    ht->count++;
}

void memstore_ht_free(memstore_ht *ht)
{
    free(ht->slots);
    ht->slots = NULL;
    ht->mask = 0;
    ht->count = 0;
}

int memstore_grow_array(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 1;
    size_t ncap = *cap ? *cap : 8;
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

/* Interned strings are unique, so pointers stand for their contents. */
static uint64_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static uint64_t pair_hash(const void *a, const void *b)
{
    uint64_t h = ptr_hash(a);
    return ptr_hash((const void *)(uintptr_t)(h ^ (uint64_t)(uintptr_t)b));
}

/* ----------------------------------------------------------- interning -- */

typedef struct str_key {
    const pql_memstore *st;
    const char *s;
    size_t len;
} str_key;

static int str_eq(const void *ctx, uint32_t idx)
{
    const str_key *k = ctx;
    const memstore_str *e = &k->st->strs[idx];
    return e->len == k->len && memcmp(e->s, k->s, k->len) == 0;
}

const char *memstore_lookup_str(const pql_memstore *st, const char *s,
                                size_t len)
{
    str_key k = {st, s, len};
    uint32_t idx =
        memstore_ht_find(&st->str_ht, XXH3_64bits(s, len), str_eq, &k);
    return idx == UINT32_MAX ? NULL : st->strs[idx].s;
}

const char *memstore_intern(pql_memstore *st, const char *s, size_t len)
{
    uint64_t h = XXH3_64bits(s, len);
    str_key k = {st, s, len};
    uint32_t idx = memstore_ht_find(&st->str_ht, h, str_eq, &k);
    if (idx != UINT32_MAX)
        return st->strs[idx].s;
    if (st->n_strs >= UINT32_MAX - 1 ||
        !memstore_grow_array((void **)&st->strs, &st->cap_strs, st->n_strs + 1,
                             sizeof *st->strs) ||
        !memstore_ht_reserve(&st->str_ht, 1))
        return NULL;
    char *copy = arena_strndup(&st->mem, s, len);
    if (copy == NULL)
        return NULL;
    st->strs[st->n_strs].s = copy;
    st->strs[st->n_strs].len = len;
    memstore_ht_insert(&st->str_ht, h, (uint32_t)st->n_strs);
    st->n_strs++;
    return copy;
}

/* -------------------------------------------------------------- labels -- */

int memstore_labels_hash(const pql_label *labels, size_t n, char **scratch,
                         size_t *scratch_cap, uint64_t *hash)
{
    size_t need = 0;
    for (size_t i = 0; i < n; i++)
        need += strlen(labels[i].name) + strlen(labels[i].value) + 2;
    if (need > *scratch_cap) {
        size_t ncap = *scratch_cap ? *scratch_cap : 256;
        while (ncap < need)
            ncap *= 2;
        char *p = realloc(*scratch, ncap);
        if (p == NULL)
            return 0;
        *scratch = p;
        *scratch_cap = ncap;
    }
    char *q = *scratch;
    for (size_t i = 0; i < n; i++) {
        size_t a = strlen(labels[i].name), b = strlen(labels[i].value);
        memcpy(q, labels[i].name, a);
        q += a;
        *q++ = (char)0xff;
        memcpy(q, labels[i].value, b);
        q += b;
        *q++ = (char)0xff;
    }
    *hash = XXH3_64bits(*scratch, need);
    return 1;
}

int memstore_labels_cmp(const pql_label *a, size_t na, const pql_label *b,
                        size_t nb)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        /* Interned strings compare equal by pointer; strcmp orders bytes as
         * unsigned, which is Go's string order. */
        if (a[i].name != b[i].name) {
            int c = strcmp(a[i].name, b[i].name);
            if (c)
                return c;
        }
        if (a[i].value != b[i].value) {
            int c = strcmp(a[i].value, b[i].value);
            if (c)
                return c;
        }
    }
    return na < nb ? -1 : na > nb ? 1 : 0;
}

int memstore_labels_equal(const pql_label *a, size_t na, const pql_label *b,
                          size_t nb)
{
    return na == nb && memstore_labels_cmp(a, na, b, nb) == 0;
}

typedef struct series_key {
    const pql_memstore *st;
    const pql_label *labels;
    size_t n;
} series_key;

static int series_eq(const void *ctx, uint32_t idx)
{
    const series_key *k = ctx;
    const memstore_series *s = &k->st->series[idx];
    return memstore_labels_equal(s->labels, s->n_labels, k->labels, k->n);
}

uint32_t memstore_find_series(const pql_memstore *st, uint64_t hash,
                              const pql_label *labels, size_t n)
{
    series_key k = {st, labels, n};
    return memstore_ht_find(&st->series_ht, hash, series_eq, &k);
}

/* ------------------------------------------------------------ postings -- */

typedef struct postings_key {
    const pql_memstore *st;
    const char *name, *value;
} postings_key;

static int postings_eq(const void *ctx, uint32_t idx)
{
    const postings_key *k = ctx;
    const memstore_postings *p = &k->st->postings[idx];
    return p->name == k->name && p->value == k->value;
}

static int name_eq(const void *ctx, uint32_t idx)
{
    const postings_key *k = ctx;
    return k->st->names[idx].name == k->name;
}

memstore_postings *memstore_find_postings(const pql_memstore *st,
                                          const char *name, const char *value)
{
    postings_key k = {st, name, value};
    uint32_t idx = memstore_ht_find(&st->postings_ht, pair_hash(name, value),
                                    postings_eq, &k);
    return idx == UINT32_MAX ? NULL : &st->postings[idx];
}

const memstore_name *memstore_find_name(const pql_memstore *st,
                                        const char *name)
{
    postings_key k = {st, name, NULL};
    uint32_t idx = memstore_ht_find(&st->names_ht, ptr_hash(name), name_eq, &k);
    return idx == UINT32_MAX ? NULL : &st->names[idx];
}

/* Finds or creates the name entry; NULL when out of memory. */
static memstore_name *names_get(pql_memstore *st, const char *name)
{
    postings_key k = {st, name, NULL};
    uint64_t h = ptr_hash(name);
    uint32_t idx = memstore_ht_find(&st->names_ht, h, name_eq, &k);
    if (idx != UINT32_MAX)
        return &st->names[idx];
    if (st->n_names >= UINT32_MAX - 1 ||
        !memstore_grow_array((void **)&st->names, &st->cap_names,
                             st->n_names + 1, sizeof *st->names) ||
        !memstore_ht_reserve(&st->names_ht, 1))
        return NULL;
    memstore_name *e = &st->names[st->n_names];
    memset(e, 0, sizeof *e);
    e->name = name;
    memstore_ht_insert(&st->names_ht, h, (uint32_t)st->n_names);
    st->n_names++;
    return e;
}

/* Finds or creates the postings list (registered under its name); NULL when
 * out of memory. */
static memstore_postings *postings_get(pql_memstore *st, const char *name,
                                       const char *value)
{
    memstore_postings *p = memstore_find_postings(st, name, value);
    if (p != NULL)
        return p;
    memstore_name *ne = names_get(st, name);
    if (ne == NULL)
        return NULL;
    size_t ncap = ne->cap;
    if (st->n_postings >= UINT32_MAX - 1 ||
        !memstore_grow_array((void **)&ne->postings, &ncap, (size_t)ne->n + 1,
                             sizeof *ne->postings))
        return NULL;
    ne->cap = (uint32_t)ncap;
    if (!memstore_grow_array((void **)&st->postings, &st->cap_postings,
                             st->n_postings + 1, sizeof *st->postings) ||
        !memstore_ht_reserve(&st->postings_ht, 1))
        return NULL;
    uint32_t idx = (uint32_t)st->n_postings++;
    p = &st->postings[idx];
    memset(p, 0, sizeof *p);
    p->name = name;
    p->value = value;
    memstore_ht_insert(&st->postings_ht, pair_hash(name, value), idx);
    ne->postings[ne->n++] = idx;
    return p;
}

int memstore_postings_add(pql_memstore *st, const char *name, const char *value,
                          uint32_t id)
{
    memstore_postings *p = postings_get(st, name, value);
    if (p == NULL)
        return 0;
    size_t cap = p->cap;
    if (p->n >= UINT32_MAX - 1 ||
        !memstore_grow_array((void **)&p->ids, &cap, (size_t)p->n + 1,
                             sizeof *p->ids))
        return 0;
    p->cap = (uint32_t)cap;
    p->ids[p->n++] = id;
    return 1;
}

void memstore_postings_truncate(pql_memstore *st, const char *name,
                                const char *value, uint32_t first_id)
{
    memstore_postings *p = memstore_find_postings(st, name, value);
    if (p == NULL)
        return;
    while (p->n > 0 && p->ids[p->n - 1] >= first_id)
        p->n--;
}

size_t memstore_lower_bound(const int64_t *ts, size_t lo, size_t hi, int64_t t)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ts[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

pql_status memstore_error(pql_error *err, pql_status code, const char *fmt, ...)
{
    if (err != NULL) {
        err->code = code;
        err->start = -1;
        err->end = -1;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}
