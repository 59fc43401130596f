/* arena.c: block-chained bump allocator behind every parse and query. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_MIN_BLOCK (16 * 1024)

struct arena_block {
    arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    _Alignas(16) unsigned char data[];
};

void arena_init(arena *a, size_t limit)
{
    a->head = NULL;
    a->used_bytes = 0;
    a->peak_bytes = 0;
    a->limit = limit;
    a->exhausted = 0;
}

void arena_release(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->used_bytes = 0;
}

static void *arena_take(arena *a, size_t size, int zero)
{
    size_t need = (size + 15u) & ~(size_t)15u;
    if (need < size) {
        a->exhausted = 1;
        return NULL;
    }
    arena_block *b = a->head;
    if (!b || b->size - b->used < need) {
        size_t block = need > ARENA_MIN_BLOCK ? need : ARENA_MIN_BLOCK;
        if (b && b->size * 2 > block && b->size < 1024 * 1024)
            block = b->size * 2;
        if (a->limit && a->used_bytes + block > a->limit) {
            if (a->used_bytes + need > a->limit) {
                a->exhausted = 1;
                return NULL;
            }
            block = need;
        }
        arena_block *nb = malloc(sizeof(arena_block) + block);
        if (!nb) {
            a->exhausted = 1;
            return NULL;
        }
        nb->size = block;
        nb->used = 0;
        a->used_bytes += block;
        if (a->used_bytes > a->peak_bytes)
            a->peak_bytes = a->used_bytes;
        /* Keep a partly-filled head in front when the new block is a big
         * one-off, so its free space is not lost. */
        if (b && need > ARENA_MIN_BLOCK && b->size - b->used > 256) {
            nb->next = b->next;
            b->next = nb;
            nb->used = need;
            if (zero)
                memset(nb->data, 0, need);
            return nb->data;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    if (zero)
        memset(p, 0, need);
    return p;
}

void *arena_alloc(arena *a, size_t size)
{
    return arena_take(a, size, 1);
}

void *arena_alloc_uninit(arena *a, size_t size)
{
    return arena_take(a, size, 0);
}

void *arena_alloc_array_uninit(arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        a->exhausted = 1;
        return NULL;
    }
    return arena_take(a, n * size, 0);
}

void *arena_alloc_array(arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) {
        a->exhausted = 1;
        return NULL;
    }
    return arena_alloc(a, n * size);
}

char *arena_strndup(arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

void *arena_grow(arena *a, void *old, size_t old_n, size_t new_n, size_t size)
{
    /* Zeroed as before: callers may rely on the tail past old_n. */
    void *p = arena_alloc_array(a, new_n, size);
    if (p && old && old_n)
        memcpy(p, old, (old_n < new_n ? old_n : new_n) * size);
    return p;
}
