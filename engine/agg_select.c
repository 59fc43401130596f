/* agg_select.c: topk/bottomk/limitk/limit_ratio selection replaying Go's heap
 * so ties resolve as in Prometheus. */
#include "binagg_internal.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* vectorByValueHeap.Less: NaN sorts below everything. */
static bool less_asc(const agg_item *a, const agg_item *b)
{
    if (isnan(a->f)) {
        return true;
    }
    return a->f < b->f;
}

/* vectorByReverseValueHeap.Less: NaN still first, otherwise descending. */
static bool less_desc(const agg_item *a, const agg_item *b)
{
    if (isnan(a->f)) {
        return true;
    }
    return a->f > b->f;
}

typedef bool (*less_fn)(const agg_item *, const agg_item *);

static void swap_items(agg_item *h, size_t i, size_t j)
{
    agg_item t = h[i];
    h[i] = h[j];
    h[j] = t;
}

static void heap_up(agg_item *h, size_t j, less_fn less)
{
    while (j > 0) {
        size_t i = (j - 1) / 2;
        if (!less(&h[j], &h[i])) {
            break;
        }
        swap_items(h, i, j);
        j = i;
    }
}

static bool heap_down(agg_item *h, size_t i0, size_t n, less_fn less)
{
    size_t i = i0;
    for (;;) {
        size_t j1 = 2 * i + 1;
        if (j1 >= n) {
            break;
        }
        size_t j = j1;
        size_t j2 = j1 + 1;
        if (j2 < n && less(&h[j2], &h[j1])) {
            j = j2;
        }
        if (!less(&h[j], &h[i])) {
            break;
        }
        swap_items(h, i, j);
        i = j;
    }
    return i > i0;
}

static void heap_fix(agg_item *h, size_t i, size_t n, less_fn less)
{
    if (!heap_down(h, i, n, less)) {
        heap_up(h, i, less);
    }
}

/* sort.Sort(sort.Reverse(heap)): Go uses insertion sort up to 12 items,
 * which is what topk/bottomk with small k sees; larger heaps use a stable
 * insertion sort too (ties may then order differently from pdqsort, but
 * only for equal values). */
static void sort_reverse(agg_item *h, size_t n, less_fn less)
{
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0 && less(&h[j - 1], &h[j]); j--) {
            swap_items(h, j, j - 1);
        }
    }
}

void agg_heap_offer(pql_op op, agg_item *heap, size_t *len, size_t k,
                    agg_item item)
{
    size_t n = *len;
    switch (op) {
    case PQL_AGG_TOPK:
    case PQL_AGG_BOTTOMK: {
        less_fn less = op == PQL_AGG_TOPK ? less_asc : less_desc;
        if (n < k) {
            heap[n] = item;
            heap_up(heap, n, less);
            *len = n + 1;
            return;
        }
        double top = heap[0].f;
        bool better = op == PQL_AGG_TOPK ? top < item.f : top > item.f;
        if (better || (isnan(top) && !isnan(item.f))) {
            heap[0] = item;
            if (k > 1) {
                heap_fix(heap, 0, n, less);
            }
        }
        return;
    }
    case PQL_AGG_LIMITK:
        if (n >= k) {
            return;
        }
        /* fall through */
    case PQL_AGG_LIMIT_RATIO:
        heap[n] = item;
        heap_up(heap, n, less_asc);
        *len = n + 1;
        return;
    default:
        return;
    }
}

void agg_heap_finish(pql_op op, agg_item *heap, size_t len)
{
    if (op == PQL_AGG_TOPK) {
        sort_reverse(heap, len, less_asc);
    } else if (op == PQL_AGG_BOTTOMK) {
        sort_reverse(heap, len, less_desc);
    }
}

double agg_ratio_offset(const pql_label *labels, size_t n_labels)
{
    XXH64_state_t *st = XXH64_createState();
    static const char sep = (char)0xff;
    uint64_t h;
    if (!st) {
        return 0;
    }
    XXH64_reset(st, 0);
    for (size_t i = 0; i < n_labels; i++) {
        XXH64_update(st, labels[i].name, strlen(labels[i].name));
        XXH64_update(st, &sep, 1);
        XXH64_update(st, labels[i].value, strlen(labels[i].value));
        XXH64_update(st, &sep, 1);
    }
    h = XXH64_digest(st);
    XXH64_freeState(st);
    /* float64(MaxUint64) rounds to 2^64. */
    return (double)h / 18446744073709551616.0;
}
