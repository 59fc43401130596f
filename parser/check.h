/* check.h: the type checker that runs over a syntactically valid AST, as Prometheus's checkAST does. */
#ifndef PQL_CHECK_H
#define PQL_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "promql.h"

/*
 * Type-checks the tree and fills node->type for every node. Reports the first
 * error Prometheus would report (same message, same byte range) and returns
 * false; returns true when the tree is valid. Like Prometheus it also
 * normalises the tree: set operators get many-to-many matching, vector
 * matching is dropped (NULL) when a side is a scalar, and info()'s second
 * argument is exempted from the empty-matcher rule. opts may be NULL for the
 * defaults. Without the query text, ranges that Prometheus trims of blanks
 * around a binary operator cannot be trimmed: prefer check_ast_source.
 */
bool check_ast(ast_node *root, const pql_parse_options *opts, pql_error *err);

/* Same as check_ast, with the query text (q, len bytes) the tree was parsed
 * from, so that errors placed on a binary operator ("comparisons between
 * scalars must use BOOL modifier", ...) get Prometheus's exact range. */
bool check_ast_source(ast_node *root, const pql_parse_options *opts, const char *q,
                     size_t len, pql_error *err);

#endif
