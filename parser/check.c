/* check.c: type checking of a parsed AST with Prometheus's checkAST rules, messages and error positions. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "functions.h"
#include "regex_shim.h"

typedef struct check_ctx {
    const pql_parse_options *opts;
    const char *q; /* query text, NULL when unknown */
    size_t len;
    pql_error *err;
    bool failed;
} check_ctx;

/* Prometheus collects every error but reports the first; walking the tree in
 * its order and stopping at the first error gives the same answer. */
static void check_fail(check_ctx *c, int64_t start, int64_t end, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void check_fail(check_ctx *c, int64_t start, int64_t end, const char *fmt, ...)
{
    va_list ap;
    if (c->failed)
        return;
    c->failed = true;
    if (c->err == NULL)
        return;
    c->err->code = PQL_ERR_PARSE;
    c->err->start = start;
    c->err->end = end;
    va_start(ap, fmt);
    vsnprintf(c->err->message, sizeof c->err->message, fmt, ap);
    va_end(ap);
}

static void check_nomem(check_ctx *c)
{
    if (c->failed)
        return;
    c->failed = true;
    if (c->err == NULL)
        return;
    c->err->code = PQL_ERR_NOMEM;
    c->err->start = -1;
    c->err->end = -1;
    snprintf(c->err->message, sizeof c->err->message, "out of memory");
}

/* Prometheus's ValueType spelling ("vector", "matrix"), used where its
 * messages print the raw type rather than the documented name. */
static const char *check_raw_type(pql_value_type t)
{
    switch (t) {
    case PQL_TYPE_SCALAR: return "scalar";
    case PQL_TYPE_VECTOR: return "vector";
    case PQL_TYPE_MATRIX: return "matrix";
    case PQL_TYPE_STRING: return "string";
    default: return "none";
    }
}

static bool check_is_comparison(pql_op op)
{
    return op == PQL_OP_EQL || op == PQL_OP_NEQ || op == PQL_OP_GTR || op == PQL_OP_LSS ||
           op == PQL_OP_GTE || op == PQL_OP_LTE;
}

static bool check_is_set_op(pql_op op)
{
    return op == PQL_OP_AND || op == PQL_OP_OR || op == PQL_OP_UNLESS;
}

/* ---------------------------------------------------------- node types -- */

/* Every node gets the type Prometheus's Type() gives it, including the
 * duration expressions the checker itself never visits. */
static void check_fill_types(ast_node *n)
{
    size_t i;
    if (n == NULL)
        return;
    switch (n->kind) {
    case PQL_NODE_NUMBER:
        n->type = PQL_TYPE_SCALAR;
        break;
    case PQL_NODE_STRING:
        n->type = PQL_TYPE_STRING;
        break;
    case PQL_NODE_VECTOR_SELECTOR:
        check_fill_types(n->u.vs.mods.offset_expr);
        n->type = PQL_TYPE_VECTOR;
        break;
    case PQL_NODE_MATRIX_SELECTOR:
        check_fill_types(n->u.matrix.vs);
        check_fill_types(n->u.matrix.range_expr);
        n->type = PQL_TYPE_MATRIX;
        break;
    case PQL_NODE_SUBQUERY:
        check_fill_types(n->u.subquery.expr);
        check_fill_types(n->u.subquery.range_expr);
        check_fill_types(n->u.subquery.step_expr);
        check_fill_types(n->u.subquery.mods.offset_expr);
        n->type = PQL_TYPE_MATRIX;
        break;
    case PQL_NODE_CALL:
        for (i = 0; i < n->u.call.n_args; i++)
            check_fill_types(n->u.call.args[i]);
        n->type = n->u.call.fn != NULL ? n->u.call.fn->return_type : PQL_TYPE_NONE;
        break;
    case PQL_NODE_AGGREGATE:
        check_fill_types(n->u.agg.param);
        check_fill_types(n->u.agg.expr);
        n->type = PQL_TYPE_VECTOR;
        break;
    case PQL_NODE_BINARY:
        check_fill_types(n->u.binary.lhs);
        check_fill_types(n->u.binary.rhs);
        n->type = (n->u.binary.lhs != NULL && n->u.binary.lhs->type == PQL_TYPE_SCALAR &&
                   n->u.binary.rhs != NULL && n->u.binary.rhs->type == PQL_TYPE_SCALAR)
                      ? PQL_TYPE_SCALAR
                      : PQL_TYPE_VECTOR;
        break;
    case PQL_NODE_UNARY:
        check_fill_types(n->u.unary.expr);
        n->type = n->u.unary.expr != NULL ? n->u.unary.expr->type : PQL_TYPE_NONE;
        break;
    case PQL_NODE_PAREN:
        check_fill_types(n->u.paren.expr);
        n->type = n->u.paren.expr != NULL ? n->u.paren.expr->type : PQL_TYPE_NONE;
        break;
    case PQL_NODE_DURATION_EXPR:
        check_fill_types(n->u.dur.lhs);
        check_fill_types(n->u.dur.rhs);
        n->type = PQL_TYPE_SCALAR;
        break;
    }
}

/* ------------------------------------------------------ feature gates -- */

/*
 * The option gates and grouping-name rule belong to Prometheus's grammar
 * actions, which parser/parse_actions*.c apply while parsing. They are
 * repeated here, in the order those actions run (operands before the node
 * that holds them), so a tree built or parsed without them is still held to
 * the options; on a tree the grammar already vetted they find nothing.
 */
static bool check_valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t n, i;
        unsigned long r;
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            r = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            r = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            r = c & 0x07;
        } else {
            return false;
        }
        for (i = 1; i < n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            r = (r << 6) | (p[i] & 0x3F);
        }
        if ((n == 3 && r < 0x800) || (n == 4 && (r < 0x10000 || r > 0x10FFFF)) ||
            (r >= 0xD800 && r <= 0xDFFF))
            return false;
        p += n;
    }
    return true;
}

static void check_grouping_names(check_ctx *c, const ast_node *n, const ast_labels *l)
{
    size_t i;
    for (i = 0; i < l->count && !c->failed; i++) {
        const char *name = l->names[i] ? l->names[i] : "";
        if (name[0] == '\0' || !check_valid_utf8(name)) {
            char *q = ast_quote(name, strlen(name));
            if (q == NULL) {
                check_nomem(c);
                return;
            }
            check_fail(c, n->start, n->end, "invalid label name for grouping: %s", q);
            free(q);
        }
    }
}

static void check_gates(check_ctx *c, const ast_node *n);

static void check_gate_duration(check_ctx *c, const ast_node *d)
{
    if (d == NULL || c->failed)
        return;
    if (d->kind == PQL_NODE_DURATION_EXPR && !c->opts->enable_duration_expressions)
        check_fail(c, d->start, d->end, "experimental duration expression is not enabled");
}

static void check_gate_selector_mods(check_ctx *c, const ast_node *vs, const ast_node *at)
{
    check_gate_duration(c, vs->u.vs.mods.offset_expr);
    if (c->failed || c->opts->enable_extended_range_selectors)
        return;
    if (vs->u.vs.anchored)
        check_fail(c, at->start, at->end, "anchored modifier is experimental and not enabled");
    else if (vs->u.vs.smoothed)
        check_fail(c, at->start, at->end, "smoothed modifier is experimental and not enabled");
}

static void check_gates(check_ctx *c, const ast_node *n)
{
    size_t i;
    if (n == NULL || c->failed)
        return;
    switch (n->kind) {
    case PQL_NODE_NUMBER:
    case PQL_NODE_STRING:
    case PQL_NODE_DURATION_EXPR:
        break;
    case PQL_NODE_VECTOR_SELECTOR:
        check_gate_selector_mods(c, n, n);
        break;
    case PQL_NODE_MATRIX_SELECTOR:
        check_gate_duration(c, n->u.matrix.range_expr);
        if (n->u.matrix.vs != NULL && n->u.matrix.vs->kind == PQL_NODE_VECTOR_SELECTOR)
            check_gate_selector_mods(c, n->u.matrix.vs, n);
        break;
    case PQL_NODE_SUBQUERY:
        check_gates(c, n->u.subquery.expr);
        check_gate_duration(c, n->u.subquery.range_expr);
        check_gate_duration(c, n->u.subquery.step_expr);
        check_gate_duration(c, n->u.subquery.mods.offset_expr);
        break;
    case PQL_NODE_CALL:
        for (i = 0; i < n->u.call.n_args && !c->failed; i++)
            check_gates(c, n->u.call.args[i]);
        if (!c->failed && n->u.call.fn != NULL && n->u.call.fn->experimental &&
            !c->opts->enable_experimental_functions)
            check_fail(c, n->start, (int64_t)n->start + (int64_t)strlen(n->u.call.fn->name),
                       "function \"%s\" is not enabled", n->u.call.fn->name);
        break;
    case PQL_NODE_AGGREGATE:
        check_grouping_names(c, n, &n->u.agg.grouping);
        check_gates(c, n->u.agg.param);
        check_gates(c, n->u.agg.expr);
        if (!c->failed && !c->opts->enable_experimental_functions &&
            (n->u.agg.op == PQL_AGG_LIMITK || n->u.agg.op == PQL_AGG_LIMIT_RATIO))
            check_fail(c, n->start, n->end,
                       "%s() is experimental and must be enabled with "
                       "--enable-feature=promql-experimental-functions",
                       pql_op_text(n->u.agg.op));
        break;
    case PQL_NODE_BINARY: {
        const ast_vector_matching *vm = n->u.binary.matching;
        check_gates(c, n->u.binary.lhs);
        if (vm != NULL) {
            check_grouping_names(c, n, &vm->matching);
            check_grouping_names(c, n, &vm->include);
        }
        check_gates(c, n->u.binary.rhs);
        if (!c->failed && vm != NULL && (vm->has_fill_lhs || vm->has_fill_rhs) &&
            !c->opts->enable_binop_fill_modifiers)
            check_fail(c, n->start, n->end, "binop fill modifiers are experimental and not enabled");
        break;
    }
    case PQL_NODE_UNARY:
        check_gates(c, n->u.unary.expr);
        break;
    case PQL_NODE_PAREN:
        check_gates(c, n->u.paren.expr);
        break;
    }
}

/* ------------------------------------------------------------ checkAST -- */

static pql_value_type check_node(check_ctx *c, ast_node *n);

static void check_expect_type(check_ctx *c, ast_node *n, pql_value_type want, const char *context)
{
    pql_value_type t = check_node(c, n);
    if (c->failed || n == NULL)
        return;
    if (t != want)
        check_fail(c, n->start, n->end, "expected type %s in %s, got %s", pql_value_type_name(want),
                   context, pql_value_type_name(t));
}

static void check_aggregate(check_ctx *c, ast_node *n)
{
    bool wants_scalar = n->u.agg.op == PQL_AGG_TOPK || n->u.agg.op == PQL_AGG_BOTTOMK ||
                        n->u.agg.op == PQL_AGG_QUANTILE || n->u.agg.op == PQL_AGG_LIMITK ||
                        n->u.agg.op == PQL_AGG_LIMIT_RATIO;
    bool wants_string = n->u.agg.op == PQL_AGG_COUNT_VALUES;
    /* The argument counts are the grammar's to report; a tree that slipped
     * through without them cannot be checked further. */
    if (n->u.agg.expr == NULL) {
        check_fail(c, n->start, n->end, "no arguments for aggregate expression provided");
        return;
    }
    if ((wants_scalar || wants_string) && n->u.agg.param == NULL) {
        check_fail(c, n->start, n->end,
                   "wrong number of arguments for aggregate expression provided, expected 2, "
                   "got 1");
        return;
    }
    /* Prometheus checks the aggregated expression before the parameter,
     * although the parameter is written first. */
    check_expect_type(c, n->u.agg.expr, PQL_TYPE_VECTOR, "aggregation expression");
    if (wants_scalar)
        check_expect_type(c, n->u.agg.param, PQL_TYPE_SCALAR, "aggregation parameter");
    else if (wants_string)
        check_expect_type(c, n->u.agg.param, PQL_TYPE_STRING, "aggregation parameter");
}

static bool check_is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* The stretch between the operands with blanks trimmed, which Prometheus
 * blames for operator errors. Its end is the offset of the last character
 * rather than one past it, as there. */
static void check_op_range(const check_ctx *c, const ast_node *n, int64_t *start, int64_t *end)
{
    int64_t s = n->u.binary.lhs->end, e = (int64_t)n->u.binary.rhs->start - 1;
    if (c->q != NULL) {
        while (s >= 0 && (size_t)s < c->len && check_is_space(c->q[s]))
            s++;
        while (e >= 0 && (size_t)e < c->len && check_is_space(c->q[e]))
            e--;
    }
    *start = s;
    *end = e;
}

static void check_binary(check_ctx *c, ast_node *n)
{
    ast_vector_matching *vm = n->u.binary.matching;
    pql_op op = n->u.binary.op;
    pql_value_type lt, rt;
    int64_t os, oe;
    size_t i, j;

    if (n->u.binary.lhs == NULL || n->u.binary.rhs == NULL)
        return;
    lt = check_node(c, n->u.binary.lhs);
    if (c->failed)
        return;
    rt = check_node(c, n->u.binary.rhs);
    if (c->failed)
        return;

    if (n->u.binary.return_bool && !check_is_comparison(op)) {
        check_op_range(c, n, &os, &oe);
        check_fail(c, os, oe, "bool modifier can only be used on comparison operators");
        return;
    }
    if (check_is_comparison(op) && !n->u.binary.return_bool && lt == PQL_TYPE_SCALAR &&
        rt == PQL_TYPE_SCALAR) {
        check_op_range(c, n, &os, &oe);
        check_fail(c, os, oe, "comparisons between scalars must use BOOL modifier");
        return;
    }
    if (vm != NULL && check_is_set_op(op) && vm->card == PQL_CARD_ONE_TO_ONE)
        vm->card = PQL_CARD_MANY_TO_MANY;
    if (vm != NULL && vm->on) {
        for (i = 0; i < vm->matching.count; i++)
            for (j = 0; j < vm->include.count; j++)
                if (strcmp(vm->matching.names[i], vm->include.names[j]) == 0) {
                    char *q = ast_quote(vm->matching.names[i], strlen(vm->matching.names[i]));
                    if (q == NULL) {
                        check_nomem(c);
                        return;
                    }
                    check_op_range(c, n, &os, &oe);
                    check_fail(c, os, oe, "label %s must not occur in ON and GROUP clause at once",
                               q);
                    free(q);
                    return;
                }
    }
    if (lt != PQL_TYPE_SCALAR && lt != PQL_TYPE_VECTOR) {
        check_fail(c, n->u.binary.lhs->start, n->u.binary.lhs->end,
                   "binary expression must contain only scalar and instant vector types");
        return;
    }
    if (rt != PQL_TYPE_SCALAR && rt != PQL_TYPE_VECTOR) {
        check_fail(c, n->u.binary.rhs->start, n->u.binary.rhs->end,
                   "binary expression must contain only scalar and instant vector types");
        return;
    }
    if (lt != PQL_TYPE_VECTOR || rt != PQL_TYPE_VECTOR) {
        if (vm != NULL) {
            if (vm->matching.count > 0) {
                check_fail(c, n->start, n->end,
                           "vector matching only allowed between instant vectors");
                return;
            }
            if (vm->has_fill_lhs || vm->has_fill_rhs) {
                check_fail(c, n->start, n->end,
                           "filling in missing series only allowed between instant vectors");
                return;
            }
            n->u.binary.matching = NULL;
        }
    } else if (check_is_set_op(op)) {
        pql_cardinality card = vm != NULL ? vm->card : PQL_CARD_MANY_TO_MANY;
        if (card == PQL_CARD_ONE_TO_MANY || card == PQL_CARD_MANY_TO_ONE) {
            check_fail(c, n->start, n->end, "no grouping allowed for \"%s\" operation",
                       pql_op_text(op));
            return;
        }
        if (card != PQL_CARD_MANY_TO_MANY) {
            check_fail(c, n->start, n->end, "set operations must always be many-to-many");
            return;
        }
        if (vm != NULL && (vm->has_fill_lhs || vm->has_fill_rhs)) {
            check_fail(c, n->start, n->end,
                       "filling in missing series not allowed for set operators");
            return;
        }
    }
    if ((lt == PQL_TYPE_SCALAR || rt == PQL_TYPE_SCALAR) && check_is_set_op(op))
        check_fail(c, n->start, n->end, "set operator \"%s\" not allowed in binary scalar expression",
                   pql_op_text(op));
}

static void check_call(check_ctx *c, ast_node *n)
{
    const fn_info *fn = n->u.call.fn;
    size_t nargs = n->u.call.n_args, i;
    int ntypes;

    /* An unknown name is the grammar's error; nothing to check against. */
    if (fn == NULL)
        return;
    ntypes = fn->n_arg_types;
    if (fn->variadic == 0) {
        if ((size_t)ntypes != nargs) {
            check_fail(c, n->start, n->end, "expected %d argument(s) in call to \"%s\", got %zu",
                       ntypes, fn->name, nargs);
            return;
        }
    } else {
        int min = ntypes - 1;
        if ((size_t)min > nargs) {
            check_fail(c, n->start, n->end,
                       "expected at least %d argument(s) in call to \"%s\", got %zu", min,
                       fn->name, nargs);
            return;
        }
        if (fn->variadic > 0 && (size_t)(min + fn->variadic) < nargs) {
            check_fail(c, n->start, n->end,
                       "expected at most %d argument(s) in call to \"%s\", got %zu",
                       min + fn->variadic, fn->name, nargs);
            return;
        }
    }

    /* info()'s second argument names labels to add, so it must be a bare
     * `{...}` selector, which is then exempt from the empty-matcher rule. */
    if (strcmp(fn->name, "info") == 0 && nargs > 1) {
        ast_node *sel = n->u.call.args[1];
        if (sel == NULL)
            return;
        if (sel->type != PQL_TYPE_VECTOR) {
            check_fail(c, n->start, n->end,
                       "expected type instant vector in call to function \"info\", got %s",
                       pql_value_type_name(sel->type));
            return;
        }
        if (sel->kind == PQL_NODE_VECTOR_SELECTOR && sel->u.vs.name != NULL) {
            check_fail(c, sel->start, sel->end,
                       "expected label selectors only, got vector selector instead");
            return;
        }
        if (sel->kind != PQL_NODE_VECTOR_SELECTOR) {
            check_fail(c, sel->start, sel->end, "expected label selectors only");
            return;
        }
        sel->u.vs.bypass_empty_matcher_check = true;
    }

    for (i = 0; i < nargs; i++) {
        size_t k = i;
        pql_value_type t;
        if (k >= (size_t)ntypes) {
            /* Extra arguments of a variadic function take the last type. */
            if (fn->variadic == 0)
                break;
            k = (size_t)ntypes - 1;
        }
        t = check_node(c, n->u.call.args[i]);
        if (c->failed)
            return;
        if (t != fn->arg_types[k]) {
            check_fail(c, n->u.call.args[i]->start, n->u.call.args[i]->end,
                       "expected type %s in call to function \"%s\", got %s",
                       pql_value_type_name(fn->arg_types[k]), fn->name, pql_value_type_name(t));
            return;
        }
    }
}

/* Whether a matcher accepts the empty string, i.e. does not narrow the
 * selection on its own. A pattern that does not compile was already reported
 * by the grammar; like Prometheus (which keeps no matcher for it) it counts
 * as no restriction. */
static int check_matches_empty(const pql_matcher *m)
{
    regex_prog *re;
    int hit;
    switch (m->type) {
    case PQL_MATCH_EQUAL:
        return m->value_len == 0;
    case PQL_MATCH_NOT_EQUAL:
        return m->value_len != 0;
    case PQL_MATCH_REGEX:
    case PQL_MATCH_NOT_REGEX:
        break;
    }
    /* The common spellings need no regex engine. */
    if (m->value_len == 2 && memcmp(m->value, ".*", 2) == 0)
        hit = 1;
    else if (m->value_len == 2 && memcmp(m->value, ".+", 2) == 0)
        hit = 0;
    else if (m->value_len == 0)
        hit = 1;
    else {
        re = regex_prog_compile(m->value, m->value_len, 0, NULL, 0);
        if (re == NULL)
            return 1;
        hit = regex_prog_match(re, "", 0);
        regex_prog_free(re);
    }
    return m->type == PQL_MATCH_REGEX ? hit : !hit;
}

static void check_vector_selector(check_ctx *c, ast_node *n)
{
    size_t i;
    if (n->u.vs.name != NULL) {
        /* The name written outside braces was appended as a matcher; any
         * other __name__ matcher sets the name a second time. */
        const char *name = n->u.vs.name;
        size_t name_len = strlen(name), own = (size_t)-1;
        for (i = n->u.vs.n_matchers; i-- > 0;) {
            const pql_matcher *m = &n->u.vs.matchers[i];
            if (m->type == PQL_MATCH_EQUAL && strcmp(m->name, "__name__") == 0 &&
                m->value_len == name_len && memcmp(m->value, name, name_len) == 0) {
                own = i;
                break;
            }
        }
        for (i = 0; i < n->u.vs.n_matchers; i++) {
            const pql_matcher *m = &n->u.vs.matchers[i];
            char *qa, *qb;
            if (i == own || strcmp(m->name, "__name__") != 0)
                continue;
            qa = ast_quote(name, name_len);
            qb = ast_quote(m->value, m->value_len);
            if (qa == NULL || qb == NULL) {
                free(qa);
                free(qb);
                check_nomem(c);
                return;
            }
            check_fail(c, n->start, n->end, "metric name must not be set twice: %s or %s", qa, qb);
            free(qa);
            free(qb);
            return;
        }
        return;
    }
    if (n->u.vs.bypass_empty_matcher_check)
        return;
    for (i = 0; i < n->u.vs.n_matchers; i++)
        if (!check_matches_empty(&n->u.vs.matchers[i]))
            return;
    check_fail(c, n->start, n->end, "vector selector must contain at least one non-empty matcher");
}

static pql_value_type check_node(check_ctx *c, ast_node *n)
{
    pql_value_type t;
    if (n == NULL || c->failed)
        return PQL_TYPE_NONE;
    switch (n->kind) {
    case PQL_NODE_AGGREGATE:
        check_aggregate(c, n);
        break;
    case PQL_NODE_BINARY:
        check_binary(c, n);
        break;
    case PQL_NODE_CALL:
        check_call(c, n);
        break;
    case PQL_NODE_PAREN:
        check_node(c, n->u.paren.expr);
        break;
    case PQL_NODE_UNARY:
        if (n->u.unary.op != PQL_OP_ADD && n->u.unary.op != PQL_OP_SUB) {
            check_fail(c, n->start, n->end, "only + and - operators allowed for unary expressions");
            break;
        }
        t = check_node(c, n->u.unary.expr);
        if (!c->failed && t != PQL_TYPE_SCALAR && t != PQL_TYPE_VECTOR)
            check_fail(c, n->start, n->end,
                       "unary expression only allowed on expressions of type scalar or instant "
                       "vector, got \"%s\"",
                       pql_value_type_name(t));
        break;
    case PQL_NODE_SUBQUERY:
        t = check_node(c, n->u.subquery.expr);
        if (!c->failed && t != PQL_TYPE_VECTOR)
            check_fail(c, n->start, n->end, "subquery is only allowed on instant vector, got %s instead",
                       check_raw_type(t));
        break;
    case PQL_NODE_MATRIX_SELECTOR:
        check_node(c, n->u.matrix.vs);
        break;
    case PQL_NODE_VECTOR_SELECTOR:
        check_vector_selector(c, n);
        break;
    case PQL_NODE_NUMBER:
    case PQL_NODE_STRING:
    case PQL_NODE_DURATION_EXPR:
        break;
    }
    return n->type;
}

bool check_ast_source(ast_node *root, const pql_parse_options *opts, const char *q,
                      size_t len, pql_error *err)
{
    pql_parse_options defaults;
    check_ctx c;
    if (opts == NULL) {
        defaults = pql_parse_options_default();
        opts = &defaults;
    }
    c.opts = opts;
    c.q = q;
    c.len = q != NULL ? len : 0;
    c.err = err;
    c.failed = false;
    if (root == NULL)
        return true;
    check_fill_types(root);
    check_gates(&c, root);
    if (!c.failed)
        check_node(&c, root);
    return !c.failed;
}

bool check_ast(ast_node *root, const pql_parse_options *opts, pql_error *err)
{
    return check_ast_source(root, opts, NULL, 0, err);
}
