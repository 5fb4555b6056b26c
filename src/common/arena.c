#include "common/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

#define CHUNK_MIN 1024u /* a chunk taken without a reservation: a few strings' worth */
#define ALIGN (alignof(max_align_t))

struct pp_arena_chunk {
    pp_arena_chunk *next;
    size_t used, cap;
    alignas(max_align_t) char data[];
};

void pp_arena_free(pp_arena *a) {
    pp_arena_chunk *c = a->head;
    while (c) {
        pp_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

/* Room for n more bytes after `used` rounded up to `align` (1 or ALIGN). */
static int fits(const pp_arena_chunk *c, size_t n, size_t align) {
    if (!c) return 0;
    size_t start = (c->used + align - 1) & ~(align - 1);
    return start <= c->cap && c->cap - start >= n;
}

static void new_chunk(pp_arena *a, size_t n) {
    if (n > SIZE_MAX - sizeof(pp_arena_chunk) - ALIGN) pp_oom(SIZE_MAX);
    size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
    pp_arena_chunk *c = pp_xmalloc(sizeof *c + cap);
    c->used = 0;
    c->cap = cap;
    c->next = a->head;
    a->head = c;
}

void pp_arena_reserve(pp_arena *a, size_t n) {
    if (!fits(a->head, n, 1)) new_chunk(a, n);
}

static void *take(pp_arena *a, size_t n, size_t align) {
    if (!fits(a->head, n, align)) new_chunk(a, n); /* a fresh chunk's data is max-aligned */
    pp_arena_chunk *c = a->head;
    size_t start = (c->used + align - 1) & ~(align - 1);
    c->used = start + n;
    return c->data + start;
}

void *pp_arena_alloc(pp_arena *a, size_t n) { return take(a, n, ALIGN); }

char *pp_arena_strndup(pp_arena *a, const char *s, size_t n) {
    if (n == SIZE_MAX) pp_oom(SIZE_MAX);
    char *d = take(a, n + 1, 1);
    if (n) memcpy(d, s, n);
    d[n] = '\0';
    return d;
}
