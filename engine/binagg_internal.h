/* binagg_internal.h: helpers shared by the binary-operator and aggregation
 * operators. */
#ifndef PQL_BINAGG_INTERNAL_H
#define PQL_BINAGG_INTERNAL_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "labels.h"
#include "promql.h"

/* Neumaier-compensated increment, as Prometheus's kahanSumInc: the
 * compensation is reset once the sum overflows so Inf stays Inf rather
 * than turning into NaN on the final sum + c. */
static inline void agg_kahan_inc(double inc, double *sum, double *c)
{
    double t = *sum + inc;
    if (isinf(t)) {
        *c = 0;
    } else if (fabs(*sum) >= fabs(inc)) {
        *c += (*sum - t) + inc;
    } else {
        *c += (inc - t) + *sum;
    }
    *sum = t;
}

/* ---------------------------------------------------------- operators -- */

static inline bool binop_is_comparison(pql_op op)
{
    return op >= PQL_OP_EQL && op <= PQL_OP_LTE;
}

static inline bool binop_is_trim(pql_op op)
{
    return op == PQL_OP_TRIM_UPPER || op == PQL_OP_TRIM_LOWER;
}

static inline bool binop_is_set(pql_op op)
{
    return op == PQL_OP_AND || op == PQL_OP_OR || op == PQL_OP_UNLESS;
}

/* Arithmetic operators drop the metric name (Prometheus's
 * shouldDropMetricName). */
static inline bool binop_drops_name(pql_op op)
{
    return op >= PQL_OP_ADD && op <= PQL_OP_ATAN2;
}

/* Arithmetic between two floats (+ - * / % ^ atan2) with Go's math
 * semantics. */
double binop_arith(pql_op op, double l, double r);

/* Comparison between two floats (== != > < >= <=); NaN compares false
 * except for !=. */
bool binop_compare(pql_op op, double l, double r);

/* Column kernels over n steps. `present` is the step bitmap (bit t set =
 * value at step t); comparison filters clear bits of dropped steps. */
void binop_arith_cols(pql_op op, const double *l, const double *r, double *out,
                      size_t n);
/* l op scalar s (swap = 0) or s op l (swap = 1). */
void binop_arith_col_scalar(pql_op op, const double *col, const double *s,
                            bool swap, double *out, size_t n);
/* For comparisons: out[t] = value to keep (the vector side) and keep bit
 * written into keep[] (1 = comparison true). */
void binop_compare_cols(pql_op op, const double *l, const double *r,
                        uint8_t *keep, size_t n);

/* ------------------------------------------------------------- hashing -- */

/* Open-addressing map from a 64-bit key hash to a dense index, allocated
 * from the query arena. Keys are XXH3 hashes of label signatures computed
 * once per series; the map is only touched per series, never per step. */
typedef struct binagg_map {
    uint64_t *keys;
    uint32_t *vals; /* UINT32_MAX = empty slot */
    size_t cap;     /* power of two */
    size_t count;
} binagg_map;

/* Returns false when the arena is exhausted. */
bool binagg_map_init(binagg_map *m, arena *a, size_t expected);
/* Index stored for key, or UINT32_MAX. */
uint32_t binagg_map_get(const binagg_map *m, uint64_t key);
/* Stores key -> val (key must be absent); false when out of memory. */
bool binagg_map_put(binagg_map *m, arena *a, uint64_t key, uint32_t val);

/* How two label sets are compared when their key hashes meet. */
typedef enum {
    BINAGG_KEY_ONLY,    /* equal on the listed names (by, on) */
    BINAGG_KEY_WITHOUT, /* equal except the listed names and __name__ */
    BINAGG_KEY_ALL      /* exactly equal (output label sets) */
} binagg_key_mode;

/* Groups of series sharing a key: the hash is the fast path and a hit is
 * confirmed against the group's first member so hash collisions can never
 * merge different groups (a colliding set is re-keyed and probed again). */
typedef struct binagg_groups {
    binagg_map map;
    labels_set *reps; /* first member's labels per group */
    size_t n, cap;
    binagg_key_mode mode;
    const labels_names *names;
} binagg_groups;

bool binagg_groups_init(binagg_groups *g, arena *a, binagg_key_mode mode,
                        const labels_names *names, size_t expected);
/* Key hash of s under the table's mode. */
uint64_t binagg_groups_key(const binagg_groups *g, const labels_set *s);
/* Group id of s (key = binagg_groups_key(g, s)); adds a group when absent
 * and sets *created. UINT32_MAX when out of memory. */
uint32_t binagg_groups_find_or_add(binagg_groups *g, arena *a, uint64_t key,
                                   const labels_set *s, bool *created);
/* Group id of s or UINT32_MAX when there is none (never adds). */
uint32_t binagg_groups_find(const binagg_groups *g, uint64_t key,
                            const labels_set *s);

/* ------------------------------------------------------ k selection -- */

/* One candidate of topk/bottomk/limitk/limit_ratio at one step: its value
 * and the index of its input series. */
typedef struct agg_item {
    double f;
    uint32_t idx;
} agg_item;

/* Offers one sample to a group's selection at one step, in input order,
 * replaying Go's container/heap moves so ties and NaNs resolve exactly as
 * Prometheus resolves them. TOPK/BOTTOMK keep the k best, LIMITK the first
 * k, LIMIT_RATIO everything offered (the caller filters by ratio first).
 * `heap` must have room for one more item whenever *len < k (LIMIT_RATIO:
 * always). */
void agg_heap_offer(pql_op op, agg_item *heap, size_t *len, size_t k,
                    agg_item item);
/* Puts a finished heap into output order: sorted for TOPK/BOTTOMK, left in
 * heap order (as Prometheus emits it) for LIMITK/LIMIT_RATIO. */
void agg_heap_finish(pql_op op, agg_item *heap, size_t len);

/* The ratio sampler's offset of a series, hash(labels) / 2^64 with
 * Prometheus's labels.Hash (XXH64 of name 0xff value 0xff ...). */
double agg_ratio_offset(const pql_label *labels, size_t n_labels);
/* Whether a series with that offset is kept by limit_ratio(r). */
static inline bool agg_ratio_keep(double offset, double r)
{
    return (r >= 0 && offset < r) || (r < 0 && offset >= 1.0 + r);
}

/* -------------------------------------------------------- formatting -- */

/* strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits in plain
 * decimal notation; NaN, +Inf, -Inf. Returns the full length (snprintf
 * style). */
size_t agg_format_float_f(double v, char *out, size_t cap);
/* Go's %g / %v for a float64 (shortest digits; exponent form when the
 * exponent is < -4 or >= 6). */
size_t agg_format_float_g(double v, char *out, size_t cap);
/* strconv.Quote: a double-quoted Go string literal. */
size_t agg_quote_go(const char *s, size_t n, char *out, size_t cap);
/* Whether s[0..n) is valid UTF-8. */
bool agg_valid_utf8(const char *s, size_t n);

#endif
