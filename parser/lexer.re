/* lexer.re: re2c scanner that splits a PromQL query into tokens exactly as Prometheus's lex.go does. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "grammar.h"
#include "parse.h"

/* lex.go reads runes and reports them with Go's %q; these helpers keep the
 * same rune arithmetic (invalid UTF-8 is U+FFFD of width 1). */
#define LEX_RUNE_EOF (-1)
#define LEX_RUNE_ERROR 0xFFFD
#define LEX_AGAIN (-100)

/*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:yyfill:enable = 0;
    re2c:indent:top = 1;
*/

int32_t lex_decode_rune(const char *str, size_t len, size_t *width)
{
    const unsigned char *s = (const unsigned char *)str;
    *width = 1;
    if (len == 0)
        return LEX_RUNE_ERROR;
    unsigned char c = s[0];
    if (c < 0x80)
        return c;
    int n;
    int32_t r, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1, r = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2, r = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3, r = c & 0x07, min = 0x10000;
    } else {
        return LEX_RUNE_ERROR;
    }
    if ((size_t)n >= len)
        return LEX_RUNE_ERROR;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return LEX_RUNE_ERROR;
        r = (r << 6) | (s[i] & 0x3F);
    }
    if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        return LEX_RUNE_ERROR;
    *width = (size_t)n + 1;
    return r;
}

/* Approximates Go's strconv.IsPrint well enough for error messages. */
static bool lex_is_print(int32_t r)
{
    if (r < 0x20 || r == 0x7F)
        return false;
    if (r < 0x7F)
        return true;
    if (r < 0xA0 || r == 0xAD)
        return false;
    if ((r >= 0xD800 && r <= 0xDFFF) || r > 0x10FFFF)
        return false;
    if ((r >= 0x2028 && r <= 0x202E) || (r >= 0x2060 && r <= 0x206F) || r == 0xFEFF ||
        (r >= 0xFFF9 && r <= 0xFFFB) || (r >= 0xE000 && r <= 0xF8FF))
        return false;
    if (r == 0x2000 || (r > 0x2000 && r <= 0x200F) || r == 0x3000 || r == 0x1680)
        return false;
    return true;
}

static size_t lex_put_utf8(int32_t r, char *out)
{
    unsigned u = (unsigned)r;
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | (u >> 6));
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | (u >> 12));
        out[1] = (char)(0x80 | ((u >> 6) & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (u >> 18));
    out[1] = (char)(0x80 | ((u >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((u >> 6) & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/* Appends the escaped form of rune r (inside quote q) as Go's quoting does. */
static size_t lex_escape_rune(int32_t r, bool invalid_byte, unsigned char byte, char q, char *o)
{
    if (invalid_byte)
        return (size_t)sprintf(o, "\\x%02x", byte);
    if (r == q || r == '\\') {
        o[0] = '\\', o[1] = (char)r;
        return 2;
    }
    if (lex_is_print(r))
        return lex_put_utf8(r, o);
    switch (r) {
    case '\a': return (size_t)sprintf(o, "\\a");
    case '\b': return (size_t)sprintf(o, "\\b");
    case '\f': return (size_t)sprintf(o, "\\f");
    case '\n': return (size_t)sprintf(o, "\\n");
    case '\r': return (size_t)sprintf(o, "\\r");
    case '\t': return (size_t)sprintf(o, "\\t");
    case '\v': return (size_t)sprintf(o, "\\v");
    }
    if (r < 0x20 || r == 0x7F)
        return (size_t)sprintf(o, "\\x%02x", (unsigned)r);
    if (r < 0x10000)
        return (size_t)sprintf(o, "\\u%04x", (unsigned)r);
    return (size_t)sprintf(o, "\\U%08x", (unsigned)r);
}

void lex_quote_string(const char *s, size_t len, size_t max_runes, char *out, size_t cap)
{
    size_t o = 0, i = 0, runes = 0;
    char tmp[16];
    if (cap < 3) {
        if (cap)
            out[0] = '\0';
        return;
    }
    out[o++] = '"';
    while (i < len && runes < max_runes) {
        size_t w;
        int32_t r = lex_decode_rune(s + i, len - i, &w);
        bool bad = r == LEX_RUNE_ERROR && w == 1;
        size_t n = lex_escape_rune(r, bad, (unsigned char)s[i], '"', tmp);
        if (o + n + 2 > cap)
            break;
        memcpy(out + o, tmp, n);
        o += n;
        i += w;
        runes++;
    }
    if (o + 1 < cap)
        out[o++] = '"';
    out[o < cap ? o : cap - 1] = '\0';
}

void lex_quote_rune(int32_t r, char *out, size_t cap)
{
    char tmp[16];
    if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF))
        r = LEX_RUNE_ERROR;
    size_t n = lex_escape_rune(r, false, 0, '\'', tmp);
    tmp[n] = '\0';
    snprintf(out, cap, "'%s'", tmp);
}

/* Go's %#U: "U+0063 'c'", or just "U+000A" for unprintable runes. */
static void lex_sharp_u(int32_t r, char *out, size_t cap)
{
    char tmp[8];
    if (lex_is_print(r)) {
        size_t n = lex_put_utf8(r, tmp);
        tmp[n] = '\0';
        snprintf(out, cap, "U+%04X '%s'", (unsigned)r, tmp);
    } else {
        snprintf(out, cap, "U+%04X", (unsigned)r);
    }
}

void lex_init(lex_state *l, const char *in, size_t len)
{
    memset(l, 0, sizeof *l);
    l->in = in;
    l->len = len;
    l->mode = LEX_MODE_STATEMENTS;
}

/* lex.go's next/peek/backup over runes. */
static int32_t lex_getc(lex_state *l)
{
    if (l->pos >= l->len) {
        l->width = 0;
        return LEX_RUNE_EOF;
    }
    int32_t r = lex_decode_rune(l->in + l->pos, l->len - l->pos, &l->width);
    l->pos += l->width;
    return r;
}

static void lex_backup(lex_state *l) { l->pos -= l->width; }

static int32_t lex_peek(lex_state *l)
{
    int32_t r = lex_getc(l);
    lex_backup(l);
    return r;
}

static bool lex_accept(lex_state *l, const char *valid)
{
    int32_t r = lex_getc(l);
    if (r > 0 && r < 0x80 && strchr(valid, (int)r))
        return true;
    lex_backup(l);
    return false;
}

static bool lex_is(lex_state *l, const char *valid)
{
    int32_t r = lex_peek(l);
    return r > 0 && r < 0x80 && strchr(valid, (int)r) != NULL;
}

static bool lex_is_space(int32_t r) { return r == ' ' || r == '\t' || r == '\n' || r == '\r'; }
static bool lex_is_alpha(int32_t r)
{
    return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
}
static bool lex_is_digit(int32_t r) { return r >= '0' && r <= '9'; }
static bool lex_is_alnum(int32_t r) { return lex_is_alpha(r) || lex_is_digit(r); }

static int lex_emit(lex_state *l, lex_token *t, int type)
{
    t->type = type;
    t->start = (uint32_t)l->start;
    t->end = (uint32_t)l->pos;
    l->start = l->pos;
    return type;
}

/* An error ends the scan; like lex.go it is positioned at the token start. */
static int lex_errorf(lex_state *l, lex_token *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->err, sizeof l->err, fmt, ap);
    va_end(ap);
    t->type = LEX_ERROR;
    t->start = (uint32_t)l->start;
    t->end = (uint32_t)l->len;
    l->done = true;
    return LEX_ERROR;
}

static int lex_error_rune(lex_state *l, lex_token *t, const char *fmt, int32_t r)
{
    char q[32];
    lex_quote_rune(r, q, sizeof q);
    return lex_errorf(l, t, fmt, q);
}

static void lex_skip_spaces(lex_state *l)
{
    while (lex_is_space(lex_peek(l)))
        lex_getc(l);
    l->start = l->pos;
}

/* lex.go scanNumber: the scanned text need not be a valid number; the
 * parser converts it later. */
static bool lex_scan_number(lex_state *l)
{
    size_t initial = l->pos;
    const char *digits = "0123456789";
    bool hex = false;
    if (lex_accept(l, "0")) {
        if (lex_accept(l, "xX")) {
            lex_accept(l, "_");
            digits = "0123456789abcdefABCDEF";
            hex = true;
        }
    }
    char all[40];
    snprintf(all, sizeof all, "%s._eE", digits);
    lex_accept(l, ".");
    lex_accept(l, digits);
    bool dot = false, exp = false;
    while (lex_is(l, all)) {
        if (lex_is(l, ".") && dot) {
            lex_accept(l, ".");
            return false;
        }
        if (lex_is(l, "eE") && exp) {
            lex_accept(l, "eE");
            return false;
        }
        if (lex_accept(l, ".")) {
            dot = true;
            if (lex_accept(l, "_."))
                return false;
            if (hex)
                return false;
            continue;
        }
        if (lex_accept(l, "eE")) {
            exp = true;
            lex_accept(l, "+-");
            if (lex_accept(l, "._eE") || lex_peek(l) == LEX_RUNE_EOF)
                return false;
            continue;
        }
        if (lex_accept(l, "_")) {
            if (lex_accept(l, "._eE") || lex_peek(l) == LEX_RUNE_EOF)
                return false;
            continue;
        }
        while (lex_accept(l, digits)) {
        }
    }
    if (l->pos == initial)
        return false;
    return !lex_is_alnum(lex_peek(l));
}

static bool lex_accept_remaining_duration(lex_state *l)
{
    if (!lex_accept(l, "smhdwy"))
        return false;
    lex_accept(l, "s");
    while (lex_accept(l, "0123456789")) {
        while (lex_accept(l, "0123456789")) {
        }
        if (!lex_accept(l, "smhdw"))
            return false;
        lex_accept(l, "s");
    }
    return !lex_is_alnum(lex_getc(l));
}

static int lex_number_or_duration(lex_state *l, lex_token *t)
{
    l->mode = LEX_MODE_STATEMENTS;
    if (lex_scan_number(l))
        return lex_emit(l, t, TOK_NUMBER);
    if (lex_accept_remaining_duration(l)) {
        lex_backup(l);
        return lex_emit(l, t, TOK_DURATION);
    }
    char q[96];
    lex_quote_string(l->in + l->start, l->pos - l->start, (size_t)-1, q, sizeof q);
    return lex_errorf(l, t, "bad number or duration syntax: %s", q);
}

/* lex.go scanDurationKeyword: the preprocessor words allowed inside
 * brackets. Consumes the word even when it is not one of them. */
static int lex_duration_keyword(lex_state *l)
{
    int32_t r;
    while (lex_is_alpha(r = lex_getc(l))) {
    }
    lex_backup(l);
    size_t n = l->pos - l->start;
    const char *w = l->in + l->start;
    if (n == 4 && strncasecmp(w, "step", 4) == 0)
        return TOK_STEP;
    if (n == 5 && strncasecmp(w, "range", 5) == 0)
        return TOK_RANGE;
    if (n == 6 && strncasecmp(w, "min_of", 6) == 0)
        return TOK_MIN_OF;
    if (n == 6 && strncasecmp(w, "max_of", 6) == 0)
        return TOK_MAX_OF;
    return 0;
}

/* lex.go lexEscape: validates one escape; the string value itself is
 * decoded later by the parser. Returns false after reporting an error. */
static bool lex_escape(lex_state *l, lex_token *t, int32_t quote, int *rc)
{
    int n;
    uint32_t base, max;
    int32_t ch = lex_getc(l);
    char u[48];
    switch (ch) {
    case 'a': case 'b': case 'f': case 'n': case 'r': case 't': case 'v': case '\\':
        return true;
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7':
        n = 3, base = 8, max = 255;
        break;
    case 'x':
        ch = lex_getc(l);
        n = 2, base = 16, max = 255;
        break;
    case 'u':
        ch = lex_getc(l);
        n = 4, base = 16, max = 0x10FFFF;
        break;
    case 'U':
        ch = lex_getc(l);
        n = 8, base = 16, max = 0x10FFFF;
        break;
    case LEX_RUNE_EOF:
        *rc = lex_errorf(l, t, "escape sequence not terminated");
        return false;
    default:
        if (ch == quote)
            return true;
        lex_sharp_u(ch, u, sizeof u);
        *rc = lex_errorf(l, t, "unknown escape sequence %s", u);
        return false;
    }
    uint32_t x = 0;
    while (n > 0) {
        uint32_t d = 16;
        if (ch >= '0' && ch <= '9')
            d = (uint32_t)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = (uint32_t)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            d = (uint32_t)(ch - 'A' + 10);
        if (d >= base) {
            if (ch == LEX_RUNE_EOF) {
                *rc = lex_errorf(l, t, "escape sequence not terminated");
                return false;
            }
            lex_sharp_u(ch, u, sizeof u);
            *rc = lex_errorf(l, t, "illegal character %s in escape sequence", u);
            return false;
        }
        x = x * base + d;
        n--;
        if (n > 0)
            ch = lex_getc(l);
    }
    if (x > max || (x >= 0xD800 && x < 0xE000)) {
        *rc = lex_errorf(l, t, "escape sequence is an invalid Unicode code point");
        return false;
    }
    return true;
}

static int lex_string(lex_state *l, lex_token *t, int32_t quote)
{
    for (;;) {
        int32_t r = lex_getc(l);
        int rc;
        if (r == '\\') {
            if (!lex_escape(l, t, quote, &rc))
                return rc;
            continue;
        }
        if (r == LEX_RUNE_ERROR)
            return lex_errorf(l, t, "invalid UTF-8 rune");
        if (r == LEX_RUNE_EOF || r == '\n')
            return lex_errorf(l, t, "unterminated quoted string");
        if (r == quote)
            break;
    }
    return lex_emit(l, t, TOK_STRING);
}

static int lex_raw_string(lex_state *l, lex_token *t)
{
    for (;;) {
        int32_t r = lex_getc(l);
        if (r == LEX_RUNE_ERROR)
            return lex_errorf(l, t, "invalid UTF-8 rune");
        if (r == LEX_RUNE_EOF)
            return lex_errorf(l, t, "unterminated raw string");
        if (r == '`')
            break;
    }
    return lex_emit(l, t, TOK_STRING);
}

typedef struct lex_keyword {
    const char *word;
    int type;
} lex_keyword;

static const lex_keyword lex_keywords[] = {
    {"and", TOK_LAND}, {"or", TOK_LOR}, {"unless", TOK_LUNLESS}, {"atan2", TOK_ATAN2},
    {"sum", TOK_SUM}, {"avg", TOK_AVG}, {"count", TOK_COUNT}, {"min", TOK_MIN},
    {"max", TOK_MAX}, {"group", TOK_GROUP}, {"stddev", TOK_STDDEV}, {"stdvar", TOK_STDVAR},
    {"topk", TOK_TOPK}, {"bottomk", TOK_BOTTOMK}, {"count_values", TOK_COUNT_VALUES},
    {"quantile", TOK_QUANTILE}, {"limitk", TOK_LIMITK}, {"limit_ratio", TOK_LIMIT_RATIO},
    {"offset", TOK_OFFSET}, {"smoothed", TOK_SMOOTHED}, {"anchored", TOK_ANCHORED},
    {"by", TOK_BY}, {"without", TOK_WITHOUT}, {"on", TOK_ON}, {"ignoring", TOK_IGNORING},
    {"group_left", TOK_GROUP_LEFT}, {"group_right", TOK_GROUP_RIGHT}, {"fill", TOK_FILL},
    {"fill_left", TOK_FILL_LEFT}, {"fill_right", TOK_FILL_RIGHT}, {"bool", TOK_BOOL},
    {"start", TOK_START}, {"end", TOK_END}, {"step", TOK_STEP}, {"range", TOK_RANGE},
    {"min_of", TOK_MIN_OF}, {"max_of", TOK_MAX_OF},
    {"inf", TOK_NUMBER}, {"nan", TOK_NUMBER},
};

/* fill, fill_left and fill_right are keywords only before a `(`, so that
 * existing metrics with those names keep working. */
static bool lex_followed_by_paren(const lex_state *l)
{
    for (size_t p = l->pos; p < l->len; p++) {
        if (!lex_is_space((unsigned char)l->in[p]))
            return l->in[p] == '(';
    }
    return false;
}

static int lex_keyword_or_identifier(lex_state *l, lex_token *t)
{
    int32_t r;
    while ((r = lex_getc(l)), lex_is_alnum(r) || r == ':') {
    }
    lex_backup(l);
    size_t n = l->pos - l->start;
    const char *w = l->in + l->start;
    for (size_t i = 0; i < sizeof lex_keywords / sizeof lex_keywords[0]; i++) {
        const lex_keyword *k = &lex_keywords[i];
        if (strlen(k->word) == n && strncasecmp(k->word, w, n) == 0) {
            if ((k->type == TOK_FILL || k->type == TOK_FILL_LEFT || k->type == TOK_FILL_RIGHT) &&
                !lex_followed_by_paren(l))
                return lex_emit(l, t, TOK_IDENTIFIER);
            return lex_emit(l, t, k->type);
        }
    }
    return lex_emit(l, t, memchr(w, ':', n) ? TOK_METRIC_IDENTIFIER : TOK_IDENTIFIER);
}

static int lex_unexpected_char(lex_state *l, lex_token *t, const char *fmt)
{
    size_t w;
    int32_t r = lex_decode_rune(l->in + l->start, l->len - l->start, &w);
    l->pos = l->start + w;
    return lex_error_rune(l, t, fmt, r);
}

/* lex.go lexStatements: everything outside braces and outside the first
 * part of a bracket. */
static int lex_statements(lex_state *l, lex_token *t)
{
    l->start = l->pos;
    if (l->pos < l->len && l->in[l->pos] == '#') {
        while (l->pos < l->len && l->in[l->pos] != '\n' && l->in[l->pos] != '\r')
            l->pos++;
        return LEX_AGAIN;
    }
    if (l->pos >= l->len) {
        if (l->paren_depth != 0)
            return lex_errorf(l, t, "unclosed left parenthesis");
        if (l->bracket_open)
            return lex_errorf(l, t, "unclosed left bracket");
        l->done = true;
        return lex_emit(l, t, LEX_EOF);
    }
    const unsigned char *YYCURSOR = (const unsigned char *)l->in + l->pos, *YYMARKER;
    (void)YYMARKER;
    /*!re2c
        [ \t\n\r]+ { l->pos = (size_t)(YYCURSOR - (const unsigned char *)l->in); return LEX_AGAIN; }
        ","  { l->pos++; return lex_emit(l, t, TOK_COMMA); }
        "*"  { l->pos++; return lex_emit(l, t, TOK_MUL); }
        "/"  { l->pos++; return lex_emit(l, t, TOK_DIV); }
        "%"  { l->pos++; return lex_emit(l, t, TOK_MOD); }
        "+"  { l->pos++; return lex_emit(l, t, TOK_ADD); }
        "-"  { l->pos++; return lex_emit(l, t, TOK_SUB); }
        "^"  { l->pos++; return lex_emit(l, t, TOK_POW); }
        "==" { l->pos += 2; return lex_emit(l, t, TOK_EQLC); }
        "=~" { l->pos++; return lex_errorf(l, t, "unexpected character after '=': '~'"); }
        "="  { l->pos++; return lex_emit(l, t, TOK_EQL); }
        "!=" { l->pos += 2; return lex_emit(l, t, TOK_NEQ); }
        "!"  {
            l->pos++;
            return lex_error_rune(l, t, "unexpected character after '!': %s", lex_getc(l));
        }
        "<=" { l->pos += 2; return lex_emit(l, t, TOK_LTE); }
        "</" { l->pos += 2; return lex_emit(l, t, TOK_TRIM_UPPER); }
        "<"  { l->pos++; return lex_emit(l, t, TOK_LSS); }
        ">=" { l->pos += 2; return lex_emit(l, t, TOK_GTE); }
        ">/" { l->pos += 2; return lex_emit(l, t, TOK_TRIM_LOWER); }
        ">"  { l->pos++; return lex_emit(l, t, TOK_GTR); }
        [0-9] | "." [0-9] { return lex_number_or_duration(l, t); }
        ["'] { l->pos++; return lex_string(l, t, (unsigned char)l->in[l->start]); }
        "`"  { l->pos++; return lex_raw_string(l, t); }
        [a-zA-Z_:] {
            if (!l->bracket_open)
                return lex_keyword_or_identifier(l, t);
            int32_t c = (unsigned char)l->in[l->pos];
            if (c == ':') {
                l->pos++;
                if (l->got_colon)
                    return lex_errorf(l, t, "unexpected colon ':'");
                l->got_colon = true;
                return lex_emit(l, t, TOK_COLON);
            }
            if (strchr("sSmMrR", (int)c)) {
                int kw = lex_duration_keyword(l);
                if (kw)
                    return lex_emit(l, t, kw);
            } else {
                l->pos++;
            }
            char q[16];
            lex_quote_rune(c, q, sizeof q);
            return lex_errorf(l, t, "unexpected character: %s, expected ':'", q);
        }
        "(" { l->pos++; l->paren_depth++; return lex_emit(l, t, TOK_LEFT_PAREN); }
        ")" {
            l->pos++;
            lex_emit(l, t, TOK_RIGHT_PAREN);
            if (--l->paren_depth < 0)
                return lex_errorf(l, t, "unexpected right parenthesis ')'");
            return TOK_RIGHT_PAREN;
        }
        "{" { l->pos++; l->brace_open = true; return lex_emit(l, t, TOK_LEFT_BRACE); }
        "[" {
            l->pos++;
            if (l->bracket_open)
                return lex_errorf(l, t, "unexpected left bracket '['");
            l->got_colon = false;
            lex_emit(l, t, TOK_LEFT_BRACKET);
            lex_skip_spaces(l);
            l->bracket_open = true;
            l->mode = LEX_MODE_DURATION;
            return TOK_LEFT_BRACKET;
        }
        "]" {
            l->pos++;
            if (!l->bracket_open)
                return lex_errorf(l, t, "unexpected right bracket ']'");
            l->bracket_open = false;
            return lex_emit(l, t, TOK_RIGHT_BRACKET);
        }
        "@" { l->pos++; return lex_emit(l, t, TOK_AT); }
        *   { return lex_unexpected_char(l, t, "unexpected character: %s"); }
    */
}

/* lex.go lexInsideBraces: label matchers; keywords are plain identifiers. */
static int lex_inside_braces(lex_state *l, lex_token *t)
{
    l->start = l->pos;
    if (l->pos < l->len && l->in[l->pos] == '#') {
        while (l->pos < l->len && l->in[l->pos] != '\n' && l->in[l->pos] != '\r')
            l->pos++;
        return LEX_AGAIN;
    }
    if (l->pos >= l->len)
        return lex_errorf(l, t, "unexpected end of input inside braces");
    const unsigned char *YYCURSOR = (const unsigned char *)l->in + l->pos, *YYMARKER;
    (void)YYMARKER;
    /*!re2c
        [ \t\n\r]+ { l->pos = (size_t)(YYCURSOR - (const unsigned char *)l->in); return LEX_AGAIN; }
        [a-zA-Z_][a-zA-Z_0-9]* {
            l->pos = (size_t)(YYCURSOR - (const unsigned char *)l->in);
            return lex_emit(l, t, TOK_IDENTIFIER);
        }
        ","  { l->pos++; return lex_emit(l, t, TOK_COMMA); }
        ["'] { l->pos++; return lex_string(l, t, (unsigned char)l->in[l->start]); }
        "`"  { l->pos++; return lex_raw_string(l, t); }
        "=~" { l->pos += 2; return lex_emit(l, t, TOK_EQL_REGEX); }
        "="  { l->pos++; return lex_emit(l, t, TOK_EQL); }
        "!~" { l->pos += 2; return lex_emit(l, t, TOK_NEQ_REGEX); }
        "!=" { l->pos += 2; return lex_emit(l, t, TOK_NEQ); }
        "!"  {
            l->pos++;
            return lex_error_rune(l, t, "unexpected character after '!' inside braces: %s",
                                  lex_getc(l));
        }
        "{"  { l->pos++; return lex_errorf(l, t, "unexpected left brace '{'"); }
        "}"  { l->pos++; l->brace_open = false; return lex_emit(l, t, TOK_RIGHT_BRACE); }
        *    { return lex_unexpected_char(l, t, "unexpected character inside braces: %s"); }
    */
}

/* lex.go lexDurationExpr: the start of a range, subquery range or step. */
static int lex_duration_expr(lex_state *l, lex_token *t)
{
    l->start = l->pos;
    if (l->pos >= l->len)
        return lex_errorf(l, t, "unexpected end of input in duration expression");
    const unsigned char *YYCURSOR = (const unsigned char *)l->in + l->pos, *YYMARKER;
    (void)YYMARKER;
    /*!re2c
        "]" {
            l->pos++;
            l->bracket_open = false;
            l->got_colon = false;
            l->mode = LEX_MODE_STATEMENTS;
            return lex_emit(l, t, TOK_RIGHT_BRACKET);
        }
        ":" {
            l->pos++;
            lex_emit(l, t, TOK_COLON);
            if (!l->got_duration)
                return lex_errorf(l, t, "unexpected colon before duration in duration expression");
            if (l->got_colon)
                return lex_errorf(l, t, "unexpected repeated colon in duration expression");
            l->got_colon = true;
            return TOK_COLON;
        }
        "(" { l->pos++; l->paren_depth++; return lex_emit(l, t, TOK_LEFT_PAREN); }
        ")" {
            l->pos++;
            lex_emit(l, t, TOK_RIGHT_PAREN);
            if (--l->paren_depth < 0)
                return lex_errorf(l, t, "unexpected right parenthesis ')'");
            return TOK_RIGHT_PAREN;
        }
        [ \t\n\r] { l->pos++; lex_skip_spaces(l); return LEX_AGAIN; }
        "+" { l->pos++; return lex_emit(l, t, TOK_ADD); }
        "-" { l->pos++; return lex_emit(l, t, TOK_SUB); }
        "*" { l->pos++; return lex_emit(l, t, TOK_MUL); }
        "/" { l->pos++; return lex_emit(l, t, TOK_DIV); }
        "%" { l->pos++; return lex_emit(l, t, TOK_MOD); }
        "^" { l->pos++; return lex_emit(l, t, TOK_POW); }
        "," { l->pos++; return lex_emit(l, t, TOK_COMMA); }
        [sSmMrR] {
            int kw = lex_duration_keyword(l);
            if (kw)
                return lex_emit(l, t, kw);
            char q[16];
            lex_quote_rune((unsigned char)l->in[l->start], q, sizeof q);
            return lex_errorf(l, t, "unexpected character in duration expression: %s", q);
        }
        [0-9] | "." [0-9] { l->got_duration = true; return lex_number_or_duration(l, t); }
        * { return lex_unexpected_char(l, t, "unexpected character in duration expression: %s"); }
    */
}

int lex_next(lex_state *l, lex_token *t)
{
    if (l->done) {
        t->type = LEX_EOF;
        t->start = t->end = (uint32_t)l->pos;
        return LEX_EOF;
    }
    for (;;) {
        int r;
        if (l->mode == LEX_MODE_DURATION)
            r = lex_duration_expr(l, t);
        else if (l->brace_open)
            r = lex_inside_braces(l, t);
        else
            r = lex_statements(l, t);
        if (r != LEX_AGAIN)
            return r;
    }
}
