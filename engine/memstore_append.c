/* memstore_append.c: all-or-nothing batches of samples into the in-memory store
 * (pql_appender_*). */
#include "memstore.h"
#include "float_shortest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * One series touched by the batch. Its labels are borrowed from the store
 * when the series already exists there (clear() makes the appender copy them
 * first) and copied into the appender's arena otherwise.
 */
typedef struct staged {
    uint64_t hash;
    const pql_label *labels; /* sorted, no empty values */
    uint32_t n_labels;
    uint32_t series_id; /* committed series, or UINT32_MAX when new */
    int owned;          /* labels live in the appender's arena */
    int in_pool;        /* samples sit in the shared pool, else in arr_* */
    int skip_first;     /* commit found the first sample already stored */
    size_t n;           /* samples staged for it */
    int has_last;       /* newest sample so far, committed or staged */
    int64_t last_ts;
    double last_v;
    /* Own arrays: the samples of a series that was new when staged (handed
     * to the store as they are), or room reserved at commit for one that
     * became new since. */
    int64_t *arr_ts;
    double *arr_v;
    int64_t *arr_st; /* [arr_cap] once a non-zero ST was staged here */
    size_t arr_cap;
    int has_st; /* some staged sample has a non-zero start timestamp */
} staged;

/* Samples for series that already exist go to one shared pool, so that
 * topping up many series costs no allocation per series; one add() call to
 * such a series sits in the pool at [off, off + n). */
typedef struct staged_run {
    uint32_t item;
    size_t off, n;
} staged_run;

struct pql_appender {
    pql_memstore *st;   /* NULL once the store was freed */
    pql_appender *prev; /* the store's list of open appenders */
    pql_appender *next;
    uint64_t version; /* st->version when the lookups were made */
    arena mem;        /* copied labels */
    staged *items;
    size_t n_items, cap_items;
    memstore_ht ht; /* label hash -> index into items */
    int64_t *pool_ts;
    double *pool_v;
    int64_t *pool_st; /* [pool_cap] once any pooled sample has an ST */
    size_t pool_n, pool_cap;
    staged_run *runs;
    size_t n_runs, cap_runs;
    char *scratch; /* label bytes for hashing */
    size_t scratch_cap;
    pql_label *lbuf; /* the caller's labels, filtered and sorted */
    size_t lbuf_cap;
    pql_status failed; /* first error; the batch can no longer commit */
    pql_error first;
};

/* -------------------------------------------------------------- errors -- */

/* Records the batch's first error and reports it. */
static pql_status append_fail(pql_appender *app, pql_error *err,
                              pql_status code, const char *msg)
{
    if (!app->failed) {
        app->failed = code;
        memstore_error(&app->first, code, "%s", msg);
    }
    return memstore_error(err, code, "%s", msg);
}

/* ---------------------------------------------------------- validation -- */

/* 1 when s is well-formed UTF-8 (no overlongs, surrogates or values past
 * U+10FFFF), as Go's utf8.ValidString. */
static int append_valid_utf8(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned char c = *s;
        if (c < 0x80) {
            s++;
            continue;
        }
        size_t n;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return 0;
        }
        if (s[1] < lo || s[1] > hi)
            return 0;
        for (size_t i = 2; i < n; i++)
            if ((s[i] & 0xC0) != 0x80)
                return 0;
        s += n;
    }
    return 1;
}

static int append_label_cmp(const void *a, const void *b)
{
    return strcmp(((const pql_label *)a)->name, ((const pql_label *)b)->name);
}

/* Copies the caller's labels into app->lbuf without empty values, sorted by
 * name, and checks them as Prometheus's head appender does. Returns the
 * count, or -1 after recording the error. */
static ptrdiff_t append_prepare_labels(pql_appender *app,
                                       const pql_label *labels, size_t n,
                                       pql_error *err)
{
    if (!memstore_grow_array((void **)&app->lbuf, &app->lbuf_cap, n ? n : 1,
                             sizeof *app->lbuf)) {
        append_fail(app, err, PQL_ERR_NOMEM, "out of memory");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i].name == NULL) {
            append_fail(app, err, PQL_ERR_INVALID_ARGUMENT,
                        "label name is NULL");
            return -1;
        }
        if (labels[i].value == NULL || labels[i].value[0] == '\0')
            continue; /* an empty value means the label is absent */
        app->lbuf[k++] = labels[i];
    }
    pql_label *l = app->lbuf;
    if (k <= 16) {
        for (size_t i = 1; i < k; i++) {
            pql_label x = l[i];
            size_t j = i;
            while (j > 0 && strcmp(l[j - 1].name, x.name) > 0) {
                l[j] = l[j - 1];
                j--;
            }
            l[j] = x;
        }
    } else {
        qsort(l, k, sizeof *l, append_label_cmp);
    }
    char msg[PQL_ERROR_MESSAGE_MAX];
    if (k == 0) {
        append_fail(app, err, PQL_ERR_DATA, "empty labelset: invalid sample");
        return -1;
    }
    for (size_t i = 0; i < k; i++) {
        if (l[i].name[0] == '\0') {
            append_fail(app, err, PQL_ERR_DATA,
                        "empty label name: invalid sample");
            return -1;
        }
        if (!append_valid_utf8(l[i].name)) {
            append_fail(app, err, PQL_ERR_DATA,
                        "label name is not valid UTF-8: invalid sample");
            return -1;
        }
        if (!append_valid_utf8(l[i].value)) {
            snprintf(msg, sizeof msg,
                     "value of label \"%.200s\" is not valid UTF-8: invalid "
                     "sample",
                     l[i].name);
            append_fail(app, err, PQL_ERR_DATA, msg);
            return -1;
        }
        if (i > 0 && strcmp(l[i - 1].name, l[i].name) == 0) {
            snprintf(msg, sizeof msg,
                     "label name \"%.200s\" is not unique: invalid sample",
                     l[i].name);
            append_fail(app, err, PQL_ERR_DATA, msg);
            return -1;
        }
    }
    return (ptrdiff_t)k;
}

/* ------------------------------------------------------------ appender -- */

pql_status pql_appender_begin(pql_memstore *store, pql_appender **out,
                              pql_error *err)
{
    if (out == NULL || store == NULL)
        return memstore_error(err, PQL_ERR_INVALID_ARGUMENT,
                              "pql_appender_begin: NULL argument");
    *out = NULL;
    pql_appender *app = calloc(1, sizeof *app);
    if (app == NULL)
        return memstore_error(err, PQL_ERR_NOMEM, "out of memory");
    app->st = store;
    app->version = store->version;
    arena_init(&app->mem, 0);
    app->next = store->appenders;
    if (store->appenders != NULL)
        store->appenders->prev = app;
    store->appenders = app;
    *out = app;
    return PQL_OK;
}

pql_appender *memstore_appender_next(const pql_appender *app)
{
    return app->next;
}

static void append_unlink(pql_appender *app)
{
    if (app->st == NULL)
        return;
    if (app->prev != NULL)
        app->prev->next = app->next;
    else
        app->st->appenders = app->next;
    if (app->next != NULL)
        app->next->prev = app->prev;
    app->prev = app->next = NULL;
}

void memstore_appender_detach(pql_appender *app, int gone)
{
    for (size_t i = 0; i < app->n_items && !app->failed; i++) {
        staged *s = &app->items[i];
        s->series_id = UINT32_MAX;
        if (s->owned)
            continue;
        pql_label *copy =
            arena_alloc_array(&app->mem, s->n_labels, sizeof *copy);
        for (uint32_t k = 0; copy != NULL && k < s->n_labels; k++) {
            copy[k].name = arena_strdup(&app->mem, s->labels[k].name);
            copy[k].value = arena_strdup(&app->mem, s->labels[k].value);
            if (copy[k].name == NULL || copy[k].value == NULL)
                copy = NULL;
        }
        if (copy == NULL) {
            append_fail(app, NULL, PQL_ERR_NOMEM, "out of memory");
            break;
        }
        s->labels = copy;
        s->owned = 1;
    }
    /* Nothing the appender looked up holds any more. */
    app->version = UINT64_MAX;
    if (gone) {
        append_unlink(app);
        app->st = NULL;
    }
}

typedef struct staged_key {
    const pql_appender *app;
    const pql_label *labels;
    size_t n;
} staged_key;

static int staged_eq(const void *ctx, uint32_t idx)
{
    const staged_key *k = ctx;
    const staged *s = &k->app->items[idx];
    return memstore_labels_equal(s->labels, s->n_labels, k->labels, k->n);
}

/* The staged entry for a label set, created on first use; NULL when out of
 * memory. */
static staged *append_staged_get(pql_appender *app, const pql_label *l,
                                 size_t n, uint64_t hash)
{
    staged_key key = {app, l, n};
    uint32_t idx = memstore_ht_find(&app->ht, hash, staged_eq, &key);
    if (idx != UINT32_MAX)
        return &app->items[idx];
    if (app->n_items >= UINT32_MAX - 1 ||
        !memstore_grow_array((void **)&app->items, &app->cap_items,
                             app->n_items + 1, sizeof *app->items) ||
        !memstore_ht_reserve(&app->ht, 1))
        return NULL;
    staged *s = &app->items[app->n_items];
    memset(s, 0, sizeof *s);
    s->hash = hash;
    s->n_labels = (uint32_t)n;
    s->series_id = memstore_find_series(app->st, hash, l, n);
    if (s->series_id != UINT32_MAX) {
        const memstore_series *ser = &app->st->series[s->series_id];
        s->labels = ser->labels;
        s->in_pool = 1;
        if (ser->n > 0) {
            s->has_last = 1;
            s->last_ts = ser->ts[ser->n - 1];
            s->last_v = ser->v[ser->n - 1];
        }
    } else {
        pql_label *copy = arena_alloc_array(&app->mem, n, sizeof *copy);
        if (copy == NULL)
            return NULL;
        for (size_t i = 0; i < n; i++) {
            copy[i].name = arena_strdup(&app->mem, l[i].name);
            copy[i].value = arena_strdup(&app->mem, l[i].value);
            if (copy[i].name == NULL || copy[i].value == NULL)
                return NULL;
        }
        s->labels = copy;
        s->owned = 1;
    }
    memstore_ht_insert(&app->ht, hash, (uint32_t)app->n_items);
    app->n_items++;
    return s;
}

static int append_same_bits(double a, double b)
{
    uint64_t x, y;
    memcpy(&x, &a, sizeof x);
    memcpy(&y, &b, sizeof y);
    return x == y;
}

/* Grows the sample arrays to hold `need`; 0 when out of memory. The
 * capacity only moves once every array has it. The start-timestamp array
 * *st follows the others once it exists; want_st creates it (zeroed: the
 * samples already there had no ST), so it is only ever paid for by series
 * that have start timestamps. Whoever appends to an existing *st writes an
 * entry for every sample, 0 when there is none. */
static int append_reserve(int64_t **ts, double **v, int64_t **st, int want_st,
                          size_t *cap, size_t need)
{
    int need_st = *st != NULL || want_st;
    if (need <= *cap && (!need_st || *st != NULL))
        return 1;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / sizeof(int64_t))
            return 0;
        ncap *= 2;
    }
    if (ncap != *cap) {
        int64_t *nt = realloc(*ts, ncap * sizeof *nt);
        if (nt == NULL)
            return 0;
        *ts = nt;
        double *nv = realloc(*v, ncap * sizeof *nv);
        if (nv == NULL)
            return 0;
        *v = nv;
    }
    if (need_st && *st == NULL) {
        int64_t *ns = calloc(ncap, sizeof *ns);
        if (ns == NULL)
            return 0;
        *st = ns;
    } else if (need_st && ncap != *cap) {
        int64_t *ns = realloc(*st, ncap * sizeof *ns);
        if (ns == NULL)
            return 0;
        *st = ns;
    }
    *cap = ncap;
    return 1;
}

static void append_duplicate_message(char *msg, size_t cap, int64_t t,
                                     double existing, double v)
{
    char a[40], b[40];
    float_format_go_g(existing, a, sizeof a);
    float_format_go_g(v, b, sizeof b);
    snprintf(msg, cap,
             "duplicate sample for timestamp %lld; overrides not allowed: "
             "existing %s, new value %s",
             (long long)t, a, b);
}

pql_status pql_appender_add(pql_appender *app, const pql_label *labels,
                            size_t n_labels, const int64_t *ts,
                            const double *vals, size_t count, pql_error *err)
{
    return pql_appender_add_with_start(app, labels, n_labels, ts, vals, NULL,
                                       count, err);
}

pql_status pql_appender_add_with_start(pql_appender *app,
                                       const pql_label *labels,
                                       size_t n_labels, const int64_t *ts,
                                       const double *vals, const int64_t *st,
                                       size_t count, pql_error *err)
{
    if (app == NULL)
        return memstore_error(err, PQL_ERR_INVALID_ARGUMENT,
                              "pql_appender_add: appender is NULL");
    if (app->failed) {
        if (err != NULL)
            *err = app->first;
        return app->failed;
    }
    if (app->st == NULL)
        return append_fail(app, err, PQL_ERR_INVALID_ARGUMENT,
                           "the store of this appender was freed");
    if ((n_labels > 0 && labels == NULL) ||
        (count > 0 && (ts == NULL || vals == NULL)))
        return append_fail(app, err, PQL_ERR_INVALID_ARGUMENT,
                           "pql_appender_add: NULL array");
    ptrdiff_t n = append_prepare_labels(app, labels, n_labels, err);
    if (n < 0)
        return app->failed;
    if (count == 0)
        return PQL_OK;
    uint64_t hash;
    if (!memstore_labels_hash(app->lbuf, (size_t)n, &app->scratch,
                              &app->scratch_cap, &hash))
        return append_fail(app, err, PQL_ERR_NOMEM, "out of memory");
    staged *s = append_staged_get(app, app->lbuf, (size_t)n, hash);
    if (s == NULL)
        return append_fail(app, err, PQL_ERR_NOMEM, "out of memory");

    /* Check every sample against the newest one before it (committed or
     * staged), as the head appender does: older is out of order; the same
     * time with other value bits is a duplicate; an exact repeat is dropped
     * silently. */
    size_t repeats = 0;
    int has_last = s->has_last;
    int64_t last_ts = s->last_ts;
    double last_v = s->last_v;
    for (size_t i = 0; i < count; i++) {
        if (has_last && ts[i] <= last_ts) {
            if (ts[i] < last_ts)
                return append_fail(app, err, PQL_ERR_DATA,
                                   "out of order sample");
            if (!append_same_bits(vals[i], last_v)) {
                char msg[256];
                append_duplicate_message(msg, sizeof msg, ts[i], last_v,
                                         vals[i]);
                return append_fail(app, err, PQL_ERR_DATA, msg);
            }
            repeats++;
            continue;
        }
        has_last = 1;
        last_ts = ts[i];
        last_v = vals[i];
    }
    size_t keep = count - repeats;
    if (keep == 0)
        return PQL_OK;
    /* All-zero STs are no STs: such a batch must not make the store keep an
     * ST array for the series. */
    int any_st = 0;
    for (size_t i = 0; st != NULL && i < count && !any_st; i++)
        any_st = st[i] != 0;
    int64_t *dst_ts;
    double *dst_v;
    int64_t *dst_st;
    if (s->in_pool) {
        if (keep > SIZE_MAX / 2 - app->pool_n ||
            !append_reserve(&app->pool_ts, &app->pool_v, &app->pool_st,
                            any_st, &app->pool_cap, app->pool_n + keep) ||
            !memstore_grow_array((void **)&app->runs, &app->cap_runs,
                                 app->n_runs + 1, sizeof *app->runs))
            return append_fail(app, err, PQL_ERR_NOMEM, "out of memory");
        size_t off = app->pool_n;
        uint32_t item = (uint32_t)(s - app->items);
        staged_run *last = app->n_runs ? &app->runs[app->n_runs - 1] : NULL;
        if (last != NULL && last->item == item && last->off + last->n == off)
            last->n += keep;
        else
            app->runs[app->n_runs++] = (staged_run){item, off, keep};
        app->pool_n += keep;
        dst_ts = app->pool_ts + off;
        dst_v = app->pool_v + off;
        dst_st = app->pool_st ? app->pool_st + off : NULL;
    } else {
        if (keep > SIZE_MAX / 2 - s->n ||
            !append_reserve(&s->arr_ts, &s->arr_v, &s->arr_st, any_st,
                            &s->arr_cap, s->n + keep))
            return append_fail(app, err, PQL_ERR_NOMEM, "out of memory");
        dst_ts = s->arr_ts + s->n;
        dst_v = s->arr_v + s->n;
        dst_st = s->arr_st ? s->arr_st + s->n : NULL;
    }
    if (repeats == 0) {
        memcpy(dst_ts, ts, count * sizeof *ts);
        memcpy(dst_v, vals, count * sizeof *vals);
        if (dst_st != NULL && any_st)
            memcpy(dst_st, st, count * sizeof *st);
        else if (dst_st != NULL)
            memset(dst_st, 0, count * sizeof *dst_st);
    } else {
        int hl = s->has_last;
        int64_t lt = s->last_ts;
        size_t k = 0;
        for (size_t i = 0; i < count; i++) {
            if (hl && ts[i] == lt)
                continue;
            dst_ts[k] = ts[i];
            dst_v[k] = vals[i];
            if (dst_st != NULL)
                dst_st[k] = any_st ? st[i] : 0;
            k++;
            hl = 1;
            lt = ts[i];
        }
    }
    s->n += keep;
    s->has_st |= any_st;
    s->has_last = has_last;
    s->last_ts = last_ts;
    s->last_v = last_v;
    return PQL_OK;
}

static void append_destroy(pql_appender *app)
{
    append_unlink(app);
    for (size_t i = 0; i < app->n_items; i++) {
        free(app->items[i].arr_ts);
        free(app->items[i].arr_v);
        free(app->items[i].arr_st);
    }
    free(app->items);
    memstore_ht_free(&app->ht);
    free(app->pool_ts);
    free(app->pool_v);
    free(app->pool_st);
    free(app->runs);
    free(app->scratch);
    free(app->lbuf);
    arena_release(&app->mem);
    free(app);
}

void pql_appender_rollback(pql_appender *app)
{
    if (app != NULL)
        append_destroy(app);
}

/* Finds every series again after the store changed under the appender, and
 * checks each first staged sample against the series' newest one. */
static pql_status append_revalidate(pql_appender *app, pql_error *err)
{
    pql_memstore *st = app->st;
    for (size_t i = 0; i < app->n_items; i++) {
        staged *s = &app->items[i];
        s->series_id =
            memstore_find_series(st, s->hash, s->labels, s->n_labels);
        if (s->series_id == UINT32_MAX || s->n == 0)
            continue;
        const memstore_series *ser = &st->series[s->series_id];
        const int64_t *t0 = s->arr_ts;
        const double *v0 = s->arr_v;
        for (size_t r = 0; s->in_pool && r < app->n_runs; r++) {
            if (app->runs[r].item == i) {
                t0 = app->pool_ts + app->runs[r].off;
                v0 = app->pool_v + app->runs[r].off;
                break;
            }
        }
        if (ser->n == 0 || *t0 > ser->ts[ser->n - 1])
            continue;
        if (*t0 < ser->ts[ser->n - 1])
            return memstore_error(err, PQL_ERR_DATA, "out of order sample");
        if (!append_same_bits(*v0, ser->v[ser->n - 1])) {
            char msg[256];
            append_duplicate_message(msg, sizeof msg, *t0, ser->v[ser->n - 1],
                                     *v0);
            return memstore_error(err, PQL_ERR_DATA, "%s", msg);
        }
        s->skip_first = 1; /* an exact repeat of the newest sample */
    }
    return PQL_OK;
}

/* Removes the postings entries of new series [0, upto) of the batch again
 * (series ids from first_id on). */
static void append_undo_postings(pql_appender *app, size_t upto,
                                 const pql_label *const *final_labels,
                                 uint32_t first_id)
{
    for (size_t i = 0, j = 0; i < app->n_items && j < upto; i++) {
        const staged *s = &app->items[i];
        if (s->series_id != UINT32_MAX || s->n == 0)
            continue;
        const pql_label *l = final_labels[i];
        if (l != NULL)
            for (uint32_t k = 0; k < s->n_labels; k++)
                memstore_postings_truncate(app->st, l[k].name, l[k].value,
                                           first_id);
        j++;
    }
}

/* Records whether values [from, n) of a series hold a NaN, so that reads
 * can lend the arrays knowing there is no staleness marker to drop. */
static void series_note_nans(memstore_series *ser, size_t from)
{
    if (ser->has_nan)
        return;
    for (size_t k = from; k < ser->n; k++) {
        if (ser->v[k] != ser->v[k]) {
            ser->has_nan = true;
            return;
        }
    }
}

pql_status pql_appender_commit(pql_appender *app, pql_error *err)
{
    if (app == NULL)
        return memstore_error(err, PQL_ERR_INVALID_ARGUMENT,
                              "pql_appender_commit: appender is NULL");
    pql_status rc = app->failed;
    if (rc) {
        if (err != NULL)
            *err = app->first;
        append_destroy(app);
        return rc;
    }
    pql_memstore *st = app->st;
    if (st == NULL) {
        append_destroy(app);
        return memstore_error(err, PQL_ERR_INVALID_ARGUMENT,
                              "the store of this appender was freed");
    }
    if (app->version != st->version) {
        rc = append_revalidate(app, err);
        if (rc) {
            append_destroy(app);
            return rc;
        }
    }
    /* Series without samples (all repeats) are not created. */
    size_t n_new = 0;
    for (size_t i = 0; i < app->n_items; i++)
        n_new += app->items[i].series_id == UINT32_MAX && app->items[i].n > 0;
    uint32_t first_id = (uint32_t)st->n_series;
    const pql_label **final_labels = NULL;

    /* Phase 1 may fail: it only reserves room and interns strings, neither
     * of which anyone can observe. */
    if (n_new > UINT32_MAX - 1 - st->n_series ||
        !memstore_grow_array((void **)&st->series, &st->cap_series,
                             st->n_series + n_new, sizeof *st->series) ||
        !memstore_ht_reserve(&st->series_ht, n_new))
        goto nomem;
    final_labels =
        calloc(app->n_items ? app->n_items : 1, sizeof *final_labels);
    if (final_labels == NULL)
        goto nomem;
    for (size_t i = 0; i < app->n_items; i++) {
        staged *s = &app->items[i];
        size_t n = s->n - (size_t)s->skip_first;
        if (n == 0)
            continue;
        if (s->series_id != UINT32_MAX) {
            memstore_series *ser = &st->series[s->series_id];
            if (!append_reserve(&ser->ts, &ser->v, &ser->st, s->has_st,
                                &ser->cap, ser->n + n))
                goto nomem;
            continue;
        }
        if (s->in_pool && !append_reserve(&s->arr_ts, &s->arr_v, &s->arr_st,
                                          s->has_st, &s->arr_cap, n))
            goto nomem;
        pql_label *l = arena_alloc_array(&st->mem, s->n_labels, sizeof *l);
        if (l == NULL)
            goto nomem;
        for (uint32_t k = 0; k < s->n_labels; k++) {
            l[k].name = memstore_intern(st, s->labels[k].name,
                                        strlen(s->labels[k].name));
            l[k].value = memstore_intern(st, s->labels[k].value,
                                         strlen(s->labels[k].value));
            if (l[k].name == NULL || l[k].value == NULL)
                goto nomem;
        }
        final_labels[i] = l;
    }
    /* Postings can fail halfway; undo what went in. */
    for (size_t i = 0, j = 0; i < app->n_items; i++) {
        const staged *s = &app->items[i];
        if (s->series_id != UINT32_MAX || s->n == 0)
            continue;
        const pql_label *l = final_labels[i];
        for (uint32_t k = 0; k < s->n_labels; k++) {
            if (!memstore_postings_add(st, l[k].name, l[k].value,
                                       first_id + (uint32_t)j)) {
                append_undo_postings(app, j + 1, final_labels, first_id);
                goto nomem;
            }
        }
        j++;
    }

    /* Phase 2 cannot fail. New series take the staged arrays. */
    size_t added = 0;
    for (size_t i = 0; i < app->n_items; i++) {
        staged *s = &app->items[i];
        if (s->series_id != UINT32_MAX || s->n == 0)
            continue;
        uint32_t id = (uint32_t)st->n_series++;
        memstore_series *ser = &st->series[id];
        ser->hash = s->hash;
        ser->labels = final_labels[i];
        ser->n_labels = s->n_labels;
        ser->ts = s->arr_ts;
        ser->v = s->arr_v;
        ser->st = s->arr_st;
        ser->n = s->in_pool ? 0 : s->n;
        ser->cap = s->arr_cap;
        s->arr_ts = NULL;
        s->arr_v = NULL;
        s->arr_st = NULL;
        s->series_id = id;
        memstore_ht_insert(&st->series_ht, s->hash, id);
        ser->has_nan = false;
        series_note_nans(ser, 0);
        added += ser->n;
    }
    for (size_t i = 0; i < app->n_items; i++) {
        /* Staged as new, but another appender created the series since. */
        staged *s = &app->items[i];
        if (s->in_pool || s->arr_ts == NULL || s->n == 0)
            continue;
        memstore_series *ser = &st->series[s->series_id];
        size_t skip = (size_t)s->skip_first, n = s->n - skip;
        memcpy(ser->ts + ser->n, s->arr_ts + skip, n * sizeof *ser->ts);
        memcpy(ser->v + ser->n, s->arr_v + skip, n * sizeof *ser->v);
        if (ser->st != NULL && s->arr_st != NULL)
            memcpy(ser->st + ser->n, s->arr_st + skip, n * sizeof *ser->st);
        else if (ser->st != NULL)
            memset(ser->st + ser->n, 0, n * sizeof *ser->st);
        ser->n += n;
        series_note_nans(ser, ser->n - n);
        added += n;
    }
    for (size_t r = 0; r < app->n_runs; r++) {
        const staged_run *run = &app->runs[r];
        staged *s = &app->items[run->item];
        memstore_series *ser = &st->series[s->series_id];
        size_t off = run->off, n = run->n;
        if (s->skip_first) {
            off++;
            n--;
            s->skip_first = 0;
        }
        memcpy(ser->ts + ser->n, app->pool_ts + off, n * sizeof *ser->ts);
        memcpy(ser->v + ser->n, app->pool_v + off, n * sizeof *ser->v);
        if (ser->st != NULL && app->pool_st != NULL)
            memcpy(ser->st + ser->n, app->pool_st + off, n * sizeof *ser->st);
        else if (ser->st != NULL)
            memset(ser->st + ser->n, 0, n * sizeof *ser->st);
        ser->n += n;
        series_note_nans(ser, ser->n - n);
        added += n;
    }
    st->n_samples += added;
    st->version++;
    free(final_labels);
    append_destroy(app);
    return PQL_OK;

nomem:
    free(final_labels);
    append_destroy(app);
    return memstore_error(err, PQL_ERR_NOMEM, "out of memory in commit");
}
