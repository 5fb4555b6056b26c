#include "join/join_set.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/hashmap.h"
#include "common/mem.h"

struct pp_join_set {
    pp_hashmap *posts; /* "DAY/IND" -> pp_join_post* */
};

pp_join_set *pp_join_set_create(void) {
    pp_join_set *s = pp_xcalloc(1, sizeof *s);
    s->posts = pp_hashmap_create(1024);
    return s;
}

void pp_join_set_destroy(pp_join_set *s) {
    if (!s) return;
    size_t pos = 0, klen;
    const char *k;
    void *v;
    while (pp_hashmap_next(s->posts, &pos, &k, &klen, &v)) {
        pp_join_post_free(v);
        free(v);
    }
    pp_hashmap_destroy(s->posts);
    free(s);
}

pp_join_post *pp_join_set_post(pp_join_set *s, const char *day, int64_t ind) {
    char key[48];
    int n = snprintf(key, sizeof key, "%.10s/%lld", day, (long long)ind);
    int inserted;
    void **slot = pp_hashmap_upsert(s->posts, key, (size_t)n, &inserted);
    if (inserted) {
        pp_join_post *p = pp_xmalloc(sizeof *p);
        pp_join_post_init(p, day, ind);
        *slot = p;
    }
    return *slot;
}

size_t pp_join_set_size(const pp_join_set *s) { return pp_hashmap_size(s->posts); }

void pp_join_set_metrics(const pp_join_set *s, pp_metric_emit_fn emit, void *ctx) {
    size_t pos = 0, klen;
    const char *k;
    void *v;
    while (pp_hashmap_next(s->posts, &pos, &k, &klen, &v)) pp_join_post_metrics(v, emit, ctx);
}
