#include "batch/batch_join.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"
#include "common/mem.h"

struct pp_batch_join {
    char day[11];
    pp_hashmap *posts; /* ind (8 bytes) -> pp_join_post* */
};

pp_batch_join *pp_batch_join_create(const char *day) {
    pp_batch_join *j = pp_xcalloc(1, sizeof *j);
    snprintf(j->day, sizeof j->day, "%s", day);
    j->posts = pp_hashmap_create(1024);
    return j;
}

void pp_batch_join_destroy(pp_batch_join *j) {
    if (!j) return;
    size_t pos = 0;
    const char *k;
    size_t kl;
    void *v;
    while (pp_hashmap_next(j->posts, &pos, &k, &kl, &v)) pp_join_post_free(v);
    pp_hashmap_destroy_free(j->posts);
    free(j);
}

pp_join_post *pp_batch_join_post(pp_batch_join *j, int64_t ind) {
    int inserted;
    void **slot = pp_hashmap_upsert(j->posts, &ind, sizeof ind, &inserted);
    if (inserted || !*slot) {
        pp_join_post *p = pp_xmalloc(sizeof *p);
        pp_join_post_init(p, j->day, ind);
        *slot = p;
    }
    return *slot;
}

size_t pp_batch_join_count(const pp_batch_join *j) { return pp_hashmap_size(j->posts); }

typedef struct {
    pp_metric_emit_fn emit;
    void *ctx;
} emit_ctx;

static void skip_zero_unmatched(void *ud, pp_metric_id metric, const char *day, const char *key, size_t keylen,
                                int64_t value) {
    const emit_ctx *c = ud;
    if (metric == PP_M_JOIN_UNMATCHED && value == 0) return;
    c->emit(c->ctx, metric, day, key, keylen, value);
}

static int cmp_post(const void *a, const void *b) {
    int64_t x = (*(pp_join_post *const *)a)->ind, y = (*(pp_join_post *const *)b)->ind;
    return x < y ? -1 : x > y;
}

void pp_batch_join_emit(const pp_batch_join *j, pp_metric_emit_fn emit, void *ctx) {
    size_t n = pp_hashmap_size(j->posts), i = 0, pos = 0;
    pp_join_post **all = pp_xmalloc((n ? n : 1) * sizeof *all);
    const char *k;
    size_t kl;
    void *v;
    while (pp_hashmap_next(j->posts, &pos, &k, &kl, &v)) all[i++] = v;
    qsort(all, n, sizeof *all, cmp_post); /* a fixed order: the same rows in the same order every run */
    emit_ctx c = {emit, ctx};
    for (i = 0; i < n; i++) pp_join_post_metrics(all[i], skip_zero_unmatched, &c);
    free(all);
}
