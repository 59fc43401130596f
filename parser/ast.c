/* ast.c: allocation of syntax-tree nodes in the expression's arena. */
#include "ast.h"

ast_node *ast_new(arena *a, pql_node_kind kind, uint32_t start, uint32_t end)
{
    ast_node *n = arena_alloc(a, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->type = PQL_TYPE_NONE;
    n->start = start;
    n->end = end;
    return n;
}
