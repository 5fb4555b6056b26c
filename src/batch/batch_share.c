#include "batch/batch_share.h"

#include "batch/batch_bucket.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "contract/lake_name.h"

/* The tables a shard shares with the others, in the order they are cleared. */
enum { T_PINS, T_GEO, T_USERS, T_REJECTS, T_COUNT };
static const char *const NAMES[T_COUNT] = {"pins", "geo", "users", "rejects"};

struct pp_batch_share {
    pp_cql_session *s;
    const pp_cql_prepared *sel[T_COUNT], *del[T_COUNT];
};

int pp_batch_share_create(pp_batch_share **out, pp_cql_session *s, const char *keyspace, char *err, size_t errlen) {
    pp_batch_share *sh = pp_xcalloc(1, sizeof *sh);
    sh->s = s;
    struct {
        const pp_cql_prepared **p;
        const char *cql;
    } stmts[] = {
        {&sh->sel[T_PINS], "SELECT unique_id, kafka_partition FROM %s.pins WHERE event_day = ? AND bucket = ?"},
        {&sh->sel[T_GEO], "SELECT ind, kafka_partition FROM %s.geo WHERE event_day = ?"},
        {&sh->sel[T_USERS], "SELECT ind, kafka_partition FROM %s.users WHERE event_day = ?"},
        {&sh->sel[T_REJECTS], "SELECT kafka_topic, kafka_partition FROM %s.rejects WHERE day = ?"},
        {&sh->del[T_PINS],
         "DELETE FROM %s.pins USING TIMESTAMP ? WHERE event_day = ? AND unique_id = ? AND bucket = ?"},
        {&sh->del[T_GEO], "DELETE FROM %s.geo USING TIMESTAMP ? WHERE event_day = ? AND ind = ?"},
        {&sh->del[T_USERS], "DELETE FROM %s.users USING TIMESTAMP ? WHERE event_day = ? AND ind = ?"},
        {&sh->del[T_REJECTS],
         "DELETE FROM %s.rejects USING TIMESTAMP ? WHERE day = ? AND kafka_topic = ? AND kafka_partition = ?"},
    };
    int rc = PP_OK;
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0] && rc == PP_OK; i++) {
        char cql[512], why[512];
        snprintf(cql, sizeof cql, stmts[i].cql, keyspace); /* a checked identifier (batch_schema.h) */
        if ((rc = pp_cql_prepare(s, cql, stmts[i].p, why, sizeof why)))
            pp_errf(err, errlen, "Cassandra: preparing \"%s\": %s", cql, why);
    }
    if (rc) {
        free(sh);
        sh = NULL;
    }
    *out = sh;
    return rc;
}

void pp_batch_share_destroy(pp_batch_share *sh) { free(sh); }

/* The partition a reject row belongs to: its own, or for a corrupt lake line
 * (partition -1, topic = the object's key) the one its object's name carries. */
static int32_t reject_partition(const char *topic, size_t len, int32_t partition) {
    if (partition >= 0) return partition;
    char key[PP_LAKE_KEY_MAX];
    pp_lake_key k;
    if (!topic || len >= sizeof key) return -1;
    memcpy(key, topic, len);
    key[len] = '\0';
    return pp_lake_key_parse(key, &k) == PP_OK ? k.partition : -1;
}

/* One page of table t's keys: the deletes of the rows (pins, geo, users) or prefixes
 * (rejects) the shard owns. */
static int clear_page(pp_batch_share *sh, pp_batch_writer *w, int lane, int t, const pp_cql_result *res,
                      const pp_cql_value *head, const pp_batch_shard *shard, uint64_t *deleted, char *err,
                      size_t errlen) {
    int rc = PP_OK;
    for (size_t r = 0; r < pp_cql_result_nrows(res) && rc == PP_OK; r++) {
        const char *k = NULL;
        size_t klen = 0;
        int64_t ind = 0;
        int32_t part = -1;
        int by_ind = t == T_GEO || t == T_USERS;
        if ((by_ind ? pp_cql_result_get_bigint(res, r, 0, &ind) : pp_cql_result_get_text(res, r, 0, &k, &klen)) ||
            pp_cql_result_get_int(res, r, 1, &part))
            continue;
        if (!pp_batch_shard_owns(shard, t == T_REJECTS ? reject_partition(k, klen, part) : part)) continue;
        pp_cql_value v[4] = {head[0], head[1], by_ind ? pp_cql_bigint(ind) : pp_cql_textn(k, klen),
                             t == T_PINS ? head[2] : pp_cql_int(part)};
        rc = pp_batch_writer_add(w, lane, sh->del[t], v, by_ind ? 3 : 4, err, errlen);
        if (rc == PP_OK) (*deleted)++;
    }
    return rc;
}

int pp_batch_share_clear(pp_batch_share *sh, pp_batch_writer *w, int lane, const char *day, const pp_batch_shard *shard,
                         int64_t ts, uint64_t *deleted, char *err, size_t errlen) {
    pp_cql_value head[3] = {pp_cql_bigint(ts - 1), pp_cql_text(day), pp_cql_int(0)};
    int rc = PP_OK;
    *deleted = 0;
    /* each partition in turn (the day's; for pins, each bucket's, batch_bucket.h): the
     * lane's rows between two flushes are one partition's (batch_writer.h) */
    for (int t = 0; t < T_COUNT && rc == PP_OK; t++) {
        for (int32_t b = 0; b < (t == T_PINS ? PP_PINS_BUCKETS : 1) && rc == PP_OK; b++) {
            pp_cql_result *prev = NULL, *page = NULL;
            head[2] = pp_cql_int(b);
            do {
                char why[512];
                rc =
                    pp_cql_execute_page(sh->s, sh->sel[t], &head[1], t == T_PINS ? 2 : 1, prev, &page, why, sizeof why);
                pp_cql_result_destroy(prev);
                prev = NULL;
                if (rc) {
                    pp_errf(err, errlen, "Cassandra: reading the %s of %s: %s", NAMES[t], day, why);
                    break;
                }
                rc = clear_page(sh, w, lane, t, page, head, shard, deleted, err, errlen);
                prev = page;
            } while (rc == PP_OK && pp_cql_result_has_more(prev));
            pp_cql_result_destroy(prev);
            /* the deletes reach the server before any of the run's rows (same order as a whole-day run's) */
            if (rc == PP_OK) rc = pp_batch_writer_flush(w, lane, err, errlen);
        }
    }
    return rc;
}
