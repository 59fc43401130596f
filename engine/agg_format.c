/* agg_format.c: Go-compatible float and string formatting for labels and
 * annotation texts. */
#include "binagg_internal.h"
#include "float_shortest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortest decimal digits that read back as v (v finite, v != 0): fills
 * digits (no dot, no sign, no trailing zeros) and returns the decimal
 * exponent dp such that v = 0.d1d2d3... * 10^dp. Go picks the shortest
 * round-tripping string; trying increasing precisions with correctly rounded
 * printf output gives the same digits in practice. */
static int shortest_digits(double v, char *digits, size_t cap, int *dp)
{
    char buf[64];
    double a = fabs(v);
    snprintf(buf, sizeof buf, "%.*e", float_shortest_precision(a) - 1, a);
    /* buf is d.ddde[+-]XX */
    size_t n = 0;
    const char *p = buf;
    while (*p && *p != 'e') {
        if (*p >= '0' && *p <= '9' && n + 1 < cap) {
            digits[n++] = *p;
        }
        p++;
    }
    int exp10 = (*p == 'e') ? atoi(p + 1) : 0;
    while (n > 1 && digits[n - 1] == '0') {
        n--;
    }
    digits[n] = '\0';
    *dp = exp10 + 1;
    return (int)n;
}

static size_t put(char *out, size_t cap, size_t pos, char c)
{
    if (pos + 1 < cap) {
        out[pos] = c;
    }
    return pos + 1;
}

static size_t finish(char *out, size_t cap, size_t pos)
{
    if (cap > 0) {
        out[pos < cap ? pos : cap - 1] = '\0';
    }
    return pos;
}

static size_t special(double v, char *out, size_t cap)
{
    const char *s = isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf");
    size_t n = strlen(s);
    if (cap > 0) {
        snprintf(out, cap, "%s", s);
    }
    return n;
}

size_t agg_format_float_f(double v, char *out, size_t cap)
{
    if (isnan(v) || isinf(v)) {
        return special(v, out, cap);
    }
    size_t pos = 0;
    if (v == 0) {
        if (signbit(v)) {
            pos = put(out, cap, pos, '-');
        }
        pos = put(out, cap, pos, '0');
        return finish(out, cap, pos);
    }
    char digits[32];
    int dp;
    int nd = shortest_digits(v, digits, sizeof digits, &dp);
    if (v < 0) {
        pos = put(out, cap, pos, '-');
    }
    if (dp <= 0) {
        pos = put(out, cap, pos, '0');
        pos = put(out, cap, pos, '.');
        for (int i = 0; i < -dp; i++) {
            pos = put(out, cap, pos, '0');
        }
        for (int i = 0; i < nd; i++) {
            pos = put(out, cap, pos, digits[i]);
        }
    } else {
        for (int i = 0; i < dp; i++) {
            pos = put(out, cap, pos, i < nd ? digits[i] : '0');
        }
        if (nd > dp) {
            pos = put(out, cap, pos, '.');
            for (int i = dp; i < nd; i++) {
                pos = put(out, cap, pos, digits[i]);
            }
        }
    }
    return finish(out, cap, pos);
}

size_t agg_format_float_g(double v, char *out, size_t cap)
{
    if (isnan(v) || isinf(v)) {
        return special(v, out, cap);
    }
    if (v == 0) {
        return agg_format_float_f(v, out, cap);
    }
    char digits[32];
    int dp;
    int nd = shortest_digits(v, digits, sizeof digits, &dp);
    int exp10 = dp - 1;
    /* Go's %g/%v with shortest precision decides the form as if the
     * precision were 6: exponent form when the exponent is < -4 or >= 6. */
    if (exp10 < -4 || exp10 >= 6) {
        size_t pos = 0;
        if (v < 0) {
            pos = put(out, cap, pos, '-');
        }
        pos = put(out, cap, pos, digits[0]);
        if (nd > 1) {
            pos = put(out, cap, pos, '.');
            for (int i = 1; i < nd; i++) {
                pos = put(out, cap, pos, digits[i]);
            }
        }
        pos = put(out, cap, pos, 'e');
        pos = put(out, cap, pos, exp10 < 0 ? '-' : '+');
        int e = exp10 < 0 ? -exp10 : exp10;
        char eb[8];
        int en = snprintf(eb, sizeof eb, "%02d", e);
        for (int i = 0; i < en; i++) {
            pos = put(out, cap, pos, eb[i]);
        }
        return finish(out, cap, pos);
    }
    return agg_format_float_f(v, out, cap);
}

/* Decodes one UTF-8 rune; returns its length, or 0 when the bytes are not
 * valid UTF-8 (Go then yields RuneError with width 1). */
static int utf8_decode(const unsigned char *s, size_t n, uint32_t *r)
{
    if (n == 0) {
        return 0;
    }
    unsigned c = s[0];
    if (c < 0x80) {
        *r = c;
        return 1;
    }
    int len;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) {
        len = 2, *r = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, *r = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, *r = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)len > n) {
        return 0;
    }
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
        *r = (*r << 6) | (s[i] & 0x3F);
    }
    if (*r < min || *r > 0x10FFFF || (*r >= 0xD800 && *r <= 0xDFFF)) {
        return 0;
    }
    return len;
}

bool agg_valid_utf8(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        uint32_t r;
        int len = utf8_decode(p + i, n - i, &r);
        if (len == 0) {
            return false;
        }
        i += (size_t)len;
    }
    return true;
}

size_t agg_quote_go(const char *s, size_t n, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t pos = put(out, cap, 0, '"');
    size_t i = 0;
    while (i < n) {
        uint32_t r;
        int len = utf8_decode(p + i, n - i, &r);
        if (len == 0) {
            pos = put(out, cap, pos, '\\');
            pos = put(out, cap, pos, 'x');
            pos = put(out, cap, pos, hex[p[i] >> 4]);
            pos = put(out, cap, pos, hex[p[i] & 15]);
            i++;
            continue;
        }
        if (r == '"' || r == '\\') {
            pos = put(out, cap, pos, '\\');
            pos = put(out, cap, pos, (char)r);
        } else if (r >= 0x20 && r < 0x7F) {
            pos = put(out, cap, pos, (char)r);
        } else if (r >= 0x80 && r != 0x2028 && r != 0x2029 &&
                   !(r >= 0x80 && r < 0xA0) && r != 0xFEFF) {
            /* Printable non-ASCII runes are kept as they are (an
             * approximation of Go's unicode.IsPrint). */
            for (int k = 0; k < len; k++) {
                pos = put(out, cap, pos, (char)p[i + (size_t)k]);
            }
        } else {
            char esc = 0;
            switch (r) {
            case '\a':
                esc = 'a';
                break;
            case '\b':
                esc = 'b';
                break;
            case '\f':
                esc = 'f';
                break;
            case '\n':
                esc = 'n';
                break;
            case '\r':
                esc = 'r';
                break;
            case '\t':
                esc = 't';
                break;
            case '\v':
                esc = 'v';
                break;
            default:
                break;
            }
            pos = put(out, cap, pos, '\\');
            if (esc) {
                pos = put(out, cap, pos, esc);
            } else if (r < 0x80) {
                pos = put(out, cap, pos, 'x');
                pos = put(out, cap, pos, hex[r >> 4]);
                pos = put(out, cap, pos, hex[r & 15]);
            } else {
                pos = put(out, cap, pos, 'u');
                for (int sh = 12; sh >= 0; sh -= 4) {
                    pos = put(out, cap, pos, hex[(r >> sh) & 15]);
                }
            }
        }
        i += (size_t)len;
    }
    pos = put(out, cap, pos, '"');
    return finish(out, cap, pos);
}
