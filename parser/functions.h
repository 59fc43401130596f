/* functions.h: the table of PromQL functions and their signatures (no implementations). */
#ifndef PQL_FUNCTIONS_H
#define PQL_FUNCTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "promql.h"

#define FN_MAX_ARG_TYPES 5

/* One function as Prometheus's parser declares it (promql/parser/functions.go). */
struct fn_info {
    const char *name;
    pql_value_type arg_types[FN_MAX_ARG_TYPES];
    int n_arg_types;
    /* 0: exactly n_arg_types args. Otherwise at least n_arg_types - 1 args
     * (the last declared one is optional) and, for V > 0, at most
     * n_arg_types - 1 + V; -1 means no upper bound. Extra args take the type
     * of the last declared one. */
    int variadic;
    pql_value_type return_type;
    bool experimental;
};

typedef struct fn_info fn_info;

/* Looks a function up by its exact (case-sensitive) name; NULL if unknown. */
const fn_info *fn_lookup(const char *name, size_t len);

/* Number of entries and entry i, for iteration (tests, dictionaries). */
size_t fn_count(void);
const fn_info *fn_at(size_t i);

#endif
