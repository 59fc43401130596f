/* parse_actions.c: the node constructors and semantic checks Prometheus runs inside its grammar actions and parse.go helpers. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "functions.h"
#include "grammar.h"
#include "parse.h"

#define NS_PER_SECOND 1000000000.0
/* A duration literal or expression beyond this many seconds does not fit
 * Go's time.Duration (int64 nanoseconds). */
#define DURATION_LIMIT_SECONDS (9223372036854775808.0 / 1e9)

static const char *tok_text(const parse_ctx *c, lex_token t) { return c->in + t.start; }
static size_t tok_len(lex_token t) { return t.end - t.start; }

static ast_node *node_new(parse_ctx *c, pql_node_kind kind, uint32_t start, uint32_t end)
{
    ast_node *n = ast_new(c->a, kind, start, end);
    if (!n)
        c->nomem = true;
    return n;
}

static ast_node *number_node(parse_ctx *c, double v, uint32_t start, uint32_t end, bool dur)
{
    ast_node *n = node_new(c, PQL_NODE_NUMBER, start, end);
    if (n) {
        n->type = PQL_TYPE_SCALAR;
        n->u.number.value = v;
        n->u.number.is_duration = dur;
    }
    return n;
}

/* Go's float64 -> time.Duration conversion after math.Round; NaN and
 * out-of-range values saturate the way amd64 converts them. */
static int64_t seconds_to_ns(double s)
{
    double ns = round(s * NS_PER_SECOND);
    if (isnan(ns) || ns >= 9223372036854775808.0 || ns < -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)ns;
}

static void quote(const char *s, size_t len, char *out, size_t cap)
{
    lex_quote_string(s, len, (size_t)-1, out, cap);
}

/* ------------------------------------------------------------ strings -- */

static bool utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t w;
        int32_t r = lex_decode_rune(s + i, len - i, &w);
        if (r == 0xFFFD && w == 1)
            return false;
        i += w;
    }
    return true;
}

static size_t put_utf8(uint32_t r, char *o)
{
    if (r < 0x80) {
        o[0] = (char)r;
        return 1;
    }
    if (r < 0x800) {
        o[0] = (char)(0xC0 | (r >> 6));
        o[1] = (char)(0x80 | (r & 0x3F));
        return 2;
    }
    if (r < 0x10000) {
        o[0] = (char)(0xE0 | (r >> 12));
        o[1] = (char)(0x80 | ((r >> 6) & 0x3F));
        o[2] = (char)(0x80 | (r & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (r >> 18));
    o[1] = (char)(0x80 | ((r >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((r >> 6) & 0x3F));
    o[3] = (char)(0x80 | (r & 0x3F));
    return 4;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/*
 * Prometheus's strutil.Unquote of a string token (quotes included). The
 * lexer has already rejected every malformed escape, so failures here can
 * only come from inputs the lexer let through; they are reported the way
 * parse.go's unquoteString does.
 */
static bool unquote(parse_ctx *c, lex_token t, ast_str *out)
{
    const char *s = tok_text(c, t);
    size_t n = tok_len(t);
    out->ptr = "";
    out->len = 0;
    if (n < 2)
        goto syntax;
    char q = s[0];
    const char *body = s + 1;
    size_t blen = n - 2;
    if (q == '`') {
        if (memchr(body, '`', blen))
            goto syntax;
        char *p = arena_strndup(c->a, body, blen);
        if (!p) {
            c->nomem = true;
            return false;
        }
        out->ptr = p;
        out->len = blen;
        return true;
    }
    if (memchr(body, '\n', blen))
        goto syntax;
    char *buf = arena_alloc(c->a, blen + 1);
    if (!buf) {
        c->nomem = true;
        return false;
    }
    size_t o = 0;
    for (size_t i = 0; i < blen;) {
        char ch = body[i];
        if (ch == q)
            goto syntax;
        if (ch != '\\') {
            buf[o++] = ch;
            i++;
            continue;
        }
        if (++i >= blen)
            goto syntax;
        ch = body[i++];
        switch (ch) {
        case 'a': buf[o++] = '\a'; break;
        case 'b': buf[o++] = '\b'; break;
        case 'f': buf[o++] = '\f'; break;
        case 'n': buf[o++] = '\n'; break;
        case 'r': buf[o++] = '\r'; break;
        case 't': buf[o++] = '\t'; break;
        case 'v': buf[o++] = '\v'; break;
        case '\\': buf[o++] = '\\'; break;
        case '\'':
        case '"':
            if (ch != q)
                goto syntax;
            buf[o++] = ch;
            break;
        case 'x':
        case 'u':
        case 'U': {
            int digits = ch == 'x' ? 2 : ch == 'u' ? 4 : 8;
            uint32_t v = 0;
            if (i + (size_t)digits > blen)
                goto syntax;
            for (int k = 0; k < digits; k++) {
                int h = hexval(body[i++]);
                if (h < 0)
                    goto syntax;
                v = v * 16 + (uint32_t)h;
            }
            if (ch == 'x') {
                buf[o++] = (char)v; /* a raw byte, as Go does */
            } else {
                if (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000))
                    goto syntax;
                o += put_utf8(v, buf + o);
            }
            break;
        }
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            uint32_t v = (uint32_t)(ch - '0');
            if (i + 2 > blen)
                goto syntax;
            for (int k = 0; k < 2; k++) {
                char d = body[i++];
                if (d < '0' || d > '7')
                    goto syntax;
                v = v * 8 + (uint32_t)(d - '0');
            }
            if (v > 255)
                goto syntax;
            buf[o++] = (char)v;
            break;
        }
        default:
            goto syntax;
        }
    }
    buf[o] = '\0';
    out->ptr = buf;
    out->len = o;
    return true;
syntax: {
    char qs[PQL_ERROR_MESSAGE_MAX / 2];
    quote(s, n, qs, sizeof qs);
    parse_error(c, t.start, t.end, "error unquoting string %s: invalid syntax", qs);
    return false;
}
}

ast_node *pa_string(parse_ctx *c, lex_token t)
{
    parse_reduce(c, true);
    ast_str v;
    unquote(c, t, &v);
    ast_node *n = node_new(c, PQL_NODE_STRING, t.start, t.end);
    if (n) {
        n->type = PQL_TYPE_STRING;
        n->u.string.value = v;
    }
    return n;
}

/* ------------------------------------------------------------ numbers -- */

/* Go's strconv underscoreOK: `_` only between digits (or after a base
 * prefix). */
static bool underscore_ok(const char *s, size_t n)
{
    char saw = '^';
    size_t i = 0;
    bool hex = false;
    if (n >= 2 && s[0] == '0' &&
        (s[1] == 'x' || s[1] == 'X' || s[1] == 'b' || s[1] == 'B' || s[1] == 'o' || s[1] == 'O')) {
        i = 2;
        saw = '0';
        hex = s[1] == 'x' || s[1] == 'X';
    }
    for (; i < n; i++) {
        char ch = s[i];
        if ((ch >= '0' && ch <= '9') || (hex && hexval(ch) >= 0)) {
            saw = '0';
            continue;
        }
        if (ch == '_') {
            if (saw != '0')
                return false;
            saw = '_';
            continue;
        }
        if (saw == '_')
            return false;
        saw = '!';
    }
    return saw != '_';
}

/* strconv.ParseInt(s, 0, 64) for the unsigned texts the lexer produces. */
static bool go_parse_int(const char *s, size_t n, int64_t *out)
{
    int base = 10;
    size_t i = 0;
    bool under = memchr(s, '_', n) != NULL;
    if (n == 0)
        return false;
    if (s[0] == '0' && n > 1) {
        if (s[1] == 'x' || s[1] == 'X') {
            base = 16;
            i = 2;
        } else {
            base = 8;
            i = 1;
        }
    }
    if (under && !underscore_ok(s, n))
        return false;
    uint64_t v = 0;
    bool any = false;
    for (; i < n; i++) {
        if (s[i] == '_')
            continue;
        int d = hexval(s[i]);
        if (d < 0 || d >= base)
            return false;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return false;
        v = v * (uint64_t)base + (uint64_t)d;
        any = true;
    }
    if (!any && base != 8)
        return false;
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = (int64_t)v;
    return true;
}

/* strconv.ParseFloat(s, 64) for the lexer's texts: returns 0 on success,
 * 1 for a syntax error, 2 when out of range. */
static int go_parse_float(const char *s, size_t n, double *out)
{
    char buf[512];
    if (n == 3 && strncasecmp(s, "inf", 3) == 0) {
        *out = INFINITY;
        return 0;
    }
    if (n == 3 && strncasecmp(s, "nan", 3) == 0) {
        *out = NAN;
        return 0;
    }
    if (memchr(s, '_', n) && !underscore_ok(s, n))
        return 1;
    /* Go wants a 'p' exponent on hexadecimal floats; the lexer never
     * produces one. */
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return 1;
    char *dyn = NULL, *p = buf;
    if (n + 1 > sizeof buf) {
        dyn = malloc(n + 1);
        if (!dyn)
            return 1;
        p = dyn;
    }
    size_t k = 0;
    bool digit = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_')
            continue;
        if (s[i] >= '0' && s[i] <= '9')
            digit = true;
        p[k++] = s[i];
    }
    p[k] = '\0';
    int rc = 1;
    if (digit) {
        char *end;
        double v = strtod(p, &end);
        if (*end == '\0') {
            /* Go reports overflow as an error but returns the infinity. */
            rc = isinf(v) ? 2 : 0;
            *out = v;
        }
    }
    free(dyn);
    return rc;
}

ast_node *pa_number(parse_ctx *c, lex_token t)
{
    parse_reduce(c, true);
    const char *s = tok_text(c, t);
    size_t n = tok_len(t);
    double v = 0;
    int64_t iv;
    if (go_parse_int(s, n, &iv)) {
        v = (double)iv;
    } else {
        int rc = go_parse_float(s, n, &v);
        if (rc != 0) {
            char q[PQL_ERROR_MESSAGE_MAX / 2];
            quote(s, n, q, sizeof q);
            parse_error(c, t.start, t.end, "error parsing number: strconv.ParseFloat: parsing %s: %s",
                        q, rc == 1 ? "invalid syntax" : "value out of range");
            if (rc == 1)
                v = 0;
        }
    }
    return number_node(c, v, t.start, t.end, false);
}

/* prometheus/common model.ParseDuration: units y w d h m s ms, each at most
 * once, largest first. Returns nanoseconds or writes an error message. */
static bool model_parse_duration(const char *s, size_t n, uint64_t *out, char *err, size_t cap)
{
    static const struct {
        const char *name;
        int pos;
        uint64_t mult;
    } units[] = {
        {"y", 1, 365ull * 24 * 3600 * 1000000000ull}, {"w", 2, 7ull * 24 * 3600 * 1000000000ull},
        {"d", 3, 24ull * 3600 * 1000000000ull},      {"h", 4, 3600ull * 1000000000ull},
        {"m", 5, 60ull * 1000000000ull},             {"s", 6, 1000000000ull},
        {"ms", 7, 1000000ull},
    };
    char q[PQL_ERROR_MESSAGE_MAX / 4], uq[PQL_ERROR_MESSAGE_MAX / 4];
    if (n == 1 && s[0] == '0') {
        *out = 0;
        return true;
    }
    quote(s, n, q, sizeof q);
    if (n == 0) {
        snprintf(err, cap, "empty duration string");
        return false;
    }
    uint64_t dur = 0;
    int last = 0;
    size_t i = 0;
    while (i < n) {
        if (s[i] < '0' || s[i] > '9')
            goto invalid;
        uint64_t v = 0;
        bool overflow = false;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            unsigned d = (unsigned)(s[i] - '0');
            if (v > (UINT64_MAX - d) / 10)
                overflow = true;
            else
                v = v * 10 + d;
            i++;
        }
        if (overflow)
            goto invalid;
        size_t u0 = i;
        while (i < n && !(s[i] >= '0' && s[i] <= '9'))
            i++;
        if (i == u0)
            goto invalid;
        int idx = -1;
        for (int k = 0; k < 7; k++) {
            if (strlen(units[k].name) == i - u0 && strncmp(units[k].name, s + u0, i - u0) == 0)
                idx = k;
        }
        if (idx < 0) {
            quote(s + u0, i - u0, uq, sizeof uq);
            snprintf(err, cap, "unknown unit %s in duration %s", uq, q);
            return false;
        }
        if (units[idx].pos <= last)
            goto invalid;
        last = units[idx].pos;
        if (v > (1ull << 63) / units[idx].mult) {
            snprintf(err, cap, "duration out of range");
            return false;
        }
        dur += v * units[idx].mult;
        if (dur > (uint64_t)INT64_MAX) {
            snprintf(err, cap, "duration out of range");
            return false;
        }
    }
    *out = dur;
    return true;
invalid:
    snprintf(err, cap, "not a valid duration string: %s", q);
    return false;
}

ast_node *pa_duration(parse_ctx *c, lex_token t)
{
    parse_reduce(c, true);
    uint64_t ns = 0;
    char err[PQL_ERROR_MESSAGE_MAX];
    if (!model_parse_duration(tok_text(c, t), tok_len(t), &ns, err, sizeof err)) {
        parse_error(c, t.start, t.end, "%s", err);
        ns = 0;
    }
    /* time.Duration.Seconds() */
    double secs = (double)(ns / 1000000000ull) + (double)(ns % 1000000000ull) / 1e9;
    return number_node(c, secs, t.start, t.end, true);
}

/* ------------------------------------------------- simple expressions -- */

ast_node *pa_paren(parse_ctx *c, lex_token l, ast_node *e, lex_token r)
{
    parse_reduce(c, true);
    if (!e)
        return NULL;
    ast_node *n = node_new(c, PQL_NODE_PAREN, l.start, r.end);
    if (n)
        n->u.paren.expr = e;
    return n;
}

ast_node *pa_unary(parse_ctx *c, lex_token op, ast_node *e)
{
    parse_reduce(c, false);
    if (!e)
        return NULL;
    /* A sign directly on a number literal is folded into it. */
    if (e->kind == PQL_NODE_NUMBER) {
        if (op.type == TOK_SUB)
            e->u.number.value = -e->u.number.value;
        e->start = op.start;
        return e;
    }
    ast_node *n = node_new(c, PQL_NODE_UNARY, op.start, e->end);
    if (n) {
        n->u.unary.op = op.type == TOK_SUB ? PQL_OP_SUB : PQL_OP_ADD;
        n->u.unary.expr = e;
    }
    return n;
}

/* ------------------------------------------------ binary expressions -- */

static pql_op binary_op(int type)
{
    switch (type) {
    case TOK_ADD: return PQL_OP_ADD;
    case TOK_SUB: return PQL_OP_SUB;
    case TOK_MUL: return PQL_OP_MUL;
    case TOK_DIV: return PQL_OP_DIV;
    case TOK_MOD: return PQL_OP_MOD;
    case TOK_POW: return PQL_OP_POW;
    case TOK_ATAN2: return PQL_OP_ATAN2;
    case TOK_EQLC: return PQL_OP_EQL;
    case TOK_NEQ: return PQL_OP_NEQ;
    case TOK_GTR: return PQL_OP_GTR;
    case TOK_LSS: return PQL_OP_LSS;
    case TOK_GTE: return PQL_OP_GTE;
    case TOK_LTE: return PQL_OP_LTE;
    case TOK_TRIM_UPPER: return PQL_OP_TRIM_UPPER;
    case TOK_TRIM_LOWER: return PQL_OP_TRIM_LOWER;
    case TOK_LAND: return PQL_OP_AND;
    case TOK_LOR: return PQL_OP_OR;
    case TOK_LUNLESS: return PQL_OP_UNLESS;
    }
    return PQL_OP_NONE;
}

parse_binmods *pa_binmods_new(parse_ctx *c, bool return_bool)
{
    parse_binmods *m = arena_alloc(c->a, sizeof *m);
    if (!m) {
        c->nomem = true;
        return NULL;
    }
    m->return_bool = return_bool;
    m->vm.card = PQL_CARD_ONE_TO_ONE;
    return m;
}

static ast_labels labels_of(const parse_labels *l)
{
    ast_labels r = {NULL, 0};
    if (l) {
        r.names = l->names;
        r.count = l->count;
    }
    return r;
}

parse_binmods *pa_binmods_matching(parse_ctx *c, parse_binmods *m, bool on, parse_labels *l)
{
    if (!m || !l)
        return NULL;
    m->vm.matching = labels_of(l);
    m->vm.on = on;
    m->has_matching = true;
    return m;
}

parse_binmods *pa_binmods_group(parse_ctx *c, parse_binmods *m, bool left, parse_labels *l)
{
    if (!m)
        return NULL;
    m->vm.card = left ? PQL_CARD_MANY_TO_ONE : PQL_CARD_ONE_TO_MANY;
    m->vm.include = labels_of(l);
    return m;
}

parse_binmods *pa_binmods_fill(parse_ctx *c, parse_binmods *m, ast_node *lhs, ast_node *rhs)
{
    if (!m)
        return NULL;
    if (lhs) {
        m->vm.has_fill_lhs = true;
        m->vm.fill_lhs = lhs->u.number.value;
    }
    if (rhs) {
        m->vm.has_fill_rhs = true;
        m->vm.fill_rhs = rhs->u.number.value;
    }
    m->vm.fill_shared = lhs && lhs == rhs;
    return m;
}

ast_node *pa_fill_value(parse_ctx *c, lex_token *op, ast_node *n)
{
    if (!n)
        return NULL;
    if (op) {
        if (op->type == TOK_SUB)
            n->u.number.value = -n->u.number.value;
        n->start = op->start;
    }
    return n;
}

ast_node *pa_binary(parse_ctx *c, ast_node *lhs, lex_token op, parse_binmods *m, ast_node *rhs)
{
    parse_reduce(c, false);
    if (!lhs || !rhs || !m)
        return NULL;
    ast_node *n = node_new(c, PQL_NODE_BINARY, lhs->start, rhs->end);
    if (!n)
        return NULL;
    n->u.binary.op = binary_op(op.type);
    n->u.binary.lhs = lhs;
    n->u.binary.rhs = rhs;
    n->u.binary.return_bool = m->return_bool;
    ast_vector_matching *vm = arena_alloc(c->a, sizeof *vm);
    if (!vm) {
        c->nomem = true;
        return NULL;
    }
    *vm = m->vm;
    n->u.binary.matching = vm;
    if (!c->opts->enable_binop_fill_modifiers && (vm->has_fill_lhs || vm->has_fill_rhs))
        parse_error(c, n->start, n->end, "binop fill modifiers are experimental and not enabled");
    return n;
}

/* ------------------------------------------------------- label lists -- */

parse_labels *pa_labels_new(parse_ctx *c)
{
    parse_labels *l = arena_alloc(c->a, sizeof *l);
    if (!l)
        c->nomem = true;
    return l;
}

parse_labels *pa_labels_add(parse_ctx *c, parse_labels *l, const char *name)
{
    if (!l || !name)
        return NULL;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        const char **g = arena_grow(c->a, (void *)l->names, l->count, cap, sizeof *g);
        if (!g) {
            c->nomem = true;
            return NULL;
        }
        l->names = g;
        l->cap = cap;
    }
    l->names[l->count++] = name;
    return l;
}

parse_labels *pa_labels_close(parse_ctx *c, parse_labels *l, lex_token rparen)
{
    if (l)
        l->end = rparen.end;
    return l;
}

parse_labels *pa_aggmod(parse_ctx *c, parse_labels *l, bool without)
{
    if (l)
        l->without = without;
    return l;
}

const char *pa_grouping_label(parse_ctx *c, lex_token t)
{
    parse_reduce(c, true);
    /* Unquoted names are ASCII identifiers: always valid UTF-8 label names. */
    char *s = arena_strndup(c->a, tok_text(c, t), tok_len(t));
    if (!s)
        c->nomem = true;
    return s;
}

const char *pa_grouping_label_string(parse_ctx *c, lex_token t)
{
    parse_reduce(c, true);
    ast_str v;
    if (!unquote(c, t, &v))
        return c->nomem ? NULL : "";
    if (v.len == 0 || !utf8_valid(v.ptr, v.len) || memchr(v.ptr, '\0', v.len)) {
        char q[PQL_ERROR_MESSAGE_MAX / 2];
        quote(v.ptr, v.len, q, sizeof q);
        parse_error(c, t.start, t.end, "invalid label name for grouping: %s", q);
    }
    return v.ptr;
}

/* ------------------------------------------------------- aggregations -- */

static pql_op aggregate_op(int type, const char **name)
{
    switch (type) {
    case TOK_SUM: *name = "sum"; return PQL_AGG_SUM;
    case TOK_AVG: *name = "avg"; return PQL_AGG_AVG;
    case TOK_COUNT: *name = "count"; return PQL_AGG_COUNT;
    case TOK_MIN: *name = "min"; return PQL_AGG_MIN;
    case TOK_MAX: *name = "max"; return PQL_AGG_MAX;
    case TOK_GROUP: *name = "group"; return PQL_AGG_GROUP;
    case TOK_STDDEV: *name = "stddev"; return PQL_AGG_STDDEV;
    case TOK_STDVAR: *name = "stdvar"; return PQL_AGG_STDVAR;
    case TOK_TOPK: *name = "topk"; return PQL_AGG_TOPK;
    case TOK_BOTTOMK: *name = "bottomk"; return PQL_AGG_BOTTOMK;
    case TOK_COUNT_VALUES: *name = "count_values"; return PQL_AGG_COUNT_VALUES;
    case TOK_QUANTILE: *name = "quantile"; return PQL_AGG_QUANTILE;
    case TOK_LIMITK: *name = "limitk"; return PQL_AGG_LIMITK;
    case TOK_LIMIT_RATIO: *name = "limit_ratio"; return PQL_AGG_LIMIT_RATIO;
    }
    *name = "";
    return PQL_OP_NONE;
}

/* lex.go findPrevRightParen: when the parser had to read one token past an
 * aggregation's `)`, the end is recovered from the text. */
static uint32_t find_prev_right_paren(const parse_ctx *c, uint32_t fallback)
{
    size_t last = c->last_pos;
    if (fallback == 0 || fallback > c->len || last == 0 || last >= c->len || c->in[last] != ')')
        return fallback;
    for (size_t i = last - 1; i > 0; i--) {
        char ch = c->in[i];
        if (ch == ')')
            return (uint32_t)i + 1;
        if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
            return fallback;
    }
    return fallback;
}

ast_node *pa_aggregate(parse_ctx *c, lex_token op, parse_labels *mod, parse_args *args,
                       bool overread)
{
    parse_reduce(c, !overread);
    if (!args)
        return NULL;
    uint32_t end;
    if (overread)
        end = find_prev_right_paren(c, c->last_closing);
    else if (mod && mod->end > args->rparen.end)
        end = mod->end;
    else
        end = args->rparen.end;
    ast_node *n = node_new(c, PQL_NODE_AGGREGATE, op.start, end);
    if (!n)
        return NULL;
    const char *name;
    n->u.agg.op = aggregate_op(op.type, &name);
    n->type = PQL_TYPE_VECTOR;
    if (mod) {
        n->u.agg.grouping = labels_of(mod);
        n->u.agg.without = mod->without;
        n->u.agg.has_grouping = true;
    }
    if (args->count == 0) {
        parse_error(c, n->start, n->end, "no arguments for aggregate expression provided");
        return n;
    }
    size_t want = 1;
    pql_op o = n->u.agg.op;
    if (o == PQL_AGG_TOPK || o == PQL_AGG_BOTTOMK || o == PQL_AGG_COUNT_VALUES ||
        o == PQL_AGG_QUANTILE || o == PQL_AGG_LIMITK || o == PQL_AGG_LIMIT_RATIO) {
        if (!c->opts->enable_experimental_functions &&
            (o == PQL_AGG_LIMITK || o == PQL_AGG_LIMIT_RATIO)) {
            parse_error(c, n->start, n->end,
                        "%s() is experimental and must be enabled with "
                        "--enable-feature=promql-experimental-functions",
                        name);
            return n;
        }
        want = 2;
        n->u.agg.param = args->items[0];
    }
    if (args->count != want) {
        parse_error(c, n->start, n->end,
                    "wrong number of arguments for aggregate expression provided, expected %zu, "
                    "got %zu",
                    want, args->count);
        return n;
    }
    n->u.agg.expr = args->items[want - 1];
    return n;
}

/* ----------------------------------------------------- function calls -- */

parse_args *pa_args_new(parse_ctx *c, ast_node *first)
{
    parse_args *a = arena_alloc(c->a, sizeof *a);
    if (!a) {
        c->nomem = true;
        return NULL;
    }
    if (first)
        return pa_args_add(c, a, first);
    return a;
}

parse_args *pa_args_add(parse_ctx *c, parse_args *a, ast_node *e)
{
    if (!a || !e)
        return NULL;
    if (a->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        ast_node **g = arena_grow(c->a, a->items, a->count, cap, sizeof *g);
        if (!g) {
            c->nomem = true;
            return NULL;
        }
        a->items = g;
        a->cap = cap;
    }
    a->items[a->count++] = e;
    return a;
}

parse_args *pa_args_trailing_comma(parse_ctx *c, parse_args *a, lex_token comma)
{
    parse_reduce(c, false);
    parse_error(c, comma.start, comma.end, "trailing commas not allowed in function call args");
    return a;
}

parse_args *pa_args_close(parse_ctx *c, parse_args *a, lex_token rparen)
{
    if (a)
        a->rparen = rparen;
    return a;
}

ast_node *pa_call(parse_ctx *c, lex_token name, parse_args *args)
{
    parse_reduce(c, true);
    if (!args)
        return NULL;
    const char *s = tok_text(c, name);
    size_t len = tok_len(name);
    char q[PQL_ERROR_MESSAGE_MAX / 2];
    const fn_info *fn = fn_lookup(s, len);
    if (!fn) {
        quote(s, len, q, sizeof q);
        parse_error(c, name.start, name.end, "unknown function with name %s", q);
    } else if (fn->experimental && !c->opts->enable_experimental_functions) {
        quote(s, len, q, sizeof q);
        parse_error(c, name.start, name.end, "function %s is not enabled", q);
    }
    ast_node *n = node_new(c, PQL_NODE_CALL, name.start, args->rparen.end);
    if (!n)
        return NULL;
    n->u.call.fn = fn;
    n->u.call.args = args->items;
    n->u.call.n_args = args->count;
    if (fn)
        n->type = fn->return_type;
    return n;
}

/* ------------------------------------------------- vector selectors -- */

parse_matchers *pa_matchers_new(parse_ctx *c)
{
    parse_matchers *m = arena_alloc(c->a, sizeof *m);
    if (!m)
        c->nomem = true;
    return m;
}

parse_matchers *pa_matchers_add(parse_ctx *c, parse_matchers *m, const pql_matcher *x)
{
    if (!m || !x->name)
        return NULL;
    if (m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4;
        pql_matcher *g = arena_grow(c->a, m->items, m->count, cap, sizeof *g);
        if (!g) {
            c->nomem = true;
            return NULL;
        }
        m->items = g;
        m->cap = cap;
    }
    m->items[m->count++] = *x;
    return m;
}

parse_matchers *pa_matchers_close(parse_ctx *c, parse_matchers *m, lex_token l, lex_token r)
{
    if (m) {
        m->lbrace = l;
        m->rbrace = r;
    }
    return m;
}

bool pa_label_matcher(parse_ctx *c, lex_token name, bool name_is_string, lex_token op,
                      lex_token value, pql_matcher *out)
{
    parse_reduce(c, true);
    memset(out, 0, sizeof *out);
    ast_str v;
    if (!unquote(c, value, &v))
        return false;
    if (name_is_string) {
        ast_str nm;
        if (!unquote(c, name, &nm))
            return false;
        out->name = nm.ptr;
    } else {
        out->name = arena_strndup(c->a, tok_text(c, name), tok_len(name));
        if (!out->name) {
            c->nomem = true;
            return false;
        }
    }
    switch (op.type) {
    case TOK_NEQ: out->type = PQL_MATCH_NOT_EQUAL; break;
    case TOK_EQL_REGEX: out->type = PQL_MATCH_REGEX; break;
    case TOK_NEQ_REGEX: out->type = PQL_MATCH_NOT_REGEX; break;
    default: out->type = PQL_MATCH_EQUAL; break;
    }
    out->value = v.ptr;
    out->value_len = v.len;
    return true;
}

bool pa_name_matcher(parse_ctx *c, lex_token value, pql_matcher *out)
{
    parse_reduce(c, false);
    memset(out, 0, sizeof *out);
    ast_str v;
    if (!unquote(c, value, &v))
        return false;
    out->name = "__name__";
    out->type = PQL_MATCH_EQUAL;
    out->value = v.ptr;
    out->value_len = v.len;
    return true;
}

ast_node *pa_selector(parse_ctx *c, lex_token *name, parse_matchers *m, bool braces)
{
    parse_reduce(c, braces);
    if (braces && !m)
        return NULL;
    uint32_t start = name ? name->start : m->lbrace.start;
    uint32_t end = braces ? m->rbrace.end : name->end;
    ast_node *n = node_new(c, PQL_NODE_VECTOR_SELECTOR, start, end);
    if (!n)
        return NULL;
    n->type = PQL_TYPE_VECTOR;
    size_t count = (m ? m->count : 0) + (name ? 1 : 0);
    pql_matcher *items = count ? arena_alloc_array(c->a, count, sizeof *items) : NULL;
    if (count && !items) {
        c->nomem = true;
        return NULL;
    }
    if (m && m->count)
        memcpy(items, m->items, m->count * sizeof *items);
    if (name) {
        /* A name written outside the braces also becomes the last matcher. */
        char *s = arena_strndup(c->a, tok_text(c, *name), tok_len(*name));
        if (!s) {
            c->nomem = true;
            return NULL;
        }
        n->u.vs.name = s;
        pql_matcher *x = &items[count - 1];
        x->name = "__name__";
        x->type = PQL_MATCH_EQUAL;
        x->value = s;
        x->value_len = tok_len(*name);
    }
    n->u.vs.matchers = items;
    n->u.vs.n_matchers = count;
    return n;
}

/* ------------------------------------------- ranges and subqueries -- */

/* A range or step given as a number or a duration expression. A range
 * below half a nanosecond (`x[2.25e-35]`) passes the "greater than 0"
 * check but rounds to 0 ns, which prints as `0s` and cannot be read back;
 * it is kept as 1 ns, which evaluates the same (ranges act in whole
 * milliseconds). A step that rounds to 0 stays 0: Prometheus then uses the
 * default step, as if none were written, and so do we. */
static void set_duration(ast_node *d, bool is_range, int64_t *ns, ast_node **expr)
{
    if (!d)
        return;
    if (d->kind == PQL_NODE_NUMBER) {
        *ns = seconds_to_ns(d->u.number.value);
        if (is_range && *ns == 0 && d->u.number.value > 0)
            *ns = 1;
    } else {
        *expr = d;
    }
}

ast_node *pa_matrix(parse_ctx *c, ast_node *e, lex_token lb, ast_node *range, lex_token rb)
{
    parse_reduce(c, true);
    if (!e || !range)
        return NULL;
    const char *msg = NULL;
    if (e->kind != PQL_NODE_VECTOR_SELECTOR)
        msg = "ranges only allowed for vector selectors";
    else if (e->u.vs.mods.offset_ns != 0 || e->u.vs.mods.offset_expr)
        msg = "no offset modifiers allowed before range";
    else if (e->u.vs.mods.at != PQL_AT_NONE)
        msg = "no @ modifiers allowed before range";
    if (msg)
        parse_error(c, lb.start, rb.end, "%s", msg);
    ast_node *n = node_new(c, PQL_NODE_MATRIX_SELECTOR, e->start, rb.end);
    if (!n)
        return NULL;
    n->type = PQL_TYPE_MATRIX;
    n->u.matrix.vs = e;
    set_duration(range, true, &n->u.matrix.range_ns, &n->u.matrix.range_expr);
    return n;
}

ast_node *pa_subquery(parse_ctx *c, ast_node *e, lex_token lb, ast_node *range, ast_node *step,
                      lex_token rb)
{
    parse_reduce(c, true);
    if (!e || !range)
        return NULL;
    ast_node *n = node_new(c, PQL_NODE_SUBQUERY, e->start, rb.end);
    if (!n)
        return NULL;
    n->type = PQL_TYPE_MATRIX;
    n->u.subquery.expr = e;
    set_duration(range, true, &n->u.subquery.range_ns, &n->u.subquery.range_expr);
    set_duration(step, false, &n->u.subquery.step_ns, &n->u.subquery.step_expr);
    return n;
}

/* ------------------------------------------------------- modifiers -- */

/* The modifiers and end position an offset or @ applies to, or NULL after
 * reporting why there are none (parse.go addOffset / getAtModifierVars). */
static ast_time_mods *mods_of(parse_ctx *c, ast_node *e, const char *what)
{
    switch (e->kind) {
    case PQL_NODE_VECTOR_SELECTOR:
        return &e->u.vs.mods;
    case PQL_NODE_MATRIX_SELECTOR:
        if (e->u.matrix.vs->kind != PQL_NODE_VECTOR_SELECTOR) {
            parse_error(c, e->start, e->end, "ranges only allowed for vector selectors");
            return NULL;
        }
        return &e->u.matrix.vs->u.vs.mods;
    case PQL_NODE_SUBQUERY:
        return &e->u.subquery.mods;
    default:
        parse_error(c, e->start, e->end,
                    "%s modifier must be preceded by an instant vector selector or range vector "
                    "selector or a subquery",
                    what);
        return NULL;
    }
}

/*
 * `x offset -+4 * 4` offsets x by the whole product: after two signs the
 * grammar goes on absorbing arithmetic. The signs fold into the number, so
 * printed bare (`x offset -4 * 4`, as Prometheus prints it) the product
 * would read back as (x offset -4s) * 4. An offset expression that goes on
 * past a leftmost operand without parentheses is therefore marked as
 * parenthesised: it prints as `x offset (-4 * 4)`, the same offset.
 */
static bool dur_is_arith(const ast_node *n)
{
    if (n->kind != PQL_NODE_DURATION_EXPR || n->u.dur.wrapped || n->u.dur.lhs == NULL)
        return false;
    pql_op op = n->u.dur.op;
    return op == PQL_OP_ADD || op == PQL_OP_SUB || op == PQL_OP_MUL || op == PQL_OP_DIV ||
           op == PQL_OP_MOD || op == PQL_OP_POW;
}

static bool dur_is_sign(const ast_node *n)
{
    return n->kind == PQL_NODE_DURATION_EXPR && !n->u.dur.wrapped && n->u.dur.lhs == NULL &&
           (n->u.dur.op == PQL_OP_ADD || n->u.dur.op == PQL_OP_SUB);
}

static void wrap_sign_led_offset(ast_node *dur)
{
    const ast_node *n = dur;
    if (dur_is_arith(n)) {
        while (dur_is_arith(n))
            n = n->u.dur.lhs;
        if (n->kind == PQL_NODE_DURATION_EXPR && n->u.dur.wrapped)
            return; /* `x offset (1h) * 2` reads back as it is */
        dur->u.dur.wrapped = true;
        return;
    }
    /* Signs over arithmetic (`x offset - +5 ^ 2`, the signs binding looser
     * than ^) would print as `-5 ^ 2`, read back as a one-term offset. */
    while (dur_is_sign(n))
        n = n->u.dur.rhs;
    if (n != dur && dur_is_arith(n))
        dur->u.dur.wrapped = true;
}

ast_node *pa_offset(parse_ctx *c, ast_node *e, ast_node *dur, bool use_lookahead)
{
    parse_reduce(c, !use_lookahead);
    if (!e || !dur)
        return e;
    ast_time_mods *m = mods_of(c, e, "offset");
    if (!m)
        return e;
    if (m->offset_ns != 0 || m->offset_expr) {
        parse_error(c, e->start, e->end, "offset may not be set multiple times");
    } else if (dur->kind == PQL_NODE_NUMBER) {
        m->offset_ns = seconds_to_ns(dur->u.number.value);
        m->has_offset = true;
    } else {
        if (use_lookahead)
            wrap_sign_led_offset(dur);
        m->offset_expr = dur;
        m->has_offset = true;
    }
    e->end = use_lookahead ? c->last_closing : c->prev_closing;
    return e;
}

static ast_time_mods *at_mods(parse_ctx *c, ast_node *e)
{
    ast_time_mods *m = mods_of(c, e, "@");
    if (m && m->at != PQL_AT_NONE) {
        parse_error(c, e->start, e->end, "@ <timestamp> may not be set multiple times");
        return NULL;
    }
    return m;
}

ast_node *pa_at_number(parse_ctx *c, ast_node *e, ast_node *num)
{
    parse_reduce(c, true);
    if (!e || !num)
        return e;
    double ts = num->u.number.value;
    if (isinf(ts) || isnan(ts) || ts >= 9223372036854775807.0 || ts <= -9223372036854775808.0) {
        if (isnan(ts))
            parse_error(c, e->start, e->end, "timestamp out of bounds for @ modifier: NaN");
        else if (isinf(ts))
            parse_error(c, e->start, e->end, "timestamp out of bounds for @ modifier: %sInf",
                        ts > 0 ? "+" : "-");
        else
            parse_error(c, e->start, e->end, "timestamp out of bounds for @ modifier: %f", ts);
    }
    ast_time_mods *m = at_mods(c, e);
    if (!m)
        return e;
    m->at = PQL_AT_TIMESTAMP;
    double ms = round(ts * 1000.0);
    m->at_ms = (isnan(ms) || ms >= 9223372036854775808.0 || ms < -9223372036854775808.0)
                   ? INT64_MIN
                   : (int64_t)ms;
    e->end = c->prev_closing;
    return e;
}

ast_node *pa_at_preprocessor(parse_ctx *c, ast_node *e, lex_token which, lex_token rparen)
{
    parse_reduce(c, true);
    if (!e)
        return NULL;
    ast_time_mods *m = at_mods(c, e);
    if (!m)
        return e;
    m->at = which.type == TOK_START ? PQL_AT_START : PQL_AT_END;
    e->end = rparen.end;
    return e;
}

ast_node *pa_anchored(parse_ctx *c, ast_node *e, bool smoothed)
{
    parse_reduce(c, true);
    if (!e)
        return NULL;
    const char *what = smoothed ? "smoothed" : "anchored";
    if (!c->opts->enable_extended_range_selectors) {
        parse_error(c, e->start, e->end, "%s modifier is experimental and not enabled", what);
        return e;
    }
    ast_node *vs = e;
    switch (e->kind) {
    case PQL_NODE_VECTOR_SELECTOR:
        break;
    case PQL_NODE_MATRIX_SELECTOR:
        vs = e->u.matrix.vs;
        if (vs->kind != PQL_NODE_VECTOR_SELECTOR)
            return e;
        break;
    case PQL_NODE_SUBQUERY:
        parse_error(c, e->start, e->end, "%s modifier is not supported for subqueries", what);
        return e;
    default:
        parse_error(c, e->start, e->end, "%s modifier not implemented", what);
        return e;
    }
    if (smoothed)
        vs->u.vs.smoothed = true;
    else
        vs->u.vs.anchored = true;
    if (vs->u.vs.smoothed && vs->u.vs.anchored)
        parse_error(c, e->start, e->end, "anchored and smoothed modifiers cannot be used together");
    return e;
}

/* ---------------------------------------------- duration expressions -- */

static ast_node *dur_node(parse_ctx *c, pql_op op, ast_node *lhs, ast_node *rhs, uint32_t start,
                          uint32_t end)
{
    ast_node *n = node_new(c, PQL_NODE_DURATION_EXPR, start, end);
    if (n) {
        n->type = PQL_TYPE_SCALAR;
        n->u.dur.op = op;
        n->u.dur.lhs = lhs;
        n->u.dur.rhs = rhs;
    }
    return n;
}

static bool dur_out_of_range(double v)
{
    return v > DURATION_LIMIT_SECONDS || v < -DURATION_LIMIT_SECONDS;
}

static void experimental_duration(parse_ctx *c, const ast_node *e)
{
    if (!c->opts->enable_duration_expressions)
        parse_error(c, e->start, e->end, "experimental duration expression is not enabled");
}

ast_node *pa_dur_literal(parse_ctx *c, ast_node *n)
{
    parse_reduce(c, true);
    if (!n)
        return NULL;
    if (dur_out_of_range(n->u.number.value)) {
        parse_error(c, n->start, n->end, "duration out of range");
        return number_node(c, 0, 0, 0, false);
    }
    return n;
}

ast_node *pa_dur_positive(parse_ctx *c, ast_node *n)
{
    parse_reduce(c, false);
    if (!n)
        return NULL;
    if (n->kind == PQL_NODE_NUMBER && n->u.number.value <= 0) {
        parse_error(c, n->start, n->end, "duration must be greater than 0");
        return number_node(c, 0, 0, 0, false);
    }
    return n;
}

/* Parentheses around a bare number become a unary plus so the printer can
 * give them back (parse.go wrapParenDurationExpr). */
static ast_node *dur_wrap(parse_ctx *c, ast_node *e)
{
    if (e->kind == PQL_NODE_DURATION_EXPR) {
        e->u.dur.wrapped = true;
        return e;
    }
    ast_node *w = dur_node(c, PQL_OP_ADD, NULL, e, e->start, e->end);
    if (w)
        w->u.dur.wrapped = true;
    return w;
}

ast_node *pa_dur_unary(parse_ctx *c, lex_token op, ast_node *e, bool wrapped)
{
    parse_reduce(c, false);
    if (!e)
        return NULL;
    if (wrapped && !(e = dur_wrap(c, e)))
        return NULL;
    if (e->kind == PQL_NODE_DURATION_EXPR) {
        if (op.type == TOK_SUB)
            return dur_node(c, PQL_OP_SUB, NULL, e, op.start, e->end);
        return e;
    }
    if (op.type == TOK_SUB)
        e->u.number.value = -e->u.number.value;
    if (dur_out_of_range(e->u.number.value)) {
        parse_error(c, op.start, op.end, "duration out of range");
        return number_node(c, 0, 0, 0, false);
    }
    e->start = op.start;
    return e;
}

ast_node *pa_dur_binary(parse_ctx *c, ast_node *lhs, lex_token op, ast_node *rhs)
{
    parse_reduce(c, false);
    if (!lhs || !rhs)
        return NULL;
    experimental_duration(c, lhs);
    pql_op o = binary_op(op.type);
    if ((o == PQL_OP_DIV || o == PQL_OP_MOD) && rhs->kind == PQL_NODE_NUMBER &&
        rhs->u.number.value == 0) {
        parse_error(c, op.start, op.end, o == PQL_OP_DIV ? "division by zero" : "modulo by zero");
        return number_node(c, 0, 0, 0, false);
    }
    return dur_node(c, o, lhs, rhs, lhs->start, rhs->end);
}

ast_node *pa_dur_call(parse_ctx *c, lex_token fn, ast_node *lhs, ast_node *rhs, lex_token rparen)
{
    parse_reduce(c, true);
    ast_node *n;
    switch (fn.type) {
    case TOK_STEP:
        n = dur_node(c, PQL_OP_STEP, NULL, NULL, fn.start, rparen.end);
        break;
    case TOK_RANGE:
        n = dur_node(c, PQL_OP_RANGE, NULL, NULL, fn.start, rparen.end);
        break;
    default:
        if (!lhs || !rhs)
            return NULL;
        /* Prometheus positions a two-operand duration expression by its
         * operands, not by the function name and parentheses. */
        n = dur_node(c, fn.type == TOK_MIN_OF ? PQL_OP_MIN_OF : PQL_OP_MAX_OF, lhs, rhs,
                     lhs->start, rhs->end);
        break;
    }
    if (n)
        experimental_duration(c, n);
    return n;
}

ast_node *pa_dur_paren(parse_ctx *c, lex_token l, ast_node *e, lex_token r)
{
    parse_reduce(c, true);
    if (!e)
        return NULL;
    experimental_duration(c, e);
    return dur_wrap(c, e);
}
