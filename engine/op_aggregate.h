/* op_aggregate.h: internal state shared by the aggregation files
 * (op_aggregate*.c); op_aggregate_new itself is declared in operator.h. */
#ifndef PQL_OP_AGGREGATE_H
#define PQL_OP_AGGREGATE_H

#include "binagg_internal.h"
#include "operator.h"

typedef struct agg_group agg_group;

/* One aggregation operator and its evaluation state. The whole result is
 * computed on the first next() and then handed out series by series. */
typedef struct agg_state {
    op base;
    op *expr;
    op *param_op; /* SCALAR, STRING (count_values) or NULL */
    pql_op aop;
    bool without;
    labels_names grouping;
    size_t n; /* steps */

    double *param;      /* per-step parameter (SCALAR param) */
    binagg_groups keys; /* grouping key -> group id */
    agg_group *groups;
    size_t n_groups, cap_groups;
    eval_series_set in; /* materialised input (topk, quantile, ...) */

    bool computed;
    eval_series_set out;
    size_t next_out;
} agg_state;

/* Group id of a series (created on first sight, in input order); rows are
 * allocated for the accumulating aggregations when alloc_rows. -1 on
 * error. */
long agg_group_of(agg_state *a, eval_ctx *ctx, const labels_set *s,
                  bool alloc_rows);
/* Appends an empty output series (zeroed column and bitmap). */
eval_series *agg_out_add(agg_state *a, eval_ctx *ctx, labels_set labels,
                         bool drop_name);
/* Gives back the sample count held by the materialised input. */
void agg_give_input(agg_state *a, eval_ctx *ctx);
/* Index of the first set bit in m[0..words), or SIZE_MAX. */
size_t agg_first_set(const uint64_t *m, size_t words);

/* Prometheus's quantile over vals[0..n) (sorted in place). */
double agg_quantile(double q, double *vals, size_t n);

/* topk, bottomk, limitk, limit_ratio (op_aggregate_k.c). */
int agg_compute_k(agg_state *a, eval_ctx *ctx);
/* count_values (op_aggregate_count_values.c). */
int agg_count_values(agg_state *a, eval_ctx *ctx);

#endif
