#include "cql/cql_arena.h"
#include "common/mem.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN (64u * 1024u)
#define ALIGN (alignof(max_align_t))

struct pp_cql_arena_chunk {
    pp_cql_arena_chunk *next;
    size_t used, cap;
    alignas(max_align_t) unsigned char data[];
};

void pp_cql_arena_free(pp_cql_arena *a) {
    pp_cql_arena_chunk *c = a->head;
    while (c) {
        pp_cql_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

void *pp_cql_arena_alloc(pp_cql_arena *a, size_t n) {
    if (n > SIZE_MAX - ALIGN - sizeof(pp_cql_arena_chunk)) return NULL;
    size_t need = (n + ALIGN - 1) & ~(ALIGN - 1);
    if (need == 0) need = ALIGN;
    pp_cql_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < need) {
        size_t cap = need > CHUNK_MIN ? need : CHUNK_MIN;
        c = pp_try_malloc(sizeof *c + cap); /* peer-sized: a result's counts and lengths */
        if (!c) return NULL;
        c->used = 0;
        c->cap = cap;
        if (a->head && need > CHUNK_MIN) {
            /* a big one-off: keep the current chunk on top for small allocations */
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += need;
    memset(p, 0, need);
    return p;
}

char *pp_cql_arena_strndup(pp_cql_arena *a, const void *p, size_t n) {
    if (n == SIZE_MAX) return NULL;
    char *s = pp_cql_arena_alloc(a, n + 1);
    if (!s) return NULL;
    if (n) memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

void pp_cql_arena_steal(pp_cql_arena *dst, pp_cql_arena *src) {
    if (!src->head) return;
    pp_cql_arena_chunk *last = src->head;
    while (last->next) last = last->next;
    /* src's chunks go after dst's head so dst keeps allocating from its own head */
    if (dst->head) {
        last->next = dst->head->next;
        dst->head->next = src->head;
    } else {
        dst->head = src->head;
    }
    src->head = NULL;
}
