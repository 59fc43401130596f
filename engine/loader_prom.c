/* loader_prom.c: line parser for Prometheus text exposition 0.0.4 and OpenMetrics 1.0 text, following Prometheus's textparse rules. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "loader_internal.h"
#include "float_shortest.h"

static int prom_is_name_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
           ch == ':';
}

static int prom_is_name_char(char ch)
{
    return prom_is_name_start(ch) || (ch >= '0' && ch <= '9');
}

static int prom_is_label_start(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static int prom_is_label_char(char ch)
{
    return prom_is_label_start(ch) || (ch >= '0' && ch <= '9');
}

static int prom_is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* "got ..." for messages: the token at p (up to a blank), or end of line. */
static const char *prom_got(load_ctx *c, const char *p, char *buf, size_t cap)
{
    const char *end = c->line + c->line_len;
    if (p >= end)
        return "end of line";
    const char *q = p;
    while (q < end && !prom_is_blank(*q))
        q++;
    if (q == p)
        q = p + 1;
    return load_quote(p, (size_t)(q - p), buf, cap);
}

/* Reads a double-quoted text with the exposition escapes (\\, \", \n; any
 * other pair is kept as written) at p; appends it as the current label's
 * value, or as a new name when as_name. Returns the end or NULL. */
static const char *prom_read_quoted(load_ctx *c, const char *p, int as_name)
{
    const char *end = c->line + c->line_len;
    const char *start = p;
    if (p >= end || *p != '"') {
        char g[64];
        load_fail_at(c, p, "expected a double-quoted %s, got %s",
                     as_name ? "name" : "label value", prom_got(c, p, g, sizeof g));
        return NULL;
    }
    p++;
    if (as_name && load_labels_add_name(c, "", 0))
        return NULL;
    const char *run = p;
    while (p < end && *p != '"') {
        if (*p != '\\') {
            p++;
            continue;
        }
        if (p + 1 >= end)
            break;
        char e = p[1];
        const char *rep = e == '\\' ? "\\" : e == '"' ? "\"" : e == 'n' ? "\n" : NULL;
        if (rep == NULL) { /* kept as written */
            p += 2;
            continue;
        }
        if (load_labels_value_append(c, run, (size_t)(p - run)) ||
            load_labels_value_append(c, rep, 1))
            return NULL;
        p += 2;
        run = p;
    }
    if (p >= end || *p != '"') {
        load_fail_at(c, start, "unterminated quoted string");
        return NULL;
    }
    if (load_labels_value_append(c, run, (size_t)(p - run)))
        return NULL;
    if (as_name) {
        /* The text went into the value slot; make it the name. */
        load_labels *l = &c->lbl;
        load_label_ref *r = &l->refs[l->n - 1];
        r->name_off = r->value_off;
        r->name_len = r->value_len;
        r->value_off = l->text_len;
        r->value_len = 0;
    }
    return p + 1;
}

/* Prometheus 3 stores `le` of histograms and `quantile` of summaries in
 * OpenMetrics float form, whatever the text said. */
static int prom_normalize_value(load_ctx *c)
{
    load_labels *l = &c->lbl;
    load_label_ref *r = &l->refs[l->n - 1];
    const char *name = l->text + r->name_off;
    int t = c->st.metric_type;
    if (!((t == LOAD_TYPE_HISTOGRAM && r->name_len == 2 &&
           memcmp(name, "le", 2) == 0) ||
          (t == LOAD_TYPE_SUMMARY && r->name_len == 8 &&
           memcmp(name, "quantile", 8) == 0)))
        return 0;
    double v;
    if (load_parse_float(l->text + r->value_off, r->value_len, &v) != 0)
        return 0;
    char out[48];
    if (v != v)
        snprintf(out, sizeof out, "NaN");
    else if (isinf(v))
        snprintf(out, sizeof out, v > 0 ? "+Inf" : "-Inf");
    else {
        float_format_go_g(v, out, sizeof out - 2);
        if (strpbrk(out, ".e") == NULL)
            strcat(out, ".0");
    }
    return load_labels_value_set(c, out, strlen(out));
}

/* Parses `{...}` at p (p at '{'). OpenMetrics allows no blanks inside. */
static const char *prom_read_labels(load_ctx *c, const char *p, int om,
                                    int *have_name)
{
    const char *end = c->line + c->line_len;
    char g[64];
    p++; /* { */
    for (;;) {
        if (!om)
            while (p < end && prom_is_blank(*p))
                p++;
        if (p < end && *p == '}')
            return p + 1;
        const char *name_at = p;
        if (p < end && *p == '"') {
            p = prom_read_quoted(c, p, 1);
            if (p == NULL)
                return NULL;
        } else if (p < end && prom_is_label_start(*p)) {
            const char *s = p;
            while (p < end && prom_is_label_char(*p))
                p++;
            if (load_labels_add_name(c, s, (size_t)(p - s)))
                return NULL;
        } else {
            load_fail_at(c, p, "expected a label name or \"}\", got %s",
                         prom_got(c, p, g, sizeof g));
            return NULL;
        }
        if (!om)
            while (p < end && prom_is_blank(*p))
                p++;
        if (p < end && (*p == ',' || *p == '}') && *name_at == '"') {
            /* A lone quoted string is the metric name (UTF-8 names). */
            load_labels *l = &c->lbl;
            load_label_ref *r = &l->refs[l->n - 1];
            if (*have_name) {
                load_fail_at(c, name_at, "metric name already set");
                return NULL;
            }
            *have_name = 1;
            r->value_off = r->name_off;
            r->value_len = r->name_len;
            if (load_labels_text(c, "__name__", 8, &r->name_off))
                return NULL;
            r->name_len = 8;
        } else {
            if (p >= end || *p != '=') {
                load_fail_at(c, p, "expected \"=\" after the label name, got %s",
                             prom_got(c, p, g, sizeof g));
                return NULL;
            }
            p++;
            if (!om)
                while (p < end && prom_is_blank(*p))
                    p++;
            p = prom_read_quoted(c, p, 0);
            if (p == NULL || prom_normalize_value(c))
                return NULL;
        }
        if (!om)
            while (p < end && prom_is_blank(*p))
                p++;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '}')
            return p + 1;
        load_fail_at(c, p, "expected \",\" or \"}\" after a label, got %s",
                     prom_got(c, p, g, sizeof g));
        return NULL;
    }
}

/* `# HELP`, `# TYPE`, `# UNIT`, `# EOF` and (text format only) comments. */
static int prom_meta_line(load_ctx *c, const char *p, int om)
{
    const char *end = c->line + c->line_len;
    const char *s = p + 1;
    char g[64];
    if (om) {
        if ((size_t)(end - p) == 5 && memcmp(p, "# EOF", 5) == 0) {
            c->st.seen_eof = 1;
            return 0;
        }
        if (s >= end || *s != ' ')
            return load_fail_at(c, s, "expected \"# HELP\", \"# TYPE\", "
                                      "\"# UNIT\" or \"# EOF\"");
        s++;
    } else {
        while (s < end && prom_is_blank(*s))
            s++;
    }
    int kind = 0; /* 1 help, 2 type, 3 unit */
    if (end - s >= 4 && memcmp(s, "HELP", 4) == 0)
        kind = 1;
    else if (end - s >= 4 && memcmp(s, "TYPE", 4) == 0)
        kind = 2;
    else if (om && end - s >= 4 && memcmp(s, "UNIT", 4) == 0)
        kind = 3;
    if (kind == 0 || (s + 4 < end && !prom_is_blank(s[4]))) {
        if (!om)
            return 0; /* an ordinary comment */
        return load_fail_at(c, s, "expected HELP, TYPE, UNIT or EOF after "
                                  "\"# \", got %s",
                            prom_got(c, s, g, sizeof g));
    }
    const char *word = s;
    s += 4;
    if (s >= end) {
        if (!om)
            return 0; /* `# HELP` alone is a comment to promparse */
        return load_fail_at(c, s, "expected a metric name after %.4s", word);
    }
    s++;
    if (!om)
        while (s < end && prom_is_blank(*s))
            s++;
    const char *name = s;
    if (s < end && *s == '"') {
        s++;
        while (s < end && *s != '"')
            s += (*s == '\\' && s + 1 < end) ? 2 : 1;
        if (s >= end)
            return load_fail_at(c, name, "unterminated quoted metric name");
        s++;
    } else {
        while (s < end && prom_is_name_char(*s))
            s++;
        if (s == name || !prom_is_name_start(*name))
            return load_fail_at(c, name, "expected a metric name after %.4s, "
                                         "got %s",
                                word, prom_got(c, name, g, sizeof g));
    }
    size_t name_len = (size_t)(s - name);
    const char *text = s;
    if (s < end) {
        if (!prom_is_blank(*s))
            return load_fail_at(c, s, "expected a blank after the metric "
                                      "name, got %s",
                                prom_got(c, s, g, sizeof g));
        text = s + 1;
        if (!om)
            while (text < end && prom_is_blank(*text))
                text++;
    } else if (om || kind == 2) {
        return load_fail_at(c, s, "expected text after the metric name in "
                                  "%.4s",
                            word);
    }
    size_t text_len = (size_t)(end - text);
    if (!om)
        while (text_len > 0 && (prom_is_blank(text[text_len - 1]) ||
                                text[text_len - 1] == '\r'))
            text_len--;
    if (kind == 2) {
        static const struct {
            const char *word;
            int type;
            int om_only;
            int text_only;
        } types[] = {
            {"counter", LOAD_TYPE_COUNTER, 0, 0},
            {"gauge", LOAD_TYPE_GAUGE, 0, 0},
            {"histogram", LOAD_TYPE_HISTOGRAM, 0, 0},
            {"summary", LOAD_TYPE_SUMMARY, 0, 0},
            {"untyped", LOAD_TYPE_UNKNOWN, 0, 1},
            {"unknown", LOAD_TYPE_UNKNOWN, 1, 0},
            {"gaugehistogram", LOAD_TYPE_GAUGEHISTOGRAM, 1, 0},
            {"info", LOAD_TYPE_INFO, 1, 0},
            {"stateset", LOAD_TYPE_STATESET, 1, 0},
        };
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
            if ((om && types[i].text_only) || (!om && types[i].om_only))
                continue;
            if (strlen(types[i].word) == text_len &&
                memcmp(types[i].word, text, text_len) == 0) {
                c->st.metric_type = types[i].type;
                return 0;
            }
        }
        return load_fail_at(c, text, "invalid metric type %s",
                            load_quote(text, text_len, g, sizeof g));
    }
    if (kind == 3 && text_len > 0) {
        if (!(name_len > text_len + 1 &&
              memcmp(name + name_len - text_len, text, text_len) == 0 &&
              name[name_len - text_len - 1] == '_')) {
            char q[64];
            return load_fail_at(c, text, "unit %s not a suffix of metric %s",
                                load_quote(text, text_len, g, sizeof g),
                                load_quote(name, name_len, q, sizeof q));
        }
    }
    return 0;
}

int load_prom_line(load_ctx *c)
{
    int om = c->format == PQL_FORMAT_OPENMETRICS;
    const char *p = c->line;
    const char *end = c->line + c->line_len;
    char g[64];
    if (om && c->st.seen_eof)
        return load_fail_at(c, p, "unexpected data after # EOF");
    if (!om) {
        while (p < end && prom_is_blank(*p))
            p++;
        while (end > p && (prom_is_blank(end[-1]) || end[-1] == '\r'))
            end--;
        if (p == end)
            return 0;
        c->line_len = (size_t)(end - c->line);
    } else if (p == end) {
        return load_fail_at(c, p, "expected a sample, \"# HELP\", \"# TYPE\", "
                                  "\"# UNIT\" or \"# EOF\", got an empty line");
    }
    if (*p == '#')
        return prom_meta_line(c, p, om);

    /* The series: a name, labels, or both. */
    const char *series = p;
    if (prom_is_name_start(*p)) {
        while (p < end && prom_is_name_char(*p))
            p++;
    } else if (*p != '{') {
        return load_fail_at(c, p, "expected a metric name, \"{\" or \"#\", "
                                  "got %s",
                            prom_got(c, p, g, sizeof g));
    }
    if (p < end && *p == '{') {
        /* Find the closing brace cheaply for the raw cache; the real parse
         * (on a miss) checks everything. */
        const char *q = p + 1;
        int in_str = 0;
        while (q < end && (in_str || *q != '}')) {
            if (in_str && *q == '\\')
                q++;
            else if (*q == '"')
                in_str = !in_str;
            q++;
        }
        if (q < end)
            p = q + 1;
        else
            p = end; /* unterminated: the parse below reports it */
    }
    size_t raw_len = (size_t)(p - series);
    int tag = (om ? 16 : 0) + c->st.metric_type;
    long idx = load_series_find_raw(c, tag, series, raw_len);
    if (idx < 0) {
        load_labels_reset(&c->lbl);
        const char *q = series;
        int have_name = 0;
        if (prom_is_name_start(*q)) {
            while (q < end && prom_is_name_char(*q))
                q++;
            if (load_labels_add_name(c, "__name__", 8) ||
                load_labels_value_append(c, series, (size_t)(q - series)))
                return -1;
            have_name = 1;
        }
        if (q < end && *q == '{') {
            q = prom_read_labels(c, q, om, &have_name);
            if (q == NULL)
                return -1;
        }
        if (!have_name)
            return load_fail_at(c, series, "metric name not set");
        p = q;
        raw_len = (size_t)(p - series);
        idx = load_series_intern(c, tag, series, raw_len, series);
        if (idx < 0)
            return -1;
    }

    /* The value. */
    if (p >= end || !prom_is_blank(*p) || (om && *p != ' '))
        return load_fail_at(c, p, "expected a %s and a value after the "
                                  "series, got %s",
                            om ? "space" : "blank", prom_got(c, p, g, sizeof g));
    p++;
    if (!om)
        while (p < end && prom_is_blank(*p))
            p++;
    const char *vs = p;
    while (p < end && !prom_is_blank(*p))
        p++;
    double v;
    int vr = load_parse_float(vs, (size_t)(p - vs), &v);
    if (vr != 0)
        return load_fail_at(c, vs, "expected a float value, got %s%s",
                            vs == p ? prom_got(c, vs, g, sizeof g)
                                    : load_quote(vs, (size_t)(p - vs), g, sizeof g),
                            vr == -2 ? " (out of range)" : "");

    /* The optional timestamp, then (OpenMetrics) an optional exemplar. */
    int64_t t = c->default_ms;
    const char *ts_at = vs;
    if (p < end) {
        if (om && *p != ' ')
            return load_fail_at(c, p, "expected a space, got %s",
                                prom_got(c, p, g, sizeof g));
        p++;
        if (!om)
            while (p < end && prom_is_blank(*p))
                p++;
        if (om && p < end && *p == '#') {
            p = end; /* exemplar without timestamp: dropped */
        } else if (p < end) {
            const char *ts = p;
            while (p < end && !prom_is_blank(*p))
                p++;
            size_t tl = (size_t)(p - ts);
            ts_at = ts;
            if (om) {
                double sec;
                if (load_parse_float(ts, tl, &sec) != 0 || isnan(sec) ||
                    isinf(sec) || fabs(sec * 1000.0) >= 9.2e18)
                    return load_fail_at(c, ts, "expected a timestamp in "
                                               "seconds, got %s",
                                        load_quote(ts, tl, g, sizeof g));
                /* promtool's int64(ts*1000): truncation toward zero. */
                t = (int64_t)(sec * 1000.0);
            } else if (load_parse_int(ts, tl, &t) != 0) {
                return load_fail_at(c, ts, "expected a timestamp in integer "
                                           "milliseconds, got %s",
                                    load_quote(ts, tl, g, sizeof g));
            }
            if (p < end) {
                if (om && (end - p < 3 || memcmp(p, " # ", 3) != 0))
                    return load_fail_at(c, p, "expected an exemplar "
                                              "(\" # {...} value\") or the end "
                                              "of the line, got %s",
                                        prom_got(c, p + 1, g, sizeof g));
                if (!om)
                    return load_fail_at(c, p + 1, "expected the end of the "
                                                  "line after the timestamp, "
                                                  "got %s",
                                        prom_got(c, p + 1, g, sizeof g));
            }
        } else if (om) {
            return load_fail_at(c, p, "expected a timestamp after the space, "
                                      "got end of line");
        }
    }
    return load_sample(c, idx, t, v, ts_at);
}

int load_prom_finish(load_ctx *c)
{
    if (c->format == PQL_FORMAT_OPENMETRICS && !c->st.seen_eof)
        return load_fail_at(c, NULL, "data does not end with # EOF");
    return 0;
}
