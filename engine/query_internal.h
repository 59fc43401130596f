/* query_internal.h: the engine, query and result objects behind the public handles. */
#ifndef PQL_QUERY_INTERNAL_H
#define PQL_QUERY_INTERNAL_H

#include <stdatomic.h>

#include "operator.h"

struct pql_engine {
    pql_engine_options opts;
};

struct pql_query {
    const pql_engine *engine;
    pql_storage storage;
    arena ast_mem;          /* the parsed tree; lives as long as the query */
    const ast_node *root;
    char *text;             /* copy of the query text (annotation positions) */
    size_t text_len;
    bool is_instant;
    int64_t start_ms, end_ms, step_ms;
    double parse_seconds;
    atomic_int cancel;
};

/* One result series (vector sample: n == 1). Arrays in the result arena. */
typedef struct result_series {
    const pql_label *labels;
    size_t n_labels;
    const int64_t *ts;
    const double *vals;
    size_t n;
} result_series;

struct pql_result {
    arena mem;
    pql_result_type type;
    int64_t t_ms;  /* scalar / string */
    double value;  /* scalar */
    const char *str;
    result_series *series;
    size_t n_series;
    const char **warnings, **infos;
    size_t n_warnings, n_infos;
    pql_query_stats stats;
};

/*
 * Pulls the root operator (opened by the caller) to its end and builds the
 * public result: instant vector / scalar / string / matrix for instant
 * queries, a label-sorted matrix for range queries. Applies delayed name
 * removal and its collision check. Returns 0 with *out set, or -1 with the
 * error in ctx. The result owns copies of everything it shows.
 */
int result_build(eval_ctx *ctx, op *root, pql_result **out);

/* Monotonic seconds, for stats. */
double query_now_seconds(void);

#endif
