/* printer.c: prints an AST in Prometheus's canonical form, byte for byte what its String() methods give. */
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ast.h"
#include "float_shortest.h"
#include "functions.h"
#include "printer_unicode.h"

/* A growing output buffer; once an allocation fails everything after it is
 * dropped and the caller gets NULL. */
typedef struct print_buf {
    char *p;
    size_t len, cap;
    bool failed;
    /* A vector selector whose parenthesised offset is followed by an
     * arithmetic operator (print_binary, print_vector_selector). */
    const ast_node *guarded_offset;
} print_buf;

static bool print_reserve(print_buf *b, size_t extra)
{
    size_t need, cap;
    char *np;
    if (b->failed)
        return false;
    if (extra > SIZE_MAX - b->len - 1) {
        b->failed = true;
        return false;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    np = realloc(b->p, cap);
    if (np == NULL) {
        b->failed = true;
        return false;
    }
    b->p = np;
    b->cap = cap;
    return true;
}

static void print_mem(print_buf *b, const char *s, size_t n)
{
    if (!print_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void print_str(print_buf *b, const char *s)
{
    print_mem(b, s, strlen(s));
}

static void print_char(print_buf *b, char c)
{
    print_mem(b, &c, 1);
}

/* ------------------------------------------------------------ strings -- */

/* Go's utf8.DecodeRuneInString: invalid or truncated input, overlong forms,
 * surrogates and values past U+10FFFF all decode as U+FFFD of width 1. */
static int32_t print_decode_rune(const unsigned char *s, size_t len, size_t *width)
{
    unsigned c = s[0];
    int32_t r;
    size_t n, i;
    *width = 1;
    if (c < 0x80)
        return (int32_t)c;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        r = (int32_t)(c & 0x1F);
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        r = (int32_t)(c & 0x0F);
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        r = (int32_t)(c & 0x07);
    } else {
        return 0xFFFD;
    }
    if (len < n)
        return 0xFFFD;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0xFFFD;
        r = (r << 6) | (int32_t)(s[i] & 0x3F);
    }
    if ((n == 3 && r < 0x800) || (n == 4 && (r < 0x10000 || r > 0x10FFFF)) ||
        (r >= 0xD800 && r <= 0xDFFF))
        return 0xFFFD;
    *width = n;
    return r;
}

static bool print_is_printable(int32_t r)
{
    size_t lo = 0, hi = sizeof print_ranges / sizeof print_ranges[0];
    if (r < 0x80)
        return r >= 0x20 && r < 0x7F;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uint32_t)r < print_ranges[mid][0])
            hi = mid;
        else if ((uint32_t)r > print_ranges[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* Go's strconv.Quote: double quotes, C-style escapes for the usual control
 * characters, \x for other ASCII controls and for invalid UTF-8 bytes, \u or
 * \U for runes Go does not consider printable. */
static void print_quoted(print_buf *b, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    char esc[12];
    print_char(b, '"');
    while (i < len) {
        size_t w;
        int32_t r = print_decode_rune(s + i, len - i, &w);
        if (r == 0xFFFD && w == 1 && s[i] >= 0x80) {
            esc[0] = '\\';
            esc[1] = 'x';
            esc[2] = hex[s[i] >> 4];
            esc[3] = hex[s[i] & 0xF];
            print_mem(b, esc, 4);
            i += 1;
            continue;
        }
        if (r == '"' || r == '\\') {
            esc[0] = '\\';
            esc[1] = (char)r;
            print_mem(b, esc, 2);
        } else if (print_is_printable(r)) {
            print_mem(b, str + i, w);
        } else {
            switch (r) {
            case '\a': print_str(b, "\\a"); break;
            case '\b': print_str(b, "\\b"); break;
            case '\f': print_str(b, "\\f"); break;
            case '\n': print_str(b, "\\n"); break;
            case '\r': print_str(b, "\\r"); break;
            case '\t': print_str(b, "\\t"); break;
            case '\v': print_str(b, "\\v"); break;
            default:
                if (r < ' ' || r == 0x7F)
                    snprintf(esc, sizeof esc, "\\x%02x", (unsigned)r);
                else if (r < 0x10000)
                    snprintf(esc, sizeof esc, "\\u%04x", (unsigned)r);
                else
                    snprintf(esc, sizeof esc, "\\U%08x", (unsigned)r);
                print_str(b, esc);
                break;
            }
        }
        i += w;
    }
    print_char(b, '"');
}

/* Prometheus's legacy label-name rule [a-zA-Z_][a-zA-Z0-9_]*: names outside
 * it must be quoted to read back. */
static bool print_is_legacy_label(const char *s)
{
    size_t i;
    if (s == NULL || s[0] == '\0')
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
            continue;
        if (c >= '0' && c <= '9' && i > 0)
            continue;
        return false;
    }
    return true;
}

/* The metric-name rule [a-zA-Z_:][a-zA-Z0-9_:]*, the only names that may be
 * written outside braces. */
static bool print_is_legacy_metric(const char *s)
{
    size_t i;
    if (s == NULL || s[0] == '\0')
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':')
            continue;
        if (c >= '0' && c <= '9' && i > 0)
            continue;
        return false;
    }
    return true;
}

static void print_label_name(print_buf *b, const char *name)
{
    if (print_is_legacy_label(name))
        print_str(b, name);
    else
        print_quoted(b, name ? name : "", name ? strlen(name) : 0);
}

/* Grouping, on/ignoring and group_x lists: ", " between names. Outside
 * braces the lexer reads inf and nan (any case) as numbers, so those two
 * names are quoted there. Prometheus prints them bare, which its own parser
 * then rejects; quoting is the one deliberate difference, and it reads back
 * as the same label. */
static void print_labels(print_buf *b, const ast_labels *l)
{
    size_t i;
    for (i = 0; i < l->count; i++) {
        const char *name = l->names[i];
        if (i > 0)
            print_str(b, ", ");
        if (name != NULL && (strcasecmp(name, "inf") == 0 || strcasecmp(name, "nan") == 0))
            print_quoted(b, name, strlen(name));
        else
            print_label_name(b, name);
    }
}

/* ------------------------------------------------------------ numbers -- */

/* Shortest decimal digits that read back as v (finite, > 0): digits without
 * trailing zeros, and dp such that v = 0.digits * 10^dp. */
static void print_shortest_digits(double v, char *digits, int *nd, int *dp)
{
    char tmp[40];
    int n = 0, exp10;
    const char *p;
    snprintf(tmp, sizeof tmp, "%.*e", float_shortest_precision(v) - 1, v);
    for (p = tmp; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    exp10 = (*p == 'e') ? atoi(p + 1) : 0;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *nd = n;
    *dp = exp10 + 1;
}

/* strconv.FormatFloat(v, 'f', -1, 64): shortest round-trip digits, never an
 * exponent; Inf and NaN as Go spells them. */
static void print_float_f(print_buf *b, double v)
{
    char digits[24];
    int nd, dp, i;
    if (isnan(v)) {
        print_str(b, "NaN");
        return;
    }
    if (isinf(v)) {
        print_str(b, v > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (signbit(v))
        print_char(b, '-');
    v = fabs(v);
    if (v == 0) {
        print_char(b, '0');
        return;
    }
    print_shortest_digits(v, digits, &nd, &dp);
    if (dp <= 0) {
        print_str(b, "0.");
        for (i = 0; i < -dp; i++)
            print_char(b, '0');
        print_mem(b, digits, (size_t)nd);
    } else if (dp >= nd) {
        print_mem(b, digits, (size_t)nd);
        for (i = nd; i < dp; i++)
            print_char(b, '0');
    } else {
        print_mem(b, digits, (size_t)dp);
        print_char(b, '.');
        print_mem(b, digits + dp, (size_t)(nd - dp));
    }
}

/* fmt's %v for a float64 (strconv 'g' with the shortest digits): exponent
 * form when the decimal exponent is < -4 or >= 6, as in `1e+06`. */
static void print_float_v(print_buf *b, double v)
{
    char digits[24], tmp[16];
    int nd, dp, exp;
    if (isnan(v) || isinf(v) || v == 0) {
        print_float_f(b, v);
        return;
    }
    print_shortest_digits(fabs(v), digits, &nd, &dp);
    exp = dp - 1;
    if (exp >= -4 && exp < 6) {
        print_float_f(b, v);
        return;
    }
    if (signbit(v))
        print_char(b, '-');
    print_char(b, digits[0]);
    if (nd > 1) {
        print_char(b, '.');
        print_mem(b, digits + 1, (size_t)(nd - 1));
    }
    snprintf(tmp, sizeof tmp, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    print_str(b, tmp);
}

/* prometheus/common model.Duration's String(): whole milliseconds split into
 * y w d h m s ms, years and weeks only when they divide evenly, "0s" for
 * zero; negative durations print as nothing, as there. */
static void print_model_duration(print_buf *b, int64_t ns)
{
    static const struct {
        const char *unit;
        int64_t ms;
        bool exact;
    } units[] = {
        {"y", 365LL * 24 * 3600 * 1000, true}, {"w", 7LL * 24 * 3600 * 1000, true},
        {"d", 24LL * 3600 * 1000, false},      {"h", 3600LL * 1000, false},
        {"m", 60LL * 1000, false},             {"s", 1000, false},
        {"ms", 1, false},
    };
    int64_t ms = ns / 1000000;
    size_t i;
    char tmp[32];
    if (ms == 0) {
        print_str(b, "0s");
        return;
    }
    for (i = 0; i < sizeof units / sizeof units[0]; i++) {
        int64_t v;
        if (units[i].exact && ms % units[i].ms != 0)
            continue;
        v = ms / units[i].ms;
        if (v > 0) {
            snprintf(tmp, sizeof tmp, "%lld%s", (long long)v, units[i].unit);
            print_str(b, tmp);
            ms -= v * units[i].ms;
        }
    }
}

/* A range or subquery step. Written as a number, it can be under a
 * millisecond (`x[5.3e-6]`), which model.Duration prints as "0s" -- and a
 * zero range or step does not parse. Such a duration prints as its exact
 * seconds instead (the one place we differ from Prometheus's printer,
 * whose text could not be read back); all others as model.Duration. */
static void print_range_duration(print_buf *b, int64_t ns)
{
    if (ns > 0 && ns < 1000000)
        print_float_v(b, (double)ns / 1e9);
    else
        print_model_duration(b, ns);
}

/* Seconds of a duration literal back to nanoseconds. Go truncates s * 1e9,
 * which turns 8001ms (8.001 s, stored a hair below) into 8s; rounding gives
 * the same text wherever Go's is right and keeps every literal readable back
 * as itself. The parser keeps durations in range; the clamp only guards
 * hand-built trees. */
static int64_t print_seconds_to_ns(double s)
{
    /* Duration literals are whole milliseconds; rounding at ms (not ns)
     * stays exact for large values where s * 1e9 is too coarse. */
    double ms = round(s * 1e3);
    if (!(ms > -9.2233720368547e12 && ms < 9.2233720368547e12))
        return INT64_MIN;
    return (int64_t)ms * 1000000;
}

/* ----------------------------------------------------------- the tree -- */

static void print_node(print_buf *b, const ast_node *n);

static void print_offset(print_buf *b, const ast_time_mods *m)
{
    if (m->offset_expr != NULL) {
        print_str(b, " offset ");
        print_node(b, m->offset_expr);
    } else if (m->offset_ns > 0) {
        print_str(b, " offset ");
        print_model_duration(b, m->offset_ns);
    } else if (m->offset_ns < 0) {
        print_str(b, " offset -");
        print_model_duration(b, m->offset_ns == INT64_MIN ? INT64_MAX : -m->offset_ns);
    }
}

static void print_at(print_buf *b, const ast_time_mods *m)
{
    char tmp[64];
    switch (m->at) {
    case PQL_AT_TIMESTAMP:
        snprintf(tmp, sizeof tmp, " @ %.3f", (double)m->at_ms / 1000.0);
        print_str(b, tmp);
        break;
    case PQL_AT_START:
        print_str(b, " @ start()");
        break;
    case PQL_AT_END:
        print_str(b, " @ end()");
        break;
    default:
        break;
    }
}

static void print_extended(print_buf *b, bool anchored, bool smoothed)
{
    if (anchored)
        print_str(b, " anchored");
    else if (smoothed)
        print_str(b, " smoothed");
}

static const char *print_match_op(pql_match_type t)
{
    switch (t) {
    case PQL_MATCH_EQUAL: return "=";
    case PQL_MATCH_NOT_EQUAL: return "!=";
    case PQL_MATCH_REGEX: return "=~";
    case PQL_MATCH_NOT_REGEX: return "!~";
    }
    return "=";
}

static int print_cmp_strings(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Name and braces of a selector (no modifiers). Prometheus sorts the matcher
 * texts and leaves out the __name__ matcher that repeats the outside name. */
static void print_selector_core(print_buf *b, const ast_node *n)
{
    const char *name = n->u.vs.name;
    size_t i, count = 0, name_len;
    char **texts;
    bool name_outside = name != NULL && print_is_legacy_metric(name);
    name_len = name_outside ? strlen(name) : 0;
    if (name_outside)
        print_str(b, name);
    if (n->u.vs.n_matchers == 0) {
        /* Prometheus prints nothing at all for info()'s `{}` argument, which
         * cannot be read back; the braces keep the output valid PromQL. */
        if (!name_outside)
            print_str(b, "{}");
        return;
    }
    texts = calloc(n->u.vs.n_matchers, sizeof *texts);
    if (texts == NULL) {
        b->failed = true;
        return;
    }
    for (i = 0; i < n->u.vs.n_matchers; i++) {
        const pql_matcher *m = &n->u.vs.matchers[i];
        print_buf t = {0};
        if (name_outside && m->type == PQL_MATCH_EQUAL && m->name != NULL &&
            strcmp(m->name, "__name__") == 0 && m->value_len == name_len &&
            m->value != NULL && memcmp(m->value, name, name_len) == 0)
            continue;
        print_label_name(&t, m->name);
        print_str(&t, print_match_op(m->type));
        print_quoted(&t, m->value ? m->value : "", m->value ? m->value_len : 0);
        if (t.failed) {
            free(t.p);
            b->failed = true;
            break;
        }
        texts[count++] = t.p;
    }
    if (!b->failed && count > 0) {
        qsort(texts, count, sizeof *texts, print_cmp_strings);
        print_char(b, '{');
        for (i = 0; i < count; i++) {
            if (i > 0)
                print_char(b, ',');
            print_str(b, texts[i]);
        }
        print_char(b, '}');
    }
    for (i = 0; i < count; i++)
        free(texts[i]);
    free(texts);
}

/* Whether the offset expression prints starting with "(" or with two
 * signs: the forms after which the grammar goes on absorbing arithmetic
 * into the offset. */
static bool offset_is_paren_led(const ast_time_mods *m)
{
    if (m->offset_expr == NULL)
        return false;
    print_buf t = {0};
    print_node(&t, m->offset_expr);
    bool led = false;
    if (!t.failed && t.len >= 2) {
        char c0 = t.p[0], c1 = t.p[1];
        led = c0 == '(' || ((c0 == '+' || c0 == '-') && (c1 == '+' || c1 == '-'));
    }
    free(t.p);
    return led;
}

/* A selector whose parenthesised offset print_binary found right before an
 * arithmetic operator (b->guarded_offset), which would otherwise read back
 * inside the offset, ends its offset explicitly: with `@` after it when
 * there is one (`x offset (1m) @ 5.000 + 2`: only that order expresses an
 * offset expression that goes on before the @), else with the single-term
 * form `x offset +(1m) + 2`. Every other selector prints as Prometheus
 * prints it, `@` first. */
static void print_vector_selector(print_buf *b, const ast_node *n)
{
    print_selector_core(b, n);
    if (b->guarded_offset == n) {
        b->guarded_offset = NULL;
        print_extended(b, n->u.vs.anchored, n->u.vs.smoothed);
        if (n->u.vs.mods.at != PQL_AT_NONE) {
            print_offset(b, &n->u.vs.mods);
            print_at(b, &n->u.vs.mods);
        } else {
            print_str(b, " offset +");
            print_node(b, n->u.vs.mods.offset_expr);
        }
        return;
    }
    print_at(b, &n->u.vs.mods);
    print_extended(b, n->u.vs.anchored, n->u.vs.smoothed);
    print_offset(b, &n->u.vs.mods);
}

/* A range selector moves its selector's modifiers behind the brackets. */
static void print_matrix_selector(print_buf *b, const ast_node *n)
{
    const ast_node *vs = n->u.matrix.vs;
    if (vs == NULL || vs->kind != PQL_NODE_VECTOR_SELECTOR) {
        print_node(b, vs);
        print_char(b, '[');
    } else {
        print_selector_core(b, vs);
        print_char(b, '[');
    }
    if (n->u.matrix.range_expr != NULL)
        print_node(b, n->u.matrix.range_expr);
    else
        print_range_duration(b, n->u.matrix.range_ns);
    print_char(b, ']');
    if (vs != NULL && vs->kind == PQL_NODE_VECTOR_SELECTOR) {
        print_extended(b, vs->u.vs.anchored, vs->u.vs.smoothed);
        print_at(b, &vs->u.vs.mods);
        print_offset(b, &vs->u.vs.mods);
    }
}

static void print_subquery(print_buf *b, const ast_node *n)
{
    print_node(b, n->u.subquery.expr);
    print_char(b, '[');
    if (n->u.subquery.range_expr != NULL)
        print_node(b, n->u.subquery.range_expr);
    else
        print_range_duration(b, n->u.subquery.range_ns);
    print_char(b, ':');
    if (n->u.subquery.step_ns != 0)
        print_range_duration(b, n->u.subquery.step_ns);
    else if (n->u.subquery.step_expr != NULL)
        print_node(b, n->u.subquery.step_expr);
    print_char(b, ']');
    print_at(b, &n->u.subquery.mods);
    print_offset(b, &n->u.subquery.mods);
}

static void print_aggregate(print_buf *b, const ast_node *n)
{
    print_str(b, pql_op_text(n->u.agg.op));
    if (n->u.agg.without) {
        print_str(b, " without (");
        print_labels(b, &n->u.agg.grouping);
        print_str(b, ") ");
    } else if (n->u.agg.grouping.count > 0) {
        print_str(b, " by (");
        print_labels(b, &n->u.agg.grouping);
        print_str(b, ") ");
    }
    print_char(b, '(');
    if (n->u.agg.param != NULL) {
        print_node(b, n->u.agg.param);
        print_str(b, ", ");
    }
    print_node(b, n->u.agg.expr);
    print_char(b, ')');
}

/* The modifiers between a binary operator and its right operand. An empty
 * ignoring() is dropped unless group_x needs something to follow. */
static void print_matching(print_buf *b, const ast_vector_matching *vm)
{
    bool grouped;
    if (vm == NULL)
        return;
    grouped = vm->card == PQL_CARD_MANY_TO_ONE || vm->card == PQL_CARD_ONE_TO_MANY;
    if (vm->matching.count > 0 || vm->on || grouped) {
        print_str(b, vm->on ? " on (" : " ignoring (");
        print_labels(b, &vm->matching);
        print_char(b, ')');
    }
    if (grouped) {
        print_str(b, vm->card == PQL_CARD_MANY_TO_ONE ? " group_left (" : " group_right (");
        print_labels(b, &vm->include);
        print_char(b, ')');
    }
    if (vm->fill_shared) {
        print_str(b, " fill (");
        print_float_v(b, vm->fill_lhs);
        print_char(b, ')');
    } else {
        if (vm->has_fill_lhs) {
            print_str(b, " fill_left (");
            print_float_v(b, vm->fill_lhs);
            print_char(b, ')');
        }
        if (vm->has_fill_rhs) {
            print_str(b, " fill_right (");
            print_float_v(b, vm->fill_rhs);
            print_char(b, ')');
        }
    }
}

/* The vector selector whose text ends the printed form of n, if any. */
static const ast_node *tail_selector(const ast_node *n)
{
    while (n != NULL) {
        if (n->kind == PQL_NODE_BINARY)
            n = n->u.binary.rhs;
        else if (n->kind == PQL_NODE_UNARY)
            n = n->u.unary.expr;
        else
            return n->kind == PQL_NODE_VECTOR_SELECTOR ? n : NULL;
    }
    return NULL;
}

static bool op_continues_offset(pql_op op)
{
    return op == PQL_OP_ADD || op == PQL_OP_SUB || op == PQL_OP_MUL || op == PQL_OP_DIV ||
           op == PQL_OP_MOD || op == PQL_OP_POW;
}

static void print_binary(print_buf *b, const ast_node *n)
{
    /* An offset printed as "(...)" (or after two signs) right before this
     * operator would read back with the operator inside it. A selector an
     * enclosing operator is waiting for lies on this node's right side, so
     * it is put back before the right operand is printed. */
    const ast_node *pending = b->guarded_offset;
    b->guarded_offset = NULL;
    if (op_continues_offset(n->u.binary.op)) {
        const ast_node *t = tail_selector(n->u.binary.lhs);
        if (t != NULL && offset_is_paren_led(&t->u.vs.mods))
            b->guarded_offset = t;
    }
    print_node(b, n->u.binary.lhs);
    b->guarded_offset = pending;
    print_char(b, ' ');
    print_str(b, pql_op_text(n->u.binary.op));
    if (n->u.binary.return_bool)
        print_str(b, " bool");
    print_matching(b, n->u.binary.matching);
    print_char(b, ' ');
    print_node(b, n->u.binary.rhs);
}

static void print_call(print_buf *b, const ast_node *n)
{
    size_t i;
    print_str(b, n->u.call.fn != NULL ? n->u.call.fn->name : "");
    print_char(b, '(');
    for (i = 0; i < n->u.call.n_args; i++) {
        if (i > 0)
            print_str(b, ", ");
        print_node(b, n->u.call.args[i]);
    }
    print_char(b, ')');
}

/* Duration arithmetic: operators spaced, parentheses only where written,
 * unary plus dropped (it also carries the parentheses of a bare number). */
static void print_duration_expr(print_buf *b, const ast_node *n)
{
    if (n->u.dur.wrapped)
        print_char(b, '(');
    switch (n->u.dur.op) {
    case PQL_OP_STEP:
        print_str(b, "step()");
        break;
    case PQL_OP_RANGE:
        print_str(b, "range()");
        break;
    case PQL_OP_MIN_OF:
    case PQL_OP_MAX_OF:
        print_str(b, n->u.dur.op == PQL_OP_MIN_OF ? "min_of(" : "max_of(");
        print_node(b, n->u.dur.lhs);
        print_str(b, ", ");
        print_node(b, n->u.dur.rhs);
        print_char(b, ')');
        break;
    default:
        if (n->u.dur.lhs == NULL) {
            if (n->u.dur.op == PQL_OP_SUB)
                print_char(b, '-');
            print_node(b, n->u.dur.rhs);
        } else {
            print_node(b, n->u.dur.lhs);
            print_char(b, ' ');
            print_str(b, pql_op_text(n->u.dur.op));
            print_char(b, ' ');
            print_node(b, n->u.dur.rhs);
        }
        break;
    }
    if (n->u.dur.wrapped)
        print_char(b, ')');
}

static void print_number(print_buf *b, const ast_node *n)
{
    double v = n->u.number.value;
    if (n->u.number.is_duration && isfinite(v)) {
        if (v < 0) {
            print_char(b, '-');
            print_model_duration(b, print_seconds_to_ns(-v));
        } else {
            print_model_duration(b, print_seconds_to_ns(v));
        }
        return;
    }
    print_float_f(b, v);
}

static void print_node(print_buf *b, const ast_node *n)
{
    if (n == NULL || b->failed)
        return;
    switch (n->kind) {
    case PQL_NODE_NUMBER:
        print_number(b, n);
        break;
    case PQL_NODE_STRING:
        print_quoted(b, n->u.string.value.ptr ? n->u.string.value.ptr : "",
                     n->u.string.value.ptr ? n->u.string.value.len : 0);
        break;
    case PQL_NODE_VECTOR_SELECTOR:
        print_vector_selector(b, n);
        break;
    case PQL_NODE_MATRIX_SELECTOR:
        print_matrix_selector(b, n);
        break;
    case PQL_NODE_SUBQUERY:
        print_subquery(b, n);
        break;
    case PQL_NODE_CALL:
        print_call(b, n);
        break;
    case PQL_NODE_AGGREGATE:
        print_aggregate(b, n);
        break;
    case PQL_NODE_BINARY:
        print_binary(b, n);
        break;
    case PQL_NODE_UNARY:
        print_str(b, n->u.unary.op == PQL_OP_SUB ? "-" : "+");
        print_node(b, n->u.unary.expr);
        break;
    case PQL_NODE_PAREN:
        print_char(b, '(');
        print_node(b, n->u.paren.expr);
        print_char(b, ')');
        break;
    case PQL_NODE_DURATION_EXPR:
        print_duration_expr(b, n);
        break;
    }
}

char *ast_format(const ast_node *node)
{
    print_buf b = {0};
    print_reserve(&b, 0);
    if (!b.failed)
        b.p[0] = '\0';
    print_node(&b, node);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *ast_quote(const char *s, size_t len)
{
    print_buf b = {0};
    print_quoted(&b, s ? s : "", s ? len : 0);
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
