#include "stream/stream_sides.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hashmap.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "pg/pg_array.h"
#include "pg/pg_exec.h"
#include "stream/stream_arrays.h"

#define NCOLS 10

/* The columns are the same list for both kinds but the 3rd to 5th. */
static const char GEO_SQL[] =
    "INSERT INTO geo (event_day, ind, country, latitude, longitude, event_time, kafka_topic, kafka_partition,"
    " kafka_offset, ingested_at)"
    " SELECT * FROM unnest($1::date[], $2::bigint[], $3::text[], $4::float8[], $5::float8[], $6::timestamptz[],"
    " $7::text[], $8::int[], $9::bigint[], $10::timestamptz[])"
    " ON CONFLICT (event_day, ind) DO NOTHING RETURNING to_char(event_day, 'YYYY-MM-DD'), ind";
static const char USER_SQL[] =
    "INSERT INTO users (event_day, ind, user_name, age, date_joined, event_time, kafka_topic, kafka_partition,"
    " kafka_offset, ingested_at)"
    " SELECT * FROM unnest($1::date[], $2::bigint[], $3::text[], $4::bigint[], $5::timestamptz[], $6::timestamptz[],"
    " $7::text[], $8::int[], $9::bigint[], $10::timestamptz[])"
    " ON CONFLICT (event_day, ind) DO NOTHING RETURNING to_char(event_day, 'YYYY-MM-DD'), ind";

/* The (event day, ind) key of a side: the day's 10 characters and the ind's bytes. */
static size_t side_key(const char *day, int64_t ind, char key[18]) {
    memcpy(key, day, 10);
    memcpy(key + 10, &ind, sizeof ind);
    return 18;
}

static int kafka_before(const pp_stream_item *a, const pp_stream_item *b) {
    if (a->msg->partition != b->msg->partition) return a->msg->partition < b->msg->partition;
    return a->msg->offset < b->msg->offset;
}

/* Columns 3 to 5 of an item: geo country, latitude, longitude; user user_name, age,
 * date_joined. */
static int kind_columns(const pp_stream_item *it, pp_strbuf *col) {
    if (it->rec.kind == PP_KIND_GEO) {
        const pp_geo *g = &it->rec.geo;
        if (pp_stream_array_text_or_null(&col[2], g->country)) return PP_EREFUSED;
        if (g->has_coordinates) {
            pp_stream_array_double(&col[3], g->latitude);
            pp_stream_array_double(&col[4], g->longitude);
        } else {
            pp_stream_array_null(&col[3]);
            pp_stream_array_null(&col[4]);
        }
        return PP_OK;
    }
    const pp_user *u = &it->rec.user;
    if (pp_stream_array_text_or_null(&col[2], u->user_name)) return PP_EREFUSED;
    if (u->has_age)
        pp_pg_array_int(&col[3], u->age);
    else
        pp_stream_array_null(&col[3]);
    pp_stream_array_time(&col[4], u->has_date_joined ? u->date_joined_ms : -1);
    return PP_OK;
}

static int64_t event_time_of(const pp_stream_item *it) {
    return it->rec.kind == PP_KIND_GEO ? it->rec.geo.event_time_ms : it->rec.user.event_time_ms;
}

/* One kind: candidates found, inserted, the new ones marked. */
static int store_kind(pp_pg *pg, pp_kind kind, const pp_stream_batch *b, const char *keep, char *is_new,
                      uint64_t *n_new, uint64_t *n_dup, char *err, size_t errlen) {
    pp_hashmap *first = pp_hashmap_create(16);
    size_t ncand = 0, nitems = 0;
    char key[18];
    for (size_t i = 0; i < b->n; i++) {
        const pp_stream_item *it = &b->items[i];
        if (!keep[i] || !it->cleaned || it->rec.kind != kind) continue;
        nitems++;
        int ins;
        void **slot =
            pp_hashmap_upsert(first, key, side_key(pp_stream_item_day(it), pp_stream_item_ind(it), key), &ins);
        if (ins) ncand++;
        if (ins || kafka_before(it, &b->items[(size_t)(uintptr_t)*slot - 1])) *slot = (void *)(uintptr_t)(i + 1);
    }
    int rc = PP_OK;
    if (ncand == 0) goto out;
    pp_strbuf col[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        pp_sb_init(&col[c]);
        pp_pg_array_open(&col[c]);
    }
    /* the candidates in batch order: the hashmap's values */
    for (size_t i = 0; i < b->n && rc == PP_OK; i++) {
        const pp_stream_item *it = &b->items[i];
        if (!keep[i] || !it->cleaned || it->rec.kind != kind) continue;
        void **slot = pp_hashmap_get(first, key, side_key(pp_stream_item_day(it), pp_stream_item_ind(it), key));
        if ((size_t)(uintptr_t)*slot != i + 1) continue;
        const char *day = pp_stream_item_day(it);
        pp_pg_array_text(&col[0], day, strlen(day));
        pp_pg_array_int(&col[1], pp_stream_item_ind(it));
        rc = kind_columns(it, col);
        pp_stream_array_time(&col[5], event_time_of(it));
        if (pp_pg_array_text(&col[6], it->msg->topic, strlen(it->msg->topic))) rc = PP_EREFUSED;
        pp_pg_array_int(&col[7], it->msg->partition);
        pp_pg_array_int(&col[8], it->msg->offset);
        pp_stream_array_time(&col[9], it->ingest_time_ms);
        if (rc)
            pp_errf(err, errlen, "stream: a text of %s[%d]@%lld holds a NUL byte", it->msg->topic, it->msg->partition,
                    (long long)it->msg->offset);
    }
    const char *params[NCOLS];
    for (int c = 0; c < NCOLS; c++) {
        pp_pg_array_close(&col[c]);
        params[c] = col[c].data;
    }
    pp_pg_result *res = NULL;
    if (rc == PP_OK) rc = pp_pg_exec(pg, kind == PP_KIND_GEO ? GEO_SQL : USER_SQL, NCOLS, params, &res, err, errlen);
    for (int r = 0; rc == PP_OK && r < pp_pg_result_rows(res); r++) {
        const char *day = pp_pg_result_value(res, r, 0);
        int64_t ind = strtoll(pp_pg_result_value(res, r, 1), NULL, 10);
        void **slot = day && strlen(day) == 10 ? pp_hashmap_get(first, key, side_key(day, ind, key)) : NULL;
        if (!slot) continue;
        is_new[(size_t)(uintptr_t)*slot - 1] = 1;
        (*n_new)++;
    }
    pp_pg_result_free(res);
    for (int c = 0; c < NCOLS; c++) pp_sb_free(&col[c]);
out:
    pp_hashmap_destroy(first);
    if (rc == PP_OK) *n_dup += nitems - *n_new;
    return rc;
}

int pp_stream_sides_store(pp_pg *pg, const pp_stream_batch *b, const char *keep, char *is_new, uint64_t *n_new,
                          uint64_t *n_dup, char *err, size_t errlen) {
    uint64_t nn[2] = {0, 0}, nd[2] = {0, 0};
    int rc = store_kind(pg, PP_KIND_GEO, b, keep, is_new, &nn[0], &nd[0], err, errlen);
    if (rc == PP_OK) rc = store_kind(pg, PP_KIND_USER, b, keep, is_new, &nn[1], &nd[1], err, errlen);
    if (n_new) *n_new = nn[0] + nn[1];
    if (n_dup) *n_dup = nd[0] + nd[1];
    return rc;
}
