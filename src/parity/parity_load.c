#include "parity/parity_load.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "pg/pg_exec.h"

static void add_row(pp_agg *agg, const char *metric, const char *day, const char *key, size_t keylen, int64_t v) {
    int m = pp_metric_find(metric);
    if (m < 0) {
        PP_WARN("parity", "ignoring unknown metric '%s' (a newer pinpipe wrote it?)", metric);
        return;
    }
    pp_agg_add(agg, (pp_metric_id)m, day, key, keylen, v);
}

int pp_parity_load_batch(pp_cql_session *cql, const char *day, pp_agg *agg, char *err, size_t errlen) {
    pp_cql_result *res = NULL;
    pp_cql_value v[] = {pp_cql_text(day)};
    int rc = pp_cql_query(cql, "SELECT metric, key, value FROM metrics WHERE day = ?", v, 1, &res, err, errlen);
    if (rc) return rc;
    for (size_t r = 0; r < pp_cql_result_nrows(res); r++) {
        const char *metric, *key;
        size_t keylen;
        int64_t value;
        if (pp_cql_result_get_text(res, r, 0, &metric, NULL) || pp_cql_result_get_text(res, r, 1, &key, &keylen) ||
            pp_cql_result_get_bigint(res, r, 2, &value))
            continue;
        add_row(agg, metric, day, key, keylen, value);
    }
    pp_cql_result_destroy(res);
    return PP_OK;
}

int pp_parity_load_stream(pp_pg *pg, const char *day, pp_agg *agg, char *err, size_t errlen) {
    pp_pg_result *res = NULL;
    const char *params[] = {day};
    int rc = pp_pg_exec(pg, "SELECT metric, key, value FROM metrics WHERE day = $1", 1, params, &res, err, errlen);
    if (rc) return rc;
    for (int r = 0; r < pp_pg_result_rows(res); r++)
        add_row(agg, pp_pg_result_value(res, r, 0), day, pp_pg_result_value(res, r, 1),
                pp_pg_result_len(res, r, 1), strtoll(pp_pg_result_value(res, r, 2), NULL, 10));
    pp_pg_result_free(res);
    return PP_OK;
}

/* The stream's stored next offset of partition p, 0 when none is stored. */
static long long stream_offset(pp_pg_result *offsets, int p) {
    for (int r = 0; r < pp_pg_result_rows(offsets); r++)
        if (atoi(pp_pg_result_value(offsets, r, 0)) == p) return strtoll(pp_pg_result_value(offsets, r, 1), NULL, 10);
    return 0;
}

/* Compares the batch run's coverage with the stream's offsets; 1 comparable. */
static int check_coverage(const char *coverage, const char *read, const char *topic, pp_pg_result *offsets,
                          char *reason, size_t reasonlen) {
    json_t *cov = json_loads(coverage ? coverage : "", 0, NULL), *rd = json_loads(read ? read : "{}", 0, NULL);
    json_t *next = json_object_get(cov, "next_offsets"), *read_topic = json_object_get(rd, topic);
    int ok = 0;
    const char *source = json_string_value(json_object_get(cov, "source"));
    if (!json_is_object(next) || !source || strcmp(source, "lake_group") != 0) {
        snprintf(reason, reasonlen, "the batch run recorded no lake coverage (re-run it with coverage on)");
        goto out;
    }
    const char *k;
    json_t *v;
    json_object_foreach(next, k, v) {
        int p = atoi(k);
        long long covered = json_is_integer(v) ? json_integer_value(v) : 0, stream = stream_offset(offsets, p);
        json_t *r = json_object_get(read_topic, k);
        if (stream != covered) {
            snprintf(reason, reasonlen, "partition %d: the stream is at offset %lld, the batch covered %lld (%s)", p,
                     stream, covered,
                     stream > covered ? "re-run the batch after the lake writer caught up" : "the stream is behind");
            goto out;
        }
        if (json_is_integer(r) && json_integer_value(r) > covered) {
            snprintf(reason, reasonlen, "partition %d: the batch read up to %lld, past its coverage %lld (re-run it)", p,
                     (long long)json_integer_value(r), covered);
            goto out;
        }
    }
    /* a partition the stream has stored but the coverage does not know */
    for (int r = 0; r < pp_pg_result_rows(offsets); r++) {
        const char *p = pp_pg_result_value(offsets, r, 0);
        if (!json_object_get(next, p) && strtoll(pp_pg_result_value(offsets, r, 1), NULL, 10) > 0) {
            snprintf(reason, reasonlen, "partition %s: stored by the stream, unknown to the batch run", p);
            goto out;
        }
    }
    ok = 1;
out:
    json_decref(cov);
    json_decref(rd);
    return ok;
}

int pp_parity_day_comparable(pp_cql_session *cql, pp_pg *pg, const char *day, const char *topic,
                             const char *stream_group, char *reason, size_t reasonlen, char *err, size_t errlen) {
    pp_cql_result *runs = NULL;
    pp_pg_result *offsets = NULL;
    pp_cql_value v[] = {pp_cql_text(day)};
    int rc = pp_cql_query(cql, "SELECT status, metric, lake_coverage, lake_read FROM batch_runs WHERE day = ?", v, 1, &runs,
                          err, errlen);
    if (rc) return rc;
    const char *params[] = {stream_group, topic};
    rc = pp_pg_exec(pg, "SELECT kafka_partition, next_offset FROM stream_offsets WHERE consumer_group = $1 AND topic = $2",
                    2, params, &offsets, err, errlen);
    if (rc) goto out;
    rc = 0;
    snprintf(reason, reasonlen, "no finished batch run for this day");
    for (size_t r = 0; r < pp_cql_result_nrows(runs); r++) { /* newest first */
        const char *status, *metric = NULL, *coverage = NULL, *read = NULL;
        if (pp_cql_result_get_text(runs, r, 0, &status, NULL)) continue;
        if (!pp_cql_result_is_null(runs, r, 1)) pp_cql_result_get_text(runs, r, 1, &metric, NULL);
        if (strcmp(status, "done") != 0) {
            /* a run that died half way (or is running) left the day's tables partial */
            snprintf(reason, reasonlen, "the newest batch run of the day is '%s' (re-run the batch)", status);
            break;
        }
        if (metric && metric[0]) continue; /* a --metric back-fill: the coverage is the full run's */
        pp_cql_result_get_text(runs, r, 2, &coverage, NULL);
        pp_cql_result_get_text(runs, r, 3, &read, NULL);
        rc = check_coverage(coverage, read, topic, offsets, reason, reasonlen);
        break;
    }
    if (rc == 1) reason[0] = '\0';
out:
    pp_cql_result_destroy(runs);
    pp_pg_result_free(offsets);
    return rc;
}
