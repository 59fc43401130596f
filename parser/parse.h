/* parse.h: internal interface between the PromQL lexer, the Lemon grammar, its actions and the parse driver. */
#ifndef PQL_PARSE_H
#define PQL_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "ast.h"
#include "promql.h"

/*
 * Entry point used by the public API (parser/api.c).
 *
 * Parses `q` (len bytes, need not be NUL-terminated, may contain NUL bytes)
 * and, when the syntax is valid, type-checks it with check_ast(). Every node
 * and string of the tree comes from `a`; the caller owns the arena and
 * releases it on success and on failure alike. opts may be NULL for the
 * defaults. On success returns PQL_OK with *out set. On failure returns
 * PQL_ERR_PARSE (or PQL_ERR_NOMEM when the arena is exhausted), leaves *out
 * NULL and, when err is not NULL, fills it with the first error Prometheus
 * would report: message and byte range (end exclusive).
 */
pql_status parse_expr(const char *q, size_t len, const pql_parse_options *opts,
                      arena *a, ast_node **out, pql_error *err);

/* ------------------------------------------------------------- lexer -- */

/* Pseudo token types the lexer returns besides the grammar's TOK_* codes. */
#define LEX_EOF 0
#define LEX_ERROR (-1)

/* One token: its grammar code and byte range (end exclusive). */
typedef struct lex_token {
    int type;
    uint32_t start, end;
} lex_token;

/* Which of lex.go's scanning functions is active (outside braces). */
typedef enum { LEX_MODE_STATEMENTS, LEX_MODE_DURATION } lex_mode;

/* All scanning state of one query; no globals, so parses may run in
 * parallel. */
typedef struct lex_state {
    const char *in;
    size_t len;
    size_t pos;   /* next byte to read */
    size_t start; /* first byte of the token being scanned */
    size_t width; /* width of the last rune read, for lex_backup */
    int paren_depth;
    bool brace_open, bracket_open, got_colon, got_duration;
    lex_mode mode;
    bool done;                          /* EOF or an error was returned */
    char err[PQL_ERROR_MESSAGE_MAX];    /* message of a LEX_ERROR token */
} lex_state;

void lex_init(lex_state *l, const char *in, size_t len);
/* Scans the next token (comments are skipped). Returns its type: a TOK_*
 * code, LEX_EOF, or LEX_ERROR with l->err holding Prometheus's message and
 * t->start the start of the offending token. */
int lex_next(lex_state *l, lex_token *t);

/* Go's %q rendering of a string (strconv.Quote) and of a rune
 * (strconv.QuoteRune); write at most cap bytes including the NUL. */
void lex_quote_string(const char *s, size_t len, size_t max_runes, char *out, size_t cap);
void lex_quote_rune(int32_t r, char *out, size_t cap);
/* Decodes one UTF-8 rune as Go does: invalid input gives U+FFFD, width 1. */
int32_t lex_decode_rune(const char *s, size_t len, size_t *width);

/* ------------------------------------------------- grammar actions -- */

/* A label list under construction (grouping and matching labels). */
typedef struct parse_labels {
    const char **names;
    size_t count, cap;
    bool without; /* set when the list came from `without (...)` */
    uint32_t end; /* end of the closing `)` */
} parse_labels;

/* A matcher list under construction. */
typedef struct parse_matchers {
    pql_matcher *items;
    size_t count, cap;
    lex_token lbrace, rbrace;
} parse_matchers;

/* Function-call arguments under construction. */
typedef struct parse_args {
    ast_node **items;
    size_t count, cap;
    lex_token rparen; /* the closing `)` of the call */
} parse_args;

/* The modifiers written between a binary operator and its right operand. */
typedef struct parse_binmods {
    bool return_bool;
    bool has_matching; /* on(...) or ignoring(...) written */
    ast_vector_matching vm;
} parse_binmods;

/* Everything the grammar actions need; the Lemon %extra_argument. */
typedef struct parse_ctx {
    arena *a;
    const pql_parse_options *opts;
    const char *in; /* the query (NUL-terminated copy in the arena) */
    size_t len;
    ast_node *result;

    /* Prometheus's parser.lastClosing: end of the last `)`, `]`, `}`,
     * number or duration the lexer produced (including the lookahead). */
    uint32_t last_closing;
    uint32_t prev_closing; /* last_closing before the lookahead was read */
    uint32_t last_pos; /* start of the most recent token (the lookahead) */
    int lookahead;     /* type of that token */

    /* The first error wins. */
    bool has_error;
    bool nomem;
    bool syntax_failed; /* Lemon saw a syntax error: stop feeding tokens */
    char msg[PQL_ERROR_MESSAGE_MAX];
    int64_t err_start, err_end;

    /* A lexer error waits here while the parser is fed the end of input, so
     * that errors of reductions Prometheus's parser makes before it reads the
     * bad token (its default reductions) come first, as they do there. */
    bool lex_pending;
    bool eager_phase;
    char lex_msg[PQL_ERROR_MESSAGE_MAX];
    int64_t lex_start, lex_end;
} parse_ctx;

/* Records an error unless one is already recorded (first wins). */
void parse_error(parse_ctx *c, int64_t start, int64_t end, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* Called at the top of actions that Prometheus's parser runs without
 * reading a lookahead (eager == true) or only after reading one. */
void parse_reduce(parse_ctx *c, bool eager);
/* Lemon hooks. */
void parse_syntax_error(parse_ctx *c, int major, lex_token tok,
                        const char *const *stack_names, size_t n);
void parse_stack_overflow(parse_ctx *c);

/* Renders a token the way Prometheus's Item.desc() does into out. */
void parse_token_desc(const parse_ctx *c, int type, lex_token tok, char *out, size_t cap);

/* Node constructors (parser/parse_actions.c). Positions are byte offsets. */
ast_node *pa_number(parse_ctx *c, lex_token t);
ast_node *pa_duration(parse_ctx *c, lex_token t);
ast_node *pa_string(parse_ctx *c, lex_token t);
ast_node *pa_paren(parse_ctx *c, lex_token l, ast_node *e, lex_token r);
ast_node *pa_unary(parse_ctx *c, lex_token op, ast_node *e);
ast_node *pa_binary(parse_ctx *c, ast_node *lhs, lex_token op, parse_binmods *m, ast_node *rhs);
parse_binmods *pa_binmods_new(parse_ctx *c, bool return_bool);
parse_binmods *pa_binmods_matching(parse_ctx *c, parse_binmods *m, bool on, parse_labels *l);
parse_binmods *pa_binmods_group(parse_ctx *c, parse_binmods *m, bool left, parse_labels *l);
parse_binmods *pa_binmods_fill(parse_ctx *c, parse_binmods *m, ast_node *lhs, ast_node *rhs);
ast_node *pa_fill_value(parse_ctx *c, lex_token *op, ast_node *n);

parse_labels *pa_labels_new(parse_ctx *c);
parse_labels *pa_labels_add(parse_ctx *c, parse_labels *l, const char *name);
const char *pa_grouping_label(parse_ctx *c, lex_token t);
const char *pa_grouping_label_string(parse_ctx *c, lex_token t);

ast_node *pa_aggregate(parse_ctx *c, lex_token op, parse_labels *mod, parse_args *args,
                       bool overread);
parse_labels *pa_aggmod(parse_ctx *c, parse_labels *l, bool without);
parse_labels *pa_labels_close(parse_ctx *c, parse_labels *l, lex_token rparen);
parse_args *pa_args_close(parse_ctx *c, parse_args *a, lex_token rparen);
parse_matchers *pa_matchers_close(parse_ctx *c, parse_matchers *m, lex_token l, lex_token r);
parse_args *pa_args_new(parse_ctx *c, ast_node *first);
parse_args *pa_args_add(parse_ctx *c, parse_args *a, ast_node *e);
parse_args *pa_args_trailing_comma(parse_ctx *c, parse_args *a, lex_token comma);
ast_node *pa_call(parse_ctx *c, lex_token name, parse_args *args);

parse_matchers *pa_matchers_new(parse_ctx *c);
parse_matchers *pa_matchers_add(parse_ctx *c, parse_matchers *m, const pql_matcher *x);
bool pa_label_matcher(parse_ctx *c, lex_token name, bool name_is_string, lex_token op,
                      lex_token value, pql_matcher *out);
bool pa_name_matcher(parse_ctx *c, lex_token value, pql_matcher *out);
ast_node *pa_selector(parse_ctx *c, lex_token *name, parse_matchers *m, bool braces);

ast_node *pa_matrix(parse_ctx *c, ast_node *e, lex_token lb, ast_node *range, lex_token rb);
ast_node *pa_subquery(parse_ctx *c, ast_node *e, lex_token lb, ast_node *range, ast_node *step,
                      lex_token rb);
ast_node *pa_offset(parse_ctx *c, ast_node *e, ast_node *dur, bool use_lookahead);
ast_node *pa_at_number(parse_ctx *c, ast_node *e, ast_node *num);
ast_node *pa_at_preprocessor(parse_ctx *c, ast_node *e, lex_token which, lex_token rparen);
ast_node *pa_anchored(parse_ctx *c, ast_node *e, bool smoothed);

/* Duration expressions. */
ast_node *pa_dur_literal(parse_ctx *c, ast_node *n);
ast_node *pa_dur_positive(parse_ctx *c, ast_node *n);
ast_node *pa_dur_unary(parse_ctx *c, lex_token op, ast_node *e, bool wrapped);
ast_node *pa_dur_binary(parse_ctx *c, ast_node *lhs, lex_token op, ast_node *rhs);
ast_node *pa_dur_call(parse_ctx *c, lex_token fn, ast_node *lhs, ast_node *rhs, lex_token rparen);
ast_node *pa_dur_paren(parse_ctx *c, lex_token l, ast_node *e, lex_token r);

#endif
