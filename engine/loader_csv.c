/* loader_csv.c: PromQL-style series text (`name{a="b"}`) shared by the CSV and promqltest loaders, and the CSV line parser. */
#include <string.h>

#include "loader_internal.h"

static int csv_is_name_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
           ch == ':';
}

static int csv_is_name_char(char ch)
{
    return csv_is_name_start(ch) || (ch >= '0' && ch <= '9');
}

static int csv_is_label_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int csv_is_label_char(char ch)
{
    return csv_is_label_start(ch) || (ch >= '0' && ch <= '9');
}

static int csv_is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

static int csv_hex(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static int csv_put_utf8(load_ctx *c, unsigned long r)
{
    char out[4];
    size_t n;
    if (r < 0x80) {
        out[0] = (char)r;
        n = 1;
    } else if (r < 0x800) {
        out[0] = (char)(0xC0 | (r >> 6));
        out[1] = (char)(0x80 | (r & 0x3F));
        n = 2;
    } else if (r < 0x10000) {
        out[0] = (char)(0xE0 | (r >> 12));
        out[1] = (char)(0x80 | ((r >> 6) & 0x3F));
        out[2] = (char)(0x80 | (r & 0x3F));
        n = 3;
    } else {
        out[0] = (char)(0xF0 | (r >> 18));
        out[1] = (char)(0x80 | ((r >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((r >> 6) & 0x3F));
        out[3] = (char)(0x80 | (r & 0x3F));
        n = 4;
    }
    return load_labels_value_append(c, out, n);
}

size_t load_read_promql_string(load_ctx *c, const char *s, size_t len,
                               int as_name)
{
    char q = s[0];
    size_t i = 1;
    if (as_name && load_labels_add_name(c, "", 0))
        return 0;
    if (q == '`') {
        const char *close = memchr(s + 1, '`', len - 1);
        if (close == NULL) {
            load_fail_at(c, s, "unterminated raw string");
            return 0;
        }
        if (load_labels_value_append(c, s + 1, (size_t)(close - s - 1)))
            return 0;
        i = (size_t)(close - s) + 1;
    } else {
        size_t run = i;
        while (i < len && s[i] != q) {
            if (s[i] != '\\') {
                i++;
                continue;
            }
            if (load_labels_value_append(c, s + run, i - run))
                return 0;
            const char *esc = s + i;
            if (i + 1 >= len)
                break;
            char e = s[i + 1];
            i += 2;
            const char *rep = NULL;
            switch (e) {
            case 'a': rep = "\a"; break;
            case 'b': rep = "\b"; break;
            case 'f': rep = "\f"; break;
            case 'n': rep = "\n"; break;
            case 'r': rep = "\r"; break;
            case 't': rep = "\t"; break;
            case 'v': rep = "\v"; break;
            case '\\': rep = "\\"; break;
            case '"':
            case '\'':
                if (e != q) {
                    load_fail_at(c, esc, "unknown escape sequence");
                    return 0;
                }
                rep = e == '"' ? "\"" : "'";
                break;
            default:
                break;
            }
            if (rep != NULL) {
                if (load_labels_value_append(c, rep, 1))
                    return 0;
            } else if (e == 'x' || e == 'u' || e == 'U') {
                int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                unsigned long r = 0;
                for (int k = 0; k < digits; k++, i++) {
                    int h = i < len ? csv_hex(s[i]) : -1;
                    if (h < 0) {
                        load_fail_at(c, esc, "invalid escape sequence");
                        return 0;
                    }
                    r = r * 16 + (unsigned long)h;
                }
                if (e == 'x') {
                    char byte = (char)r;
                    if (load_labels_value_append(c, &byte, 1))
                        return 0;
                } else if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) {
                    load_fail_at(c, esc, "escape sequence is an invalid "
                                         "Unicode code point");
                    return 0;
                } else if (csv_put_utf8(c, r)) {
                    return 0;
                }
            } else if (e >= '0' && e <= '7') {
                unsigned v = (unsigned)(e - '0');
                for (int k = 0; k < 2; k++, i++) {
                    if (i >= len || s[i] < '0' || s[i] > '7') {
                        load_fail_at(c, esc, "invalid escape sequence");
                        return 0;
                    }
                    v = v * 8 + (unsigned)(s[i] - '0');
                }
                if (v > 255) {
                    load_fail_at(c, esc, "octal escape value > 255");
                    return 0;
                }
                char byte = (char)v;
                if (load_labels_value_append(c, &byte, 1))
                    return 0;
            } else {
                load_fail_at(c, esc, "unknown escape sequence");
                return 0;
            }
            run = i;
        }
        if (i >= len) {
            load_fail_at(c, s, "unterminated quoted string");
            return 0;
        }
        if (load_labels_value_append(c, s + run, i - run))
            return 0;
        i++;
    }
    if (as_name) {
        load_labels *l = &c->lbl;
        load_label_ref *r = &l->refs[l->n - 1];
        r->name_off = r->value_off;
        r->name_len = r->value_len;
        r->value_off = l->text_len;
        r->value_len = 0;
    }
    return i;
}

/* "got ..." text for messages. */
static const char *csv_got(const char *s, size_t len, char *buf, size_t cap)
{
    if (len == 0)
        return "end of series";
    size_t n = 0;
    while (n < len && !csv_is_space(s[n]) && s[n] != ',' && s[n] != '}')
        n++;
    return load_quote(s, n ? n : 1, buf, cap);
}

size_t load_read_promql_series(load_ctx *c, const char *s, size_t len)
{
    size_t i = 0;
    char g[64];
    int have_name = 0;
    load_labels_reset(&c->lbl);
    if (i < len && csv_is_name_start(s[i])) {
        while (i < len && csv_is_name_char(s[i]))
            i++;
        if (load_labels_add_name(c, "__name__", 8) ||
            load_labels_value_append(c, s, i))
            return 0;
        have_name = 1;
        /* Blanks may stand before "{", but not eat what follows a name. */
        size_t j = i;
        while (j < len && csv_is_space(s[j]))
            j++;
        if (j < len && s[j] == '{' && !(j + 1 < len && s[j + 1] == '{'))
            i = j; /* "{{" after a blank starts a native histogram value */
    } else if (i >= len || s[i] != '{') {
        load_fail_at(c, s + i, "expected a metric name or \"{\", got %s",
                     csv_got(s + i, len - i, g, sizeof g));
        return 0;
    }
    if (i < len && s[i] == '{') {
        i++;
        for (;;) {
            while (i < len && csv_is_space(s[i]))
                i++;
            if (i < len && s[i] == '}') {
                i++;
                break;
            }
            size_t name_at = i;
            int quoted = 0;
            if (i < len && (s[i] == '"' || s[i] == '\'' || s[i] == '`')) {
                size_t n = load_read_promql_string(c, s + i, len - i, 1);
                if (n == 0)
                    return 0;
                i += n;
                quoted = 1;
            } else if (i < len && csv_is_label_start(s[i])) {
                size_t st = i;
                while (i < len && csv_is_label_char(s[i]))
                    i++;
                if (load_labels_add_name(c, s + st, i - st))
                    return 0;
            } else {
                load_fail_at(c, s + i, "expected a label name or \"}\", got %s",
                             csv_got(s + i, len - i, g, sizeof g));
                return 0;
            }
            while (i < len && csv_is_space(s[i]))
                i++;
            if (quoted && i < len && (s[i] == ',' || s[i] == '}')) {
                load_labels *l = &c->lbl;
                load_label_ref *r = &l->refs[l->n - 1];
                if (have_name) {
                    load_fail_at(c, s + name_at, "metric name already set");
                    return 0;
                }
                have_name = 1;
                r->value_off = r->name_off;
                r->value_len = r->name_len;
                if (load_labels_text(c, "__name__", 8, &r->name_off))
                    return 0;
                r->name_len = 8;
            } else {
                if (i >= len || s[i] != '=') {
                    load_fail_at(c, s + i, "expected \"=\" after the label "
                                           "name, got %s",
                                 csv_got(s + i, len - i, g, sizeof g));
                    return 0;
                }
                i++;
                while (i < len && csv_is_space(s[i]))
                    i++;
                if (i >= len ||
                    (s[i] != '"' && s[i] != '\'' && s[i] != '`')) {
                    load_fail_at(c, s + i, "expected a quoted label value, "
                                           "got %s",
                                 csv_got(s + i, len - i, g, sizeof g));
                    return 0;
                }
                size_t n = load_read_promql_string(c, s + i, len - i, 0);
                if (n == 0)
                    return 0;
                i += n;
            }
            while (i < len && csv_is_space(s[i]))
                i++;
            if (i < len && s[i] == ',') {
                i++;
                continue;
            }
            if (i < len && s[i] == '}') {
                i++;
                break;
            }
            load_fail_at(c, s + i, "expected \",\" or \"}\" after a label, "
                                   "got %s",
                         csv_got(s + i, len - i, g, sizeof g));
            return 0;
        }
    }
    return i;
}

int load_csv_line(load_ctx *c)
{
    const char *s = c->line;
    size_t len = c->line_len;
    char g[64];
    int first = c->st.csv_first_line;
    c->st.csv_first_line = 0;
    while (len > 0 && csv_is_space(s[len - 1]))
        len--;
    size_t lead = 0;
    while (lead < len && csv_is_space(s[lead]))
        lead++;
    if (lead == len || s[lead] == '#')
        return 0;
    static const char header[] = "series,timestamp_ms,value";
    if (first && len - lead == sizeof header - 1 &&
        memcmp(s + lead, header, sizeof header - 1) == 0)
        return 0;
    /* Split on the last two commas: label values may hold commas. */
    const char *c2 = NULL, *c1 = NULL;
    for (size_t k = len; k > lead; k--) {
        if (s[k - 1] != ',')
            continue;
        if (c2 == NULL) {
            c2 = s + k - 1;
        } else {
            c1 = s + k - 1;
            break;
        }
    }
    if (c1 == NULL)
        return load_fail_at(c, s + len, "expected series,timestamp_ms,value "
                                        "(two commas), got %s",
                            c2 ? "one comma" : "none");
    const char *series = s + lead;
    size_t series_len = (size_t)(c1 - series);
    while (series_len > 0 && csv_is_space(series[series_len - 1]))
        series_len--;
    long idx = load_series_find_raw(c, 0, series, series_len);
    if (idx < 0) {
        size_t used = load_read_promql_series(c, series, series_len);
        if (used == 0)
            return -1;
        while (used < series_len && csv_is_space(series[used]))
            used++;
        if (used != series_len)
            return load_fail_at(c, series + used, "expected the end of the "
                                                  "series before \",\", got %s",
                                load_quote(series + used, series_len - used, g,
                                           sizeof g));
        idx = load_series_intern(c, 0, series, series_len, series);
        if (idx < 0)
            return -1;
    }
    const char *ts = c1 + 1;
    size_t tl = (size_t)(c2 - ts);
    while (tl > 0 && csv_is_space(*ts))
        ts++, tl--;
    while (tl > 0 && csv_is_space(ts[tl - 1]))
        tl--;
    int64_t t;
    if (load_parse_int(ts, tl, &t) != 0)
        return load_fail_at(c, ts, "expected a timestamp in integer "
                                   "milliseconds, got %s",
                            tl ? load_quote(ts, tl, g, sizeof g) : "nothing");
    const char *vs = c2 + 1;
    size_t vl = (size_t)(s + len - vs);
    while (vl > 0 && csv_is_space(*vs))
        vs++, vl--;
    double v;
    int vr = load_parse_float(vs, vl, &v);
    if (vr != 0)
        return load_fail_at(c, vs, "expected a float value, got %s%s",
                            vl ? load_quote(vs, vl, g, sizeof g) : "nothing",
                            vr == -2 ? " (out of range)" : "");
    return load_sample(c, idx, t, v, ts);
}
