/* test_functions.c: every one of PromQL's 90 functions: valid calls and their type, arity and argument-type errors, experimental gates. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "test_util.h"

/* One function as promql/parser/functions.go declares it: argument types
 * ('v' instant vector, 'm' range vector, 's' scalar, 'S' string), Variadic
 * (0 exact, -1 unbounded, n > 0 up to n extra), return type, experimental. */
typedef struct fn_case {
    const char *name;
    const char *args;
    int variadic;
    pql_value_type ret;
    int experimental;
} fn_case;

#define V PQL_TYPE_VECTOR
#define S PQL_TYPE_SCALAR

static const fn_case fn_cases[] = {
    {"abs", "v", 0, V, 0},
    {"absent", "v", 0, V, 0},
    {"absent_over_time", "m", 0, V, 0},
    {"acos", "v", 0, V, 0},
    {"acosh", "v", 0, V, 0},
    {"asin", "v", 0, V, 0},
    {"asinh", "v", 0, V, 0},
    {"atan", "v", 0, V, 0},
    {"atanh", "v", 0, V, 0},
    {"avg_over_time", "m", 0, V, 0},
    {"ceil", "v", 0, V, 0},
    {"changes", "m", 0, V, 0},
    {"clamp", "vss", 0, V, 0},
    {"clamp_max", "vs", 0, V, 0},
    {"clamp_min", "vs", 0, V, 0},
    {"cos", "v", 0, V, 0},
    {"cosh", "v", 0, V, 0},
    {"count_over_time", "m", 0, V, 0},
    {"day_of_month", "v", 1, V, 0},
    {"day_of_week", "v", 1, V, 0},
    {"day_of_year", "v", 1, V, 0},
    {"days_in_month", "v", 1, V, 0},
    {"deg", "v", 0, V, 0},
    {"delta", "m", 0, V, 0},
    {"deriv", "m", 0, V, 0},
    {"double_exponential_smoothing", "mss", 0, V, 1},
    {"end", "", 0, S, 1},
    {"exp", "v", 0, V, 0},
    {"first_over_time", "m", 0, V, 0},
    {"floor", "v", 0, V, 0},
    {"histogram_avg", "v", 0, V, 0},
    {"histogram_count", "v", 0, V, 0},
    {"histogram_fraction", "ssv", 0, V, 0},
    {"histogram_quantile", "sv", 0, V, 0},
    {"histogram_quantiles", "vSss", 9, V, 1},
    {"histogram_stddev", "v", 0, V, 0},
    {"histogram_stdvar", "v", 0, V, 0},
    {"histogram_sum", "v", 0, V, 0},
    {"hour", "v", 1, V, 0},
    {"idelta", "m", 0, V, 0},
    {"increase", "m", 0, V, 0},
    {"info", "vv", 1, V, 1},
    {"irate", "m", 0, V, 0},
    {"label_join", "vSSS", -1, V, 0},
    {"label_replace", "vSSSS", 0, V, 0},
    {"last_over_time", "m", 0, V, 0},
    {"ln", "v", 0, V, 0},
    {"log10", "v", 0, V, 0},
    {"log2", "v", 0, V, 0},
    {"mad_over_time", "m", 0, V, 1},
    {"max_of", "ss", 0, S, 1},
    {"max_over_time", "m", 0, V, 0},
    {"min_of", "ss", 0, S, 1},
    {"min_over_time", "m", 0, V, 0},
    {"minute", "v", 1, V, 0},
    {"month", "v", 1, V, 0},
    {"pi", "", 0, S, 0},
    {"predict_linear", "ms", 0, V, 0},
    {"present_over_time", "m", 0, V, 0},
    {"quantile_over_time", "sm", 0, V, 0},
    {"rad", "v", 0, V, 0},
    {"range", "", 0, S, 1},
    {"rate", "m", 0, V, 0},
    {"resets", "m", 0, V, 0},
    {"round", "vs", 1, V, 0},
    {"scalar", "v", 0, S, 0},
    {"sgn", "v", 0, V, 0},
    {"sin", "v", 0, V, 0},
    {"sinh", "v", 0, V, 0},
    {"sort", "v", 0, V, 0},
    {"sort_by_label", "vS", -1, V, 1},
    {"sort_by_label_desc", "vS", -1, V, 1},
    {"sort_desc", "v", 0, V, 0},
    {"sqrt", "v", 0, V, 0},
    {"start", "", 0, S, 1},
    {"start_timestamp", "v", 0, V, 1},
    {"stddev_over_time", "m", 0, V, 0},
    {"stdvar_over_time", "m", 0, V, 0},
    {"step", "", 0, S, 1},
    {"sum_over_time", "m", 0, V, 0},
    {"tan", "v", 0, V, 0},
    {"tanh", "v", 0, V, 0},
    {"time", "", 0, S, 0},
    {"timestamp", "v", 0, V, 0},
    {"ts_of_first_over_time", "m", 0, V, 1},
    {"ts_of_last_over_time", "m", 0, V, 1},
    {"ts_of_max_over_time", "m", 0, V, 1},
    {"ts_of_min_over_time", "m", 0, V, 1},
    {"vector", "s", 0, V, 0},
    {"year", "v", 1, V, 0},
};

#undef V
#undef S

#define NFN (sizeof fn_cases / sizeof fn_cases[0])

/* The declared type of argument i (extra arguments take the last type). */
static char arg_type(const fn_case *f, int i)
{
    int n = (int)strlen(f->args);
    return f->args[i < n ? i : n - 1];
}

static int min_args(const fn_case *f)
{
    int n = (int)strlen(f->args);
    return f->variadic == 0 ? n : n - 1;
}

/* -1 when unbounded. */
static int max_args(const fn_case *f)
{
    int n = (int)strlen(f->args);
    if (f->variadic == 0)
        return n;
    if (f->variadic < 0)
        return -1;
    return n - 1 + f->variadic;
}

static const char *good_arg(const fn_case *f, int i)
{
    switch (arg_type(f, i)) {
    case 'v':
        /* info()'s second argument must be a bare label selector. */
        return (strcmp(f->name, "info") == 0 && i == 1) ? "{a=\"b\"}" : "foo";
    case 'm': return "foo[5m]";
    case 's': return "1";
    default: return "\"a\"";
    }
}

static const char *bad_arg(char t)
{
    return (t == 'v' || t == 'S') ? "1" : "foo";
}

static const char *got_name(char t)
{
    return (t == 'v' || t == 'S') ? "scalar" : "instant vector";
}

static const char *want_name(char t)
{
    switch (t) {
    case 'v': return "instant vector";
    case 'm': return "range vector";
    case 's': return "scalar";
    default: return "string";
    }
}

/* Builds name(arg0, ..., argN-1), replacing argument `bad` (if >= 0) with a
 * wrong-typed one; stores the byte range of that argument. */
static void build_call(const fn_case *f, int nargs, int bad, char *out, size_t cap,
                       int *bad_start, int *bad_end)
{
    tu_buf b = {out, cap, 0};
    int i;
    out[0] = '\0';
    tu_put(&b, f->name);
    tu_put(&b, "(");
    for (i = 0; i < nargs; i++) {
        const char *a = i == bad ? bad_arg(arg_type(f, i)) : good_arg(f, i);
        if (i > 0)
            tu_put(&b, ", ");
        if (i == bad && bad_start)
            *bad_start = (int)b.len;
        tu_put(&b, a);
        if (i == bad && bad_end)
            *bad_end = (int)b.len;
    }
    tu_put(&b, ")");
}

static void expect_ok(const char *q, pql_value_type ret)
{
    pql_expr *e = NULL;
    pql_error err;
    pql_status st = tu_parse(q, &e, &err);
    cr_expect_eq(st, PQL_OK, "`%s`: expected to parse, got `%s` [%lld,%lld)", q,
                 st == PQL_OK ? "" : err.message, (long long)err.start, (long long)err.end);
    if (st != PQL_OK)
        return;
    cr_expect_eq(pql_node_get_kind(pql_expr_root(e)), PQL_NODE_CALL, "`%s`: root is %s", q,
                 tu_kind_name(pql_node_get_kind(pql_expr_root(e))));
    cr_expect_eq(pql_node_type(pql_expr_root(e)), ret, "`%s`: type %s, expected %s", q,
                 pql_value_type_name(pql_node_type(pql_expr_root(e))),
                 pql_value_type_name(ret));
    pql_expr_free(e);
}

static void expect_err_opts(const char *q, const pql_parse_options *o, const char *msg,
                            long long start, long long end)
{
    pql_expr *e = NULL;
    pql_error err;
    pql_error_clear(&err);
    if (pql_parse(q, strlen(q), o, &e, &err) == PQL_OK) {
        cr_expect_fail("`%s`: parsed, expected error `%s`", q, msg);
        pql_expr_free(e);
        return;
    }
    cr_expect_str_eq(err.message, msg, "`%s`: message `%s`, expected `%s`", q, err.message,
                     msg);
    cr_expect(err.start == start && err.end == end,
              "`%s` (`%s`): position [%lld,%lld), expected [%lld,%lld)", q, msg,
              (long long)err.start, (long long)err.end, start, end);
}

static void expect_err(const char *q, const char *msg, long long start, long long end)
{
    expect_err_opts(q, NULL, msg, start, end);
}

ParameterizedTestParameters(functions, valid_call_and_type)
{
    return tu_index_params(NFN);
}

ParameterizedTest(size_t *ix, functions, valid_call_and_type)
{
    const fn_case *f = &fn_cases[*ix];
    char q[512];
    int n = (int)strlen(f->args), mx = max_args(f);
    build_call(f, min_args(f), -1, q, sizeof q, NULL, NULL);
    expect_ok(q, f->ret);
    if (n != min_args(f)) {
        build_call(f, n, -1, q, sizeof q, NULL, NULL);
        expect_ok(q, f->ret);
    }
    if (mx > n) {
        build_call(f, mx, -1, q, sizeof q, NULL, NULL);
        expect_ok(q, f->ret);
    }
    if (mx < 0) {
        build_call(f, n + 3, -1, q, sizeof q, NULL, NULL);
        expect_ok(q, f->ret);
    }
}

ParameterizedTestParameters(functions, too_few_arguments)
{
    return tu_index_params(NFN);
}

ParameterizedTest(size_t *ix, functions, too_few_arguments)
{
    const fn_case *f = &fn_cases[*ix];
    char q[512], msg[256];
    int mn = min_args(f);
    if (mn == 0)
        return; /* nothing can be missing */
    build_call(f, mn - 1, -1, q, sizeof q, NULL, NULL);
    if (f->variadic == 0)
        snprintf(msg, sizeof msg, "expected %d argument(s) in call to \"%s\", got %d", mn,
                 f->name, mn - 1);
    else
        snprintf(msg, sizeof msg, "expected at least %d argument(s) in call to \"%s\", got %d",
                 mn, f->name, mn - 1);
    expect_err(q, msg, 0, (long long)strlen(q));
}

ParameterizedTestParameters(functions, too_many_arguments)
{
    return tu_index_params(NFN);
}

ParameterizedTest(size_t *ix, functions, too_many_arguments)
{
    const fn_case *f = &fn_cases[*ix];
    char q[512], msg[256];
    int mx = max_args(f);
    if (mx < 0)
        return; /* unbounded */
    if (mx == 0) {
        /* a zero-argument function given one argument of any type */
        snprintf(q, sizeof q, "%s(foo)", f->name);
    } else {
        build_call(f, mx + 1, -1, q, sizeof q, NULL, NULL);
    }
    if (f->variadic == 0)
        snprintf(msg, sizeof msg, "expected %d argument(s) in call to \"%s\", got %d", mx,
                 f->name, mx + 1);
    else
        snprintf(msg, sizeof msg, "expected at most %d argument(s) in call to \"%s\", got %d",
                 mx, f->name, mx + 1);
    expect_err(q, msg, 0, (long long)strlen(q));
}

ParameterizedTestParameters(functions, wrong_argument_type)
{
    return tu_index_params(NFN);
}

ParameterizedTest(size_t *ix, functions, wrong_argument_type)
{
    const fn_case *f = &fn_cases[*ix];
    char q[512], msg[256];
    int n = (int)strlen(f->args), nargs, bs = 0, be = 0, last;
    if (n == 0)
        return; /* takes no arguments */
    /* The first argument, in a call with the fewest arguments (at least one). */
    nargs = min_args(f) > 0 ? min_args(f) : 1;
    build_call(f, nargs, 0, q, sizeof q, &bs, &be);
    snprintf(msg, sizeof msg, "expected type %s in call to function \"%s\", got %s",
             want_name(arg_type(f, 0)), f->name, got_name(arg_type(f, 0)));
    expect_err(q, msg, bs, be);
    /* The last declared argument, with all declared arguments present. */
    last = n - 1;
    if (last == 0)
        return;
    build_call(f, n, last, q, sizeof q, &bs, &be);
    snprintf(msg, sizeof msg, "expected type %s in call to function \"%s\", got %s",
             want_name(arg_type(f, last)), f->name, got_name(arg_type(f, last)));
    if (strcmp(f->name, "info") == 0)
        /* info() checks its second argument first, against the whole call */
        expect_err(q, msg, 0, (long long)strlen(q));
    else
        expect_err(q, msg, bs, be);
}

ParameterizedTestParameters(functions, extra_arguments_take_last_type)
{
    return tu_index_params(NFN);
}

ParameterizedTest(size_t *ix, functions, extra_arguments_take_last_type)
{
    const fn_case *f = &fn_cases[*ix];
    char q[512], msg[256];
    int n = (int)strlen(f->args), bs = 0, be = 0, mx = max_args(f);
    if (f->variadic == 0 || (mx >= 0 && mx <= n) || strcmp(f->name, "info") == 0)
        return; /* no argument beyond the declared ones */
    build_call(f, n + 1, n, q, sizeof q, &bs, &be);
    snprintf(msg, sizeof msg, "expected type %s in call to function \"%s\", got %s",
             want_name(arg_type(f, n)), f->name, got_name(arg_type(f, n)));
    expect_err(q, msg, bs, be);
}

ParameterizedTestParameters(functions, experimental_gate)
{
    return tu_index_params(NFN);
}

ParameterizedTest(size_t *ix, functions, experimental_gate)
{
    const fn_case *f = &fn_cases[*ix];
    char q[512], msg[256];
    pql_parse_options o = pql_parse_options_default();
    pql_expr *e = NULL;
    pql_error err;
    o.enable_experimental_functions = 0;
    build_call(f, min_args(f), -1, q, sizeof q, NULL, NULL);
    if (!f->experimental) {
        cr_expect_eq(tu_parse_opts(q, &o, &e, &err), PQL_OK,
                     "`%s`: stable function rejected with experimental functions off: %s", q,
                     err.message);
        pql_expr_free(e);
        return;
    }
    snprintf(msg, sizeof msg, "function \"%s\" is not enabled", f->name);
    expect_err_opts(q, &o, msg, 0, (long long)strlen(f->name));
}

ParameterizedTestParameters(functions, names_are_case_sensitive)
{
    return tu_index_params(NFN);
}

ParameterizedTest(size_t *ix, functions, names_are_case_sensitive)
{
    const fn_case *f = &fn_cases[*ix];
    /* Upper-cased names are unknown, unless they turn into keywords. */
    char name[64], q[512], msg[256];
    size_t i, len = strlen(f->name);
    int keyword = strcmp(f->name, "start") == 0 || strcmp(f->name, "end") == 0 ||
                  strcmp(f->name, "step") == 0 || strcmp(f->name, "range") == 0 ||
                  strcmp(f->name, "min_of") == 0 || strcmp(f->name, "max_of") == 0;
    if (keyword)
        return;
    for (i = 0; i <= len; i++)
        name[i] = (f->name[i] >= 'a' && f->name[i] <= 'z') ? (char)(f->name[i] - 32) : f->name[i];
    snprintf(q, sizeof q, "%s()", name);
    snprintf(msg, sizeof msg, "unknown function with name \"%s\"", name);
    expect_err(q, msg, 0, (long long)len);
}

Test(functions, documented_examples)
{
    /* Calls from parse_test.go and the reference with their argument shapes. */
    expect_ok("round(some_metric, 5)", PQL_TYPE_VECTOR);
    expect_ok("clamp(foo, 0, 1)", PQL_TYPE_VECTOR);
    expect_ok("histogram_fraction(0, 0.2, rate(x[5m]))", PQL_TYPE_VECTOR);
    expect_ok("quantile_over_time(0.5, rate(foo[1m])[10m:])", PQL_TYPE_VECTOR);
    expect_ok("label_join(foo, \"dst\", \"\")", PQL_TYPE_VECTOR);
    expect_ok("label_join(foo, \"dst\", \"-\", \"a\", \"b\", \"c\", \"d\", \"e\")",
              PQL_TYPE_VECTOR);
    expect_ok("histogram_quantiles(foo, \"q\", 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1)",
              PQL_TYPE_VECTOR);
    expect_ok("sort_by_label(foo)", PQL_TYPE_VECTOR);
    expect_ok("vector(scalar(foo))", PQL_TYPE_VECTOR);
    expect_ok("scalar(vector(1))", PQL_TYPE_SCALAR);
    expect_ok("pi()", PQL_TYPE_SCALAR);
    expect_ok("time()", PQL_TYPE_SCALAR);
    expect_ok("day_of_week(vector(time()))", PQL_TYPE_VECTOR);
    expect_ok("info(foo, {__name__=\"target_info\"})", PQL_TYPE_VECTOR);
    expect_ok("predict_linear(foo[5m], 1h)", PQL_TYPE_VECTOR);
    expect_ok("vector(1m)", PQL_TYPE_VECTOR);
    expect_ok("rate(foo[5m:])", PQL_TYPE_VECTOR);
    expect_ok("absent_over_time(nonexistent{job=\"x\"}[1h])", PQL_TYPE_VECTOR);
    expect_ok("timestamp(foo @ 100)", PQL_TYPE_VECTOR);
    expect_ok("min_of(time(), pi())", PQL_TYPE_SCALAR);
}

Test(functions, argument_errors_from_nested_expressions)
{
    expect_err("rate(sum(foo))",
               "expected type range vector in call to function \"rate\", got instant vector", 5,
               13);
    expect_err("abs(foo[5m])",
               "expected type instant vector in call to function \"abs\", got range vector", 4,
               11);
    expect_err("abs(\"x\")", "expected type instant vector in call to function \"abs\", got string",
               4, 7);
    expect_err("vector(\"x\")", "expected type scalar in call to function \"vector\", got string",
               7, 10);
    expect_err("label_replace(foo, \"a\", \"b\", \"c\", 1)",
               "expected type string in call to function \"label_replace\", got scalar", 34, 35);
    expect_err("histogram_quantile(foo, bar)",
               "expected type scalar in call to function \"histogram_quantile\", got instant vector",
               19, 22);
    expect_err("round()", "expected at least 1 argument(s) in call to \"round\", got 0", 0, 7);
    expect_err("label_join(foo)", "expected at least 3 argument(s) in call to \"label_join\", got 1",
               0, 15);
    expect_err("info()", "expected at least 1 argument(s) in call to \"info\", got 0", 0, 6);
    expect_err("abs(foo,)", "trailing commas not allowed in function call args", 7, 8);
    expect_err("pi(1)", "expected 0 argument(s) in call to \"pi\", got 1", 0, 5);
    expect_err("nonexistent_fn(foo)", "unknown function with name \"nonexistent_fn\"", 0, 14);
    expect_err("holt_winters(foo[1m], 0.1, 0.1)", "unknown function with name \"holt_winters\"", 0,
               12);
}
