/* ast_equal.c: structural equality of two syntax trees, positions ignored, as the round-trip tests and fuzzer need it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "functions.h"

/*
 * "Equal" means equal as far as the canonical printer can tell, because the
 * printer's output is what a re-parse sees:
 * - durations compare in whole milliseconds, the resolution Prometheus
 *   prints them with (and the engine evaluates with);
 * - matchers compare as a multiset, since the printer sorts them;
 * - an empty `by ()` equals no grouping, a written `offset 0` equals none,
 *   and absent vector matching equals the default one-to-one (many-to-many
 *   for set operators) matching, all of which print the same.
 */

static bool eq_double(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

static bool eq_ms(int64_t a, int64_t b)
{
    return a / 1000000 == b / 1000000;
}

static bool eq_cstr(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

static bool eq_labels(const ast_labels *a, const ast_labels *b)
{
    size_t i;
    if (a->count != b->count)
        return false;
    for (i = 0; i < a->count; i++)
        if (!eq_cstr(a->names[i], b->names[i]))
            return false;
    return true;
}

static int cmp_matcher(const pql_matcher *a, const pql_matcher *b)
{
    int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
    size_t n;
    if (c != 0)
        return c;
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    n = a->value_len < b->value_len ? a->value_len : b->value_len;
    c = n ? memcmp(a->value, b->value, n) : 0;
    if (c != 0)
        return c;
    return a->value_len < b->value_len ? -1 : (a->value_len > b->value_len ? 1 : 0);
}

static int cmp_matcher_ptr(const void *x, const void *y)
{
    return cmp_matcher(*(const pql_matcher *const *)x, *(const pql_matcher *const *)y);
}

static bool eq_matchers(const ast_node *a, const ast_node *b)
{
    size_t n = a->u.vs.n_matchers, i;
    const pql_matcher **sa, **sb;
    bool same = true;
    if (n != b->u.vs.n_matchers)
        return false;
    if (n == 0)
        return true;
    sa = malloc(n * sizeof *sa);
    sb = malloc(n * sizeof *sb);
    if (sa == NULL || sb == NULL) {
        free(sa);
        free(sb);
        return false;
    }
    for (i = 0; i < n; i++) {
        sa[i] = &a->u.vs.matchers[i];
        sb[i] = &b->u.vs.matchers[i];
    }
    qsort(sa, n, sizeof *sa, cmp_matcher_ptr);
    qsort(sb, n, sizeof *sb, cmp_matcher_ptr);
    for (i = 0; i < n && same; i++)
        same = cmp_matcher(sa[i], sb[i]) == 0;
    free(sa);
    free(sb);
    return same;
}

static bool eq_mods(const ast_time_mods *a, const ast_time_mods *b)
{
    /* offset_expr is a child slot, compared by the walk */
    if (!eq_ms(a->offset_ns, b->offset_ns))
        return false;
    if (a->at != b->at)
        return false;
    return a->at != PQL_AT_TIMESTAMP || a->at_ms == b->at_ms;
}

static void default_matching(ast_vector_matching *vm, pql_op op)
{
    memset(vm, 0, sizeof *vm);
    vm->card = (op == PQL_OP_AND || op == PQL_OP_OR || op == PQL_OP_UNLESS)
                   ? PQL_CARD_MANY_TO_MANY
                   : PQL_CARD_ONE_TO_ONE;
}

static bool eq_matching(const ast_node *a, const ast_node *b)
{
    ast_vector_matching da, db;
    const ast_vector_matching *ma = a->u.binary.matching, *mb = b->u.binary.matching;
    if (ma == NULL) {
        default_matching(&da, a->u.binary.op);
        ma = &da;
    }
    if (mb == NULL) {
        default_matching(&db, b->u.binary.op);
        mb = &db;
    }
    if (ma->card != mb->card || ma->on != mb->on || !eq_labels(&ma->matching, &mb->matching) ||
        !eq_labels(&ma->include, &mb->include))
        return false;
    if (ma->has_fill_lhs != mb->has_fill_lhs || ma->has_fill_rhs != mb->has_fill_rhs ||
        ma->fill_shared != mb->fill_shared)
        return false;
    if (ma->has_fill_lhs && !eq_double(ma->fill_lhs, mb->fill_lhs))
        return false;
    return !ma->has_fill_rhs || eq_double(ma->fill_rhs, mb->fill_rhs);
}

/* Everything but the children: kind, values, names, matchers, modifiers. */
static bool eq_local(const ast_node *a, const ast_node *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case PQL_NODE_NUMBER:
        return a->u.number.is_duration == b->u.number.is_duration &&
               eq_double(a->u.number.value, b->u.number.value);
    case PQL_NODE_STRING:
        return a->u.string.value.len == b->u.string.value.len &&
               (a->u.string.value.len == 0 ||
                memcmp(a->u.string.value.ptr, b->u.string.value.ptr, a->u.string.value.len) == 0);
    case PQL_NODE_VECTOR_SELECTOR:
        return eq_cstr(a->u.vs.name, b->u.vs.name) && eq_matchers(a, b) &&
               eq_mods(&a->u.vs.mods, &b->u.vs.mods) && a->u.vs.anchored == b->u.vs.anchored &&
               a->u.vs.smoothed == b->u.vs.smoothed &&
               a->u.vs.bypass_empty_matcher_check == b->u.vs.bypass_empty_matcher_check;
    case PQL_NODE_MATRIX_SELECTOR:
        return eq_ms(a->u.matrix.range_ns, b->u.matrix.range_ns);
    case PQL_NODE_SUBQUERY:
        return eq_ms(a->u.subquery.range_ns, b->u.subquery.range_ns) &&
               eq_ms(a->u.subquery.step_ns, b->u.subquery.step_ns) &&
               eq_mods(&a->u.subquery.mods, &b->u.subquery.mods);
    case PQL_NODE_CALL:
        if (a->u.call.fn != b->u.call.fn &&
            (a->u.call.fn == NULL || b->u.call.fn == NULL ||
             strcmp(a->u.call.fn->name, b->u.call.fn->name) != 0))
            return false;
        return a->u.call.n_args == b->u.call.n_args;
    case PQL_NODE_AGGREGATE:
        return a->u.agg.op == b->u.agg.op && a->u.agg.without == b->u.agg.without &&
               eq_labels(&a->u.agg.grouping, &b->u.agg.grouping);
    case PQL_NODE_BINARY:
        return a->u.binary.op == b->u.binary.op &&
               a->u.binary.return_bool == b->u.binary.return_bool && eq_matching(a, b);
    case PQL_NODE_UNARY:
        return a->u.unary.op == b->u.unary.op;
    case PQL_NODE_PAREN:
        return true;
    case PQL_NODE_DURATION_EXPR:
        return a->u.dur.op == b->u.dur.op && a->u.dur.wrapped == b->u.dur.wrapped;
    }
    return false;
}

/* The child slots of n, NULL where a slot is empty, in a fixed order per
 * kind (eq_local has checked that both nodes have the same kind and, for
 * calls, the same number of arguments). Returns the count; call arguments
 * are returned through *args instead of out[]. */
static size_t child_slots(const ast_node *n, const ast_node *out[4], ast_node *const **args)
{
    *args = NULL;
    switch (n->kind) {
    case PQL_NODE_VECTOR_SELECTOR:
        out[0] = n->u.vs.mods.offset_expr;
        return 1;
    case PQL_NODE_MATRIX_SELECTOR:
        out[0] = n->u.matrix.range_expr;
        out[1] = n->u.matrix.vs;
        return 2;
    case PQL_NODE_SUBQUERY:
        out[0] = n->u.subquery.range_expr;
        out[1] = n->u.subquery.step_expr;
        out[2] = n->u.subquery.mods.offset_expr;
        out[3] = n->u.subquery.expr;
        return 4;
    case PQL_NODE_CALL:
        *args = n->u.call.args;
        return n->u.call.n_args;
    case PQL_NODE_AGGREGATE:
        out[0] = n->u.agg.param;
        out[1] = n->u.agg.expr;
        return 2;
    case PQL_NODE_BINARY:
        out[0] = n->u.binary.lhs;
        out[1] = n->u.binary.rhs;
        return 2;
    case PQL_NODE_UNARY:
        out[0] = n->u.unary.expr;
        return 1;
    case PQL_NODE_PAREN:
        out[0] = n->u.paren.expr;
        return 1;
    case PQL_NODE_DURATION_EXPR:
        out[0] = n->u.dur.lhs;
        out[1] = n->u.dur.rhs;
        return 2;
    default:
        return 0;
    }
}

/*
 * Walks both trees with an explicit stack of node pairs rather than by
 * recursion, so trees as deep as the parser allows compare in a few
 * hundred bytes of native stack even in sanitizer builds, whose frames are
 * large. Returns false when the trees differ (or, never in practice, when
 * the pair stack cannot grow).
 */
bool ast_equal(const ast_node *a, const ast_node *b)
{
    typedef struct { const ast_node *a, *b; } pair;
    pair *stack = NULL;
    size_t top = 0, cap = 0;
    bool same = true;
    const ast_node *next_a = a, *next_b = b;
    for (;;) {
        if (next_a == NULL || next_b == NULL) {
            if (next_a != next_b) {
                same = false;
                break;
            }
        } else {
            if (!eq_local(next_a, next_b)) {
                same = false;
                break;
            }
            const ast_node *ka[4], *kb[4];
            ast_node *const *args_a, *const *args_b;
            size_t n = child_slots(next_a, ka, &args_a);
            child_slots(next_b, kb, &args_b);
            if (top + n > cap) {
                size_t grown = cap ? cap * 2 : 64;
                while (grown < top + n)
                    grown *= 2;
                pair *p = realloc(stack, grown * sizeof *p);
                if (p == NULL) {
                    same = false;
                    break;
                }
                stack = p;
                cap = grown;
            }
            /* Pushed last-first so the first slot is compared first. */
            for (size_t i = n; i-- > 0;) {
                stack[top].a = args_a ? args_a[i] : ka[i];
                stack[top].b = args_b ? args_b[i] : kb[i];
                top++;
            }
        }
        if (top == 0)
            break;
        top--;
        next_a = stack[top].a;
        next_b = stack[top].b;
    }
    free(stack);
    return same;
}
