/* at_rewrite.c: builds the `@ <t>` variant of an instant eval's expression that
 * upstream's runner also evaluates. */
#include <stdlib.h>
#include <string.h>

#include "promqltest.h"

/* Functions whose value changes with the evaluation time even when their
 * arguments are pinned by @ (upstream's AtModifierUnsafeFunctions). */
static const char *const unsafe_functions[] = {
    "days_in_month", "day_of_month",   "day_of_week", "day_of_year",
    "end",           "hour",           "minute",      "month",
    "year",          "predict_linear", "range",       "start",
    "step",          "time",           "timestamp",   NULL};

/* Upstream stops looking below a subquery once it has given it an @, so
 * calls inside subqueries never disable the extra runs. */
static int calls_unsafe_function(const pql_node *n)
{
    pql_node_kind kind = pql_node_get_kind(n);
    if (kind == PQL_NODE_CALL) {
        const char *name = pql_node_function_name(n);
        for (size_t i = 0; name && unsafe_functions[i]; i++)
            if (strcmp(name, unsafe_functions[i]) == 0)
                return 1;
    }
    if (kind == PQL_NODE_SUBQUERY)
        return 0;
    size_t count = pql_node_child_count(n);
    for (size_t i = 0; i < count; i++)
        if (calls_unsafe_function(pql_node_child(n, i)))
            return 1;
    return 0;
}

typedef struct edit {
    size_t pos; /* byte offset in the canonical text */
    size_t del; /* bytes replaced there (an existing `@ start()`) */
} edit;

typedef struct rewrite_state {
    const char *canon;
    size_t canon_len;
    edit *edits;
    size_t n_edits, cap;
    sbuf error;
} rewrite_state;

static size_t skip_quoted(const char *s, size_t i)
{
    char q = s[i++];
    while (s[i] && s[i] != q) {
        if (s[i] == '\\' && q != '`' && s[i + 1])
            i++;
        i++;
    }
    return s[i] ? i + 1 : i;
}

/* End of `name{matchers}` at the start of a canonical selector text. */
static size_t skip_selector_core(const char *s)
{
    size_t i = 0;
    while (s[i] && s[i] != '{' && s[i] != '[' && s[i] != ' ')
        i++;
    if (s[i] == '{') {
        i++;
        while (s[i] && s[i] != '}')
            i = (s[i] == '"' || s[i] == '\'' || s[i] == '`') ? skip_quoted(s, i)
                                                             : i + 1;
        if (s[i] == '}')
            i++;
    }
    return i;
}

/* Past `[...]` at s[i], or 0 when there is none. */
static size_t skip_brackets(const char *s, size_t i)
{
    if (s[i] != '[')
        return 0;
    while (s[i] && s[i] != ']')
        i++;
    return s[i] ? i + 1 : 0;
}

static void add_edit(rewrite_state *st, size_t pos, size_t del)
{
    if (st->n_edits == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 16;
        st->edits = pt_xrealloc(st->edits, st->cap * sizeof *st->edits);
    }
    st->edits[st->n_edits].pos = pos;
    st->edits[st->n_edits].del = del;
    st->n_edits++;
}

/* Finds where the @ of a selector or subquery goes in its canonical text
 * (after the selector or range, before offset) and records the edit unless
 * it already has a numeric @. */
static int edit_node(rewrite_state *st, const pql_node *n, pql_node_kind kind)
{
    char *text = pql_node_format(n);
    if (!text) {
        pt_sbuf_puts(&st->error, "out of memory formatting a node");
        return -1;
    }
    int64_t start, end;
    pql_node_position(n, &start, &end);
    size_t len = strlen(text);
    int rc = -1;
    if (start < 0 || (size_t)start + len > st->canon_len ||
        memcmp(st->canon + start, text, len) != 0) {
        pt_sbuf_printf(&st->error,
                       "cannot add @ to %s: its text does not appear at its "
                       "position %lld in the canonical form %s",
                       text, (long long)start, st->canon);
        goto done;
    }
    size_t k;
    if (kind == PQL_NODE_SUBQUERY) {
        char *inner = pql_node_format(pql_node_child(n, 0));
        size_t inner_len = inner ? strlen(inner) : 0;
        int prefix_ok = inner && strncmp(text, inner, inner_len) == 0;
        free(inner);
        k = prefix_ok ? skip_brackets(text, inner_len) : 0;
    } else {
        k = skip_selector_core(text);
        if (kind == PQL_NODE_MATRIX_SELECTOR)
            k = skip_brackets(text, k);
    }
    if (k == 0) {
        pt_sbuf_printf(&st->error, "cannot find where @ goes in %s", text);
        goto done;
    }
    /* A range's anchored/smoothed comes before its @; an instant
     * selector's after (upstream's printer). */
    if (kind == PQL_NODE_MATRIX_SELECTOR &&
        (strncmp(text + k, " anchored", 9) == 0 ||
         strncmp(text + k, " smoothed", 9) == 0))
        k += 9;
    if (strncmp(text + k, " @ ", 3) == 0) {
        /* A numeric @ stays; `@ start()`/`@ end()` become the eval time
         * because upstream's printer prefers the timestamp it set. */
        if (strncmp(text + k + 3, "start()", 7) == 0)
            add_edit(st, (size_t)start + k, 10);
        else if (strncmp(text + k + 3, "end()", 5) == 0)
            add_edit(st, (size_t)start + k, 8);
    } else {
        add_edit(st, (size_t)start + k, 0);
    }
    rc = 0;
done:
    free(text);
    return rc;
}

static int collect(rewrite_state *st, const pql_node *n)
{
    pql_node_kind kind = pql_node_get_kind(n);
    switch (kind) {
    case PQL_NODE_VECTOR_SELECTOR:
    case PQL_NODE_MATRIX_SELECTOR:
    case PQL_NODE_SUBQUERY:
        /* Nothing below these changes: a matrix selector carries its
         * selector's @, and a subquery with @ shields its inside. */
        return edit_node(st, n, kind);
    default:
        break;
    }
    size_t count = pql_node_child_count(n);
    for (size_t i = 0; i < count; i++)
        if (collect(st, pql_node_child(n, i)))
            return -1;
    return 0;
}

static int edit_cmp(const void *a, const void *b)
{
    size_t x = ((const edit *)a)->pos, y = ((const edit *)b)->pos;
    return x < y ? -1 : x > y;
}

int pt_at_rewrite(const char *expr, int64_t t_ms, char **out)
{
    pql_expr *e = NULL, *e2 = NULL;
    pql_error err;
    *out = NULL;
    if (pql_parse(expr, strlen(expr), NULL, &e, &err) != PQL_OK)
        return 0;
    if (calls_unsafe_function(pql_expr_root(e))) {
        pql_expr_free(e);
        return 0;
    }
    rewrite_state st = {0};
    int rc = -1;
    char *canon = pql_expr_format(e);
    if (!canon) {
        pt_sbuf_puts(&st.error, "out of memory formatting the expression");
        goto done;
    }
    st.canon = canon;
    st.canon_len = strlen(canon);
    if (pql_parse(canon, st.canon_len, NULL, &e2, &err) != PQL_OK) {
        pt_sbuf_printf(&st.error, "the canonical form %s does not parse: %s",
                       canon, err.message);
        goto done;
    }
    if (collect(&st, pql_expr_root(e2)))
        goto done;
    if (st.n_edits)
        qsort(st.edits, st.n_edits, sizeof *st.edits, edit_cmp);
    sbuf at = {0}, text = {0};
    pt_sbuf_puts(&at, " @ ");
    pt_fmt_at_time(&at, t_ms);
    size_t pos = 0;
    for (size_t i = 0; i < st.n_edits; i++) {
        pt_sbuf_append(&text, canon + pos, st.edits[i].pos - pos);
        pt_sbuf_append(&text, at.data, at.len);
        pos = st.edits[i].pos + st.edits[i].del;
    }
    pt_sbuf_append(&text, canon + pos, st.canon_len - pos);
    pt_sbuf_free(&at);
    *out = pt_sbuf_take(&text);
    rc = 1;
done:
    if (rc < 0)
        *out = pt_sbuf_take(&st.error);
    pt_sbuf_free(&st.error);
    free(st.edits);
    free(canon);
    pql_expr_free(e2);
    pql_expr_free(e);
    return rc;
}
