/* test_util.h: helpers shared by the parser test files (parsing, tree dumps, case tables). */
#ifndef PQL_TEST_UTIL_H
#define PQL_TEST_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/alloc.h>
#include <criterion/parameterized.h>

#include "promql.h"

/* One valid query of the shared table (test_parse_valid.c) that the round-trip
 * tests (test_parse_roundtrip.c) also replay. Expected values come from
 * Prometheus's parse_test.go / printer_test.go or its printing rules. */
typedef struct valid_case {
    const char *input;
    const char *canonical; /* String() of the parsed tree; NULL = the input */
    pql_node_kind kind;    /* kind of the root node */
    pql_value_type type;   /* type of the root node */
} valid_case;

extern const valid_case pql_test_valid_cases[];
extern const size_t pql_test_valid_case_count;

/* Criterion runs each parameterized case in a freshly started process, so a
 * parameter must not hold pointers into this one (PIE moves them). Cases are
 * therefore passed as indices into the static tables, allocated with
 * cr_malloc as Criterion requires. */
static inline void tu_free_index_params(struct criterion_test_params *p)
{
    cr_free(p->params);
}

static inline struct criterion_test_params tu_index_params(size_t n)
{
    size_t *idx = cr_malloc(n * sizeof *idx), i;
    for (i = 0; idx && i < n; i++)
        idx[i] = i;
    return cr_make_param_array(size_t, idx, idx ? n : 0, tu_free_index_params);
}

/* Parses with all defaults; returns the status. */
static inline pql_status tu_parse(const char *q, pql_expr **out, pql_error *err)
{
    return pql_parse(q, strlen(q), NULL, out, err);
}

static inline pql_status tu_parse_opts(const char *q, const pql_parse_options *o,
                                       pql_expr **out, pql_error *err)
{
    return pql_parse(q, strlen(q), o, out, err);
}

/* Appends to a bounded buffer, never overflowing. */
typedef struct tu_buf {
    char *p;
    size_t cap, len;
} tu_buf;

static inline void tu_put(tu_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap)
        n = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline const char *tu_kind_name(pql_node_kind k)
{
    switch (k) {
    case PQL_NODE_NUMBER: return "number";
    case PQL_NODE_STRING: return "string";
    case PQL_NODE_VECTOR_SELECTOR: return "vector_selector";
    case PQL_NODE_MATRIX_SELECTOR: return "matrix_selector";
    case PQL_NODE_SUBQUERY: return "subquery";
    case PQL_NODE_CALL: return "call";
    case PQL_NODE_AGGREGATE: return "aggregate";
    case PQL_NODE_BINARY: return "binary";
    case PQL_NODE_UNARY: return "unary";
    case PQL_NODE_PAREN: return "paren";
    case PQL_NODE_DURATION_EXPR: return "duration_expr";
    }
    return "?";
}

/* Renders the tree shape as an S-expression using only public accessors:
 * numbers as %g, selectors by metric name (or "{}"), binary "(op l r)",
 * unary "(neg x)"/"(pos x)", parens "(paren x)", calls "(name args...)",
 * aggregations "(op [param] expr)", "(matrix vs)", "(subquery x)". */
static inline void tu_shape_into(const pql_node *n, tu_buf *b)
{
    char tmp[64];
    size_t i, cnt;
    if (!n) {
        tu_put(b, "<null>");
        return;
    }
    switch (pql_node_get_kind(n)) {
    case PQL_NODE_NUMBER:
        snprintf(tmp, sizeof tmp, "%g", pql_node_number(n));
        tu_put(b, tmp);
        return;
    case PQL_NODE_STRING: {
        size_t len = 0;
        const char *s = pql_node_string(n, &len);
        tu_put(b, "\"");
        tu_put(b, s ? s : "<null>");
        tu_put(b, "\"");
        return;
    }
    case PQL_NODE_VECTOR_SELECTOR: {
        const char *name = pql_node_metric_name(n);
        tu_put(b, name ? name : "{}");
        return;
    }
    case PQL_NODE_MATRIX_SELECTOR:
        tu_put(b, "(matrix ");
        tu_shape_into(pql_node_child(n, 0), b);
        tu_put(b, ")");
        return;
    case PQL_NODE_SUBQUERY:
        tu_put(b, "(subquery ");
        tu_shape_into(pql_node_child(n, 0), b);
        tu_put(b, ")");
        return;
    case PQL_NODE_CALL: {
        const char *f = pql_node_function_name(n);
        tu_put(b, "(");
        tu_put(b, f ? f : "<null>");
        break;
    }
    case PQL_NODE_AGGREGATE:
    case PQL_NODE_BINARY: {
        const char *t = pql_op_text(pql_node_op(n));
        tu_put(b, "(");
        tu_put(b, t ? t : "<null>");
        break;
    }
    case PQL_NODE_UNARY:
        tu_put(b, pql_node_op(n) == PQL_OP_SUB ? "(neg" : "(pos");
        break;
    case PQL_NODE_PAREN:
        tu_put(b, "(paren");
        break;
    case PQL_NODE_DURATION_EXPR:
        tu_put(b, "(dur");
        break;
    default:
        tu_put(b, "(?");
        break;
    }
    cnt = pql_node_child_count(n);
    for (i = 0; i < cnt; i++) {
        tu_put(b, " ");
        tu_shape_into(pql_node_child(n, i), b);
    }
    tu_put(b, ")");
}

static inline void tu_shape(const pql_node *n, char *out, size_t cap)
{
    tu_buf b = {out, cap, 0};
    out[0] = '\0';
    tu_shape_into(n, &b);
}

/* Builds "prefix" + unit*count + "suffix" in a malloc'd buffer. */
static inline char *tu_repeat(const char *prefix, const char *unit, size_t count,
                              const char *suffix)
{
    size_t pl = strlen(prefix), ul = strlen(unit), sl = strlen(suffix);
    size_t total = pl + ul * count + sl, i;
    char *s = malloc(total + 1), *p;
    if (!s)
        return NULL;
    memcpy(s, prefix, pl);
    p = s + pl;
    for (i = 0; i < count; i++, p += ul)
        memcpy(p, unit, ul);
    memcpy(p, suffix, sl);
    s[total] = '\0';
    return s;
}

/* Structural comparison through the public API (positions ignored). Writes a
 * description of the first difference into why and returns 0 on mismatch. */
static inline int tu_same_tree(const pql_node *a, const pql_node *b, char *why,
                               size_t cap)
{
    size_t i, n;
    if (!a || !b) {
        snprintf(why, cap, "missing node");
        return a == b;
    }
    if (pql_node_get_kind(a) != pql_node_get_kind(b)) {
        snprintf(why, cap, "kind %s vs %s", tu_kind_name(pql_node_get_kind(a)),
                 tu_kind_name(pql_node_get_kind(b)));
        return 0;
    }
    if (pql_node_type(a) != pql_node_type(b)) {
        snprintf(why, cap, "type %s vs %s", pql_value_type_name(pql_node_type(a)),
                 pql_value_type_name(pql_node_type(b)));
        return 0;
    }
    if (pql_node_op(a) != pql_node_op(b)) {
        snprintf(why, cap, "op %d vs %d", (int)pql_node_op(a), (int)pql_node_op(b));
        return 0;
    }
    if (pql_node_get_kind(a) == PQL_NODE_NUMBER) {
        double x = pql_node_number(a), y = pql_node_number(b);
        if (!(x == y || (isnan(x) && isnan(y)))) {
            snprintf(why, cap, "number %.17g vs %.17g", x, y);
            return 0;
        }
    }
    if (pql_node_get_kind(a) == PQL_NODE_STRING) {
        size_t la = 0, lb = 0;
        const char *sa = pql_node_string(a, &la), *sb = pql_node_string(b, &lb);
        if (la != lb || !sa || !sb || memcmp(sa, sb, la) != 0) {
            snprintf(why, cap, "string value differs");
            return 0;
        }
    }
    {
        const char *fa = pql_node_function_name(a), *fb = pql_node_function_name(b);
        if ((fa == NULL) != (fb == NULL) || (fa && strcmp(fa, fb) != 0)) {
            snprintf(why, cap, "function name differs");
            return 0;
        }
        fa = pql_node_metric_name(a);
        fb = pql_node_metric_name(b);
        if ((fa == NULL) != (fb == NULL) || (fa && strcmp(fa, fb) != 0)) {
            snprintf(why, cap, "metric name differs");
            return 0;
        }
    }
    n = pql_node_matcher_count(a);
    if (n != pql_node_matcher_count(b)) {
        snprintf(why, cap, "matcher count %zu vs %zu", n, pql_node_matcher_count(b));
        return 0;
    }
    for (i = 0; i < n; i++) {
        /* Prometheus's printer sorts matchers, so compare as sets. */
        const pql_matcher *ma = pql_node_matcher(a, i);
        size_t j, found = 0;
        for (j = 0; j < n && ma && !found; j++) {
            const pql_matcher *mb = pql_node_matcher(b, j);
            if (mb && mb->type == ma->type && strcmp(mb->name, ma->name) == 0 &&
                mb->value_len == ma->value_len &&
                memcmp(mb->value, ma->value, ma->value_len) == 0)
                found = 1;
        }
        if (!found) {
            snprintf(why, cap, "matcher %zu (%s) has no counterpart", i,
                     ma ? ma->name : "<null>");
            return 0;
        }
    }
    n = pql_node_label_count(a);
    /* `a - ignoring() b` prints as `a - b`: Prometheus's trees are equal
     * (On=false either way), so the flag only matters with labels or groups. */
    if (n != pql_node_label_count(b) ||
        ((n > 0 || pql_node_get_kind(a) != PQL_NODE_BINARY ||
          pql_node_cardinality(a) == PQL_CARD_MANY_TO_ONE ||
          pql_node_cardinality(a) == PQL_CARD_ONE_TO_MANY) &&
         pql_node_is_without(a) != pql_node_is_without(b))) {
        snprintf(why, cap, "grouping/matching labels differ");
        return 0;
    }
    for (i = 0; i < n; i++)
        if (strcmp(pql_node_label(a, i), pql_node_label(b, i)) != 0) {
            snprintf(why, cap, "label %zu differs", i);
            return 0;
        }
    n = pql_node_include_count(a);
    if (n != pql_node_include_count(b) ||
        pql_node_cardinality(a) != pql_node_cardinality(b) ||
        pql_node_return_bool(a) != pql_node_return_bool(b)) {
        snprintf(why, cap, "include/cardinality/bool differ");
        return 0;
    }
    for (i = 0; i < n; i++)
        if (strcmp(pql_node_include(a, i), pql_node_include(b, i)) != 0) {
            snprintf(why, cap, "include label %zu differs", i);
            return 0;
        }
    if (pql_node_range_ns(a) != pql_node_range_ns(b) ||
        pql_node_step_ns(a) != pql_node_step_ns(b) ||
        pql_node_offset_ns(a) != pql_node_offset_ns(b)) {
        snprintf(why, cap, "range/step/offset differ");
        return 0;
    }
    if (pql_node_at(a) != pql_node_at(b) || pql_node_at_ms(a) != pql_node_at_ms(b)) {
        snprintf(why, cap, "@ modifier differs");
        return 0;
    }
    n = pql_node_child_count(a);
    if (n != pql_node_child_count(b)) {
        snprintf(why, cap, "child count %zu vs %zu", n, pql_node_child_count(b));
        return 0;
    }
    for (i = 0; i < n; i++)
        if (!tu_same_tree(pql_node_child(a, i), pql_node_child(b, i), why, cap))
            return 0;
    return 1;
}

#endif
