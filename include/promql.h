/* promql.h: the one public header of libpromql, laid out as its API reference. */
#ifndef PROMQL_H
#define PROMQL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Conventions for every call in this header
 * -----------------------------------------
 * - Calls that can fail return a pql_status; PQL_OK (0) is success.
 * - Details of a failure go into a caller-provided pql_error (may be NULL when
 *   the caller does not want details). The first error wins: a call writes the
 *   error object only when it fails.
 * - An object returned through an out-parameter belongs to the caller, who
 *   releases it with the matching *_free call. *_free(NULL) is a no-op.
 * - Strings returned by accessors are owned by the object they were read from
 *   and stay valid until that object is freed.
 * - Times are Unix milliseconds (int64_t); durations are nanoseconds where the
 *   AST stores them (as Prometheus does) and milliseconds in evaluation calls.
 */

/* ---------------------------------------------------------------- status -- */

#define PQL_STATUS_LIST(X)                                                     \
    X(PQL_OK, 0, "ok")                                                         \
    X(PQL_ERR_PARSE, 1, "parse error")                                         \
    X(PQL_ERR_NOMEM, 2, "out of memory")                                       \
    X(PQL_ERR_INVALID_ARGUMENT, 3, "invalid argument")                         \
    X(PQL_ERR_EXECUTION, 4, "execution error")                                 \
    X(PQL_ERR_TIMEOUT, 5, "query timed out")                                   \
    X(PQL_ERR_CANCELED, 6, "query canceled")                                   \
    X(PQL_ERR_TOO_MANY_SAMPLES, 7, "too many samples")                         \
    X(PQL_ERR_MEMORY_LIMIT, 8, "memory limit exceeded")                        \
    X(PQL_ERR_STORAGE, 9, "storage error")                                     \
    X(PQL_ERR_DATA, 10, "bad input data")                                      \
    X(PQL_ERR_IO, 11, "i/o error")

typedef enum {
#define PQL_STATUS_ENUM(name, code, text) name = code,
    PQL_STATUS_LIST(PQL_STATUS_ENUM)
#undef PQL_STATUS_ENUM
} pql_status;

/* A static, human-readable name for a status code ("parse error"). */
const char *pql_status_text(pql_status status);

/* ----------------------------------------------------------------- error -- */

#define PQL_ERROR_MESSAGE_MAX 1024

/*
 * Details of a failed call. Plain data the caller allocates (on the stack is
 * fine); nothing inside needs freeing.
 * - message: Prometheus's own wording where it has one, without position
 *   prefix, e.g. `unexpected end of input`; NUL-terminated, truncated to fit.
 * - start, end: byte offsets into the query text of the offending range
 *   (end exclusive) for parse errors; -1 when the error has no position.
 */
typedef struct pql_error {
    pql_status code;
    int64_t start;
    int64_t end;
    char message[PQL_ERROR_MESSAGE_MAX];
} pql_error;

/* Resets *err to PQL_OK with an empty message and positions -1. */
void pql_error_clear(pql_error *err);

/*
 * Formats a parse error as Prometheus prints it, `<line>:<col>: parse error:
 * <message>`, where line and col (1-based, bytes) are computed from err->start
 * within `query`. Writes at most `cap` bytes including the NUL into `out` and
 * returns the length the full text would have (like snprintf).
 */
size_t pql_error_format(const pql_error *err, const char *query, char *out,
                        size_t cap);

/* ---------------------------------------------------------------- parser -- */

/* Parser switches; start from pql_parse_options_default(). */
typedef struct pql_parse_options {
    /* Experimental functions (limitk, info, sort_by_label, ...); default on. */
    int enable_experimental_functions;
    /* Duration expressions in ranges/offsets (x[5m+1m]); default on. */
    int enable_duration_expressions;
    /* `anchored` and `smoothed` selector modifiers; default on. */
    int enable_extended_range_selectors;
    /* fill/fill_left/fill_right binary-operator modifiers; default on. */
    int enable_binop_fill_modifiers;
    /* Refuse inputs longer than this many bytes (default 1 MiB). */
    size_t max_query_bytes;
    /* Refuse nesting deeper than this (default 256 levels). */
    int max_depth;
} pql_parse_options;

/* Every feature on, Prometheus's test-engine defaults. */
pql_parse_options pql_parse_options_default(void);

/* A parsed, type-checked expression; owns every node and string in it. */
typedef struct pql_expr pql_expr;

/* One node of a parsed expression; owned by its pql_expr. */
typedef struct pql_node pql_node;

/*
 * Parses `query` (len bytes; need not be NUL-terminated) and type-checks it.
 * opts may be NULL for the defaults. On success returns PQL_OK and stores a new
 * expression in *out, which the caller frees with pql_expr_free. On failure
 * returns PQL_ERR_PARSE (or PQL_ERR_NOMEM), leaves *out NULL and fills err with
 * the first error, its message and byte positions.
 */
pql_status pql_parse(const char *query, size_t len,
                     const pql_parse_options *opts, pql_expr **out,
                     pql_error *err);

/* Releases the expression and all of its nodes. */
void pql_expr_free(pql_expr *expr);

/*
 * Prints the expression in Prometheus's canonical form (its String()).
 * Returns a NUL-terminated string the caller frees with free(), or NULL when
 * out of memory.
 */
char *pql_expr_format(const pql_expr *expr);

/* Same as pql_expr_format for a sub-tree. */
char *pql_node_format(const pql_node *node);

/* The root node; valid while the expression lives. */
const pql_node *pql_expr_root(const pql_expr *expr);

/* --------------------------------------------------------- AST inspection -- */

typedef enum {
    PQL_NODE_NUMBER = 1,      /* number or duration literal: pql_node_number */
    PQL_NODE_STRING,          /* string literal: pql_node_string */
    PQL_NODE_VECTOR_SELECTOR, /* matchers, offset, @ */
    PQL_NODE_MATRIX_SELECTOR, /* child 0: the vector selector; range */
    PQL_NODE_SUBQUERY,        /* child 0: inner expression; range, step */
    PQL_NODE_CALL,            /* function call: name, children = arguments */
    PQL_NODE_AGGREGATE,       /* children: [param,] expression; grouping */
    PQL_NODE_BINARY,          /* children: lhs, rhs; op, matching */
    PQL_NODE_UNARY,           /* child 0: operand; op is ADD or SUB */
    PQL_NODE_PAREN,           /* child 0: inner expression */
    PQL_NODE_DURATION_EXPR    /* arithmetic inside [] or after offset */
} pql_node_kind;

/* Value types, named as Prometheus names them in errors. */
typedef enum {
    PQL_TYPE_NONE = 0,
    PQL_TYPE_SCALAR,
    PQL_TYPE_VECTOR, /* "instant vector" */
    PQL_TYPE_MATRIX, /* "range vector" */
    PQL_TYPE_STRING
} pql_value_type;

/* "scalar", "instant vector", "range vector", "string" or "none". */
const char *pql_value_type_name(pql_value_type type);

/* Binary, unary and duration-expression operators, and aggregations. */
typedef enum {
    PQL_OP_NONE = 0,
    PQL_OP_ADD, PQL_OP_SUB, PQL_OP_MUL, PQL_OP_DIV, PQL_OP_MOD, PQL_OP_POW,
    PQL_OP_ATAN2,
    PQL_OP_EQL, PQL_OP_NEQ, PQL_OP_GTR, PQL_OP_LSS, PQL_OP_GTE, PQL_OP_LTE,
    PQL_OP_TRIM_UPPER, PQL_OP_TRIM_LOWER,
    PQL_OP_AND, PQL_OP_OR, PQL_OP_UNLESS,
    /* duration-expression only */
    PQL_OP_STEP, PQL_OP_RANGE, PQL_OP_MIN_OF, PQL_OP_MAX_OF,
    /* aggregations */
    PQL_AGG_SUM, PQL_AGG_AVG, PQL_AGG_COUNT, PQL_AGG_MIN, PQL_AGG_MAX,
    PQL_AGG_GROUP, PQL_AGG_STDDEV, PQL_AGG_STDVAR, PQL_AGG_TOPK,
    PQL_AGG_BOTTOMK, PQL_AGG_COUNT_VALUES, PQL_AGG_QUANTILE, PQL_AGG_LIMITK,
    PQL_AGG_LIMIT_RATIO
} pql_op;

/* The operator's PromQL spelling ("+", "and", "sum", "step"). Static. */
const char *pql_op_text(pql_op op);

typedef enum {
    PQL_MATCH_EQUAL = 0, /* = */
    PQL_MATCH_NOT_EQUAL, /* != */
    PQL_MATCH_REGEX,     /* =~ */
    PQL_MATCH_NOT_REGEX  /* !~ */
} pql_match_type;

/* A label matcher of a vector selector; strings owned by the expression. */
typedef struct pql_matcher {
    const char *name;
    pql_match_type type;
    const char *value;
    size_t value_len; /* value may contain NUL bytes */
} pql_matcher;

typedef enum {
    PQL_CARD_NONE = 0, /* no vector matching (a scalar side) */
    PQL_CARD_ONE_TO_ONE,
    PQL_CARD_MANY_TO_ONE, /* group_left */
    PQL_CARD_ONE_TO_MANY, /* group_right */
    PQL_CARD_MANY_TO_MANY /* set operators */
} pql_cardinality;

/* Where an @ modifier points. */
typedef enum {
    PQL_AT_NONE = 0,
    PQL_AT_TIMESTAMP, /* pql_node_at_ms gives the time */
    PQL_AT_START,     /* @ start() */
    PQL_AT_END        /* @ end() */
} pql_at_kind;

/* All accessors below accept any node and answer 0/NULL/NONE when the
 * property does not apply to that kind. */
pql_node_kind pql_node_get_kind(const pql_node *node);
/* Type the checker assigned: for a CALL the function's return type, etc. */
pql_value_type pql_node_type(const pql_node *node);
/* Byte range of the node in the query text, end exclusive. */
void pql_node_position(const pql_node *node, int64_t *start, int64_t *end);
size_t pql_node_child_count(const pql_node *node);
/* Child i (0-based) or NULL when out of range. */
const pql_node *pql_node_child(const pql_node *node, size_t i);
/* Number literal value (durations as seconds). */
double pql_node_number(const pql_node *node);
/* String literal value (unquoted) and its length. */
const char *pql_node_string(const pql_node *node, size_t *len);
/* Operator of BINARY, UNARY, AGGREGATE and DURATION_EXPR nodes. */
pql_op pql_node_op(const pql_node *node);
/* Function name of a CALL node. */
const char *pql_node_function_name(const pql_node *node);
/* Metric name written outside braces of a selector, or NULL. */
const char *pql_node_metric_name(const pql_node *node);
size_t pql_node_matcher_count(const pql_node *node);
/* Matcher i of a vector selector (or of a matrix selector's selector). */
const pql_matcher *pql_node_matcher(const pql_node *node, size_t i);
/* Grouping labels of an AGGREGATE (by/without) or matching labels of a
 * BINARY (on/ignoring). */
size_t pql_node_label_count(const pql_node *node);
const char *pql_node_label(const pql_node *node, size_t i);
/* 1 for `without` / `ignoring`, 0 for `by` / `on` or none. */
int pql_node_is_without(const pql_node *node);
/* 1 when BINARY has the bool modifier. */
int pql_node_return_bool(const pql_node *node);
pql_cardinality pql_node_cardinality(const pql_node *node);
/* Include labels of group_left/group_right. */
size_t pql_node_include_count(const pql_node *node);
const char *pql_node_include(const pql_node *node, size_t i);
/* Range of MATRIX_SELECTOR or SUBQUERY in nanoseconds. */
int64_t pql_node_range_ns(const pql_node *node);
/* Step of SUBQUERY in nanoseconds (0 = default step). */
int64_t pql_node_step_ns(const pql_node *node);
/* Offset of a selector or subquery in nanoseconds. */
int64_t pql_node_offset_ns(const pql_node *node);
pql_at_kind pql_node_at(const pql_node *node);
int64_t pql_node_at_ms(const pql_node *node);

#ifdef __cplusplus
}
#endif

#endif /* PROMQL_H */
