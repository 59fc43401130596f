/* binagg_map.c: a small arena-backed hash map from label-signature hashes to
 * dense group ids. */
#include "binagg_internal.h"

#include <string.h>

static size_t slot_of(uint64_t key, size_t cap)
{
    /* The keys are already well-mixed XXH3 outputs. */
    return (size_t)(key ^ (key >> 29)) & (cap - 1);
}

static bool alloc_table(binagg_map *m, arena *a, size_t cap)
{
    m->keys = arena_alloc_array(a, cap, sizeof *m->keys);
    m->vals = arena_alloc_array(a, cap, sizeof *m->vals);
    if (!m->keys || !m->vals) {
        return false;
    }
    memset(m->vals, 0xff, cap * sizeof *m->vals);
    m->cap = cap;
    m->count = 0;
    return true;
}

bool binagg_map_init(binagg_map *m, arena *a, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2) {
        cap <<= 1;
    }
    return alloc_table(m, a, cap);
}

uint32_t binagg_map_get(const binagg_map *m, uint64_t key)
{
    size_t i = slot_of(key, m->cap);
    while (m->vals[i] != UINT32_MAX) {
        if (m->keys[i] == key) {
            return m->vals[i];
        }
        i = (i + 1) & (m->cap - 1);
    }
    return UINT32_MAX;
}

static void insert_raw(binagg_map *m, uint64_t key, uint32_t val)
{
    size_t i = slot_of(key, m->cap);
    while (m->vals[i] != UINT32_MAX) {
        i = (i + 1) & (m->cap - 1);
    }
    m->keys[i] = key;
    m->vals[i] = val;
    m->count++;
}

bool binagg_map_put(binagg_map *m, arena *a, uint64_t key, uint32_t val)
{
    if ((m->count + 1) * 2 > m->cap) {
        binagg_map old = *m;
        if (!alloc_table(m, a, old.cap * 2)) {
            *m = old;
            return false;
        }
        for (size_t i = 0; i < old.cap; i++) {
            if (old.vals[i] != UINT32_MAX) {
                insert_raw(m, old.keys[i], old.vals[i]);
            }
        }
    }
    insert_raw(m, key, val);
    return true;
}

bool binagg_groups_init(binagg_groups *g, arena *a, binagg_key_mode mode,
                        const labels_names *names, size_t expected)
{
    g->reps = NULL;
    g->n = g->cap = 0;
    g->mode = mode;
    g->names = names;
    return binagg_map_init(&g->map, a, expected);
}

uint64_t binagg_groups_key(const binagg_groups *g, const labels_set *s)
{
    switch (g->mode) {
    case BINAGG_KEY_ONLY:
        return g->names->n == 0 ? 0 : labels_hash_only(s, g->names);
    case BINAGG_KEY_WITHOUT:
        return labels_hash_without(s, g->names);
    default:
        return s->hash;
    }
}

static bool same_key(const binagg_groups *g, const labels_set *a,
                     const labels_set *b)
{
    switch (g->mode) {
    case BINAGG_KEY_ONLY:
        return g->names->n == 0 || labels_equal_only(a, b, g->names);
    case BINAGG_KEY_WITHOUT:
        return labels_equal_without(a, b, g->names);
    default:
        return labels_equal(a, b);
    }
}

/* The next probe key after a genuine hash collision. */
static uint64_t rekey(uint64_t key)
{
    return key * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
}

uint32_t binagg_groups_find(const binagg_groups *g, uint64_t key,
                            const labels_set *s)
{
    for (;;) {
        uint32_t id = binagg_map_get(&g->map, key);
        if (id == UINT32_MAX || same_key(g, &g->reps[id], s)) {
            return id;
        }
        key = rekey(key);
    }
}

uint32_t binagg_groups_find_or_add(binagg_groups *g, arena *a, uint64_t key,
                                   const labels_set *s, bool *created)
{
    *created = false;
    for (;;) {
        uint32_t id = binagg_map_get(&g->map, key);
        if (id == UINT32_MAX) {
            break;
        }
        if (same_key(g, &g->reps[id], s)) {
            return id;
        }
        key = rekey(key);
    }
    if (g->n == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 16;
        labels_set *nr = arena_grow(a, g->reps, g->cap, ncap, sizeof *nr);
        if (!nr) {
            return UINT32_MAX;
        }
        g->reps = nr;
        g->cap = ncap;
    }
    uint32_t id = (uint32_t)g->n;
    if (!binagg_map_put(&g->map, a, key, id)) {
        return UINT32_MAX;
    }
    g->reps[g->n++] = *s;
    *created = true;
    return id;
}
