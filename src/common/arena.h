/* arena — a bump allocator: many small blocks, freed in one call.
 *
 * A cleaned pin keeps every string and its tag array in one (pin.h): one
 * allocation per pin instead of one per string, and no frees one by one. Reserve
 * the size known up front (pp_arena_reserve) and the blocks that follow come from
 * that one chunk; past it the arena takes another chunk, so any size works.
 * Memory handed out never moves and lives until pp_arena_free. Allocation failure
 * aborts (mem.h).
 */
#ifndef PINPIPE_ARENA_H
#define PINPIPE_ARENA_H

#include <stddef.h>

typedef struct pp_arena_chunk pp_arena_chunk;

typedef struct {
    pp_arena_chunk *head; /* the chunk blocks come from; older ones follow */
} pp_arena;

static inline void pp_arena_init(pp_arena *a) { a->head = NULL; }
void pp_arena_free(pp_arena *a); /* frees every chunk and leaves an empty arena */
/* Makes the next n bytes of allocations (strings, or blocks plus their alignment)
 * fit the current chunk. */
void pp_arena_reserve(pp_arena *a, size_t n);
/* n bytes aligned for any type, not zeroed; n == 0 gives a valid pointer. */
void *pp_arena_alloc(pp_arena *a, size_t n);
/* A copy of s[0..n) and a NUL, unaligned (strings pack tightly). */
char *pp_arena_strndup(pp_arena *a, const char *s, size_t n);

#endif
