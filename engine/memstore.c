/* memstore.c: the embedded in-memory store's lifecycle and its read side behind
 * pql_storage_methods. */
#include "memstore.h"

#include <stdlib.h>
#include <string.h>

#include "matcher.h"

/* ----------------------------------------------------------- lifecycle -- */

static void memstore_init(pql_memstore *st)
{
    memset(st, 0, sizeof *st);
    arena_init(&st->mem, 0);
}

static void memstore_release(pql_memstore *st)
{
    for (size_t i = 0; i < st->n_series; i++) {
        free(st->series[i].ts);
        free(st->series[i].v);
        free(st->series[i].st);
    }
    for (size_t i = 0; i < st->n_postings; i++)
        free(st->postings[i].ids);
    for (size_t i = 0; i < st->n_names; i++)
        free(st->names[i].postings);
    free(st->series);
    free(st->postings);
    free(st->names);
    free(st->strs);
    memstore_ht_free(&st->str_ht);
    memstore_ht_free(&st->series_ht);
    memstore_ht_free(&st->postings_ht);
    memstore_ht_free(&st->names_ht);
    arena_release(&st->mem);
}

pql_status pql_memstore_new(pql_memstore **out, pql_error *err)
{
    if (out == NULL)
        return memstore_error(err, PQL_ERR_INVALID_ARGUMENT,
                              "pql_memstore_new: out is NULL");
    *out = NULL;
    pql_memstore *st = malloc(sizeof *st);
    if (st == NULL)
        return memstore_error(err, PQL_ERR_NOMEM, "out of memory");
    memstore_init(st);
    *out = st;
    return PQL_OK;
}

void pql_memstore_free(pql_memstore *store)
{
    if (store == NULL)
        return;
    while (store->appenders != NULL)
        memstore_appender_detach(store->appenders, 1);
    memstore_release(store);
    free(store);
}

void pql_memstore_clear(pql_memstore *store)
{
    if (store == NULL)
        return;
    for (pql_appender *a = store->appenders; a != NULL;) {
        pql_appender *next = memstore_appender_next(a);
        memstore_appender_detach(a, 0);
        a = next;
    }
    pql_appender *open = store->appenders;
    uint64_t version = store->version;
    memstore_release(store);
    memstore_init(store);
    store->appenders = open;
    store->version = version + 1;
}

size_t pql_memstore_series_count(const pql_memstore *store)
{
    return store ? store->n_series : 0;
}

size_t pql_memstore_sample_count(const pql_memstore *store)
{
    return store ? store->n_samples : 0;
}

/* ------------------------------------------------------------- reading -- */

/*
 * The iterator of the current series. Batching contract: a call with the
 * same [mint, maxt] as the previous one, after that one filled its whole
 * buffer, continues where it stopped; any other call starts afresh at the
 * first sample >= mint (a binary search), so re-reading or moving the window
 * is always allowed.
 */
typedef struct memstore_iter {
    const memstore_series *s;
    size_t pos;
    int64_t mint, maxt;
    int cont;
} memstore_iter;

/* A selection: series ids in label order. Ids rather than pointers keep the
 * set valid if a commit grows the series array while it is open (the
 * contract asks for no concurrent writes, but a same-thread commit between
 * two set_next calls is cheap to tolerate). */
typedef struct memstore_set {
    const pql_memstore *st;
    uint32_t *ids;
    size_t n, next;
    memstore_iter it;
} memstore_set;

static int memstore_series_cmp(const pql_memstore *st, uint32_t a, uint32_t b)
{
    const memstore_series *x = &st->series[a], *y = &st->series[b];
    return memstore_labels_cmp(x->labels, x->n_labels, y->labels, y->n_labels);
}

/* Merge sort of series ids by label set; C11's qsort has no context
 * argument, and the comparison needs the store. */
static void memstore_sort_ids(const pql_memstore *st, uint32_t *ids,
                              uint32_t *tmp, size_t n)
{
    if (n < 2)
        return;
    if (n <= 12) {
        for (size_t i = 1; i < n; i++) {
            uint32_t x = ids[i];
            size_t j = i;
            while (j > 0 && memstore_series_cmp(st, ids[j - 1], x) > 0) {
                ids[j] = ids[j - 1];
                j--;
            }
            ids[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    memstore_sort_ids(st, ids, tmp, h);
    memstore_sort_ids(st, ids + h, tmp, n - h);
    if (memstore_series_cmp(st, ids[h - 1], ids[h]) <= 0)
        return; /* already in order: common when ids follow insert order */
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] =
            memstore_series_cmp(st, ids[j], ids[i]) < 0 ? ids[j++] : ids[i++];
    while (i < h)
        tmp[k++] = ids[i++];
    while (j < n)
        tmp[k++] = ids[j++];
    memcpy(ids, tmp, n * sizeof *ids);
}

static int memstore_has_samples(const memstore_series *s, int64_t mint,
                                int64_t maxt)
{
    size_t i = memstore_lower_bound(s->ts, 0, s->n, mint);
    return i < s->n && s->ts[i] <= maxt;
}

/* Appends the ids of postings list p to the growable array *ids. */
static int memstore_collect(uint32_t **ids, size_t *n, size_t *cap,
                            const memstore_postings *p)
{
    if (p->n == 0)
        return 1;
    if (*n + p->n > *cap) {
        size_t ncap = *cap ? *cap : 64;
        while (ncap < *n + p->n)
            ncap *= 2;
        uint32_t *q = realloc(*ids, ncap * sizeof *q);
        if (q == NULL)
            return 0;
        *ids = q;
        *cap = ncap;
    }
    memcpy(*ids + *n, p->ids, p->n * sizeof *p->ids);
    *n += p->n;
    return 1;
}

/*
 * Union of the postings of every value of m's label that m accepts (m does
 * not accept the empty string, so series without the label are out). Values
 * from one name are disjoint, so the union is a concatenation.
 */
static int memstore_regex_candidates(const pql_memstore *st, const matcher *m,
                                     uint32_t **ids, size_t *n, size_t *cap)
{
    const char *name = memstore_lookup_str(st, m->name, strlen(m->name));
    const memstore_name *ne = name ? memstore_find_name(st, name) : NULL;
    if (ne == NULL)
        return 1;
    const char *const *lits;
    const size_t *lens;
    size_t n_lits =
        m->type == PQL_MATCH_REGEX ? matcher_literal_set(m, &lits, &lens) : 0;
    if (n_lits > 0 && n_lits < ne->n) {
        /* Look the literals up instead of testing every value; the set is
         * sorted, so repeated literals are adjacent and skipped. */
        for (size_t i = 0; i < n_lits; i++) {
            if (i > 0 && lens[i] == lens[i - 1] &&
                memcmp(lits[i], lits[i - 1], lens[i]) == 0)
                continue;
            const char *v = memstore_lookup_str(st, lits[i], lens[i]);
            const memstore_postings *p =
                v ? memstore_find_postings(st, name, v) : NULL;
            if (p != NULL && !memstore_collect(ids, n, cap, p))
                return 0;
        }
        return 1;
    }
    for (uint32_t i = 0; i < ne->n; i++) {
        const memstore_postings *p = &st->postings[ne->postings[i]];
        if (p->n > 0 && matcher_matches(m, p->value, strlen(p->value)) &&
            !memstore_collect(ids, n, cap, p))
            return 0;
    }
    return 1;
}

static pql_status memstore_select(void *self, const pql_matcher *matchers,
                                  size_t n_matchers, int64_t mint, int64_t maxt,
                                  const pql_select_hints *hints, void **out,
                                  pql_error *err)
{
    (void)hints;
    const pql_memstore *st = self;
    if (out == NULL)
        return memstore_error(err, PQL_ERR_INVALID_ARGUMENT,
                              "select: out is NULL");
    *out = NULL;
    if (n_matchers > 0 && matchers == NULL)
        return memstore_error(err, PQL_ERR_INVALID_ARGUMENT,
                              "select: matchers is NULL");
    matcher_set *ms = NULL;
    pql_status rc = matcher_set_new(matchers, n_matchers, 0, &ms, err);
    if (rc != PQL_OK)
        return rc;

    memstore_set *set = calloc(1, sizeof *set);
    uint32_t *owned = NULL; /* candidates we built ourselves */
    size_t n_owned = 0, cap_owned = 0;
    const uint32_t *cand = NULL;
    size_t n_cand = 0;
    size_t skip = SIZE_MAX; /* matcher the candidates already satisfy */
    int none = 0, all = 1;
    if (set == NULL)
        goto nomem;
    set->st = st;

    /* The smallest postings list of an equality matcher bounds the answer;
     * equality to a value never stored means no series at all. */
    const memstore_postings *best = NULL;
    for (size_t i = 0; i < ms->n && !none; i++) {
        const matcher *m = &ms->items[i];
        if (m->type != PQL_MATCH_EQUAL || m->value_len == 0)
            continue;
        const char *name = memstore_lookup_str(st, m->name, strlen(m->name));
        const char *value = memstore_lookup_str(st, m->value, m->value_len);
        const memstore_postings *p =
            name && value ? memstore_find_postings(st, name, value) : NULL;
        if (p == NULL || p->n == 0) {
            none = 1;
        } else if (best == NULL || p->n < best->n) {
            best = p;
            skip = i;
        }
    }
    if (!none && best != NULL) {
        cand = best->ids;
        n_cand = best->n;
        all = 0;
    } else if (!none) {
        /* Otherwise the first matcher that rejects a missing label: only
         * series carrying that label can match. */
        for (size_t i = 0; i < ms->n; i++) {
            if (ms->items[i].matches_empty)
                continue;
            if (!memstore_regex_candidates(st, &ms->items[i], &owned, &n_owned,
                                           &cap_owned))
                goto nomem;
            cand = owned;
            n_cand = n_owned;
            skip = i;
            all = 0;
            break;
        }
    }
    if (none) {
        n_cand = 0;
        all = 0;
    } else if (all) {
        n_cand = st->n_series;
    }

    set->ids = malloc((n_cand ? n_cand : 1) * sizeof *set->ids);
    if (set->ids == NULL)
        goto nomem;
    for (size_t k = 0; k < n_cand; k++) {
        uint32_t id = all ? (uint32_t)k : cand[k];
        const memstore_series *s = &st->series[id];
        int ok = 1;
        for (size_t i = 0; i < ms->n && ok; i++) {
            if (i == skip)
                continue;
            const matcher *m = &ms->items[i];
            const char *v =
                matcher_label_value(s->labels, s->n_labels, m->name);
            ok =
                v == NULL ? m->matches_empty : matcher_matches(m, v, strlen(v));
        }
        if (ok && memstore_has_samples(s, mint, maxt))
            set->ids[set->n++] = id;
    }
    if (set->n > 1) {
        uint32_t *tmp = malloc(set->n * sizeof *tmp);
        if (tmp == NULL)
            goto nomem;
        memstore_sort_ids(st, set->ids, tmp, set->n);
        free(tmp);
    }
    free(owned);
    matcher_set_free(ms);
    *out = set;
    return PQL_OK;

nomem:
    free(owned);
    matcher_set_free(ms);
    if (set != NULL)
        free(set->ids);
    free(set);
    return memstore_error(err, PQL_ERR_NOMEM, "out of memory in select");
}

static int memstore_set_next(void *set_, const pql_label **labels,
                             size_t *n_labels, void **iter, pql_error *err)
{
    (void)err;
    memstore_set *set = set_;
    if (set->next >= set->n)
        return 0;
    const memstore_series *s = &set->st->series[set->ids[set->next++]];
    set->it.s = s;
    set->it.pos = 0;
    set->it.cont = 0;
    *labels = s->labels;
    *n_labels = s->n_labels;
    *iter = &set->it;
    return 1;
}

static ptrdiff_t memstore_iter_read(void *iter, int64_t mint, int64_t maxt,
                                    int64_t *ts, double *vals, size_t cap,
                                    pql_error *err)
{
    (void)err;
    memstore_iter *it = iter;
    const memstore_series *s = it->s;
    if (cap == 0 || mint > maxt)
        return 0;
    if (cap > PTRDIFF_MAX)
        cap = PTRDIFF_MAX;
    size_t start = it->cont && it->mint == mint && it->maxt == maxt
                       ? it->pos
                       : memstore_lower_bound(s->ts, 0, s->n, mint);
    size_t lim = s->n - start <= cap ? s->n : start + cap;
    size_t end = lim;
    if (end > start && s->ts[end - 1] > maxt) {
        /* First sample > maxt; maxt < ts[end-1] so maxt + 1 cannot
         * overflow. */
        end = memstore_lower_bound(s->ts, start, lim, maxt + 1);
    }
    size_t k = end - start;
    if (k > 0) {
        memcpy(ts, s->ts + start, k * sizeof *ts);
        memcpy(vals, s->v + start, k * sizeof *vals);
    }
    it->pos = end;
    it->mint = mint;
    it->maxt = maxt;
    it->cont = k == cap;
    return (ptrdiff_t)k;
}

/* The version-3 read: lends the series' own arrays for [mint, maxt]. */
static ptrdiff_t memstore_iter_view(void *iter, int64_t mint, int64_t maxt,
                                   const int64_t **ts, const double **vals,
                                   int *no_nan, pql_error *err)
{
    (void)err;
    memstore_iter *it = iter;
    const memstore_series *s = it->s;
    *no_nan = !s->has_nan;
    if (mint > maxt || s->n == 0) {
        *ts = s->ts;
        *vals = s->v;
        return 0;
    }
    size_t start = memstore_lower_bound(s->ts, 0, s->n, mint);
    size_t end = s->ts[s->n - 1] <= maxt
                     ? s->n
                     : memstore_lower_bound(s->ts, start, s->n, maxt + 1);
    *ts = s->ts + start;
    *vals = s->v + start;
    return (ptrdiff_t)(end - start);
}

/* The version-2 read: the same samples as memstore_iter_read plus their
 * start timestamps, copied only for series that have any. */
static ptrdiff_t memstore_iter_read_st(void *iter, int64_t mint, int64_t maxt,
                                       int64_t *ts, double *vals, int64_t *st,
                                       size_t cap, int *has_st, pql_error *err)
{
    memstore_iter *it = iter;
    size_t pos = it->cont && it->mint == mint && it->maxt == maxt
                     ? it->pos
                     : memstore_lower_bound(it->s->ts, 0, it->s->n, mint);
    ptrdiff_t k = memstore_iter_read(iter, mint, maxt, ts, vals, cap, err);
    /* memstore_iter_read started at `pos` (it computes it the same way) and
     * copied k samples from there. */
    if (k > 0 && it->s->st != NULL) {
        memcpy(st, it->s->st + pos, (size_t)k * sizeof *st);
        *has_st = 1;
    } else {
        *has_st = 0;
    }
    return k;
}

static void memstore_set_close(void *set_)
{
    memstore_set *set = set_;
    if (set == NULL)
        return;
    free(set->ids);
    free(set);
}

static const pql_storage_methods memstore_methods = {
    .version = PQL_STORAGE_VERSION,
    .select = memstore_select,
    .set_next = memstore_set_next,
    .iter_read_floats = memstore_iter_read,
    .iter_read_histograms = NULL,
    .set_close = memstore_set_close,
    .iter_read_floats_st = memstore_iter_read_st,
    .iter_view_floats = memstore_iter_view,
};

pql_storage pql_memstore_storage(pql_memstore *store)
{
    pql_storage s = {&memstore_methods, store};
    return s;
}
