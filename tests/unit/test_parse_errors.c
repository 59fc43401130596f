/* test_parse_errors.c: invalid PromQL inputs and the exact first error (message, byte range) Prometheus 3.14 reports for them. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

/* Option switches turned off for a case (all features are on otherwise). */
#define OFF_EXP 1u  /* enable_experimental_functions */
#define OFF_DUR 2u  /* enable_duration_expressions */
#define OFF_EXT 4u  /* enable_extended_range_selectors */
#define OFF_FILL 8u /* enable_binop_fill_modifiers */

#define NOPOS (-2) /* position not asserted: Prometheus's tests do not pin it */

typedef struct error_case {
    const char *input;
    const char *message;
    int start, end;
    unsigned off;
} error_case;

/*
 * Sources: promql/parser/parse_test.go testExpr (commit 00b65b92; first error
 * of each case, PositionRange as given), and for the rest promql/parser/parse.go
 * (checkAST, addOffset, setTimestamp, getAtModifierVars, setAnchored,
 * newAggregateExpr, newBinaryExpression; lexer errors span from the token start
 * to the end of the input) and lex.go's lexEscape/lexString messages.
 */
static const error_case error_cases[] = {
    /* --- parse_test.go: scalars, lexing --- */
    {"", "no expression found in input", 0, 0, 0},
    {"# just a comment\n\n", "no expression found in input", 0, 0, 0},
    {"1+", "unexpected end of input", 2, 2, 0},
    {".", "unexpected character: '.'", 0, 1, 0},
    {"2.5.", "bad number or duration syntax: \"2.5.\"", 0, 4, 0},
    {"100..4", "bad number or duration syntax: \"100..\"", 0, 6, 0},
    {"0deadbeef", "bad number or duration syntax: \"0de\"", 0, 9, 0},
    {"1 /", "unexpected end of input", 3, 3, 0},
    {"*1", "unexpected <op:*>", 0, 1, 0},
    {"(1))", "unexpected right parenthesis ')'", 4, 4, 0},
    {"((1)", "unclosed left parenthesis", 4, 4, 0},
    {"(", "unclosed left parenthesis", 1, 1, 0},
    {"1 and 1", "set operator \"and\" not allowed in binary scalar expression", 0, 7, 0},
    {"1 == 1", "comparisons between scalars must use BOOL modifier", 2, 3, 0},
    {"1 or 1", "set operator \"or\" not allowed in binary scalar expression", 0, 6, 0},
    {"1 unless 1", "set operator \"unless\" not allowed in binary scalar expression", 0, 10, 0},
    {"1 !~ 1", "unexpected character after '!': '~'", 2, 6, 0},
    {"1 =~ 1", "unexpected character after '=': '~'", 2, 6, 0},
    {"-\"string\"",
     "unary expression only allowed on expressions of type scalar or instant vector, got "
     "\"string\"",
     0, 9, 0},
    {"-test[5m]",
     "unary expression only allowed on expressions of type scalar or instant vector, got "
     "\"range vector\"",
     0, 9, 0},
    {"*test", "unexpected <op:*>", 0, 1, 0},
    {"@@", "unexpected <op:@>", 0, 1, 0},
    {"1 offset 1d",
     "offset modifier must be preceded by an instant vector selector or range vector selector "
     "or a subquery",
     0, 1, 0},
    {"foo offset 1s offset 2s", "offset may not be set multiple times", 0, 13, 0},
    {"a - on(b) ignoring(c) d", "unexpected <ignoring>", 10, 18, 0},
    /* --- parse_test.go: vector binary operations --- */
    {"foo and 1", "set operator \"and\" not allowed in binary scalar expression", 0, 9, 0},
    {"1 and foo", "set operator \"and\" not allowed in binary scalar expression", 0, 9, 0},
    {"foo or 1", "set operator \"or\" not allowed in binary scalar expression", 0, 8, 0},
    {"1 or foo", "set operator \"or\" not allowed in binary scalar expression", 0, 8, 0},
    {"foo unless 1", "set operator \"unless\" not allowed in binary scalar expression", 0, 12, 0},
    {"1 unless foo", "set operator \"unless\" not allowed in binary scalar expression", 0, 12, 0},
    {"1 or on(bar) foo", "vector matching only allowed between instant vectors", 0, 16, 0},
    {"foo == on(bar) 10", "vector matching only allowed between instant vectors", 0, 17, 0},
    {"foo + group_left(baz) bar", "unexpected <group_left>", 6, 16, 0},
    {"foo and on(bar) group_left(baz) bar", "no grouping allowed for \"and\" operation", 0, 35,
     0},
    {"foo and on(bar) group_right(baz) bar", "no grouping allowed for \"and\" operation", 0, 36,
     0},
    {"foo or on(bar) group_left(baz) bar", "no grouping allowed for \"or\" operation", 0, 34, 0},
    {"foo or on(bar) group_right(baz) bar", "no grouping allowed for \"or\" operation", 0, 35,
     0},
    {"foo unless on(bar) group_left(baz) bar", "no grouping allowed for \"unless\" operation", 0,
     38, 0},
    {"foo unless on(bar) group_right(baz) bar", "no grouping allowed for \"unless\" operation",
     0, 39, 0},
    {"http_requests{group=\"production\"} + on(instance) group_left(job,instance) "
     "cpu_count{type=\"smp\"}",
     "label \"instance\" must not occur in ON and GROUP clause at once", 34, 72, 0},
    {"foo + bool bar", "bool modifier can only be used on comparison operators", 4, 9, 0},
    {"foo + bool 10", "bool modifier can only be used on comparison operators", 4, 9, 0},
    {"foo and bool 10", "bool modifier can only be used on comparison operators", 4, 11, 0},
    /* --- parse_test.go: @ bounds --- */
    {"foo @ +Inf", "timestamp out of bounds for @ modifier: +Inf", 0, 3, 0},
    {"foo @ -Inf", "timestamp out of bounds for @ modifier: -Inf", 0, 3, 0},
    {"foo @ NaN", "timestamp out of bounds for @ modifier: NaN", 0, 3, 0},
    {"foo @ 9223372036854775808.000000",
     "timestamp out of bounds for @ modifier: 9223372036854775808.000000", 0, 3, 0},
    {"foo @ -9223372036854775808.000000",
     "timestamp out of bounds for @ modifier: -9223372036854775808.000000", 0, 3, 0},
    /* --- parse_test.go: selectors --- */
    {"{", "unexpected end of input inside braces", 1, 1, 0},
    {"}", "unexpected character: '}'", 0, 1, 0},
    {"some{", "unexpected end of input inside braces", 5, 5, 0},
    {"some}", "unexpected character: '}'", 4, 5, 0},
    {"some_metric{a=b}", "unexpected identifier \"b\" in label matching, expected string", 14, 15,
     0},
    {"some_metric{a:b=\"b\"}", "unexpected character inside braces: ':'", 13, 20, 0},
    {"foo{a*\"b\"}", "unexpected character inside braces: '*'", 5, 10, 0},
    {"foo{a>=\"b\"}", "unexpected character inside braces: '>'", 5, 11, 0},
    {"some_metric{a=\"\xff\"}", "invalid UTF-8 rune", 14, 18, 0},
    {"foo{gibberish}", "unexpected \"}\" in label matching, expected label matching operator", 13,
     14, 0},
    {"foo{1}", "unexpected character inside braces: '1'", 4, 6, 0},
    {"{}", "vector selector must contain at least one non-empty matcher", 0, 2, 0},
    {"{x=\"\"}", "vector selector must contain at least one non-empty matcher", 0, 6, 0},
    {"{x=~\".*\"}", "vector selector must contain at least one non-empty matcher", 0, 9, 0},
    {"{x!~\".+\"}", "vector selector must contain at least one non-empty matcher", 0, 9, 0},
    {"{x!=\"a\"}", "vector selector must contain at least one non-empty matcher", 0, 8, 0},
    {"foo{__name__=\"bar\"}", "metric name must not be set twice: \"foo\" or \"bar\"", 0, 19, 0},
    {"foo{__name__= =}", "unexpected \"=\" in label matching, expected string", 14, 15, 0},
    {"foo{,}", "unexpected \",\" in label matching, expected identifier or \"}\"", 4, 5, 0},
    {"foo{__name__ == \"bar\"}", "unexpected \"=\" in label matching, expected string", 14, 15,
     0},
    {"foo{__name__=\"bar\" lol}",
     "unexpected identifier \"lol\" in label matching, expected \",\" or \"}\"", 19, 22, 0},
    {"foo{\"a\"=}", "unexpected \"}\" in label matching, expected string", 8, 9, 0},
    /* --- parse_test.go: matrix selectors, offsets, @ --- */
    {"foo[5mm]", "bad number or duration syntax: \"5mm\"", 4, 8, 0},
    {"foo[5m1]", "bad number or duration syntax: \"5m1\"", 4, 8, 0},
    {"foo[5m:1m1]", "bad number or duration syntax: \"1m1\"", 7, 11, 0},
    {"foo[5y1hs]", "unknown unit \"hs\" in duration \"5y1hs\"", 4, 9, 0},
    {"foo[5m1h]", "not a valid duration string: \"5m1h\"", 4, 8, 0},
    {"foo[5m1m]", "not a valid duration string: \"5m1m\"", 4, 8, 0},
    {"foo[0m]", "duration must be greater than 0", 4, 6, 0},
    {"foo[\"5m\"]", "unexpected character in duration expression: '\"'", 4, 9, 0},
    {"foo[]",
     "unexpected \"]\" in subquery or range selector, expected number, duration, step(), or "
     "range()",
     4, 5, 0},
    {"foo[-1]", "duration must be greater than 0", 4, 6, 0},
    {"some_metric[5m] OFFSET 1mm", "bad number or duration syntax: \"1mm\"", 23, 26, 0},
    {"some_metric[5m] OFFSET",
     "unexpected end of input in offset, expected number, duration, step(), or range()", 22, 22,
     0},
    {"some_metric OFFSET 1m[5m]", "no offset modifiers allowed before range", 21, 25, 0},
    {"some_metric[5m] @", "unexpected end of input in @, expected timestamp", 17, 17, 0},
    {"some_metric @ 1234 [5m]", "no @ modifiers allowed before range", 19, 23, 0},
    {"some_metric @ start() [5m]", "no @ modifiers allowed before range", 22, 26, 0},
    {"some_metric @ end()[5m]", "no @ modifiers allowed before range", 19, 23, 0},
    {"some_metric offset step()[5m]", "no offset modifiers allowed before range", 25, 29, 0},
    {"(foo + bar)[5m]", "ranges only allowed for vector selectors", 11, 15, 0},
    /* --- parse_test.go: aggregations --- */
    {"sum by (\"foo)(some_metric{})", "unterminated quoted string", 8, 28, 0},
    {"sum without(==)(some_metric)", "unexpected <op:==> in grouping opts, expected label", 12, 14,
     0},
    {"sum without(,)(some_metric)", "unexpected \",\" in grouping opts, expected label", 12, 13,
     0},
    {"sum without(foo,,)(some_metric)", "unexpected \",\" in grouping opts, expected label", 16,
     17, 0},
    {"sum some_metric by (test)", "unexpected identifier \"some_metric\"", 4, 15, 0},
    {"sum (some_metric) by test",
     "unexpected identifier \"test\" in grouping opts, expected \"(\"", 21, 25, 0},
    {"sum () by (test)", "no arguments for aggregate expression provided", 0, 16, 0},
    {"MIN keep_common (some_metric)", "unexpected identifier \"keep_common\"", 4, 15, 0},
    {"MIN (some_metric) keep_common", "unexpected identifier \"keep_common\"", 18, 29, 0},
    {"sum (some_metric) without (test) by (test)", "unexpected <by>", 33, 35, 0},
    {"sum without (test) (some_metric) by (test)", "unexpected <by>", 33, 35, 0},
    {"topk(some_metric)",
     "wrong number of arguments for aggregate expression provided, expected 2, got 1", 0, 17, 0},
    {"topk(some_metric,)", "trailing commas not allowed in function call args", 16, 17, 0},
    {"topk(some_metric, other_metric)",
     "expected type scalar in aggregation parameter, got instant vector", 5, 16, 0},
    {"count_values(5, other_metric)", "expected type string in aggregation parameter, got scalar",
     13, 14, 0},
    {"rate(some_metric[5m]) @ 1234",
     "@ modifier must be preceded by an instant vector selector or range vector selector or a "
     "subquery",
     0, 21, 0},
    /* --- parse_test.go: function calls --- */
    {"floor()", "expected 1 argument(s) in call to \"floor\", got 0", 0, 7, 0},
    {"floor(some_metric, other_metric)", "expected 1 argument(s) in call to \"floor\", got 2", 0,
     32, 0},
    {"floor(some_metric, 1)", "expected 1 argument(s) in call to \"floor\", got 2", 0, 21, 0},
    {"floor(1)", "expected type instant vector in call to function \"floor\", got scalar", 6, 7,
     0},
    {"hour(some_metric, some_metric, some_metric)",
     "expected at most 1 argument(s) in call to \"hour\", got 3", 0, 43, 0},
    {"time(some_metric)", "expected 0 argument(s) in call to \"time\", got 1", 0, 17, 0},
    {"non_existent_function_far_bar()",
     "unknown function with name \"non_existent_function_far_bar\"", 0, 29, 0},
    {"rate(some_metric)",
     "expected type range vector in call to function \"rate\", got instant vector", 5, 16, 0},
    {"label_replace(a, `b`, `c\xff`, `d`, `.*`)", "invalid UTF-8 rune", 22, 38, 0},
    /* --- parse_test.go: fuzzing regressions --- */
    {"-=", "unexpected \"=\"", 1, 2, 0},
    {"++-++-+-+-<", "unexpected <op:<>", 10, 11, 0},
    {"e-+=/(0)", "unexpected \"=\"", 3, 4, 0},
    {"a>b()", "unknown function with name \"b\"", 2, 3, 0},
    {"rate(avg)", "expected type range vector in call to function \"rate\", got instant vector",
     5, 8, 0},
    /* --- parse_test.go: strings --- */
    {"`\\``", "unterminated raw string", 3, 4, 0},
    {"\"\\", "escape sequence not terminated", 0, 2, 0},
    {"\"\\c\"", "unknown escape sequence U+0063 'c'", 0, 4, 0},
    {"\"\\x.\"", "illegal character U+002E '.' in escape sequence", 0, 5, 0},
    /* --- parse_test.go: subqueries --- */
    {"foo{bar=\"baz\"}[", "unexpected end of input in duration expression", 15, 15, 0},
    {"test[5d] OFFSET 10s [10m:5s]",
     "subquery is only allowed on instant vector, got matrix instead", 0, 28, 0},
    {"(foo + bar{nm=\"val\"})[5m:][10m:5s]",
     "subquery is only allowed on instant vector, got matrix instead", 0, 34, 0},
    {"rate(food[1m])[1h] offset 1h", "ranges only allowed for vector selectors", 14, 18, 0},
    {"rate(food[1m])[1h] @ 100", "ranges only allowed for vector selectors", 14, 18, 0},
    /* --- parse_test.go: info() --- */
    {"info(rate(http_request_counter_total{}[5m]), target_info{foo=\"bar\"})",
     "expected label selectors only, got vector selector instead", 45, 67, 0},
    {"info(http_request_counter_total{namespace=\"zzz\"}, {foo=\"bar\"} == 1)",
     "expected label selectors only", 50, 66, 0},
    /* --- parse_test.go: duration expressions --- */
    {"foo[step]",
     "unexpected \"]\" in subquery or range selector, expected number, duration, step(), or "
     "range()",
     8, 9, 0},
    {"foo[step()/0d]", "division by zero", 10, 11, 0},
    {"foo[5s/0d]", "division by zero", 6, 7, 0},
    {"foo offset (4d/0)", "division by zero", 14, 15, 0},
    {"foo[5s%0d]", "modulo by zero", 6, 7, 0},
    {"foo offset 9.5e10", "duration out of range", 11, 17, 0},
    {"foo[9.5e10]", "duration out of range", 4, 10, 0},
    {"sum(", "unclosed left parenthesis", 4, 4, 0},
    {"sum(rate(", "unclosed left parenthesis", 9, 9, 0},
    {"foo[5s x 5s]", "unexpected character: 'x', expected ':'", 7, 12, 0},
    {"foo[5s s 5s]", "unexpected character: 's', expected ':'", 7, 12, 0},
    {"1[5m] smoothed", "ranges only allowed for vector selectors", 1, 5, 0},
    {"1[5m] anchored", "ranges only allowed for vector selectors", 1, 5, 0},

    /* --- checkAST errors not in parse_test.go (positions from parse.go) --- */
    {"sum(foo[5m])",
     "expected type instant vector in aggregation expression, got range vector", 4, 11, 0},
    {"sum(1)", "expected type instant vector in aggregation expression, got scalar", 4, 5, 0},
    {"sum(\"a\")", "expected type instant vector in aggregation expression, got string", 4, 7,
     0},
    {"topk(\"a\", foo)", "expected type scalar in aggregation parameter, got string", 5, 8, 0},
    {"quantile(foo, bar)", "expected type scalar in aggregation parameter, got instant vector",
     9, 12, 0},
    {"limitk(foo, bar)", "expected type scalar in aggregation parameter, got instant vector", 7,
     10, 0},
    {"count_values(foo, bar)",
     "expected type string in aggregation parameter, got instant vector", 13, 16, 0},
    {"bottomk(foo)",
     "wrong number of arguments for aggregate expression provided, expected 2, got 1", 0, 12, 0},
    {"sum(foo, bar)",
     "wrong number of arguments for aggregate expression provided, expected 1, got 2", 0, 13, 0},
    {"count_values()", "no arguments for aggregate expression provided", 0, 14, 0},
    {"foo[5m] + 1", "binary expression must contain only scalar and instant vector types", 0, 7,
     0},
    {"1 + foo[5m]", "binary expression must contain only scalar and instant vector types", 4, 11,
     0},
    {"\"a\" + 1", "binary expression must contain only scalar and instant vector types", 0, 3,
     0},
    {"foo * foo[1m:]", "binary expression must contain only scalar and instant vector types", 6,
     14, 0},
    {"1[5m:]", "subquery is only allowed on instant vector, got scalar instead", 0, 6, 0},
    {"\"a\"[5m:]", "subquery is only allowed on instant vector, got string instead", 0, 8, 0},
    {"-foo[5m:]",
     "unary expression only allowed on expressions of type scalar or instant vector, got "
     "\"range vector\"",
     0, 9, 0},
    {"1 > 2", "comparisons between scalars must use BOOL modifier", 2, 2, 0},
    {"1 != (2)", "comparisons between scalars must use BOOL modifier", 2, 3, 0},
    {"foo + on(a) 1", "vector matching only allowed between instant vectors", 0, 13, 0},
    {"foo * on(a) group_left(a) bar", "label \"a\" must not occur in ON and GROUP clause at once",
     4, 24, 0},
    {"foo + bool on(a) bar", "bool modifier can only be used on comparison operators", 4, 15, 0},
    {"foo and on(a) fill(1) bar", "filling in missing series not allowed for set operators", 0,
     25, 0},
    {"1 + fill(1) foo", "filling in missing series only allowed between instant vectors", 0, 15,
     0},
    {"info(foo, \"a\")", "expected type instant vector in call to function \"info\", got string",
     0, 14, 0},
    {"info(foo, bar{a=\"b\"})", "expected label selectors only, got vector selector instead", 10,
     20, 0},
    {"Rate(foo[5m])", "unknown function with name \"Rate\"", 0, 4, 0},
    {"RATE(foo[5m])", "unknown function with name \"RATE\"", 0, 4, 0},
    {"holt_winters(foo[5m], 0.5, 0.5)", "unknown function with name \"holt_winters\"", 0, 12, 0},
    {"sum(foo) offset 5m",
     "offset modifier must be preceded by an instant vector selector or range vector selector "
     "or a subquery",
     0, 8, 0},
    {"(foo) offset 5m",
     "offset modifier must be preceded by an instant vector selector or range vector selector "
     "or a subquery",
     0, 5, 0},
    {"\"a\" offset 5m",
     "offset modifier must be preceded by an instant vector selector or range vector selector "
     "or a subquery",
     0, 3, 0},
    {"sum(foo) @ 100",
     "@ modifier must be preceded by an instant vector selector or range vector selector or a "
     "subquery",
     0, 8, 0},
    {"1 @ start()",
     "@ modifier must be preceded by an instant vector selector or range vector selector or a "
     "subquery",
     0, 1, 0},
    {"foo @ 100 @ 200", "@ <timestamp> may not be set multiple times", 0, 9, 0},
    {"foo @ 100 @ end()", "@ <timestamp> may not be set multiple times", 0, 9, 0},
    {"foo[5m] offset 1m offset 2m", "offset may not be set multiple times", 0, 17, 0},
    {"foo[1m:] offset 1m offset 2m", "offset may not be set multiple times", 0, 18, 0},
    {"foo offset 1m offset (2m)", "offset may not be set multiple times", 0, 13, 0},
    {"foo[0]", "duration must be greater than 0", 4, 5, 0},
    {"foo[5m:1m] anchored", "anchored modifier is not supported for subqueries", 0, 10, 0},
    {"foo[5m:1m] smoothed", "smoothed modifier is not supported for subqueries", 0, 10, 0},
    {"(foo + bar) smoothed", "smoothed modifier not implemented", 0, 11, 0},
    {"(foo + bar) anchored", "anchored modifier not implemented", 0, 11, 0},
    {"foo anchored smoothed", "anchored and smoothed modifiers cannot be used together", 0, 3,
     0},
    {"foo[5m] smoothed anchored", "anchored and smoothed modifiers cannot be used together", 0,
     7, 0},

    /* --- experimental gates (parse.go, generated_parser.y) --- */
    {"limitk(1, x)",
     "limitk() is experimental and must be enabled with "
     "--enable-feature=promql-experimental-functions",
     0, 12, OFF_EXP},
    {"limit_ratio(0.5, x)",
     "limit_ratio() is experimental and must be enabled with "
     "--enable-feature=promql-experimental-functions",
     0, 19, OFF_EXP},
    {"mad_over_time(x[5m])", "function \"mad_over_time\" is not enabled", 0, 13, OFF_EXP},
    {"sum(ts_of_last_over_time(x[5m]))", "function \"ts_of_last_over_time\" is not enabled", 4,
     24, OFF_EXP},
    {"a + fill(0) b", "binop fill modifiers are experimental and not enabled", 0, 13, OFF_FILL},
    {"a + on(x) fill_left(1) b", "binop fill modifiers are experimental and not enabled", 0, 24,
     OFF_FILL},
    {"a + ignoring(x) fill_right(2) b", "binop fill modifiers are experimental and not enabled",
     0, 31, OFF_FILL},
    {"a + fill_left(1) fill_right(2) b",
     "binop fill modifiers are experimental and not enabled", 0, 32, OFF_FILL},
    {"foo anchored", "anchored modifier is experimental and not enabled", 0, 3, OFF_EXT},
    {"rate(foo[5m] smoothed)", "smoothed modifier is experimental and not enabled", 5, 12,
     OFF_EXT},
    {"foo[5m] anchored", "anchored modifier is experimental and not enabled", 0, 7, OFF_EXT},
    {"foo[5m+1m]", "experimental duration expression is not enabled", NOPOS, NOPOS, OFF_DUR},
    {"foo offset (5m)", "experimental duration expression is not enabled", NOPOS, NOPOS,
     OFF_DUR},
    {"foo[step()]", "experimental duration expression is not enabled", NOPOS, NOPOS, OFF_DUR},

    /* --- lexer errors (lex.go messages; span = token start .. end of input) --- */
    {"\"abc", "unterminated quoted string", 0, 4, 0},
    {"'abc", "unterminated quoted string", 0, 4, 0},
    {"`abc", "unterminated raw string", 0, 4, 0},
    {"\"a\nb\"", "unterminated quoted string", 0, 5, 0},
    {"foo{a=\"b}", "unterminated quoted string", 6, 9, 0},
    {"\"\\q\"", "unknown escape sequence U+0071 'q'", 0, 4, 0},
    {"'\\\"'", "unknown escape sequence U+0022 '\"'", 0, 4, 0},
    {"\"\\'\"", "unknown escape sequence U+0027 '''", 0, 4, 0},
    {"\"test\\.expression\"", "unknown escape sequence U+002E '.'", 0, 18, 0},
    {"\"\\400\"", "escape sequence is an invalid Unicode code point", 0, 6, 0},
    {"\"\\uD800\"", "escape sequence is an invalid Unicode code point", 0, 8, 0},
    {"\"\\U00110000\"", "escape sequence is an invalid Unicode code point", 0, 12, 0},
    {"\"\\x4\"", "illegal character U+0022 '\"' in escape sequence", 0, 5, 0},
    {"\"\\08\"", "illegal character U+0038 '8' in escape sequence", 0, 5, 0},
    {"\"\\u12\"", "illegal character U+0022 '\"' in escape sequence", 0, 6, 0},
    {"\"\\xZZ\"", "illegal character U+005A 'Z' in escape sequence", 0, 6, 0},
    {"\"\xff\"", "invalid UTF-8 rune", 0, 3, 0},
    {"`\xff`", "invalid UTF-8 rune", 0, 3, 0},
    {"foo)", "unexpected right parenthesis ')'", 4, 4, 0},
    {"foo]", "unexpected right bracket ']'", 3, 4, 0},
    {"foo{{", "unexpected left brace '{'", 4, 5, 0},
    {"foo{a=\"b\"}}", "unexpected character: '}'", 10, 11, 0},
    /* after a duration the lexer is back in lexStatements: bracket still open */
    {"foo[5m", "unclosed left bracket", 6, 6, 0},
    {"foo[5m:1m", "unclosed left bracket", 9, 9, 0},
    {"foo $ bar", "unexpected character: '$'", 4, 9, 0},
    {"foo{a=\"b\"", "unexpected end of input inside braces", 9, 9, 0},
    {"rate(foo[5m]", "unclosed left parenthesis", 12, 12, 0},
    {"foo offset", "unexpected end of input in offset, expected number, duration, step(), or range()",
     10, 10, 0},
    {"foo @", "unexpected end of input in @, expected timestamp", 5, 5, 0},
    /* lexNumberOrDuration: scanNumber stops before 'a', no unit follows */
    {"1a", "bad number or duration syntax: \"1\"", 0, 2, 0},
    {"5x", "bad number or duration syntax: \"5\"", 0, 2, 0},
    {"1__0", "bad number or duration syntax: \"1__\"", 0, 4, 0},
    {"foo{a!#\"b\"}", "unexpected character after '!' inside braces: '#'", NOPOS, NOPOS, 0},
    /* model.ParseDuration (prometheus/common): digits, then a unit run "." */
    {"1.5h", "unknown unit \".\" in duration \"1.5h\"", NOPOS, NOPOS, 0},
    {"foo offset 1.5h", "unknown unit \".\" in duration \"1.5h\"", NOPOS, NOPOS, 0},
};

static pql_parse_options options_for(unsigned off)
{
    pql_parse_options o = pql_parse_options_default();
    if (off & OFF_EXP)
        o.enable_experimental_functions = 0;
    if (off & OFF_DUR)
        o.enable_duration_expressions = 0;
    if (off & OFF_EXT)
        o.enable_extended_range_selectors = 0;
    if (off & OFF_FILL)
        o.enable_binop_fill_modifiers = 0;
    return o;
}

/* Parses q (len bytes) and checks the first error against the expectation. */
static void expect_error(const char *q, size_t len, const pql_parse_options *o,
                         const char *message, long long start, long long end)
{
    pql_expr *e = (pql_expr *)&e; /* must be reset to NULL on failure */
    pql_error err;
    pql_status st;

    pql_error_clear(&err);
    st = pql_parse(q, len, o, &e, &err);
    cr_assert_eq(st, PQL_ERR_PARSE, "input `%s`: expected a parse error (`%s`), got status %d",
                 q, message, (int)st);
    cr_expect_null(e, "input `%s`: *out must be NULL on failure", q);
    cr_expect_eq(err.code, PQL_ERR_PARSE, "input `%s`: err.code %d", q, (int)err.code);
    cr_expect_str_eq(err.message, message, "input `%s`: message `%s`, expected `%s`", q,
                     err.message, message);
    if (start != NOPOS) {
        cr_expect(err.start == start && err.end == end,
                  "input `%s` (`%s`): position [%lld,%lld), expected [%lld,%lld)", q, message,
                  (long long)err.start, (long long)err.end, start, end);
    }
}

ParameterizedTestParameters(parse_errors, first_error)
{
    return tu_index_params(sizeof error_cases / sizeof error_cases[0]);
}

ParameterizedTest(size_t *ix, parse_errors, first_error)
{
    const error_case *c = &error_cases[*ix];
    pql_parse_options o = options_for(c->off);
    expect_error(c->input, strlen(c->input), &o, c->message, c->start, c->end);
}

ParameterizedTestParameters(parse_errors, gate_opens_with_its_switch)
{
    return tu_index_params(sizeof error_cases / sizeof error_cases[0]);
}

/* Each gated construct parses once its own switch is on (the defaults). */
ParameterizedTest(size_t *ix, parse_errors, gate_opens_with_its_switch)
{
    const error_case *c = &error_cases[*ix];
    pql_expr *e = NULL;
    pql_error err;
    if (c->off == 0)
        return; /* not a gate case */
    cr_expect_eq(tu_parse(c->input, &e, &err), PQL_OK,
                 "input `%s`: should parse with every feature on, got `%s`", c->input,
                 err.message);
    pql_expr_free(e);
}


Test(parse_errors, stable_syntax_parses_with_every_switch_off)
{
    static const char *const qs[] = {
        "rate(foo[5m]) + sum by (a) (bar offset 1m) / on(b) group_left baz @ 100",
        "topk(3, foo)", "foo[5m:1m] @ end()", "first_over_time(foo[5m])",
        "histogram_quantile(0.9, rate(x[5m]))", "foo offset -5m", "foo[300]",
    };
    pql_parse_options o = options_for(OFF_EXP | OFF_DUR | OFF_EXT | OFF_FILL);
    size_t i;
    for (i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        pql_expr *e = NULL;
        pql_error err;
        cr_expect_eq(tu_parse_opts(qs[i], &o, &e, &err), PQL_OK,
                     "input `%s` with experimental features off: %s", qs[i], err.message);
        pql_expr_free(e);
    }
}

Test(parse_errors, number_out_of_range)
{
    /* parse_test.go: 309 nines overflow float64. */
    char *nines = tu_repeat("", "9", 309, "");
    char msg[1024];
    pql_parse_options o = pql_parse_options_default();
    cr_assert_not_null(nines);
    snprintf(msg, sizeof msg,
             "error parsing number: strconv.ParseFloat: parsing \"%s\": value out of range",
             nines);
    /* PQL_ERROR_MESSAGE_MAX truncates; compare what fits. */
    msg[PQL_ERROR_MESSAGE_MAX - 1] = '\0';
    expect_error(nines, 309, &o, msg, 0, 309);
    free(nines);
}

Test(parse_errors, many_errors_report_the_first)
{
    /* parse_test.go's "(" + "-{}-1"x10000 + ")" + "[1m:]"x1000 yields 10999
     * errors; the first is the empty selector at [2,4). Scaled down to stay
     * within our documented nesting limit (1000 levels: the C stack, unlike
     * Go's, does not grow), with the same shape and the same first error. */
    char *inner = tu_repeat("(", "-{}-1", 400, ")");
    char *q;
    pql_parse_options o = pql_parse_options_default();
    cr_assert_not_null(inner);
    q = tu_repeat(inner, "[1m:]", 100, "");
    free(inner);
    cr_assert_not_null(q);
    expect_error(q, strlen(q), &o, "vector selector must contain at least one non-empty matcher",
                 2, 4);
    free(q);
}

/* Refusals of our own limits: status and a message, no crash, no output. */
static void expect_refused(const char *what, const char *q, size_t len,
                           const pql_parse_options *o)
{
    pql_expr *e = (pql_expr *)&e;
    pql_error err;
    pql_status st;
    pql_error_clear(&err);
    st = pql_parse(q, len, o, &e, &err);
    cr_expect(st == PQL_ERR_PARSE || st == PQL_ERR_NOMEM,
              "%s: expected refusal, got status %d", what, (int)st);
    cr_expect_neq(st, PQL_OK, "%s: must not parse", what);
    cr_expect_null(e, "%s: *out must be NULL", what);
    cr_expect(err.message[0] != '\0', "%s: empty error message", what);
    if (st == PQL_OK)
        pql_expr_free(e);
}

Test(parse_errors, deep_paren_nesting_refused)
{
    char *open = tu_repeat("", "(", 100000, "1");
    char *q = tu_repeat(open, ")", 100000, "");
    free(open);
    cr_assert_not_null(q);
    expect_refused("100000 nested parentheses", q, strlen(q), NULL);
    free(q);
}

Test(parse_errors, deep_unclosed_nesting_refused)
{
    char *q = tu_repeat("", "(", 100000, "");
    cr_assert_not_null(q);
    expect_refused("100000 unclosed parentheses", q, strlen(q), NULL);
    free(q);
}

Test(parse_errors, deep_unary_and_call_nesting_refused)
{
    char *q1 = tu_repeat("", "-", 100000, "foo");
    char *open = tu_repeat("", "abs(", 50000, "foo");
    char *q2 = tu_repeat(open, ")", 50000, "");
    char *q3 = tu_repeat("foo", "[1m:]", 100000, "");
    free(open);
    cr_assert(q1 && q2 && q3);
    expect_refused("100000 unary minus", q1, strlen(q1), NULL);
    expect_refused("50000 nested calls", q2, strlen(q2), NULL);
    expect_refused("100000 nested subqueries", q3, strlen(q3), NULL);
    free(q1);
    free(q2);
    free(q3);
}

Test(parse_errors, max_depth_option)
{
    pql_parse_options o = pql_parse_options_default();
    pql_expr *e = NULL;
    pql_error err;
    o.max_depth = 4;
    cr_expect_eq(tu_parse_opts("(1)", &o, &e, &err), PQL_OK, "(1) with max_depth 4: %s",
                 err.message);
    pql_expr_free(e);
    expect_refused("20 parens with max_depth 4", "((((((((((((((((((((1))))))))))))))))))))",
                   42, &o);
}

Test(parse_errors, oversized_query_refused)
{
    /* 2 MiB of a valid sum: over the default 1 MiB limit. */
    size_t n = (2u << 20) / 4;
    char *q = tu_repeat("1", " + 1", n, "");
    cr_assert_not_null(q);
    expect_refused("2 MiB query", q, strlen(q), NULL);
    free(q);
}

Test(parse_errors, max_query_bytes_option)
{
    pql_parse_options o = pql_parse_options_default();
    pql_expr *e = NULL;
    pql_error err;
    o.max_query_bytes = 10;
    cr_expect_eq(tu_parse_opts("foo + bar", &o, &e, &err), PQL_OK, "9 bytes with limit 10: %s",
                 err.message);
    pql_expr_free(e);
    expect_refused("15 bytes with limit 10", "foo + bar + baz", 15, &o);
}

Test(parse_errors, error_written_only_on_failure)
{
    pql_expr *e = NULL;
    pql_error err;
    memset(&err, 0x5a, sizeof err);
    cr_assert_eq(tu_parse("foo", &e, &err), PQL_OK);
    cr_expect_eq(err.start, (int64_t)0x5a5a5a5a5a5a5a5aLL, "success must not touch the error");
    pql_expr_free(e);
}

Test(parse_errors, error_details_optional)
{
    pql_expr *e = (pql_expr *)&e;
    cr_expect_eq(pql_parse("1 +", 3, NULL, &e, NULL), PQL_ERR_PARSE, "NULL err is allowed");
    cr_expect_null(e);
}

Test(parse_errors, embedded_nul_byte)
{
    /* A NUL byte is not a PromQL character; len covers it. */
    const char q[] = {'f', 'o', 'o', '\0', 'x'};
    pql_expr *e = (pql_expr *)&e;
    pql_error err;
    cr_expect_eq(pql_parse(q, sizeof q, NULL, &e, &err), PQL_ERR_PARSE,
                 "`foo\\0x`: a NUL inside the query must not end it early");
    cr_expect_null(e);
}
