/* parse_roundtrip.h: the parse -> print -> re-parse -> print check shared by fuzz_parse.c and the fuzz regression tests. */
#ifndef PQL_PARSE_ROUNDTRIP_H
#define PQL_PARSE_ROUNDTRIP_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "promql.h"

/* Every optional language feature on, so the fuzzer reaches all grammar. */
static inline pql_parse_options parse_roundtrip_options(void)
{
    pql_parse_options opts = pql_parse_options_default();
    opts.enable_experimental_functions = 1;
    opts.enable_duration_expressions = 1;
    opts.enable_extended_range_selectors = 1;
    opts.enable_binop_fill_modifiers = 1;
    return opts;
}

/*
 * True when the tree holds the one construct Prometheus's own printer does
 * not round-trip: a +Inf number literal as the left operand of `^`. Go
 * prints +Inf as "+Inf", so `Inf ^ 2` prints as "+Inf ^ 2", which parses
 * back as unary plus over "Inf ^ 2" (unary binds looser than `^`) and prints
 * as "++Inf ^ 2", gaining a "+" each round. libpromql prints what Prometheus
 * prints, so these inputs are exempt from the text and tree comparison.
 * (Duration expressions cannot hold Inf, so the children walk suffices.)
 */
static inline bool roundtrip_has_inf_pow_quirk(const pql_node *n)
{
    if (n == NULL)
        return false;
    if (pql_node_get_kind(n) == PQL_NODE_BINARY && pql_node_op(n) == PQL_OP_POW) {
        const pql_node *lhs = pql_node_child(n, 0);
        if (lhs != NULL && pql_node_get_kind(lhs) == PQL_NODE_NUMBER &&
            pql_node_number(lhs) > 0 && isinf(pql_node_number(lhs)))
            return true;
    }
    size_t count = pql_node_child_count(n);
    for (size_t i = 0; i < count; i++)
        if (roundtrip_has_inf_pow_quirk(pql_node_child(n, i)))
            return true;
    return false;
}

/*
 * True when the tree holds an offset, range or subquery step of 2^53 ns
 * (about 104 days) or more. Prometheus turns a duration into nanoseconds
 * through float seconds (round(seconds * 1e9)); above 2^53 ns that product
 * is coarser than a nanosecond and can land just below a whole millisecond,
 * so `offset 37215d15h35m27s321ms` means ...320.999999 ms and prints as
 * 320ms. libpromql converts the same way to give the same answers, so such
 * a duration may lose a millisecond per print/parse round: these inputs
 * must still re-parse, but are exempt from the text and tree comparison.
 * (A NaN offset becomes INT64_MIN ns, as on Prometheus's amd64 builds.)
 */
static inline bool roundtrip_big_ns(int64_t ns)
{
    return ns >= (INT64_C(1) << 53) || ns <= -(INT64_C(1) << 53);
}

static inline bool roundtrip_has_float_duration_quirk(const pql_node *n)
{
    if (n == NULL)
        return false;
    if (roundtrip_big_ns(pql_node_offset_ns(n)) || roundtrip_big_ns(pql_node_range_ns(n)) ||
        roundtrip_big_ns(pql_node_step_ns(n)))
        return true;
    size_t count = pql_node_child_count(n);
    for (size_t i = 0; i < count; i++)
        if (roundtrip_has_float_duration_quirk(pql_node_child(n, i)))
            return true;
    return false;
}

/*
 * Parses `data`; when it is valid PromQL, prints it, parses the printed text
 * again (which must succeed), prints that (which must give the same text) and
 * compares the two trees with ast_equal. Invalid input passes: rejecting it
 * cleanly is all that is asked of it (sanitizers watch the rest).
 * Returns true when the input passes; otherwise writes what broke into `why`
 * (NUL-terminated, truncated to `why_cap`) and returns false.
 * Frees everything it allocated on every path, so leak checking stays useful.
 */
static inline bool parse_roundtrip_check(const char *data, size_t size, char *why,
                                         size_t why_cap)
{
    pql_parse_options opts = parse_roundtrip_options();
    pql_expr *first = NULL, *second = NULL;
    char *printed1 = NULL, *printed2 = NULL;
    pql_error err;
    bool ok = false;

    pql_error_clear(&err);
    if (pql_parse(data, size, &opts, &first, &err) != PQL_OK) {
        if (first != NULL) {
            snprintf(why, why_cap, "pql_parse failed (%s) but set *out", err.message);
            pql_expr_free(first);
            return false;
        }
        return true;
    }
    printed1 = pql_expr_format(first);
    if (printed1 == NULL) {
        snprintf(why, why_cap, "pql_expr_format returned NULL for a valid expression");
        goto done;
    }
    /* The size limit is for what users send; the printer may legitimately
     * expand a short input (1e300 prints as 301 digits), so re-parsing the
     * printed form must not trip over it. */
    size_t len1 = strlen(printed1);
    if (len1 > opts.max_query_bytes)
        opts.max_query_bytes = len1;
    pql_error_clear(&err);
    if (pql_parse(printed1, len1, &opts, &second, &err) != PQL_OK) {
        snprintf(why, why_cap, "printed form does not parse: %s [%lld,%lld)\n  printed: %s",
                 err.message, (long long)err.start, (long long)err.end, printed1);
        goto done;
    }
    if (roundtrip_has_inf_pow_quirk(pql_expr_root(first)) ||
        roundtrip_has_float_duration_quirk(pql_expr_root(first))) {
        ok = true; /* it re-parsed; nothing more holds for it */
        goto done;
    }
    printed2 = pql_expr_format(second);
    if (printed2 == NULL) {
        snprintf(why, why_cap, "pql_expr_format returned NULL on re-print");
        goto done;
    }
    if (strcmp(printed1, printed2) != 0) {
        snprintf(why, why_cap, "printing is not stable\n  first:  %s\n  second: %s",
                 printed1, printed2);
        goto done;
    }
    if (!ast_equal(first->root, second->root)) {
        snprintf(why, why_cap, "re-parsed tree differs from the original\n  printed: %s",
                 printed1);
        goto done;
    }
    ok = true;
done:
    free(printed1);
    free(printed2);
    pql_expr_free(first);
    pql_expr_free(second);
    return ok;
}

#endif
