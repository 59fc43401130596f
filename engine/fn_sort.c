/* fn_sort.c: sort, sort_desc, sort_by_label and sort_by_label_desc: order an
 * instant query's result; a no-op with a warning over several steps. */
#include "fn_instant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { SORT_ASC, SORT_DESC, SORT_LABEL, SORT_LABEL_DESC } sort_kind;

typedef struct fn_sort {
    op base;
    op *child;
    sort_kind kind;
    const char **names; /* sort_by_label's labels */
    size_t n_names;
    bool passthrough; /* several steps: order is not observable */
    bool computed;
    fn_out_set out;
} fn_sort;

/* ------------------------------------------------------- natural order -- */

/* facette/natsort as Prometheus uses it: both strings are cut into runs of
 * ASCII digits and runs of anything else; runs that both parse as int64
 * compare numerically, others byte-wise. Returns true when a sorts before
 * b. Its quirks (a shared prefix ending one string decides "less") are
 * kept on purpose. */
typedef struct nat_chunk {
    const char *p;
    size_t n;
} nat_chunk;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool nat_next(const char **s, const char *end, nat_chunk *c)
{
    if (*s >= end)
        return false;
    const char *p = *s;
    bool d = is_digit(*p);
    while (p < end && is_digit(*p) == d)
        p++;
    c->p = *s;
    c->n = (size_t)(p - *s);
    *s = p;
    return true;
}

/* strconv.Atoi over a run of digits: false when it overflows int64. */
static bool nat_atoi(const nat_chunk *c, long long *out)
{
    if (c->n == 0 || !is_digit(c->p[0]))
        return false;
    unsigned long long v = 0;
    for (size_t i = 0; i < c->n; i++) {
        unsigned d = (unsigned)(c->p[i] - '0');
        if (v > (9223372036854775807ull - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = (long long)v;
    return true;
}

static int chunk_cmp(const nat_chunk *a, const nat_chunk *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->p, b->p, n);
    if (c)
        return c;
    return a->n < b->n ? -1 : (a->n > b->n ? 1 : 0);
}

static size_t nat_count(const char *s, const char *end)
{
    size_t k = 0;
    nat_chunk c;
    while (nat_next(&s, end, &c))
        k++;
    return k;
}

static bool nat_less(const char *a, const char *b)
{
    const char *ae = a + strlen(a), *be = b + strlen(b);
    size_t na = nat_count(a, ae), nb = nat_count(b, be);
    nat_chunk ca, cb = {b, 0};
    for (size_t i = 0; nat_next(&a, ae, &ca); i++) {
        if (i >= nb)
            return false;
        nat_next(&b, be, &cb);
        long long ia, ib;
        bool num = nat_atoi(&ca, &ia) && nat_atoi(&cb, &ib);
        if (num ? ia == ib : chunk_cmp(&ca, &cb) == 0) {
            if (i == na - 1)
                return true;
            if (i == nb - 1)
                return false;
            continue;
        }
        return num ? ia < ib : chunk_cmp(&ca, &cb) < 0;
    }
    return false;
}

/* ------------------------------------------------------------ ordering -- */

typedef struct sort_item {
    double v;
    const labels_set *labels;
    size_t idx; /* position in the drained set */
} sort_item;

/* The "less" Prometheus's sort.Sort(sort.Reverse(...)) ends up asking:
 * NaN sorts last for both directions. Deliberately not a strict weak order
 * for two NaNs; the insertion sort below replays Go's moves so even those
 * land where Go puts them. */
static bool value_less(const sort_item *a, const sort_item *b, bool desc)
{
    if (isnan(b->v))
        return true;
    return desc ? a->v > b->v : a->v < b->v;
}

static int label_order(const fn_sort *f, const sort_item *a, const sort_item *b)
{
    for (size_t k = 0; k < f->n_names; k++) {
        const char *va = labels_get(a->labels, f->names[k]);
        const char *vb = labels_get(b->labels, f->names[k]);
        if (!va)
            va = "";
        if (!vb)
            vb = "";
        if (strcmp(va, vb) == 0)
            continue;
        return nat_less(va, vb) ? -1 : 1;
    }
    /* Ties are broken by the whole label set for a stable answer. */
    return labels_compare(a->labels, b->labels);
}

static bool item_less(const fn_sort *f, const sort_item *a, const sort_item *b)
{
    switch (f->kind) {
    case SORT_ASC:
        return value_less(a, b, false);
    case SORT_DESC:
        return value_less(a, b, true);
    case SORT_LABEL:
        return label_order(f, a, b) < 0;
    default:
        return label_order(f, a, b) > 0;
    }
}

/* Go's sorts run insertion sort on up to 12 elements, so for those the
 * result (ties included) is Go's exactly; longer inputs use a stable merge
 * sort, which agrees wherever the order is well defined. */
static void insertion_sort(const fn_sort *f, sort_item *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && item_less(f, &v[j], &v[j - 1]); j--) {
            sort_item t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
}

static void merge_sort(const fn_sort *f, sort_item *v, sort_item *tmp, size_t n)
{
    if (n <= 12) {
        insertion_sort(f, v, n);
        return;
    }
    size_t h = n / 2;
    merge_sort(f, v, tmp, h);
    merge_sort(f, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = item_less(f, &v[j], &v[i]) ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

static int sort_compute(fn_sort *f, eval_ctx *ctx)
{
    eval_series_set in;
    if (op_drain(f->child, ctx, &in) < 0)
        return -1;
    f->out.set = in;
    size_t n = in.n;
    if (n < 2)
        return 0;
    sort_item *items = arena_alloc_array(ctx->mem, n, sizeof(sort_item));
    sort_item *tmp = arena_alloc_array(ctx->mem, n, sizeof(sort_item));
    eval_series *sorted = arena_alloc_array(ctx->mem, n, sizeof(eval_series));
    if (!items || !tmp || !sorted)
        return eval_oom(ctx);
    /* One step: the value is at index 0. */
    for (size_t i = 0; i < n; i++) {
        items[i].v = in.v[i].vals[0];
        items[i].labels = &in.v[i].labels;
        items[i].idx = i;
    }
    merge_sort(f, items, tmp, n);
    for (size_t i = 0; i < n; i++)
        sorted[i] = in.v[items[i].idx];
    f->out.set.v = sorted;
    return 0;
}

static int sort_open(op *self, eval_ctx *ctx)
{
    return op_open(((fn_sort *)self)->child, ctx);
}

static int sort_next(op *self, eval_ctx *ctx, eval_series *out)
{
    fn_sort *f = (fn_sort *)self;
    if (f->passthrough)
        return op_next(f->child, ctx, out);
    if (!f->computed) {
        f->computed = true;
        if (sort_compute(f, ctx) < 0)
            return -1;
    }
    return fn_out_next(ctx, &f->out, out);
}

static void sort_close(op *self, eval_ctx *ctx)
{
    fn_sort *f = (fn_sort *)self;
    fn_out_release(ctx, &f->out);
    op_close(f->child, ctx);
}

static const op_vtable sort_vtable = {
    .name = "sort",
    .open = sort_open,
    .next = sort_next,
    .close = sort_close,
};

op *fn_plan_sort(eval_ctx *ctx, const ast_node *call, const eval_grid *grid)
{
    const char *name = call->u.call.fn->name;
    sort_kind kind = strcmp(name, "sort_desc") == 0            ? SORT_DESC
                     : strcmp(name, "sort_by_label") == 0      ? SORT_LABEL
                     : strcmp(name, "sort_by_label_desc") == 0 ? SORT_LABEL_DESC
                                                               : SORT_ASC;
    /* Prometheus warns whenever the evaluation spans a range (a range query
     * or a subquery), where results come out ordered by labels anyway. */
    if (grid->start_ms != grid->end_ms)
        eval_annotate(ctx, EVAL_NOTE_WARNING, call,
                      "PromQL warning: sort is ineffective for range queries "
                      "since results are always ordered by labels");
    op *child = plan_node(ctx, call->u.call.args[0], grid);
    if (!child)
        return NULL;
    fn_sort *f = (fn_sort *)op_alloc(ctx, sizeof(fn_sort), &sort_vtable,
                                     PQL_TYPE_VECTOR, grid, call);
    if (!f)
        return NULL;
    f->child = child;
    f->kind = kind;
    f->passthrough = grid->n_steps != 1;
    if (kind == SORT_LABEL || kind == SORT_LABEL_DESC) {
        size_t n = call->u.call.n_args - 1;
        f->names = arena_alloc_array(ctx->mem, n ? n : 1, sizeof(char *));
        if (!f->names) {
            eval_oom(ctx);
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            const ast_node *a = call->u.call.args[1 + i];
            while (a->kind == PQL_NODE_PAREN)
                a = a->u.paren.expr;
            f->names[i] = a->u.string.value.ptr;
        }
        f->n_names = n;
    }
    return &f->base;
}
