#include "batch/batch_join_read.h"

#include "batch/batch_bucket.h"

#include <stdio.h>
#include <string.h>

#include "clean/side.h"
#include "common/error.h"
#include "common/hashmap.h"

/* The sides first: a pin joins only a post that has one (a post of pins only
 * contributes nothing, join/join.h), as in a whole-day run (batch_day.c). */
enum { GEO, USERS, PINS };

static const char *const SELECT[] = {
    [GEO] = "SELECT ind, country FROM %s.geo WHERE event_day = ?",
    [USERS] = "SELECT ind, user_name, age, date_joined FROM %s.users WHERE event_day = ?",
    [PINS] = "SELECT ind, unique_id, category, follower_count FROM %s.pins WHERE event_day = ? AND bucket = ?",
};
static const char *const NAME[] = {"geo", "users", "pins"};

/* A text column, or NULL when null. */
static const char *opt_text(const pp_cql_result *res, size_t r, size_t c) {
    const char *s;
    return pp_cql_result_get_text(res, r, c, &s, NULL) == PP_OK ? s : NULL;
}

static void add_row(pp_join_set *j, pp_hashmap *posts, const char *day, int table, const pp_cql_result *res, size_t r) {
    int64_t ind, v;
    if (pp_cql_result_get_bigint(res, r, 0, &ind) != PP_OK) return; /* a key column: never null */
    pp_join_post *p;
    if (table == PINS) {
        void **slot = pp_hashmap_get(posts, &ind, sizeof ind);
        if (!slot) return;
        p = *slot;
    } else {
        int inserted;
        void **slot = pp_hashmap_upsert(posts, &ind, sizeof ind, &inserted);
        if (inserted) *slot = pp_join_set_post(j, day, ind);
        p = *slot;
    }
    if (table == PINS) {
        int has = pp_cql_result_get_bigint(res, r, 3, &v) == PP_OK;
        const char *uid = opt_text(res, r, 1);
        pp_join_post_add_pin(p, uid ? uid : "", opt_text(res, r, 2), has, has ? v : 0);
    } else if (table == GEO) {
        pp_join_post_set_geo(p, opt_text(res, r, 1));
    } else {
        int has_age = pp_cql_result_get_bigint(res, r, 2, &v) == PP_OK;
        pp_user u;
        memset(&u, 0, sizeof u);
        u.has_date_joined = pp_cql_result_get_timestamp(res, r, 3, &u.date_joined_ms) == PP_OK;
        pp_join_post_set_user(p, opt_text(res, r, 1), has_age, has_age ? v : 0, pp_user_join_year(&u));
    }
}

int pp_batch_join_read_day(pp_cql_session *cql, const char *keyspace, const char *day, pp_join_set *j, size_t *sides,
                           char *err, size_t errlen) {
    pp_cql_value d[2] = {pp_cql_text(day), pp_cql_int(0)};
    int rc = PP_OK;
    pp_hashmap *posts = pp_hashmap_create(1024); /* ind -> its post in j */
    *sides = 0;
    for (int t = GEO; t <= PINS && rc == PP_OK; t++) {
        char text[256], why[512];
        const pp_cql_prepared *stmt;
        snprintf(text, sizeof text, SELECT[t], keyspace); /* a checked identifier (batch_schema.h) */
        if ((rc = pp_cql_prepare(cql, text, &stmt, why, sizeof why))) {
            pp_errf(err, errlen, "Cassandra: preparing \"%s\": %s", text, why);
            break;
        }
        /* the pins: one partition per bucket (batch_bucket.h) */
        for (int32_t b = 0; b < (t == PINS ? PP_PINS_BUCKETS : 1) && rc == PP_OK; b++) {
            pp_cql_result *prev = NULL, *page = NULL;
            d[1] = pp_cql_int(b);
            do {
                rc = pp_cql_execute_page(cql, stmt, d, t == PINS ? 2 : 1, prev, &page, why, sizeof why);
                pp_cql_result_destroy(prev);
                prev = NULL;
                if (rc) {
                    pp_errf(err, errlen, "Cassandra: reading the %s of %s for the join: %s", NAME[t], day, why);
                    break;
                }
                for (size_t r = 0; r < pp_cql_result_nrows(page); r++) add_row(j, posts, day, t, page, r);
                *sides += pp_cql_result_nrows(page);
                prev = page;
            } while (pp_cql_result_has_more(prev));
            pp_cql_result_destroy(prev);
        }
    }
    pp_hashmap_destroy(posts);
    return rc;
}
