/* script_parse.c: reads a promqltest script into load/clear/eval commands,
 * reporting file:line for every error. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "promqltest.h"

#define ERR_CAP 512

/* Parsing state of one file: its trimmed lines and where errors go. */
typedef struct parser_state {
    script *s;
    char **lines; /* trimmed; comment lines are empty */
    size_t n_lines;
    size_t n_cmds_cap;
    char err[ERR_CAP];
    int err_line;
} parser_state;

static int go_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
           c == '\f';
}

/* Go's regexp \s: [\t\n\f\r ]. */
static int re_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static int raise(parser_state *ps, size_t line_index, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int raise(parser_state *ps, size_t line_index, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, sizeof ps->err, fmt, ap);
    va_end(ap);
    ps->err_line = (int)line_index + 1;
    return -1;
}

static command *new_command(parser_state *ps, command_kind kind,
                            size_t line_index)
{
    script *s = ps->s;
    if (s->n_cmds == ps->n_cmds_cap) {
        ps->n_cmds_cap = ps->n_cmds_cap ? ps->n_cmds_cap * 2 : 32;
        s->cmds = pt_xrealloc(s->cmds, ps->n_cmds_cap * sizeof *s->cmds);
    }
    command *c = &s->cmds[s->n_cmds++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->line = (int)line_index + 1;
    c->text = pt_pool_strndup(s->pool, ps->lines[line_index],
                              strlen(ps->lines[line_index]));
    return c;
}

static regex_t *keep_regex(script *s, regex_t *re)
{
    s->regexes =
        pt_xrealloc(s->regexes, (s->n_regexes + 1) * sizeof *s->regexes);
    s->regexes[s->n_regexes++] = re;
    return re;
}

static int parse_dur(const char *s, int64_t *ms, char *why_out, size_t cap,
                     const char *what)
{
    const char *why;
    if (pt_dur_parse(s, strlen(s), ms, &why) == 0)
        return 0;
    snprintf(why_out, cap, "invalid %s definition \"%s\": %s", what, s, why);
    return -1;
}

/* ---------------------------------------------------------------- load -- */

typedef struct series_sort {
    series_desc *d;
    size_t index;
} series_sort;

static int series_sort_cmp(const void *pa, const void *pb)
{
    const series_sort *a = pa, *b = pb;
    int c = pt_labels_compare(a->d->labels, a->d->n_labels, b->d->labels,
                              b->d->n_labels);
    if (c)
        return c;
    return a->index < b->index ? -1 : a->index > b->index;
}

/* Keeps the last of several series with equal labels, like upstream's map
 * keyed by label hash; the survivors end up sorted by labels. */
static size_t dedupe_series(series_desc *v, size_t n, pt_pool *pool)
{
    if (n < 2)
        return n;
    series_sort *tmp = pt_xmalloc(n * sizeof *tmp);
    series_desc *copy = pt_pool_memdup(pool, v, n * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        tmp[i].d = &copy[i];
        tmp[i].index = i;
    }
    qsort(tmp, n, sizeof *tmp, series_sort_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && pt_labels_compare(tmp[i].d->labels, tmp[i].d->n_labels,
                                           tmp[i + 1].d->labels,
                                           tmp[i + 1].d->n_labels) == 0)
            continue;
        v[k++] = *tmp[i].d;
    }
    free(tmp);
    return k;
}

/* An @st line: the series part is glued to "@st" before the first blank. */
static int is_st_line(const char *line)
{
    size_t n = strcspn(line, " \t");
    if (!line[n])
        return 0;
    return n >= 3 && strncmp(line + n - 3, "@st", 3) == 0;
}

static int parse_load(parser_state *ps, size_t *pi)
{
    size_t i = *pi;
    const char *l = ps->lines[i];
    pt_pool *pool = ps->s->pool;
    const char *p = l + 4;
    int with_nhcb = 0;
    if (strncmp(p, "_with_nhcb", 10) == 0) {
        with_nhcb = 1;
        p += 10;
    }
    if (strncmp(l, "load", 4) != 0 || !re_space(*p))
        return raise(
            ps, i, "invalid load command. (load[_with_nhcb] <step:duration>)");
    while (re_space(*p))
        p++;
    if (!*p)
        return raise(
            ps, i, "invalid load command. (load[_with_nhcb] <step:duration>)");
    command *c = new_command(ps, CMD_LOAD, i);
    c->load.with_nhcb = with_nhcb;
    char why[ERR_CAP];
    if (parse_dur(p, &c->load.interval_ms, why, sizeof why, "step"))
        return raise(ps, i, "%s", why);

    series_desc *list = NULL;
    size_t n = 0, cap = 0;
    int pending_st = 0;
    size_t pending_count = 0, pending_line = 0;
    int64_t *pending_offsets = NULL;
    uint8_t *pending_set = NULL;
    series_desc pending_labels = {0};
    int rc = 0;
    while (i + 1 < ps->n_lines) {
        i++;
        const char *def = ps->lines[i];
        if (!*def) {
            i--;
            break;
        }
        if (is_st_line(def)) {
            if (pending_st) {
                rc = raise(ps, pending_line,
                           "@st line has no following sample line");
                goto done;
            }
            size_t name_len = strcspn(def, " \t") - 3;
            const char *vals = def + name_len + 3;
            size_t count;
            int64_t *offsets;
            uint8_t *set;
            if (pt_desc_expand_st_sequence(vals, strlen(vals), pool, &count,
                                           &offsets, &set, ps->err,
                                           sizeof ps->err)) {
                rc = raise(ps, i, "%s", ps->err);
                goto done;
            }
            c->load.has_start_timestamps = 1;
            if (name_len == 0)
                continue; /* a default sequence for the lines that follow */
            if (pt_desc_parse_labels(def, name_len, pool, &pending_labels,
                                     ps->err, sizeof ps->err)) {
                rc = raise(ps, i, "invalid @st line metric: %s", ps->err);
                goto done;
            }
            pending_st = 1;
            pending_count = count;
            pending_offsets = offsets;
            pending_set = set;
            pending_line = i;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            list = pt_xrealloc(list, cap * sizeof *list);
        }
        if (pt_desc_parse(def, strlen(def), pool, &list[n], ps->err,
                          sizeof ps->err)) {
            rc = raise(ps, i, "%s", ps->err);
            goto done;
        }
        if (pending_st) {
            if (pt_labels_compare(pending_labels.labels,
                                  pending_labels.n_labels, list[n].labels,
                                  list[n].n_labels) != 0) {
                rc = raise(ps, pending_line,
                           "@st metric does not match the following sample "
                           "line metric");
                goto done;
            }
            if (pending_count != list[n].n_values) {
                rc = raise(ps, pending_line,
                           "@st line has %zu values but sample line has %zu",
                           pending_count, list[n].n_values);
                goto done;
            }
            list[n].st_offsets = pending_offsets;
            list[n].st_set = pending_set;
            pending_st = 0;
        }
        if (list[n].has_histogram)
            c->load.has_histograms = 1;
        n++;
    }
    if (pending_st) {
        rc = raise(ps, pending_line, "@st line has no following sample line");
        goto done;
    }
    n = dedupe_series(list, n, pool);
    c->load.series = pt_pool_memdup(pool, list, n * sizeof *list);
    c->load.n_series = n;
    *pi = i;
done:
    free(list);
    return rc;
}

/* ---------------------------------------------------------------- eval -- */

/*
 * Splits `<from>\s+to\s+<to>\s+step\s+<step>[\s+<expr>]` the way upstream's
 * regexes do: `from` and `to` greedy (the last " to " / " step " that still
 * lets the rest match), step lazy (one token) when an expression follows,
 * else the whole rest. Returns 0 and NUL-terminated copies, or -1.
 */
static int split_from_to_step(const char *r, int with_expr, pt_pool *pool,
                              char **from, char **to, char **step, char **expr)
{
    size_t len = strlen(r);
    for (size_t f_end = len; f_end >= 1; f_end--) {
        if (f_end >= len || !re_space(r[f_end]))
            continue;
        size_t k = f_end;
        while (k < len && re_space(r[k]))
            k++;
        if (strncmp(r + k, "to", 2) != 0 || !re_space(r[k + 2]))
            continue;
        size_t t0 = k + 2;
        while (t0 < len && re_space(r[t0]))
            t0++;
        for (size_t t_end = len; t_end > t0; t_end--) {
            if (t_end >= len || !re_space(r[t_end]))
                continue;
            size_t m = t_end;
            while (m < len && re_space(r[m]))
                m++;
            if (strncmp(r + m, "step", 4) != 0 || !re_space(r[m + 4]))
                continue;
            size_t s0 = m + 4;
            while (s0 < len && re_space(r[s0]))
                s0++;
            if (s0 >= len)
                continue;
            size_t s_end = len, e0 = len;
            if (with_expr) {
                s_end = s0 + 1;
                while (s_end < len && !re_space(r[s_end]))
                    s_end++;
                e0 = s_end;
                while (e0 < len && re_space(r[e0]))
                    e0++;
                if (s_end >= len || e0 >= len)
                    continue;
            }
            *from = pt_pool_strndup(pool, r, f_end);
            *to = pt_pool_strndup(pool, r + t0, t_end - t0);
            *step = pt_pool_strndup(pool, r + s0, s_end - s0);
            if (expr)
                *expr = pt_pool_strndup(pool, r + e0, len - e0);
            return 0;
        }
    }
    return -1;
}

static int parse_range_times(const char *from, const char *to, const char *step,
                             int64_t *f, int64_t *t, int64_t *st, char *err,
                             size_t cap)
{
    const char *why;
    if (pt_dur_parse(from, strlen(from), f, &why)) {
        snprintf(err, cap, "invalid start timestamp definition \"%s\": %s",
                 from, why);
        return -1;
    }
    if (pt_dur_parse(to, strlen(to), t, &why)) {
        snprintf(err, cap, "invalid end timestamp definition \"%s\": %s", to,
                 why);
        return -1;
    }
    if (*t < *f) {
        snprintf(err, cap,
                 "invalid test definition, end timestamp (%s) is before start "
                 "timestamp (%s)",
                 to, from);
        return -1;
    }
    if (pt_dur_parse(step, strlen(step), st, &why)) {
        snprintf(err, cap, "invalid step definition \"%s\": %s", step, why);
        return -1;
    }
    return 0;
}

static const char *const invalid_eval =
    "invalid evaluation command. Must be either 'eval[_fail|_warn|_ordered] "
    "instant [at <offset:duration>] <query>' or 'eval[_fail|_warn] range "
    "from <from> to <to> step <step> <query>'";

/* Matches `eval[_mod]\s+<word>\s+`; returns the text after it or NULL. */
static const char *eval_head(const char *l, const char *word,
                             const char *const *mods, const char **mod)
{
    const char *p = l + 4;
    *mod = "";
    if (*p == '_') {
        for (size_t k = 0; mods[k]; k++) {
            size_t n = strlen(mods[k]);
            if (strncmp(p + 1, mods[k], n) == 0 && re_space(p[1 + n])) {
                *mod = mods[k];
                p += 1 + n;
                break;
            }
        }
        if (!**mod)
            return NULL;
    }
    if (!re_space(*p))
        return NULL;
    while (re_space(*p))
        p++;
    size_t n = strlen(word);
    if (strncmp(p, word, n) != 0 || !re_space(p[n]))
        return NULL;
    return p + n;
}

static int add_expect(parser_state *ps, size_t i, eval_cmd *ev,
                      const char *line)
{
    static const char *const names[EXPECT_KINDS] = {
        "ordered", "fail", "warn", "no_warn", "info", "no_info"};
    script *s = ps->s;
    const char *p = line + 6;
    const char *fmt_prefix = "error in eval %s (line %zu): %s";
    const char *bad = "invalid expect statement, must match `expect <type> "
                      "<match_type>: <string>` format";
    if (!re_space(*p))
        return raise(ps, i, fmt_prefix, ev->expr, i + 1, bad);
    while (re_space(*p))
        p++;
    int kind = -1;
    size_t klen = 0;
    for (int k = 0; k < EXPECT_KINDS; k++) {
        size_t n = strlen(names[k]);
        if (strncmp(p, names[k], n) == 0 && (!p[n] || re_space(p[n])) &&
            n > klen) {
            kind = k;
            klen = n;
        }
    }
    if (kind < 0)
        return raise(ps, i, fmt_prefix, ev->expr, i + 1, bad);
    p += klen;
    text_match m = {0};
    if (*p) {
        while (re_space(*p))
            p++;
        int is_msg = strncmp(p, "msg:", 4) == 0;
        int is_regex = strncmp(p, "regex:", 6) == 0;
        if ((!is_msg && !is_regex) || !p[is_msg ? 4 : 6])
            return raise(ps, i, fmt_prefix, ev->expr, i + 1, bad);
        p += is_msg ? 4 : 6;
        while (go_space(*p))
            p++;
        char *text = pt_pool_strndup(s->pool, p, strlen(p));
        if (is_msg) {
            m.message = text;
        } else {
            m.regex = pt_regex_compile(text);
            if (!m.regex)
                return raise(
                    ps, i,
                    "error in eval %s (line %zu): invalid regex %s for %s",
                    ev->expr, i + 1, text, names[kind]);
            keep_regex(s, m.regex);
            m.pattern = text;
        }
    }
    text_match *list =
        pt_pool_alloc(s->pool, (ev->n_expects[kind] + 1) * sizeof *list);
    if (ev->n_expects[kind])
        memcpy(list, ev->expects[kind], ev->n_expects[kind] * sizeof *list);
    list[ev->n_expects[kind]++] = m;
    ev->expects[kind] = list;
    const char *invalid = NULL;
    if (ev->n_expects[EXPECT_INFO] && ev->n_expects[EXPECT_NO_INFO])
        invalid =
            "invalid expect lines, info and no_info cannot be used together";
    else if (ev->n_expects[EXPECT_WARN] && ev->n_expects[EXPECT_NO_WARN])
        invalid =
            "invalid expect lines, warn and no_warn cannot be used together";
    else if (ev->n_expects[EXPECT_FAIL] > 1)
        invalid =
            "invalid expect lines, multiple expect fail lines are not allowed";
    if (invalid)
        return raise(ps, i, fmt_prefix, ev->expr, i + 1, invalid);
    return 0;
}

static int parse_eval(parser_state *ps, size_t *pi)
{
    static const char *const instant_mods[] = {"fail", "warn", "ordered",
                                               "info", NULL};
    static const char *const range_mods[] = {"fail", "warn", "info", NULL};
    size_t i = *pi;
    const char *l = ps->lines[i];
    script *s = ps->s;
    pt_pool *pool = s->pool;
    const char *mod;
    char *at = NULL, *expr = NULL, *from = NULL, *to = NULL, *step = NULL;
    int is_instant = 0;

    const char *rest = strncmp(l, "eval", 4) == 0
                           ? eval_head(l, "instant", instant_mods, &mod)
                           : NULL;
    if (rest) {
        /* `\s+(?:at\s+(.+?))?\s+(.+)$`: the time is one token. */
        const char *p = rest;
        while (re_space(*p))
            p++;
        if (strncmp(p, "at", 2) == 0 && re_space(p[2])) {
            const char *t = p + 2;
            while (re_space(*t))
                t++;
            const char *te = t;
            while (*te && !re_space(*te))
                te++;
            const char *e = te;
            while (re_space(*e))
                e++;
            if (te > t && *te && *e) {
                at = pt_pool_strndup(pool, t, (size_t)(te - t));
                expr = pt_pool_strndup(pool, e, strlen(e));
                is_instant = 1;
            }
        }
        if (!is_instant && p - rest >= 2 && *p) {
            at = pt_pool_strndup(pool, "", 0);
            expr = pt_pool_strndup(pool, p, strlen(p));
            is_instant = 1;
        }
    }
    if (!is_instant) {
        rest = strncmp(l, "eval", 4) == 0
                   ? eval_head(l, "range", range_mods, &mod)
                   : NULL;
        const char *p = rest;
        if (p) {
            while (re_space(*p))
                p++;
            if (strncmp(p, "from", 4) == 0 && re_space(p[4])) {
                p += 4;
                while (re_space(*p))
                    p++;
            } else {
                p = NULL;
            }
        }
        if (!p || split_from_to_step(p, 1, pool, &from, &to, &step, &expr))
            return raise(ps, i, "%s", invalid_eval);
    }

    command *c = new_command(ps, CMD_EVAL, i);
    eval_cmd *ev = &c->eval;
    ev->expr = expr;
    ev->end_ms = INT64_MIN; /* an instant eval has no range end */
    char why[ERR_CAP];
    if (is_instant) {
        const char *w;
        if (pt_dur_parse(at, strlen(at), &ev->eval_ms, &w))
            return raise(ps, i,
                         "error in eval %s (line %zu): invalid timestamp "
                         "definition \"%s\": %s",
                         expr, i + 1, at, w);
        ev->start_ms = ev->eval_ms;
    } else {
        ev->is_range = 1;
        if (parse_range_times(from, to, step, &ev->start_ms, &ev->end_ms,
                              &ev->step_ms, why, sizeof why))
            return raise(ps, i, "error in eval %s (line %zu): %s", expr, i + 1,
                         why);
    }
    if (strcmp(mod, "ordered") == 0)
        ev->legacy_ordered = 1;
    else if (strcmp(mod, "fail") == 0)
        ev->legacy_fail = 1;
    else if (strcmp(mod, "warn") == 0)
        ev->legacy_warn = 1;
    else if (strcmp(mod, "info") == 0)
        ev->legacy_info = 1;

    expected_series *list = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    /* j is the 1-based position of a result line; expect lines don't count. */
    int j = 1;
    for (; i + 1 < ps->n_lines; j++) {
        i++;
        const char *def = ps->lines[i];
        if (!*def) {
            i--;
            break;
        }
        if (ev->legacy_fail && strncmp(def, "expected_fail_message", 21) == 0) {
            const char *m = def + 21;
            while (go_space(*m))
                m++;
            ev->legacy_fail_match.message = pt_pool_strndup(pool, m, strlen(m));
            break;
        }
        if (ev->legacy_fail && strncmp(def, "expected_fail_regexp", 20) == 0) {
            const char *m = def + 20;
            while (go_space(*m))
                m++;
            regex_t *re = pt_regex_compile(m);
            if (!re) {
                rc = raise(ps, i,
                           "error in eval %s (line %zu): invalid regexp '%s' "
                           "for expected_fail_regexp",
                           expr, (size_t)c->line, m);
                goto done;
            }
            ev->legacy_fail_match.regex = keep_regex(s, re);
            ev->legacy_fail_match.pattern = pt_pool_strndup(pool, m, strlen(m));
            break;
        }
        if (strncmp(def, "expect range vector", 19) == 0) {
            const char *p = def + 19;
            char *f, *t, *st;
            int ok = re_space(*p);
            while (re_space(*p))
                p++;
            ok = ok && strncmp(p, "from", 4) == 0 && re_space(p[4]);
            if (ok) {
                p += 4;
                while (re_space(*p))
                    p++;
            }
            if (!ok || split_from_to_step(p, 0, pool, &f, &t, &st, NULL)) {
                rc = raise(ps, i,
                           "error in eval %s (line %d): invalid range vector "
                           "definition \"%s\"",
                           expr, c->line, def);
                goto done;
            }
            if (parse_range_times(f, t, st, &ev->start_ms, &ev->end_ms,
                                  &ev->step_ms, why, sizeof why)) {
                rc = raise(ps, i, "error in eval %s (line %d): %s", expr,
                           c->line, why);
                goto done;
            }
            ev->has_range_vector = 1;
            ev->eval_ms = ev->end_ms;
            ev->exclude_from_range = 1;
            continue;
        }
        if (strncmp(def, "expect string", 13) == 0) {
            const char *lit = def + 13;
            if (*lit == ' ')
                lit++;
            if (!def[13] || !*lit) {
                rc = raise(ps, i,
                           "error in eval %s (line %d): expected string "
                           "literal not valid - a quoted string literal is "
                           "required",
                           expr, c->line);
                goto done;
            }
            if (def[13] != ' ' ||
                pt_desc_unquote(lit, strlen(lit), pool, &ev->string,
                                &ev->string_len)) {
                rc = raise(ps, i,
                           "error in eval %s (line %d): expected string "
                           "literal not valid - check that the string is "
                           "correctly quoted",
                           expr, c->line);
                goto done;
            }
            ev->expect_string = 1;
            ev->exclude_from_range = 1;
            continue;
        }
        if (strncmp(def, "expect", 6) == 0 && (def[6] == ' ' || !def[6])) {
            if (add_expect(ps, i, ev, def)) {
                rc = -1;
                goto done;
            }
            j--;
            continue;
        }
        double num;
        if (pt_desc_parse_number(def, &num) == 0) {
            ev->expect_scalar = 1;
            ev->scalar.value = num;
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            list = pt_xrealloc(list, cap * sizeof *list);
        }
        if (pt_desc_parse(def, strlen(def), pool, &list[n].desc, ps->err,
                          sizeof ps->err)) {
            rc = raise(ps, i, "%s", ps->err);
            goto done;
        }
        if (list[n].desc.n_values > 1 && is_instant && !ev->has_range_vector) {
            rc = raise(ps, i,
                       "error in eval %s (line %d): expecting multiple values "
                       "in instant evaluation not allowed. consider using "
                       "'expect range vector' directive to enable a range "
                       "vector result for an instant query",
                       expr, c->line);
            goto done;
        }
        if (list[n].desc.n_values == 0) {
            rc = raise(ps, i, "expected series without a value: %s", def);
            goto done;
        }
        if (list[n].desc.has_histogram)
            ev->wants_histograms = 1;
        list[n].pos = j;
        ev->expect_scalar = 0;
        n++;
    }
    /* Equal label sets: the later line wins, as in upstream's map. */
    ev->series = NULL;
    ev->n_series = 0;
    if (n) {
        series_sort *tmp = pt_xmalloc(n * sizeof *tmp);
        for (size_t k = 0; k < n; k++) {
            tmp[k].d = &list[k].desc;
            tmp[k].index = k;
        }
        qsort(tmp, n, sizeof *tmp, series_sort_cmp);
        ev->series = pt_pool_alloc(pool, n * sizeof *ev->series);
        for (size_t k = 0; k < n; k++) {
            if (k + 1 < n &&
                pt_labels_compare(tmp[k].d->labels, tmp[k].d->n_labels,
                                  tmp[k + 1].d->labels,
                                  tmp[k + 1].d->n_labels) == 0)
                continue;
            ev->series[ev->n_series++] = list[tmp[k].index];
        }
        free(tmp);
    }
    *pi = i;
done:
    free(list);
    return rc;
}

/* -------------------------------------------------------------- script -- */

static int parse_lines(parser_state *ps)
{
    for (size_t i = 0; i < ps->n_lines; i++) {
        const char *l = ps->lines[i];
        if (!*l)
            continue;
        /* The command word is the first blank-separated token, lower-cased. */
        char word[16];
        size_t n = strcspn(l, " \t");
        size_t k;
        for (k = 0; k < n && k < sizeof word - 1; k++)
            word[k] = (char)tolower((unsigned char)l[k]);
        word[k] = '\0';
        int rc;
        if (n == 5 && strcmp(word, "clear") == 0) {
            new_command(ps, CMD_CLEAR, i);
            rc = 0;
        } else if (strncmp(word, "load", 4) == 0) {
            rc = parse_load(ps, &i);
        } else if (strncmp(word, "eval", 4) == 0) {
            rc = parse_eval(ps, &i);
        } else {
            rc = raise(ps, i, "invalid command \"%s\"", l);
        }
        if (rc)
            return -1;
    }
    return 0;
}

int pt_script_load(const char *path, script *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    sbuf text = {0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        pt_sbuf_append(&text, chunk, got);
    int read_error = ferror(f);
    fclose(f);
    if (read_error) {
        snprintf(err, cap, "%s: read error", path);
        pt_sbuf_free(&text);
        return -1;
    }
    out->pool = pt_pool_new();
    out->path = pt_pool_strndup(out->pool, path, strlen(path));
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    out->name = pt_pool_strndup(out->pool, base, strlen(base));

    /* Split into trimmed lines in place; comment lines become empty. */
    parser_state ps = {0};
    ps.s = out;
    char *data = text.data ? text.data : (char *)"";
    size_t n_lines = 1;
    for (size_t k = 0; k < text.len; k++)
        n_lines += data[k] == '\n';
    ps.lines = pt_xmalloc(n_lines * sizeof *ps.lines);
    char *line = data;
    for (size_t k = 0; k < n_lines; k++) {
        char *nl = strchr(line, '\n');
        char *next = nl ? nl + 1 : line + strlen(line);
        if (nl)
            *nl = '\0';
        while (go_space(*line))
            line++;
        size_t len = strlen(line);
        while (len && go_space(line[len - 1]))
            line[--len] = '\0';
        ps.lines[k] = line[0] == '#' ? line + len : line;
        line = next;
    }
    ps.n_lines = n_lines;
    if (parse_lines(&ps)) {
        /* A script error aborts the whole file, as upstream does. */
        out->error_line = ps.err_line;
        out->error = pt_pool_strndup(out->pool, ps.err, strlen(ps.err));
        out->n_cmds = 0;
    }
    free(ps.lines);
    pt_sbuf_free(&text);
    return 0;
}

void pt_script_free(script *s)
{
    for (size_t i = 0; i < s->n_regexes; i++)
        pt_regex_free(s->regexes[i]);
    free(s->regexes);
    free(s->cmds);
    pt_pool_free(s->pool);
    memset(s, 0, sizeof *s);
}
