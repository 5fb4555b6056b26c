#include "stream/stream_join.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hashmap.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "join/join.h"
#include "pg/pg_array.h"
#include "pg/pg_exec.h"

#define NO_POST SIZE_MAX

typedef struct {
    int64_t lock_key;
    int side_in_batch; /* a geo or user of the post is in the batch (new or not) */
    pp_join_post before;
} post;

struct pp_stream_posts {
    const pp_stream_batch *b;
    post *posts;
    size_t n, cap;
    size_t *post_of; /* per item: its post, or NO_POST */
};

int64_t pp_stream_post_lock_key(const char *day, int64_t ind) {
    uint8_t bytes[18];
    memcpy(bytes, day, 10);
    for (int i = 0; i < 8; i++) bytes[10 + i] = (uint8_t)((uint64_t)ind >> (8 * i));
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 */
    for (size_t i = 0; i < sizeof bytes; i++) h = (h ^ bytes[i]) * 0x100000001b3ULL;
    return (int64_t)h;
}

pp_stream_posts *pp_stream_posts_of(const pp_stream_batch *b, const char *keep) {
    pp_stream_posts *ps = pp_xcalloc(1, sizeof *ps);
    ps->b = b;
    ps->post_of = pp_xmalloc((b->n ? b->n : 1) * sizeof *ps->post_of);
    pp_hashmap *index = pp_hashmap_create(b->n);
    for (size_t i = 0; i < b->n; i++) {
        const pp_stream_item *it = &b->items[i];
        ps->post_of[i] = NO_POST;
        if (!keep[i] || !it->cleaned) continue;
        const char *day = pp_stream_item_day(it);
        int64_t ind = pp_stream_item_ind(it);
        char key[18];
        memcpy(key, day, 10);
        memcpy(key + 10, &ind, sizeof ind);
        int ins;
        void **slot = pp_hashmap_upsert(index, key, sizeof key, &ins);
        if (ins) {
            if (ps->n == ps->cap) {
                ps->cap = ps->cap ? ps->cap * 2 : 64;
                ps->posts = pp_xrealloc(ps->posts, ps->cap * sizeof *ps->posts);
            }
            post *p = &ps->posts[ps->n];
            memset(p, 0, sizeof *p);
            pp_join_post_init(&p->before, day, ind);
            p->lock_key = pp_stream_post_lock_key(day, ind);
            *slot = (void *)(uintptr_t)++ps->n;
        }
        ps->post_of[i] = (size_t)(uintptr_t)*slot - 1;
        if (it->rec.kind != PP_KIND_PIN) ps->posts[ps->post_of[i]].side_in_batch = 1;
    }
    pp_hashmap_destroy(index);
    return ps;
}

void pp_stream_posts_free(pp_stream_posts *ps) {
    if (!ps) return;
    for (size_t i = 0; i < ps->n; i++) pp_join_post_free(&ps->posts[i].before);
    free(ps->posts);
    free(ps->post_of);
    free(ps);
}

size_t pp_stream_posts_count(const pp_stream_posts *ps) { return ps->n; }

static int key_cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int pp_stream_posts_lock(pp_pg *pg, pp_stream_posts *ps, size_t max_locks, char *err, size_t errlen) {
    if (ps->n == 0) return PP_OK;
    if (ps->n > max_locks) {
        char gate[24];
        snprintf(gate, sizeof gate, "%lld", (long long)PP_STREAM_JOIN_GATE_KEY);
        const char *gate_params[] = {gate};
        return pp_pg_exec(pg, "SELECT pg_advisory_xact_lock($1::bigint)", 1, gate_params, NULL, err, errlen);
    }
    int64_t *keys = pp_xmalloc(ps->n * sizeof *keys);
    for (size_t i = 0; i < ps->n; i++) keys[i] = ps->posts[i].lock_key;
    qsort(keys, ps->n, sizeof *keys, key_cmp);
    pp_strbuf arr;
    pp_sb_init(&arr);
    pp_pg_array_open(&arr);
    pp_pg_array_int(&arr, PP_STREAM_JOIN_GATE_KEY); /* the gate first */
    for (size_t i = 0; i < ps->n; i++)
        if (i == 0 || keys[i] != keys[i - 1]) pp_pg_array_int(&arr, keys[i]);
    pp_pg_array_close(&arr);
    free(keys);
    const char *params[] = {arr.data};
    /* unnest yields the array in order, and count() takes every row: the gate
     * (shared, row 1), then the posts one by one in ascending order — one round trip */
    int rc = pp_pg_exec(pg,
                        "SELECT count(CASE WHEN i = 1 THEN pg_advisory_xact_lock_shared(k)"
                        " ELSE pg_advisory_xact_lock(k) END) FROM unnest($1::bigint[]) WITH ORDINALITY AS u(k, i)",
                        1, params, NULL, err, errlen);
    pp_sb_free(&arr);
    return rc;
}

/* The (day, ind) arrays of the posts want() accepts; pos[j] = the post of row j+1. */
static size_t post_arrays(const pp_stream_posts *ps, int (*want)(const post *), pp_strbuf *days, pp_strbuf *inds,
                          size_t *pos) {
    size_t n = 0;
    pp_pg_array_open(days);
    pp_pg_array_open(inds);
    for (size_t i = 0; i < ps->n; i++) {
        const post *p = &ps->posts[i];
        if (!want(p)) continue;
        pp_pg_array_text(days, p->before.day, strlen(p->before.day));
        pp_pg_array_int(inds, p->before.ind);
        pos[n++] = i;
    }
    pp_pg_array_close(days);
    pp_pg_array_close(inds);
    return n;
}

static int every_post(const post *p) {
    (void)p;
    return 1;
}

static int has_partner(const post *p) { return p->before.has_geo || p->before.has_user || p->side_in_batch; }

/* The post of a result row whose first column is the 1-based ordinality. */
static post *row_post(pp_stream_posts *ps, const pp_pg_result *res, int r, const size_t *pos, size_t n) {
    long long i = strtoll(pp_pg_result_value(res, r, 0), NULL, 10);
    return i >= 1 && (size_t)i <= n ? &ps->posts[pos[i - 1]] : NULL;
}

#define KEYS_FROM " FROM unnest($1::date[], $2::bigint[]) WITH ORDINALITY AS k(d, ind, i)"

static int query(pp_pg *pg, const char *sql, const pp_strbuf *days, const pp_strbuf *inds, pp_pg_result **res,
                 char *err, size_t errlen) {
    const char *params[] = {days->data, inds->data};
    return pp_pg_exec(pg, sql, 2, params, res, err, errlen);
}

static const char *opt_value(const pp_pg_result *res, int r, int c) { return pp_pg_result_value(res, r, c); }

int pp_stream_posts_load(pp_pg *pg, pp_stream_posts *ps, char *err, size_t errlen) {
    if (ps->n == 0) return PP_OK;
    size_t *pos = pp_xmalloc(ps->n * sizeof *pos);
    pp_strbuf days, inds;
    pp_sb_init(&days);
    pp_sb_init(&inds);
    pp_pg_result *res = NULL;
    size_t n = post_arrays(ps, every_post, &days, &inds, pos);
    /* one statement for both sides: a row per post with a geo or a user stored */
    int rc = query(pg,
                   "SELECT k.i, g.ind IS NOT NULL, g.country, u.ind IS NOT NULL, u.user_name, u.age,"
                   " extract(year FROM u.date_joined AT TIME ZONE 'UTC')::int" KEYS_FROM
                   " LEFT JOIN geo g ON g.event_day = k.d AND g.ind = k.ind"
                   " LEFT JOIN users u ON u.event_day = k.d AND u.ind = k.ind"
                   " WHERE g.ind IS NOT NULL OR u.ind IS NOT NULL",
                   &days, &inds, &res, err, errlen);
    for (int r = 0; rc == PP_OK && r < pp_pg_result_rows(res); r++) {
        post *p = row_post(ps, res, r, pos, n);
        if (!p) continue;
        if (strcmp(pp_pg_result_value(res, r, 1), "t") == 0) pp_join_post_set_geo(&p->before, opt_value(res, r, 2));
        if (strcmp(pp_pg_result_value(res, r, 3), "t") != 0) continue;
        const char *age = opt_value(res, r, 5), *year = opt_value(res, r, 6);
        pp_join_post_set_user(&p->before, opt_value(res, r, 4), age != NULL, age ? strtoll(age, NULL, 10) : 0,
                              year ? atoi(year) : -1);
    }
    pp_pg_result_free(res);
    res = NULL;
    pp_sb_reset(&days);
    pp_sb_reset(&inds);
    n = rc == PP_OK ? post_arrays(ps, has_partner, &days, &inds, pos) : 0;
    if (n)
        rc = query(pg,
                   "SELECT k.i, p.unique_id, p.category, p.follower_count" KEYS_FROM
                   " JOIN pins p ON p.event_day = k.d AND p.ind = k.ind",
                   &days, &inds, &res, err, errlen);
    for (int r = 0; rc == PP_OK && n && r < pp_pg_result_rows(res); r++) {
        post *p = row_post(ps, res, r, pos, n);
        const char *followers = opt_value(res, r, 3);
        if (p)
            pp_join_post_add_pin(&p->before, opt_value(res, r, 1), opt_value(res, r, 2), followers != NULL,
                                 followers ? strtoll(followers, NULL, 10) : 0);
    }
    pp_pg_result_free(res);
    pp_sb_free(&days);
    pp_sb_free(&inds);
    free(pos);
    return rc;
}

static void add_side(pp_join_post *p, const pp_stream_item *it) {
    switch (it->rec.kind) {
    case PP_KIND_GEO: pp_join_post_add_geo_side(p, &it->rec.geo); break;
    case PP_KIND_USER: pp_join_post_add_user_side(p, &it->rec.user); break;
    default: pp_join_post_add_pin_side(p, &it->rec.pin); break;
    }
}

void pp_stream_posts_delta(const pp_stream_posts *ps, const char *is_new, pp_metric_emit_fn emit, void *ctx) {
    if (ps->n == 0) return;
    pp_join_post *after = pp_xcalloc(ps->n, sizeof *after);
    for (size_t i = 0; i < ps->n; i++) pp_join_post_copy(&after[i], &ps->posts[i].before);
    for (size_t i = 0; i < ps->b->n; i++)
        if (is_new[i] && ps->post_of[i] != NO_POST) add_side(&after[ps->post_of[i]], &ps->b->items[i]);
    for (size_t i = 0; i < ps->n; i++) {
        pp_join_post_delta(&ps->posts[i].before, &after[i], emit, ctx);
        pp_join_post_free(&after[i]);
    }
    free(after);
}
