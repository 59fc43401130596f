/* arena.h: bump allocator that owns every allocation of one parse or query. */
#ifndef PQL_ARENA_H
#define PQL_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct arena_block arena_block;

/* An arena frees all of its memory at once; individual frees do not exist.
 * `limit` (0 = none) caps the bytes it may take from malloc; past it every
 * allocation returns NULL and `exhausted` is set. */
typedef struct arena {
    arena_block *head;
    size_t used_bytes;  /* bytes handed out by malloc so far */
    size_t peak_bytes;  /* highest used_bytes since arena_init */
    size_t limit;       /* 0 = unlimited */
    int exhausted;      /* set once an allocation failed */
} arena;

void arena_init(arena *a, size_t limit);
/* Releases every block; the arena may be reused after arena_init. */
void arena_release(arena *a);
/* Returns zeroed memory aligned to 16 bytes, or NULL. */
void *arena_alloc(arena *a, size_t size);
/* Like arena_alloc but the memory is NOT zeroed: for buffers the caller
 * overwrites completely before reading (copies, sample buffers). */
void *arena_alloc_uninit(arena *a, size_t size);
void *arena_alloc_array_uninit(arena *a, size_t n, size_t size);
/* Like arena_alloc for n elements of size each; NULL on overflow. */
void *arena_alloc_array(arena *a, size_t n, size_t size);
/* Copies len bytes of s and appends a NUL. */
char *arena_strndup(arena *a, const char *s, size_t len);
char *arena_strdup(arena *a, const char *s);
/* Grows an array allocated from the arena: returns a new array of new_n
 * elements with the first old_n copied (the old one stays until release). */
void *arena_grow(arena *a, void *old, size_t old_n, size_t new_n, size_t size);

#endif
