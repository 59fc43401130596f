/* grammar.y: Lemon grammar of PromQL expressions; every action calls a named constructor from parse_actions.c. */

%name pql_lemon
%token_prefix TOK_
%token_type {lex_token}
%extra_argument {parse_ctx *ctx}
%default_type {ast_node *}
%stack_size 3000
%start_symbol start

%include {
/* The syntax-error hook names the symbols on the parser stack to find the
 * context Prometheus would report; Lemon keeps those names only without
 * NDEBUG. */
#undef NDEBUG
#include <stddef.h>
#include "parse.h"
}

%syntax_error {
    const char *names[64];
    size_t n = 0;
    for (yyStackEntry *e = yypParser->yytos; e > yypParser->yystack && n < 64; e--)
        names[n++] = yyTokenName[e->major];
    parse_syntax_error(ctx, yymajor, yyminor, names, n);
}

%stack_overflow { parse_stack_overflow(ctx); }

/* Token codes: the lexer and the error renderer rely on this order (each
 * group is contiguous). */
%token EQL COLON COMMA DURATION IDENTIFIER LEFT_BRACE LEFT_BRACKET LEFT_PAREN
       METRIC_IDENTIFIER NUMBER RIGHT_BRACE RIGHT_BRACKET RIGHT_PAREN STRING.
%token ADD DIV EQLC EQL_REGEX GTE GTR TRIM_UPPER TRIM_LOWER LAND LOR LSS LTE LUNLESS
       MOD MUL NEQ NEQ_REGEX POW SUB AT ATAN2.
%token AVG BOTTOMK COUNT COUNT_VALUES GROUP MAX MIN QUANTILE STDDEV STDVAR SUM TOPK
       LIMITK LIMIT_RATIO.
%token BOOL BY GROUP_LEFT GROUP_RIGHT FILL FILL_LEFT FILL_RIGHT IGNORING OFFSET
       SMOOTHED ANCHORED ON WITHOUT.
%token START END STEP RANGE MIN_OF MAX_OF.

/* Operators with increasing precedence, as in Prometheus's grammar. */
%left LOR.
%left LAND LUNLESS.
%left EQLC GTE GTR LSS LTE NEQ TRIM_UPPER TRIM_LOWER.
%left ADD SUB.
%left MUL DIV MOD ATAN2.
%right POW.
/* Modifiers bind tighter than any operator (Prometheus's parser shifts them
 * in every such conflict). */
%nonassoc OFFSET AT ANCHORED SMOOTHED.
/* A `(`, fill keyword or the second fill modifier after a binary-operator
 * modifier belongs to the modifier, never to the right operand. */
%nonassoc GROUP_LEFT GROUP_RIGHT FILL FILL_LEFT FILL_RIGHT LEFT_PAREN.
%right LEFT_BRACKET.

start ::= expr(E). { ctx->result = E; }

/* ------------------------------------------------------- aggregations -- */

%type aggregate_op {lex_token}
%type aggregate_modifier {parse_labels *}
%type function_call_body {parse_args *}
%type function_call_args {parse_args *}

expr(A) ::= aggregate_op(O) aggregate_modifier(M) function_call_body(B).
    { A = pa_aggregate(ctx, O, M, B, false); }
expr(A) ::= aggregate_op(O) function_call_body(B) aggregate_modifier(M).
    { A = pa_aggregate(ctx, O, M, B, false); }
expr(A) ::= aggregate_op(O) function_call_body(B).
    { A = pa_aggregate(ctx, O, NULL, B, true); }

aggregate_op(A) ::= AVG(T).
    { A = T; }
aggregate_op(A) ::= BOTTOMK(T).
    { A = T; }
aggregate_op(A) ::= COUNT(T).
    { A = T; }
aggregate_op(A) ::= COUNT_VALUES(T).
    { A = T; }
aggregate_op(A) ::= GROUP(T).
    { A = T; }
aggregate_op(A) ::= MAX(T).
    { A = T; }
aggregate_op(A) ::= MIN(T).
    { A = T; }
aggregate_op(A) ::= QUANTILE(T).
    { A = T; }
aggregate_op(A) ::= STDDEV(T).
    { A = T; }
aggregate_op(A) ::= STDVAR(T).
    { A = T; }
aggregate_op(A) ::= SUM(T).
    { A = T; }
aggregate_op(A) ::= TOPK(T).
    { A = T; }
aggregate_op(A) ::= LIMITK(T).
    { A = T; }
aggregate_op(A) ::= LIMIT_RATIO(T).
    { A = T; }

aggregate_modifier(A) ::= BY grouping_labels(L). { A = pa_aggmod(ctx, L, false); }
aggregate_modifier(A) ::= WITHOUT grouping_labels(L). { A = pa_aggmod(ctx, L, true); }

/* ------------------------------------------------ binary expressions -- */

%type bin_modifier {parse_binmods *}
%type bool_modifier {parse_binmods *}
%type on_or_ignoring {parse_binmods *}
%type group_modifiers {parse_binmods *}
%type fill_modifiers {parse_binmods *}
%type binop {lex_token}

expr(A) ::= expr(L) ADD(O) bin_modifier(M) expr(R). [ADD] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) SUB(O) bin_modifier(M) expr(R). [SUB] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) MUL(O) bin_modifier(M) expr(R). [MUL] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) DIV(O) bin_modifier(M) expr(R). [DIV] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) MOD(O) bin_modifier(M) expr(R). [MOD] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) ATAN2(O) bin_modifier(M) expr(R). [ATAN2] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) POW(O) bin_modifier(M) expr(R). [POW] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) EQLC(O) bin_modifier(M) expr(R). [EQLC] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) NEQ(O) bin_modifier(M) expr(R). [NEQ] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) GTR(O) bin_modifier(M) expr(R). [GTR] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) GTE(O) bin_modifier(M) expr(R). [GTE] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) LSS(O) bin_modifier(M) expr(R). [LSS] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) LTE(O) bin_modifier(M) expr(R). [LTE] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) TRIM_UPPER(O) bin_modifier(M) expr(R). [TRIM_UPPER] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) TRIM_LOWER(O) bin_modifier(M) expr(R). [TRIM_LOWER] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) LAND(O) bin_modifier(M) expr(R). [LAND] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) LOR(O) bin_modifier(M) expr(R). [LOR] { A = pa_binary(ctx, L, O, M, R); }
expr(A) ::= expr(L) LUNLESS(O) bin_modifier(M) expr(R). [LUNLESS] { A = pa_binary(ctx, L, O, M, R); }

bin_modifier(A) ::= fill_modifiers(M). { A = M; }

bool_modifier(A) ::= . { A = pa_binmods_new(ctx, false); }
bool_modifier(A) ::= BOOL. { A = pa_binmods_new(ctx, true); }

on_or_ignoring(A) ::= bool_modifier(B) IGNORING grouping_labels(L).
    { A = pa_binmods_matching(ctx, B, false, L); }
on_or_ignoring(A) ::= bool_modifier(B) ON grouping_labels(L).
    { A = pa_binmods_matching(ctx, B, true, L); }

group_modifiers(A) ::= bool_modifier(B). { A = B; }
group_modifiers(A) ::= on_or_ignoring(B). [LOR] { A = B; }
group_modifiers(A) ::= on_or_ignoring(B) GROUP_LEFT. [LOR]
    { A = pa_binmods_group(ctx, B, true, NULL); }
group_modifiers(A) ::= on_or_ignoring(B) GROUP_LEFT grouping_labels(L).
    { A = pa_binmods_group(ctx, B, true, L); }
group_modifiers(A) ::= on_or_ignoring(B) GROUP_RIGHT. [LOR]
    { A = pa_binmods_group(ctx, B, false, NULL); }
group_modifiers(A) ::= on_or_ignoring(B) GROUP_RIGHT grouping_labels(L).
    { A = pa_binmods_group(ctx, B, false, L); }

fill_modifiers(A) ::= group_modifiers(B). [LOR] { A = B; }
fill_modifiers(A) ::= group_modifiers(B) FILL fill_value(V).
    { A = pa_binmods_fill(ctx, B, V, V); }
fill_modifiers(A) ::= group_modifiers(B) FILL_LEFT fill_value(V). [LOR]
    { A = pa_binmods_fill(ctx, B, V, NULL); }
fill_modifiers(A) ::= group_modifiers(B) FILL_RIGHT fill_value(V). [LOR]
    { A = pa_binmods_fill(ctx, B, NULL, V); }
fill_modifiers(A) ::= group_modifiers(B) FILL_LEFT fill_value(L) FILL_RIGHT fill_value(R).
    { A = pa_binmods_fill(ctx, B, L, R); }
fill_modifiers(A) ::= group_modifiers(B) FILL_RIGHT fill_value(R) FILL_LEFT fill_value(L).
    { A = pa_binmods_fill(ctx, B, L, R); }

fill_value(A) ::= LEFT_PAREN number_duration_literal(N) RIGHT_PAREN.
    { A = pa_fill_value(ctx, NULL, N); }
fill_value(A) ::= LEFT_PAREN ADD(O) number_duration_literal(N) RIGHT_PAREN.
    { A = pa_fill_value(ctx, &O, N); }
fill_value(A) ::= LEFT_PAREN SUB(O) number_duration_literal(N) RIGHT_PAREN.
    { A = pa_fill_value(ctx, &O, N); }

/* ---------------------------------------------------- label lists -- */

%type grouping_labels {parse_labels *}
%type grouping_label_list {parse_labels *}
%type grouping_label {const char *}
%type maybe_label {lex_token}

grouping_labels(A) ::= LEFT_PAREN grouping_label_list(L) RIGHT_PAREN(R). { A = pa_labels_close(ctx, L, R); }
grouping_labels(A) ::= LEFT_PAREN grouping_label_list(L) COMMA RIGHT_PAREN(R). { A = pa_labels_close(ctx, L, R); }
grouping_labels(A) ::= LEFT_PAREN RIGHT_PAREN(R). { A = pa_labels_close(ctx, pa_labels_new(ctx), R); }

grouping_label_list(A) ::= grouping_label_list(L) COMMA grouping_label(N).
    { A = pa_labels_add(ctx, L, N); }
grouping_label_list(A) ::= grouping_label(N).
    { A = pa_labels_add(ctx, pa_labels_new(ctx), N); }

grouping_label(A) ::= maybe_label(T). { A = pa_grouping_label(ctx, T); }
grouping_label(A) ::= STRING(T). { A = pa_grouping_label_string(ctx, T); }

/* Inside grouping lists keywords are label names. */
maybe_label(A) ::= AVG(T).
    { A = T; }
maybe_label(A) ::= BOOL(T).
    { A = T; }
maybe_label(A) ::= BOTTOMK(T).
    { A = T; }
maybe_label(A) ::= BY(T).
    { A = T; }
maybe_label(A) ::= COUNT(T).
    { A = T; }
maybe_label(A) ::= COUNT_VALUES(T).
    { A = T; }
maybe_label(A) ::= GROUP(T).
    { A = T; }
maybe_label(A) ::= GROUP_LEFT(T).
    { A = T; }
maybe_label(A) ::= GROUP_RIGHT(T).
    { A = T; }
maybe_label(A) ::= FILL(T).
    { A = T; }
maybe_label(A) ::= FILL_LEFT(T).
    { A = T; }
maybe_label(A) ::= FILL_RIGHT(T).
    { A = T; }
maybe_label(A) ::= IDENTIFIER(T).
    { A = T; }
maybe_label(A) ::= IGNORING(T).
    { A = T; }
maybe_label(A) ::= LAND(T).
    { A = T; }
maybe_label(A) ::= LOR(T).
    { A = T; }
maybe_label(A) ::= LUNLESS(T).
    { A = T; }
maybe_label(A) ::= MAX(T).
    { A = T; }
maybe_label(A) ::= METRIC_IDENTIFIER(T).
    { A = T; }
maybe_label(A) ::= MIN(T).
    { A = T; }
maybe_label(A) ::= OFFSET(T).
    { A = T; }
maybe_label(A) ::= ON(T).
    { A = T; }
maybe_label(A) ::= QUANTILE(T).
    { A = T; }
maybe_label(A) ::= STDDEV(T).
    { A = T; }
maybe_label(A) ::= STDVAR(T).
    { A = T; }
maybe_label(A) ::= SUM(T).
    { A = T; }
maybe_label(A) ::= TOPK(T).
    { A = T; }
maybe_label(A) ::= START(T).
    { A = T; }
maybe_label(A) ::= END(T).
    { A = T; }
maybe_label(A) ::= ATAN2(T).
    { A = T; }
maybe_label(A) ::= LIMITK(T).
    { A = T; }
maybe_label(A) ::= LIMIT_RATIO(T).
    { A = T; }
maybe_label(A) ::= STEP(T).
    { A = T; }
maybe_label(A) ::= RANGE(T).
    { A = T; }
maybe_label(A) ::= ANCHORED(T).
    { A = T; }
maybe_label(A) ::= SMOOTHED(T).
    { A = T; }
maybe_label(A) ::= MIN_OF(T).
    { A = T; }
maybe_label(A) ::= MAX_OF(T).
    { A = T; }

/* ----------------------------------------------------- function calls -- */

expr(A) ::= IDENTIFIER(N) function_call_body(B).
    { A = pa_call(ctx, N, B); }
expr(A) ::= START(N) function_call_body(B).
    { A = pa_call(ctx, N, B); }
expr(A) ::= END(N) function_call_body(B).
    { A = pa_call(ctx, N, B); }
expr(A) ::= STEP(N) function_call_body(B).
    { A = pa_call(ctx, N, B); }
expr(A) ::= RANGE(N) function_call_body(B).
    { A = pa_call(ctx, N, B); }
expr(A) ::= MIN_OF(N) function_call_body(B).
    { A = pa_call(ctx, N, B); }
expr(A) ::= MAX_OF(N) function_call_body(B).
    { A = pa_call(ctx, N, B); }

function_call_body(A) ::= LEFT_PAREN function_call_args(L) RIGHT_PAREN(R).
    { A = pa_args_close(ctx, L, R); }
function_call_body(A) ::= LEFT_PAREN RIGHT_PAREN(R).
    { A = pa_args_close(ctx, pa_args_new(ctx, NULL), R); }

function_call_args(A) ::= function_call_args(L) COMMA expr(E). { A = pa_args_add(ctx, L, E); }
function_call_args(A) ::= expr(E). { A = pa_args_new(ctx, E); }
function_call_args(A) ::= function_call_args(L) COMMA(C).
    { A = pa_args_trailing_comma(ctx, L, C); }

/* ------------------------------------------------------ parentheses -- */

expr(A) ::= LEFT_PAREN(L) expr(E) RIGHT_PAREN(R). { A = pa_paren(ctx, L, E, R); }

/* ---------------------------------------------------------- offsets -- */

%type offset_duration_expr {ast_node *}
%type paren_lead {ast_node *}

expr(A) ::= expr(E) OFFSET offset_duration_expr(D). { A = pa_offset(ctx, E, D, false); }
expr(A) ::= expr(E) OFFSET paren_lead(D). [LOR] { A = pa_offset(ctx, E, D, true); }

/* Without parentheses an offset takes a single term; a parenthesised
 * duration expression goes on absorbing arithmetic (Prometheus's grammar
 * shifts there). */
offset_duration_expr(A) ::= number_duration_literal(N). { A = pa_dur_literal(ctx, N); }
offset_duration_expr(A) ::= ADD(O) number_duration_literal(N).
    { A = pa_dur_unary(ctx, O, N, false); }
offset_duration_expr(A) ::= SUB(O) number_duration_literal(N).
    { A = pa_dur_unary(ctx, O, N, false); }
offset_duration_expr(A) ::= STEP(F) LEFT_PAREN RIGHT_PAREN(R).
    { A = pa_dur_call(ctx, F, NULL, NULL, R); }
offset_duration_expr(A) ::= RANGE(F) LEFT_PAREN RIGHT_PAREN(R).
    { A = pa_dur_call(ctx, F, NULL, NULL, R); }
offset_duration_expr(A) ::= ADD(O) STEP(F) LEFT_PAREN RIGHT_PAREN(R).
    { A = pa_dur_unary(ctx, O, pa_dur_call(ctx, F, NULL, NULL, R), false); }
offset_duration_expr(A) ::= ADD(O) RANGE(F) LEFT_PAREN RIGHT_PAREN(R).
    { A = pa_dur_unary(ctx, O, pa_dur_call(ctx, F, NULL, NULL, R), false); }
offset_duration_expr(A) ::= SUB(O) STEP(F) LEFT_PAREN RIGHT_PAREN(R).
    { A = pa_dur_unary(ctx, O, pa_dur_call(ctx, F, NULL, NULL, R), false); }
offset_duration_expr(A) ::= SUB(O) RANGE(F) LEFT_PAREN RIGHT_PAREN(R).
    { A = pa_dur_unary(ctx, O, pa_dur_call(ctx, F, NULL, NULL, R), false); }
offset_duration_expr(A) ::= MIN_OF(F) LEFT_PAREN duration_expr(L) COMMA duration_expr(R) RIGHT_PAREN(P).
    { A = pa_dur_call(ctx, F, L, R, P); }
offset_duration_expr(A) ::= MAX_OF(F) LEFT_PAREN duration_expr(L) COMMA duration_expr(R) RIGHT_PAREN(P).
    { A = pa_dur_call(ctx, F, L, R, P); }
offset_duration_expr(A) ::= ADD(O) MIN_OF(F) LEFT_PAREN duration_expr(L) COMMA duration_expr(R) RIGHT_PAREN(P).
    { A = pa_dur_unary(ctx, O, pa_dur_call(ctx, F, L, R, P), false); }
offset_duration_expr(A) ::= ADD(O) MAX_OF(F) LEFT_PAREN duration_expr(L) COMMA duration_expr(R) RIGHT_PAREN(P).
    { A = pa_dur_unary(ctx, O, pa_dur_call(ctx, F, L, R, P), false); }
offset_duration_expr(A) ::= SUB(O) MIN_OF(F) LEFT_PAREN duration_expr(L) COMMA duration_expr(R) RIGHT_PAREN(P).
    { A = pa_dur_unary(ctx, O, pa_dur_call(ctx, F, L, R, P), false); }
offset_duration_expr(A) ::= SUB(O) MAX_OF(F) LEFT_PAREN duration_expr(L) COMMA duration_expr(R) RIGHT_PAREN(P).
    { A = pa_dur_unary(ctx, O, pa_dur_call(ctx, F, L, R, P), false); }
offset_duration_expr(A) ::= ADD(O) LEFT_PAREN duration_expr(E) RIGHT_PAREN. [MUL]
    { A = pa_dur_unary(ctx, O, E, true); }
offset_duration_expr(A) ::= SUB(O) LEFT_PAREN duration_expr(E) RIGHT_PAREN. [MUL]
    { A = pa_dur_unary(ctx, O, E, true); }

paren_lead(A) ::= paren_duration_expr(E). { A = E; }
paren_lead(A) ::= ADD(O) ADD(P) duration_expr(E). [MUL]
    { A = pa_dur_unary(ctx, O, pa_dur_unary(ctx, P, E, false), false); }
paren_lead(A) ::= ADD(O) SUB(P) duration_expr(E). [MUL]
    { A = pa_dur_unary(ctx, O, pa_dur_unary(ctx, P, E, false), false); }
paren_lead(A) ::= SUB(O) ADD(P) duration_expr(E). [MUL]
    { A = pa_dur_unary(ctx, O, pa_dur_unary(ctx, P, E, false), false); }
paren_lead(A) ::= SUB(O) SUB(P) duration_expr(E). [MUL]
    { A = pa_dur_unary(ctx, O, pa_dur_unary(ctx, P, E, false), false); }
paren_lead(A) ::= paren_lead(L) ADD(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
paren_lead(A) ::= paren_lead(L) SUB(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
paren_lead(A) ::= paren_lead(L) MUL(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
paren_lead(A) ::= paren_lead(L) DIV(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
paren_lead(A) ::= paren_lead(L) MOD(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
paren_lead(A) ::= paren_lead(L) POW(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }

/* ---------------------------------------------- anchored / smoothed -- */

expr(A) ::= expr(E) ANCHORED. { A = pa_anchored(ctx, E, false); }
expr(A) ::= expr(E) SMOOTHED. { A = pa_anchored(ctx, E, true); }

/* ----------------------------------------------------- @ modifiers -- */

%type signed_or_unsigned_number {ast_node *}

expr(A) ::= expr(E) AT signed_or_unsigned_number(N). { A = pa_at_number(ctx, E, N); }
expr(A) ::= expr(E) AT START(W) LEFT_PAREN RIGHT_PAREN(R).
    { A = pa_at_preprocessor(ctx, E, W, R); }
expr(A) ::= expr(E) AT END(W) LEFT_PAREN RIGHT_PAREN(R).
    { A = pa_at_preprocessor(ctx, E, W, R); }

signed_or_unsigned_number(A) ::= number_duration_literal(N). { A = N; }
signed_or_unsigned_number(A) ::= ADD(O) number_duration_literal(N).
    { A = pa_fill_value(ctx, &O, N); }
signed_or_unsigned_number(A) ::= SUB(O) number_duration_literal(N).
    { A = pa_fill_value(ctx, &O, N); }

/* ----------------------------------------- range and subquery selectors -- */

%type positive_duration_expr {ast_node *}

expr(A) ::= expr(E) LEFT_BRACKET(L) positive_duration_expr(D) RIGHT_BRACKET(R).
    { A = pa_matrix(ctx, E, L, D, R); }
expr(A) ::= expr(E) LEFT_BRACKET(L) positive_duration_expr(D) COLON positive_duration_expr(S) RIGHT_BRACKET(R).
    { A = pa_subquery(ctx, E, L, D, S, R); }
expr(A) ::= expr(E) LEFT_BRACKET(L) positive_duration_expr(D) COLON RIGHT_BRACKET(R).
    { A = pa_subquery(ctx, E, L, D, NULL, R); }

positive_duration_expr(A) ::= duration_expr(E). { A = pa_dur_positive(ctx, E); }

/* ------------------------------------------------- unary expressions -- */

expr(A) ::= ADD(O) expr(E). [MUL] { A = pa_unary(ctx, O, E); }
expr(A) ::= SUB(O) expr(E). [MUL] { A = pa_unary(ctx, O, E); }

/* -------------------------------------------------- vector selectors -- */

%type metric_identifier {lex_token}
%type label_matchers {parse_matchers *}
%type label_match_list {parse_matchers *}
%type label_matcher {pql_matcher}
%type match_op {lex_token}
%type string_identifier {lex_token}

expr(A) ::= metric_identifier(N) label_matchers(M). { A = pa_selector(ctx, &N, M, true); }
expr(A) ::= metric_identifier(N). { A = pa_selector(ctx, &N, NULL, false); }
expr(A) ::= label_matchers(M). { A = pa_selector(ctx, NULL, M, true); }

/* Keywords that may still name a metric. */
metric_identifier(A) ::= AVG(T).
    { A = T; }
metric_identifier(A) ::= BOTTOMK(T).
    { A = T; }
metric_identifier(A) ::= BY(T).
    { A = T; }
metric_identifier(A) ::= COUNT(T).
    { A = T; }
metric_identifier(A) ::= COUNT_VALUES(T).
    { A = T; }
metric_identifier(A) ::= FILL(T).
    { A = T; }
metric_identifier(A) ::= FILL_LEFT(T).
    { A = T; }
metric_identifier(A) ::= FILL_RIGHT(T).
    { A = T; }
metric_identifier(A) ::= GROUP(T).
    { A = T; }
metric_identifier(A) ::= IDENTIFIER(T).
    { A = T; }
metric_identifier(A) ::= LAND(T).
    { A = T; }
metric_identifier(A) ::= LOR(T).
    { A = T; }
metric_identifier(A) ::= LUNLESS(T).
    { A = T; }
metric_identifier(A) ::= MAX(T).
    { A = T; }
metric_identifier(A) ::= METRIC_IDENTIFIER(T).
    { A = T; }
metric_identifier(A) ::= MIN(T).
    { A = T; }
metric_identifier(A) ::= OFFSET(T).
    { A = T; }
metric_identifier(A) ::= QUANTILE(T).
    { A = T; }
metric_identifier(A) ::= STDDEV(T).
    { A = T; }
metric_identifier(A) ::= STDVAR(T).
    { A = T; }
metric_identifier(A) ::= SUM(T).
    { A = T; }
metric_identifier(A) ::= TOPK(T).
    { A = T; }
metric_identifier(A) ::= WITHOUT(T).
    { A = T; }
metric_identifier(A) ::= START(T).
    { A = T; }
metric_identifier(A) ::= END(T).
    { A = T; }
metric_identifier(A) ::= LIMITK(T).
    { A = T; }
metric_identifier(A) ::= LIMIT_RATIO(T).
    { A = T; }
metric_identifier(A) ::= STEP(T).
    { A = T; }
metric_identifier(A) ::= RANGE(T).
    { A = T; }
metric_identifier(A) ::= ANCHORED(T).
    { A = T; }
metric_identifier(A) ::= SMOOTHED(T).
    { A = T; }
metric_identifier(A) ::= MIN_OF(T).
    { A = T; }
metric_identifier(A) ::= MAX_OF(T).
    { A = T; }

label_matchers(A) ::= LEFT_BRACE(L) label_match_list(M) RIGHT_BRACE(R).
    { A = pa_matchers_close(ctx, M, L, R); }
label_matchers(A) ::= LEFT_BRACE(L) label_match_list(M) COMMA RIGHT_BRACE(R).
    { A = pa_matchers_close(ctx, M, L, R); }
label_matchers(A) ::= LEFT_BRACE(L) RIGHT_BRACE(R).
    { A = pa_matchers_close(ctx, pa_matchers_new(ctx), L, R); }

label_match_list(A) ::= label_match_list(L) COMMA label_matcher(M). { A = pa_matchers_add(ctx, L, &M); }
label_match_list(A) ::= label_matcher(M). { A = pa_matchers_add(ctx, pa_matchers_new(ctx), &M); }

label_matcher(A) ::= IDENTIFIER(N) match_op(O) STRING(V).
    { pa_label_matcher(ctx, N, false, O, V, &A); }
label_matcher(A) ::= string_identifier(N) match_op(O) STRING(V).
    { pa_label_matcher(ctx, N, true, O, V, &A); }
label_matcher(A) ::= string_identifier(N). { pa_name_matcher(ctx, N, &A); }

string_identifier(A) ::= STRING(T). { A = T; }

match_op(A) ::= EQL(T). { A = T; }
match_op(A) ::= NEQ(T). { A = T; }
match_op(A) ::= EQL_REGEX(T). { A = T; }
match_op(A) ::= NEQ_REGEX(T). { A = T; }

/* ----------------------------------------------------------- literals -- */

%type number_duration_literal {ast_node *}

number_duration_literal(A) ::= NUMBER(T). { A = pa_number(ctx, T); }
number_duration_literal(A) ::= DURATION(T). { A = pa_duration(ctx, T); }

expr(A) ::= number_duration_literal(N). { A = N; }
expr(A) ::= STRING(T). { A = pa_string(ctx, T); }

/* ------------------------------------------------ duration expressions -- */

%type duration_expr {ast_node *}
%type paren_duration_expr {ast_node *}

duration_expr(A) ::= number_duration_literal(N). { A = pa_dur_literal(ctx, N); }
duration_expr(A) ::= ADD(O) duration_expr(E). [MUL] { A = pa_dur_unary(ctx, O, E, false); }
duration_expr(A) ::= SUB(O) duration_expr(E). [MUL] { A = pa_dur_unary(ctx, O, E, false); }
duration_expr(A) ::= duration_expr(L) ADD(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
duration_expr(A) ::= duration_expr(L) SUB(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
duration_expr(A) ::= duration_expr(L) MUL(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
duration_expr(A) ::= duration_expr(L) DIV(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
duration_expr(A) ::= duration_expr(L) MOD(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
duration_expr(A) ::= duration_expr(L) POW(O) duration_expr(R). { A = pa_dur_binary(ctx, L, O, R); }
duration_expr(A) ::= STEP(F) LEFT_PAREN RIGHT_PAREN(R). { A = pa_dur_call(ctx, F, NULL, NULL, R); }
duration_expr(A) ::= RANGE(F) LEFT_PAREN RIGHT_PAREN(R). { A = pa_dur_call(ctx, F, NULL, NULL, R); }
duration_expr(A) ::= MIN_OF(F) LEFT_PAREN duration_expr(L) COMMA duration_expr(R) RIGHT_PAREN(P).
    { A = pa_dur_call(ctx, F, L, R, P); }
duration_expr(A) ::= MAX_OF(F) LEFT_PAREN duration_expr(L) COMMA duration_expr(R) RIGHT_PAREN(P).
    { A = pa_dur_call(ctx, F, L, R, P); }
duration_expr(A) ::= paren_duration_expr(E). { A = E; }

paren_duration_expr(A) ::= LEFT_PAREN(L) duration_expr(E) RIGHT_PAREN(R). { A = pa_dur_paren(ctx, L, E, R); }
