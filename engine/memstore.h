/* memstore.h: internal layout of the in-memory store shared by its index,
 * select and append files. */
#ifndef PQL_MEMSTORE_H
#define PQL_MEMSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "promql.h"

/*
 * Open-addressing hash table from a 64-bit hash to a dense uint32 index into
 * one of the store's entry arrays. Slots keep 32 bits of the hash so that
 * growing never has to look at the entries; equality is the caller's, through
 * a callback (called per label or per series, never per sample).
 */
typedef struct memstore_slot {
    uint32_t hash;
    uint32_t idx1; /* entry index + 1; 0 = empty */
} memstore_slot;

typedef struct memstore_ht {
    memstore_slot *slots;
    size_t mask; /* capacity - 1; capacity is a power of two or 0 */
    size_t count;
} memstore_ht;

typedef int (*memstore_eq_fn)(const void *ctx, uint32_t idx);

/* Ensures room for `extra` more entries without growing; 0 when out of
 * memory (the table is unchanged then). */
int memstore_ht_reserve(memstore_ht *ht, size_t extra);
/* The index of the entry with this hash for which eq says yes, or
 * UINT32_MAX. */
uint32_t memstore_ht_find(const memstore_ht *ht, uint64_t hash,
                          memstore_eq_fn eq, const void *ctx);
/* Inserts (the caller reserved room and knows the key is absent). */
void memstore_ht_insert(memstore_ht *ht, uint64_t hash, uint32_t idx);
void memstore_ht_free(memstore_ht *ht);

/* One series: interned labels and its samples in parallel arrays, ascending
 * by time, append-only. */
typedef struct memstore_series {
    uint64_t hash;           /* XXH3 of the sorted label set */
    const pql_label *labels; /* in the store's arena, interned strings */
    uint32_t n_labels;
    size_t n, cap;
    int64_t *ts;
    double *v;
    /* Start timestamps [cap], 0 = unknown; NULL until the series first gets
     * a non-zero one, so series without STs cost nothing extra. */
    int64_t *st;
    /* Some value is a NaN (staleness markers included); kept up to date by
     * commits so reads can lend the arrays without scanning them. */
    bool has_nan;
} memstore_series;

/* An interned string: its bytes live in the store's arena. */
typedef struct memstore_str {
    const char *s;
    size_t len;
} memstore_str;

/* Postings: the ids (ascending) of the series with label name=value. */
typedef struct memstore_postings {
    const char *name;  /* interned */
    const char *value; /* interned */
    uint32_t *ids;
    uint32_t n, cap;
} memstore_postings;

/* Every postings list of one label name, for regex and `!=` scans. */
typedef struct memstore_name {
    const char *name;   /* interned */
    uint32_t *postings; /* indices into store->postings */
    uint32_t n, cap;
} memstore_name;

struct pql_memstore {
    arena mem; /* interned strings and label arrays; freed by clear */

    memstore_str *strs;
    size_t n_strs, cap_strs;
    memstore_ht str_ht;

    memstore_series *series;
    size_t n_series, cap_series;
    memstore_ht series_ht;

    memstore_postings *postings;
    size_t n_postings, cap_postings;
    memstore_ht postings_ht; /* key: (name ptr, value ptr) */

    memstore_name *names;
    size_t n_names, cap_names;
    memstore_ht names_ht; /* key: name ptr */

    size_t n_samples;

    /* Bumped by every commit and clear, so an appender can tell whether
     * what it looked up in add() still holds at commit. */
    uint64_t version;
    /* Open appenders, so clear and free can cut their ties to the store. */
    pql_appender *appenders;
};

/* ------------------------------------------------- memstore_append.c --- */

/* Called by clear and free for each open appender before the store's
 * memory goes: the appender copies any labels it borrowed from the store
 * and forgets series ids; when `gone` (free) it is cut off for good and its
 * commit will fail. */
void memstore_appender_detach(pql_appender *app, int gone);
/* The next open appender of the same store, or NULL. */
pql_appender *memstore_appender_next(const pql_appender *app);

/* ------------------------------------------------ memstore_index.c ----- */

/* Grows a malloc'd array to hold at least `need` elements (doubling);
 * 0 when out of memory, the array unchanged then. */
int memstore_grow_array(void **arr, size_t *cap, size_t need, size_t elem);
/* Hash of a sorted label set as the store identifies series: XXH3 over
 * name 0xff value 0xff ... Uses `scratch` (grown with realloc) to lay the
 * bytes out; returns 0 and leaves *hash unset when out of memory. */
int memstore_labels_hash(const pql_label *labels, size_t n, char **scratch,
                         size_t *scratch_cap, uint64_t *hash);
/* Compares two sorted label sets as Prometheus orders them: label by label,
 * name then value (bytewise); a prefix sorts first. */
int memstore_labels_cmp(const pql_label *a, size_t na, const pql_label *b,
                        size_t nb);
int memstore_labels_equal(const pql_label *a, size_t na, const pql_label *b,
                          size_t nb);
/* The committed series with exactly these labels, or UINT32_MAX. */
uint32_t memstore_find_series(const pql_memstore *st, uint64_t hash,
                              const pql_label *labels, size_t n);
/* The interned copy of (s, len), or NULL when never interned. */
const char *memstore_lookup_str(const pql_memstore *st, const char *s,
                                size_t len);
/* Interns (s, len), returning the store's copy; NULL when out of memory. */
const char *memstore_intern(pql_memstore *st, const char *s, size_t len);
/* The postings list for interned (name, value), or NULL. */
memstore_postings *memstore_find_postings(const pql_memstore *st,
                                          const char *name, const char *value);
/* The name entry for an interned name, or NULL. */
const memstore_name *memstore_find_name(const pql_memstore *st,
                                        const char *name);
/* Adds series `id` to the postings of interned (name, value), creating the
 * list (and its name entry) when new. 0 when out of memory; an empty list
 * left behind is harmless. */
int memstore_postings_add(pql_memstore *st, const char *name, const char *value,
                          uint32_t id);
/* Undoes memstore_postings_add for every id >= first_id on that list. */
void memstore_postings_truncate(pql_memstore *st, const char *name,
                                const char *value, uint32_t first_id);
/* Writes err (when not NULL) with a printf-style message; returns code. */
pql_status memstore_error(pql_error *err, pql_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Index of the first sample with ts >= t in [lo, hi). */
size_t memstore_lower_bound(const int64_t *ts, size_t lo, size_t hi, int64_t t);

#endif
