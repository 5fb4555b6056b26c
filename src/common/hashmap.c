#include "common/hashmap.h"
#include "common/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key; /* NULL = empty slot */
    size_t keylen;
    uint64_t hash;
    void *value;
} slot;

struct pp_hashmap {
    slot *slots;
    size_t cap; /* power of two */
    size_t size;
};

/* FNV-1a: simple, stable across machines, good enough for short keys. */
uint64_t pp_hash_bytes(const void *data, size_t n) {
    const unsigned char *p = data;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

pp_hashmap *pp_hashmap_create(size_t initial_capacity) {
    pp_hashmap *m = pp_xcalloc(1, sizeof *m);
    size_t cap = 16;
    while (cap < initial_capacity * 2) cap *= 2;
    m->slots = pp_xcalloc(cap, sizeof(slot));
    m->cap = cap;
    return m;
}

void pp_hashmap_destroy(pp_hashmap *m) {
    if (!m) return;
    for (size_t i = 0; i < m->cap; i++) free(m->slots[i].key);
    free(m->slots);
    free(m);
}

static slot *find_slot(slot *slots, size_t cap, const void *key, size_t keylen, uint64_t h) {
    size_t i = (size_t)h & (cap - 1);
    for (;;) {
        slot *s = &slots[i];
        if (!s->key) return s;
        if (s->hash == h && s->keylen == keylen && memcmp(s->key, key, keylen) == 0) return s;
        i = (i + 1) & (cap - 1);
    }
}

static void grow(pp_hashmap *m) {
    size_t cap = m->cap * 2;
    slot *slots = pp_xcalloc(cap, sizeof(slot));
    for (size_t i = 0; i < m->cap; i++) {
        slot *old = &m->slots[i];
        if (!old->key) continue;
        *find_slot(slots, cap, old->key, old->keylen, old->hash) = *old;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

void **pp_hashmap_get(const pp_hashmap *m, const void *key, size_t keylen) {
    slot *s = find_slot(m->slots, m->cap, key, keylen, pp_hash_bytes(key, keylen));
    return s->key ? &s->value : NULL;
}

void **pp_hashmap_upsert(pp_hashmap *m, const void *key, size_t keylen, int *inserted) {
    if ((m->size + 1) * 10 > m->cap * 7) grow(m);
    uint64_t h = pp_hash_bytes(key, keylen);
    slot *s = find_slot(m->slots, m->cap, key, keylen, h);
    *inserted = 0;
    if (!s->key) {
        s->key = pp_xcalloc(1, keylen + 1);
        memcpy(s->key, key, keylen);
        s->keylen = keylen;
        s->hash = h;
        s->value = NULL;
        m->size++;
        *inserted = 1;
    }
    return &s->value;
}

size_t pp_hashmap_size(const pp_hashmap *m) { return m->size; }

int pp_hashmap_next(const pp_hashmap *m, size_t *pos, const char **key, size_t *keylen, void **value) {
    while (*pos < m->cap) {
        slot *s = &m->slots[(*pos)++];
        if (!s->key) continue;
        if (key) *key = s->key;
        if (keylen) *keylen = s->keylen;
        if (value) *value = s->value;
        return 1;
    }
    return 0;
}

void pp_hashmap_destroy_free(pp_hashmap *m) {
    if (!m) return;
    size_t pos = 0, klen;
    const char *k;
    void *v;
    while (pp_hashmap_next(m, &pos, &k, &klen, &v)) free(v);
    pp_hashmap_destroy(m);
}
