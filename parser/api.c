/* api.c: the public parser and AST-inspection calls of promql.h, thin and NULL-safe over the internal parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "functions.h"
#include "parse.h"
#include "promql.h"

/* ---------------------------------------------------------- status/error -- */

const char *pql_status_text(pql_status status)
{
    switch (status) {
#define PQL_STATUS_CASE(name, code, text) \
    case name:                            \
        return text;
        PQL_STATUS_LIST(PQL_STATUS_CASE)
#undef PQL_STATUS_CASE
    }
    return "unknown status";
}

void pql_error_clear(pql_error *err)
{
    if (err == NULL)
        return;
    err->code = PQL_OK;
    err->start = -1;
    err->end = -1;
    err->message[0] = '\0';
}

/* posrange.StartPosInput: line and byte column of the error start, or the
 * words Prometheus uses when there is no query or the offset lies outside. */
static void api_position(const pql_error *err, const char *query, char *out, size_t cap)
{
    size_t qlen = query != NULL ? strlen(query) : 0, i;
    long long line = 1, last_break = -1;
    if (qlen == 0) {
        snprintf(out, cap, "unknown position");
        return;
    }
    if (err->start < 0 || (uint64_t)err->start > qlen) {
        snprintf(out, cap, "invalid position");
        return;
    }
    for (i = 0; i < (size_t)err->start; i++)
        if (query[i] == '\n') {
            last_break = (long long)i;
            line++;
        }
    snprintf(out, cap, "%lld:%lld", line, (long long)err->start - last_break);
}

size_t pql_error_format(const pql_error *err, const char *query, char *out, size_t cap)
{
    char pos[64];
    int n;
    if (out != NULL && cap > 0)
        out[0] = '\0';
    if (err == NULL)
        return 0;
    if (err->code != PQL_ERR_PARSE) {
        n = snprintf(out, out != NULL ? cap : 0, "%s", err->message);
        return n < 0 ? 0 : (size_t)n;
    }
    api_position(err, query, pos, sizeof pos);
    n = snprintf(out, out != NULL ? cap : 0, "%s: parse error: %s", pos, err->message);
    return n < 0 ? 0 : (size_t)n;
}

/* ---------------------------------------------------------------- parser -- */

pql_parse_options pql_parse_options_default(void)
{
    pql_parse_options o;
    memset(&o, 0, sizeof o);
    o.enable_experimental_functions = 1;
    o.enable_duration_expressions = 1;
    o.enable_extended_range_selectors = 1;
    o.enable_binop_fill_modifiers = 1;
    o.max_query_bytes = (size_t)1 << 20;
    o.max_depth = 1000;
    return o;
}

static void api_set_error(pql_error *err, pql_status code, const char *msg)
{
    if (err == NULL)
        return;
    err->code = code;
    err->start = -1;
    err->end = -1;
    snprintf(err->message, sizeof err->message, "%s", msg);
}

pql_status pql_parse(const char *query, size_t len, const pql_parse_options *opts,
                     pql_expr **out, pql_error *err)
{
    pql_parse_options defaults;
    pql_expr *expr;
    ast_node *root = NULL;
    pql_status st;
    if (out == NULL) {
        api_set_error(err, PQL_ERR_INVALID_ARGUMENT, "no place to store the expression");
        return PQL_ERR_INVALID_ARGUMENT;
    }
    *out = NULL;
    if (query == NULL && len > 0) {
        api_set_error(err, PQL_ERR_INVALID_ARGUMENT, "query is NULL");
        return PQL_ERR_INVALID_ARGUMENT;
    }
    if (query == NULL)
        query = "";
    if (opts == NULL) {
        defaults = pql_parse_options_default();
        opts = &defaults;
    }
    expr = malloc(sizeof *expr);
    if (expr == NULL) {
        api_set_error(err, PQL_ERR_NOMEM, "out of memory");
        return PQL_ERR_NOMEM;
    }
    arena_init(&expr->mem, 0);
    expr->root = NULL;
    st = parse_expr(query, len, opts, &expr->mem, &root, err);
    if (st != PQL_OK || root == NULL) {
        arena_release(&expr->mem);
        free(expr);
        if (st == PQL_OK) {
            api_set_error(err, PQL_ERR_PARSE, "no expression found in input");
            st = PQL_ERR_PARSE;
        }
        return st;
    }
    expr->root = root;
    *out = expr;
    return PQL_OK;
}

void pql_expr_free(pql_expr *expr)
{
    if (expr == NULL)
        return;
    arena_release(&expr->mem);
    free(expr);
}

char *pql_expr_format(const pql_expr *expr)
{
    if (expr == NULL || expr->root == NULL)
        return NULL;
    return ast_format(expr->root);
}

char *pql_node_format(const pql_node *node)
{
    if (node == NULL)
        return NULL;
    return ast_format(ast_from_public(node));
}

const pql_node *pql_expr_root(const pql_expr *expr)
{
    return expr != NULL ? ast_to_public(expr->root) : NULL;
}

/* -------------------------------------------------------------- names -- */

const char *pql_value_type_name(pql_value_type type)
{
    switch (type) {
    case PQL_TYPE_SCALAR: return "scalar";
    case PQL_TYPE_VECTOR: return "instant vector";
    case PQL_TYPE_MATRIX: return "range vector";
    case PQL_TYPE_STRING: return "string";
    case PQL_TYPE_NONE: break;
    }
    return "none";
}

const char *pql_op_text(pql_op op)
{
    switch (op) {
    case PQL_OP_NONE: break;
    case PQL_OP_ADD: return "+";
    case PQL_OP_SUB: return "-";
    case PQL_OP_MUL: return "*";
    case PQL_OP_DIV: return "/";
    case PQL_OP_MOD: return "%";
    case PQL_OP_POW: return "^";
    case PQL_OP_ATAN2: return "atan2";
    case PQL_OP_EQL: return "==";
    case PQL_OP_NEQ: return "!=";
    case PQL_OP_GTR: return ">";
    case PQL_OP_LSS: return "<";
    case PQL_OP_GTE: return ">=";
    case PQL_OP_LTE: return "<=";
    case PQL_OP_TRIM_UPPER: return "</";
    case PQL_OP_TRIM_LOWER: return ">/";
    case PQL_OP_AND: return "and";
    case PQL_OP_OR: return "or";
    case PQL_OP_UNLESS: return "unless";
    case PQL_OP_STEP: return "step";
    case PQL_OP_RANGE: return "range";
    case PQL_OP_MIN_OF: return "min_of";
    case PQL_OP_MAX_OF: return "max_of";
    case PQL_AGG_SUM: return "sum";
    case PQL_AGG_AVG: return "avg";
    case PQL_AGG_COUNT: return "count";
    case PQL_AGG_MIN: return "min";
    case PQL_AGG_MAX: return "max";
    case PQL_AGG_GROUP: return "group";
    case PQL_AGG_STDDEV: return "stddev";
    case PQL_AGG_STDVAR: return "stdvar";
    case PQL_AGG_TOPK: return "topk";
    case PQL_AGG_BOTTOMK: return "bottomk";
    case PQL_AGG_COUNT_VALUES: return "count_values";
    case PQL_AGG_QUANTILE: return "quantile";
    case PQL_AGG_LIMITK: return "limitk";
    case PQL_AGG_LIMIT_RATIO: return "limit_ratio";
    }
    return "";
}

/* ------------------------------------------------------------ accessors -- */

#define NODE(p) ast_from_public(p)

/* The selector whose matchers and modifiers a node exposes: itself, or the
 * selector inside a range selector. */
static const ast_node *api_selector(const ast_node *n)
{
    if (n == NULL)
        return NULL;
    if (n->kind == PQL_NODE_VECTOR_SELECTOR)
        return n;
    if (n->kind == PQL_NODE_MATRIX_SELECTOR && n->u.matrix.vs != NULL &&
        n->u.matrix.vs->kind == PQL_NODE_VECTOR_SELECTOR)
        return n->u.matrix.vs;
    return NULL;
}

/* Offset and @ of a selector (or its range selector) or of a subquery. */
static const ast_time_mods *api_mods(const ast_node *n)
{
    const ast_node *vs;
    if (n == NULL)
        return NULL;
    if (n->kind == PQL_NODE_SUBQUERY)
        return &n->u.subquery.mods;
    vs = api_selector(n);
    return vs != NULL ? &vs->u.vs.mods : NULL;
}

pql_node_kind pql_node_get_kind(const pql_node *node)
{
    return node != NULL ? NODE(node)->kind : (pql_node_kind)0;
}

pql_value_type pql_node_type(const pql_node *node)
{
    return node != NULL ? NODE(node)->type : PQL_TYPE_NONE;
}

void pql_node_position(const pql_node *node, int64_t *start, int64_t *end)
{
    const ast_node *n = NODE(node);
    if (start != NULL)
        *start = n != NULL ? (int64_t)n->start : -1;
    if (end != NULL)
        *end = n != NULL ? (int64_t)n->end : -1;
}

size_t pql_node_child_count(const pql_node *node)
{
    const ast_node *n = NODE(node);
    if (n == NULL)
        return 0;
    switch (n->kind) {
    case PQL_NODE_MATRIX_SELECTOR: return n->u.matrix.vs != NULL;
    case PQL_NODE_SUBQUERY: return n->u.subquery.expr != NULL;
    case PQL_NODE_CALL: return n->u.call.n_args;
    case PQL_NODE_AGGREGATE: return (n->u.agg.param != NULL) + (n->u.agg.expr != NULL);
    case PQL_NODE_BINARY: return (n->u.binary.lhs != NULL) + (n->u.binary.rhs != NULL);
    case PQL_NODE_UNARY: return n->u.unary.expr != NULL;
    case PQL_NODE_PAREN: return n->u.paren.expr != NULL;
    case PQL_NODE_DURATION_EXPR: return (n->u.dur.lhs != NULL) + (n->u.dur.rhs != NULL);
    default: return 0;
    }
}

const pql_node *pql_node_child(const pql_node *node, size_t i)
{
    const ast_node *n = NODE(node), *kids[2] = {NULL, NULL};
    size_t k = 0;
    if (n == NULL || i >= pql_node_child_count(node))
        return NULL;
    switch (n->kind) {
    case PQL_NODE_MATRIX_SELECTOR: return ast_to_public(n->u.matrix.vs);
    case PQL_NODE_SUBQUERY: return ast_to_public(n->u.subquery.expr);
    case PQL_NODE_CALL: return ast_to_public(n->u.call.args[i]);
    case PQL_NODE_UNARY: return ast_to_public(n->u.unary.expr);
    case PQL_NODE_PAREN: return ast_to_public(n->u.paren.expr);
    case PQL_NODE_AGGREGATE:
        if (n->u.agg.param != NULL)
            kids[k++] = n->u.agg.param;
        if (n->u.agg.expr != NULL)
            kids[k++] = n->u.agg.expr;
        break;
    case PQL_NODE_BINARY:
        if (n->u.binary.lhs != NULL)
            kids[k++] = n->u.binary.lhs;
        if (n->u.binary.rhs != NULL)
            kids[k++] = n->u.binary.rhs;
        break;
    case PQL_NODE_DURATION_EXPR:
        if (n->u.dur.lhs != NULL)
            kids[k++] = n->u.dur.lhs;
        if (n->u.dur.rhs != NULL)
            kids[k++] = n->u.dur.rhs;
        break;
    default:
        break;
    }
    return i < k ? ast_to_public(kids[i]) : NULL;
}

double pql_node_number(const pql_node *node)
{
    const ast_node *n = NODE(node);
    return n != NULL && n->kind == PQL_NODE_NUMBER ? n->u.number.value : 0.0;
}

const char *pql_node_string(const pql_node *node, size_t *len)
{
    const ast_node *n = NODE(node);
    if (n == NULL || n->kind != PQL_NODE_STRING) {
        if (len != NULL)
            *len = 0;
        return NULL;
    }
    if (len != NULL)
        *len = n->u.string.value.len;
    return n->u.string.value.ptr;
}

pql_op pql_node_op(const pql_node *node)
{
    const ast_node *n = NODE(node);
    if (n == NULL)
        return PQL_OP_NONE;
    switch (n->kind) {
    case PQL_NODE_BINARY: return n->u.binary.op;
    case PQL_NODE_UNARY: return n->u.unary.op;
    case PQL_NODE_AGGREGATE: return n->u.agg.op;
    case PQL_NODE_DURATION_EXPR: return n->u.dur.op;
    default: return PQL_OP_NONE;
    }
}

const char *pql_node_function_name(const pql_node *node)
{
    const ast_node *n = NODE(node);
    if (n == NULL || n->kind != PQL_NODE_CALL || n->u.call.fn == NULL)
        return NULL;
    return n->u.call.fn->name;
}

const char *pql_node_metric_name(const pql_node *node)
{
    const ast_node *vs = api_selector(NODE(node));
    return vs != NULL ? vs->u.vs.name : NULL;
}

size_t pql_node_matcher_count(const pql_node *node)
{
    const ast_node *vs = api_selector(NODE(node));
    return vs != NULL ? vs->u.vs.n_matchers : 0;
}

const pql_matcher *pql_node_matcher(const pql_node *node, size_t i)
{
    const ast_node *vs = api_selector(NODE(node));
    if (vs == NULL || i >= vs->u.vs.n_matchers)
        return NULL;
    return &vs->u.vs.matchers[i];
}

/* Grouping labels of an aggregation, on/ignoring labels of a binary. */
static const ast_labels *api_labels(const ast_node *n)
{
    if (n == NULL)
        return NULL;
    if (n->kind == PQL_NODE_AGGREGATE)
        return &n->u.agg.grouping;
    if (n->kind == PQL_NODE_BINARY && n->u.binary.matching != NULL)
        return &n->u.binary.matching->matching;
    return NULL;
}

size_t pql_node_label_count(const pql_node *node)
{
    const ast_labels *l = api_labels(NODE(node));
    return l != NULL ? l->count : 0;
}

const char *pql_node_label(const pql_node *node, size_t i)
{
    const ast_labels *l = api_labels(NODE(node));
    return l != NULL && i < l->count ? l->names[i] : NULL;
}

int pql_node_is_without(const pql_node *node)
{
    const ast_node *n = NODE(node);
    const ast_vector_matching *vm;
    if (n == NULL)
        return 0;
    if (n->kind == PQL_NODE_AGGREGATE)
        return n->u.agg.without ? 1 : 0;
    if (n->kind != PQL_NODE_BINARY || (vm = n->u.binary.matching) == NULL || vm->on)
        return 0;
    /* ignoring() leaves no trace of its own when empty; group_x shows it
     * was written, since group_x needs on() or ignoring() before it. */
    return vm->matching.count > 0 || vm->card == PQL_CARD_MANY_TO_ONE ||
           vm->card == PQL_CARD_ONE_TO_MANY;
}

int pql_node_return_bool(const pql_node *node)
{
    const ast_node *n = NODE(node);
    return n != NULL && n->kind == PQL_NODE_BINARY && n->u.binary.return_bool ? 1 : 0;
}

pql_cardinality pql_node_cardinality(const pql_node *node)
{
    const ast_node *n = NODE(node);
    if (n == NULL || n->kind != PQL_NODE_BINARY || n->u.binary.matching == NULL)
        return PQL_CARD_NONE;
    return n->u.binary.matching->card;
}

size_t pql_node_include_count(const pql_node *node)
{
    const ast_node *n = NODE(node);
    if (n == NULL || n->kind != PQL_NODE_BINARY || n->u.binary.matching == NULL)
        return 0;
    return n->u.binary.matching->include.count;
}

const char *pql_node_include(const pql_node *node, size_t i)
{
    const ast_node *n = NODE(node);
    if (n == NULL || n->kind != PQL_NODE_BINARY || n->u.binary.matching == NULL ||
        i >= n->u.binary.matching->include.count)
        return NULL;
    return n->u.binary.matching->include.names[i];
}

int64_t pql_node_range_ns(const pql_node *node)
{
    const ast_node *n = NODE(node);
    if (n == NULL)
        return 0;
    if (n->kind == PQL_NODE_MATRIX_SELECTOR)
        return n->u.matrix.range_ns;
    if (n->kind == PQL_NODE_SUBQUERY)
        return n->u.subquery.range_ns;
    return 0;
}

int64_t pql_node_step_ns(const pql_node *node)
{
    const ast_node *n = NODE(node);
    return n != NULL && n->kind == PQL_NODE_SUBQUERY ? n->u.subquery.step_ns : 0;
}

int64_t pql_node_offset_ns(const pql_node *node)
{
    const ast_time_mods *m = api_mods(NODE(node));
    return m != NULL ? m->offset_ns : 0;
}

pql_at_kind pql_node_at(const pql_node *node)
{
    const ast_time_mods *m = api_mods(NODE(node));
    return m != NULL ? m->at : PQL_AT_NONE;
}

int64_t pql_node_at_ms(const pql_node *node)
{
    const ast_time_mods *m = api_mods(NODE(node));
    return m != NULL && m->at == PQL_AT_TIMESTAMP ? m->at_ms : 0;
}
