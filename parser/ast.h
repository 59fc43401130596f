/* ast.h: the PromQL syntax tree shared by the parser, checker, printer and engine. */
#ifndef PQL_AST_H
#define PQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "promql.h"

typedef struct ast_node ast_node;
typedef struct fn_info fn_info; /* parser/functions.h */

/* A string with explicit length (string literals and matcher values may hold
 * NUL bytes); `ptr` is always NUL-terminated as well. */
typedef struct ast_str {
    const char *ptr;
    size_t len;
} ast_str;

/* A list of label names (grouping, on/ignoring, group_x includes). */
typedef struct ast_labels {
    const char **names;
    size_t count;
} ast_labels;

/* Vector matching of a binary operator (Prometheus's VectorMatching). NULL on
 * the node when either side is a scalar. */
typedef struct ast_vector_matching {
    pql_cardinality card;
    ast_labels matching; /* on(...) / ignoring(...) labels */
    bool on;             /* true for on(), false for ignoring() or none */
    ast_labels include;  /* group_left(...) / group_right(...) labels */
    bool has_fill_lhs, has_fill_rhs;
    double fill_lhs, fill_rhs; /* fill_left / fill_right values */
    bool fill_shared; /* written as fill(v): one value for both sides, which
                         Prometheus prints back as fill (v) */
} ast_vector_matching;

/* Offset and @ as written after a selector or subquery. */
typedef struct ast_time_mods {
    bool has_offset;           /* offset written (even `offset 0`) */
    int64_t offset_ns;         /* OriginalOffset, signed */
    ast_node *offset_expr;     /* OriginalOffsetExpr: set when the offset was a
                                  duration expression, else NULL */
    pql_at_kind at;            /* none, timestamp, start(), end() */
    int64_t at_ms;             /* for PQL_AT_TIMESTAMP */
} ast_time_mods;

struct ast_node {
    pql_node_kind kind;
    pql_value_type type; /* filled by the parser/checker */
    uint32_t start, end; /* byte range in the query, end exclusive */
    union {
        struct {
            double value;
            bool is_duration; /* written as a duration literal (5m) */
        } number;
        struct {
            ast_str value; /* unescaped */
        } string;
        struct {
            const char *name;      /* metric name outside braces, or NULL */
            pql_matcher *matchers; /* includes __name__="name" when name set */
            size_t n_matchers;
            ast_time_mods mods;
            bool anchored, smoothed;
            bool bypass_empty_matcher_check; /* info()'s 2nd argument */
        } vs;
        struct {
            ast_node *vs;          /* a PQL_NODE_VECTOR_SELECTOR */
            int64_t range_ns;
            ast_node *range_expr;  /* duration expression or NULL */
        } matrix;
        struct {
            ast_node *expr;
            int64_t range_ns;
            ast_node *range_expr;
            int64_t step_ns;       /* 0 when omitted */
            ast_node *step_expr;
            ast_time_mods mods;
        } subquery;
        struct {
            const fn_info *fn;
            ast_node **args;
            size_t n_args;
        } call;
        struct {
            pql_op op;             /* PQL_AGG_* */
            ast_node *expr;
            ast_node *param;       /* NULL unless topk/bottomk/... */
            ast_labels grouping;
            bool without;
            bool has_grouping;     /* by/without written (even empty) */
        } agg;
        struct {
            pql_op op;
            ast_node *lhs, *rhs;
            bool return_bool;
            ast_vector_matching *matching;
        } binary;
        struct {
            pql_op op; /* PQL_OP_ADD or PQL_OP_SUB */
            ast_node *expr;
        } unary;
        struct {
            ast_node *expr;
        } paren;
        struct {
            pql_op op;        /* arithmetic, STEP, RANGE, MIN_OF, MAX_OF;
                                 unary minus/plus: lhs NULL, rhs operand */
            ast_node *lhs, *rhs;
            bool wrapped;     /* written in parentheses */
        } dur;
    } u;
};

/* The parsed expression handed to the public API. */
struct pql_expr {
    arena mem;
    ast_node *root;
};

/* pql_node is the public name of ast_node. */
static inline const ast_node *ast_from_public(const pql_node *n)
{
    return (const ast_node *)(const void *)n;
}
static inline const pql_node *ast_to_public(const ast_node *n)
{
    return (const pql_node *)(const void *)n;
}

/* Constructors used by grammar actions; all memory comes from `a`. They return
 * NULL only when the arena is exhausted. */
ast_node *ast_new(arena *a, pql_node_kind kind, uint32_t start, uint32_t end);

/* Canonical printer (parser/printer.c): Prometheus's String() form. Returns a
 * malloc'd string or NULL when out of memory. */
char *ast_format(const ast_node *node);

/* Go's strconv.Quote of s (len bytes), as Prometheus's %q renders names in
 * error messages. Added for the checker (parser/printer.c). Returns a
 * malloc'd string or NULL when out of memory. */
char *ast_quote(const char *s, size_t len);

/* Structural equality (used by the fuzzer and tests): same kinds, values,
 * matchers, modifiers and children; positions are ignored. NaN equals NaN. */
bool ast_equal(const ast_node *a, const ast_node *b);

#endif
