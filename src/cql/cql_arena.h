/* cql_arena — a bump allocator for everything one decoded result holds (column
 * names, types, cell bytes, list items), so a result is freed in one call however
 * many rows it has.
 *
 * The arena owns its chunks; memory handed out lives until pp_cql_arena_free and
 * never moves (pp_cql_arena_steal moves chunks, not bytes, so pointers stay valid).
 */
#ifndef PINPIPE_CQL_ARENA_H
#define PINPIPE_CQL_ARENA_H

#include <stddef.h>

typedef struct pp_cql_arena_chunk pp_cql_arena_chunk;

typedef struct {
    pp_cql_arena_chunk *head;
} pp_cql_arena;

static inline void pp_cql_arena_init(pp_cql_arena *a) { a->head = NULL; }
void pp_cql_arena_free(pp_cql_arena *a);
/* Zeroed, max-aligned memory; NULL when out of memory. n == 0 gives a valid pointer. */
void *pp_cql_arena_alloc(pp_cql_arena *a, size_t n);
/* Copy of n bytes followed by a NUL; NULL when out of memory. */
char *pp_cql_arena_strndup(pp_cql_arena *a, const void *p, size_t n);
/* Moves every chunk of src into dst; src is left empty. */
void pp_cql_arena_steal(pp_cql_arena *dst, pp_cql_arena *src);

#endif
