/* labels.h: query-local label sets: copying, hashing, comparison and building, all in the query arena. */
#ifndef PQL_LABELS_H
#define PQL_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "promql.h"

/*
 * A label set as every operator sees it: an array of pql_label sorted by name
 * (unique names, no empty values), plus the XXH3 hash of all of it, computed
 * once when the set is made. The array and its strings live in the query arena
 * (or in the AST, which outlives the query), so a labels_set may be copied by
 * value and kept until the query ends; nobody frees it.
 *
 * Hashes are only a fast filter: two different sets may share a hash, so any
 * join or grouping that must be exact confirms a hash hit with labels_equal
 * (or the _only/_without comparisons below).
 */
typedef struct labels_set {
    const pql_label *v;
    uint32_t n;
    uint64_t hash; /* labels_hash(v, n) */
} labels_set;

/* The metric-name label. Comparisons use strcmp, never pointer identity. */
#define LABELS_NAME "__name__"

/* A list of label names prepared once per operator (by/without, on/ignoring,
 * group_x includes): sorted, duplicates removed, strings borrowed. */
typedef struct labels_names {
    const char **v;
    size_t n;
} labels_names;

/* Sorts and dedups `names` into an arena copy. Returns 0, or -1 when the arena
 * is exhausted. n may be 0 (names may then be NULL). */
int labels_names_prepare(arena *a, const char *const *names, size_t n,
                         labels_names *out);
/* 1 when `name` is in the prepared list (binary search). */
bool labels_names_has(const labels_names *names, const char *name);

/* ------------------------------------------------------------- making -- */

/* Deep-copies a storage label set (which lives only until the storage's next
 * set_next) into the arena; input must already be sorted by name. Returns 0
 * or -1 when the arena is exhausted. */
int labels_copy(arena *a, const pql_label *v, size_t n, labels_set *out);
/* Wraps an arena/AST-owned sorted array without copying; computes the hash. */
labels_set labels_wrap(const pql_label *v, size_t n);
/* The empty set (scalars, aggregations without groups). */
labels_set labels_empty(void);

/* ------------------------------------------------------------ hashing -- */

/* Hash of every label; equal sets hash equal. */
uint64_t labels_hash(const pql_label *v, size_t n);
/* Hash of only the labels whose names are in `names` (Prometheus's
 * HashForLabels: `by`, `on`). Equals labels_hash(labels_only(...)). */
uint64_t labels_hash_only(const labels_set *s, const labels_names *names);
/* Hash of every label except those in `names` AND except __name__
 * (Prometheus's HashWithoutLabels: `without`, `ignoring`). Equals
 * labels_hash(labels_without(...)). */
uint64_t labels_hash_without(const labels_set *s, const labels_names *names);

/* ---------------------------------------------------------- comparing -- */

/* Prometheus's labels.Compare order: label by label, name first then value
 * (byte-wise), a set that is a prefix of the other sorts first. */
int labels_compare(const labels_set *a, const labels_set *b);
/* Exact equality (checks the hash first). */
bool labels_equal(const labels_set *a, const labels_set *b);
/* Equality restricted as in labels_hash_only / labels_hash_without. */
bool labels_equal_only(const labels_set *a, const labels_set *b,
                       const labels_names *names);
bool labels_equal_without(const labels_set *a, const labels_set *b,
                          const labels_names *names);

/* Value of label `name` or NULL when absent (binary search). */
const char *labels_get(const labels_set *s, const char *name);
/* 1 when the set has a __name__ label. */
bool labels_has_name(const labels_set *s);

/* ---------------------------------------------------------- deriving -- */

/* Keeps only the labels in `names` (aggregation `by`, binary `on` keys).
 * The result shares strings with `s`. Returns 0 or -1 (arena exhausted). */
int labels_only(arena *a, const labels_set *s, const labels_names *names,
                labels_set *out);
/* Drops the labels in `names` and __name__ (aggregation `without`). */
int labels_without(arena *a, const labels_set *s, const labels_names *names,
                   labels_set *out);
/* Drops the metric name as Prometheus does when a name is removed
 * (DropReserved(IsMetadataLabel)): __name__ and also __type__ and __unit__.
 * Stores `s` itself (no allocation) when it has none of them. */
int labels_drop_name(arena *a, const labels_set *s, labels_set *out);
/* 1 for __name__, __type__ and __unit__ (what labels_drop_name removes). */
bool labels_is_metadata(const char *name);

/*
 * Builder for arbitrary edits (label_replace, group_left includes, count_values,
 * info()). Start from a base set, apply set/del in any order, finish once.
 * Strings are borrowed: pass strings that live for the query (arena or AST).
 * Setting an empty value deletes the label, as in Prometheus.
 */
typedef struct labels_builder {
    arena *mem;
    pql_label *v;
    size_t n, cap;
    int failed; /* an allocation failed; finish returns -1 */
} labels_builder;

void labels_builder_init(labels_builder *b, arena *a, const labels_set *base);
void labels_builder_set(labels_builder *b, const char *name, const char *value);
void labels_builder_del(labels_builder *b, const char *name);
/* Removes what labels_drop_name removes (__name__, __type__, __unit__), so
 * an operator editing labels drops the name exactly as everyone else does. */
void labels_builder_drop_name(labels_builder *b);
/* Sorts, hashes and stores the result in *out. Returns 0 or -1. The builder
 * may be re-initialised afterwards. */
int labels_builder_finish(labels_builder *b, labels_set *out);

/* Writes `{a="x", b="y"}` (Prometheus's Labels.String form) into an arena
 * string for error messages; NULL when the arena is exhausted. */
char *labels_format(arena *a, const labels_set *s);

#endif
