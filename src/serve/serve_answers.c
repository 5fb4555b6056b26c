#include "serve/serve_answers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"
#include "common/mem.h"

struct pp_serve_answers {
    pthread_mutex_t lock;
    pp_hashmap *map; /* "fingerprint|request" -> a kept answer */
    size_t cap, bytes;
};

typedef struct {
    size_t len;
    char body[];
} kept;

pp_serve_answers *pp_serve_answers_create(size_t cap_bytes) {
    pp_serve_answers *c = pp_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->map = pp_hashmap_create(256);
    c->cap = cap_bytes;
    return c;
}

static void drop_all(pp_serve_answers *c) {
    pp_hashmap_destroy_free(c->map);
    c->map = pp_hashmap_create(256);
    c->bytes = 0;
}

void pp_serve_answers_destroy(pp_serve_answers *c) {
    if (!c) return;
    drop_all(c);
    pp_hashmap_destroy(c->map);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static void key_of(pp_strbuf *key, const char *request, uint64_t fingerprint) {
    pp_sb_printf(key, "%016llx|%s", (unsigned long long)fingerprint, request);
}

int pp_serve_answers_get(pp_serve_answers *c, const char *request, uint64_t fingerprint, pp_strbuf *out) {
    pp_strbuf key;
    pp_sb_init(&key);
    key_of(&key, request, fingerprint);
    pthread_mutex_lock(&c->lock);
    void **slot = pp_hashmap_get(c->map, key.data, key.len);
    if (slot) pp_sb_append(out, ((kept *)*slot)->body, ((kept *)*slot)->len);
    pthread_mutex_unlock(&c->lock);
    pp_sb_free(&key);
    return slot != NULL;
}

void pp_serve_answers_put(pp_serve_answers *c, const char *request, uint64_t fingerprint, const char *body,
                          size_t len) {
    pp_strbuf key;
    pp_sb_init(&key);
    key_of(&key, request, fingerprint);
    kept *k = pp_xmalloc(sizeof *k + len);
    k->len = len;
    memcpy(k->body, body, len);
    pthread_mutex_lock(&c->lock);
    if (c->bytes + len > c->cap) drop_all(c);
    int inserted;
    void **slot = pp_hashmap_upsert(c->map, key.data, key.len, &inserted);
    if (!inserted) {
        c->bytes -= ((kept *)*slot)->len;
        free(*slot);
    }
    *slot = k;
    c->bytes += len;
    pthread_mutex_unlock(&c->lock);
    pp_sb_free(&key);
}
