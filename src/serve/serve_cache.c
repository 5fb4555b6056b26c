#include "serve/serve_cache.h"

#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"
#include "common/mem.h"

struct pp_serve_cache {
    pp_hashmap *map;
    size_t cap, bytes;
    pp_serve_cache_stats stats;
};

/* One allocation: the header, the arrays, then the key bytes. */
typedef struct {
    pp_serve_rows rows;
    size_t bytes;
} entry;

pp_serve_cache *pp_serve_cache_create(size_t cap_bytes) {
    pp_serve_cache *c = pp_xcalloc(1, sizeof *c);
    c->map = pp_hashmap_create(1024);
    c->cap = cap_bytes;
    return c;
}

static void empty(pp_serve_cache *c) {
    pp_hashmap_destroy_free(c->map);
    c->map = pp_hashmap_create(1024);
    c->bytes = 0;
}

void pp_serve_cache_destroy(pp_serve_cache *c) {
    if (!c) return;
    empty(c);
    pp_hashmap_destroy(c->map);
    free(c);
}

const pp_serve_rows *pp_serve_cache_get(pp_serve_cache *c, const char *key) {
    void **slot = pp_hashmap_get(c->map, key, strlen(key));
    if (!slot) {
        c->stats.misses++;
        return NULL;
    }
    c->stats.hits++;
    return &((entry *)*slot)->rows;
}

const pp_serve_rows *pp_serve_cache_put(pp_serve_cache *c, const char *key, const pp_agg *agg) {
    size_t n;
    pp_agg_entry *e = pp_agg_sorted(agg, &n);
    size_t text = 0;
    for (size_t i = 0; i < n; i++) text += e[i].keylen + 1;
    size_t bytes = sizeof(entry) + n * (sizeof(char *) + sizeof(size_t) + sizeof(int64_t)) + text;
    if (c->bytes + bytes > c->cap && c->bytes) {
        empty(c);
        c->stats.flushes++;
    }
    entry *en = pp_xmalloc(bytes);
    const char **keys = (const char **)(en + 1);
    size_t *lens = (size_t *)(keys + n);
    int64_t *values = (int64_t *)(lens + n);
    char *p = (char *)(values + n);
    for (size_t i = 0; i < n; i++) {
        memcpy(p, e[i].key, e[i].keylen);
        p[e[i].keylen] = '\0';
        keys[i] = p;
        lens[i] = e[i].keylen;
        values[i] = e[i].value;
        p += e[i].keylen + 1;
    }
    free(e);
    en->rows = (pp_serve_rows){n, keys, lens, values};
    en->bytes = bytes;
    int inserted;
    void **slot = pp_hashmap_upsert(c->map, key, strlen(key), &inserted);
    if (!inserted) {
        c->bytes -= ((entry *)*slot)->bytes;
        free(*slot);
    }
    *slot = en;
    c->bytes += bytes;
    return &en->rows;
}

void pp_serve_cache_stats_get(const pp_serve_cache *c, pp_serve_cache_stats *out) {
    *out = c->stats;
    out->bytes = c->bytes;
    out->entries = pp_hashmap_size(c->map);
}
