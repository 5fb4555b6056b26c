#include "serve/serve_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/mem.h"
#include "kafka/kafka_conf.h"
#include "metrics/metrics.h"
#include "parity/parity_load.h"
#include "pg/pg_exec.h"

#define KAFKA_TIMEOUT_MS 3000

pp_cql_session *pp_serve_conn_cql(pp_serve_conn *c, char *err, size_t errlen) {
    if (!c->cql && pp_cql_session_create(&c->cfg->cql, &c->cql, err, errlen)) c->cql = NULL;
    return c->cql;
}

pp_pg *pp_serve_conn_pg(pp_serve_conn *c, char *err, size_t errlen) {
    if (!c->pg && pp_pg_connect(&c->pg, c->cfg->dsn, err, errlen)) c->pg = NULL;
    return c->pg;
}

void pp_serve_conn_drop_cql(pp_serve_conn *c) {
    pp_cql_session_destroy(c->cql);
    c->cql = NULL;
}

void pp_serve_conn_drop_pg(pp_serve_conn *c) {
    pp_pg_destroy(c->pg);
    c->pg = NULL;
}

void pp_serve_conn_close(pp_serve_conn *c) {
    pp_serve_conn_drop_cql(c);
    pp_serve_conn_drop_pg(c);
    pp_kafka_admin_destroy(c->kafka);
    c->kafka = NULL;
}

static int64_t ms_or_unknown(const pp_pg_result *r, int row, int col) {
    const char *v = pp_pg_result_value(r, row, col);
    return v && *v ? strtoll(v, NULL, 10) : -1;
}

/* The stream's offsets, the days it holds and its freshness. */
static int read_stream(pp_serve_conn *c, pp_serve_view *v, char *err, size_t errlen) {
    pp_pg *pg = pp_serve_conn_pg(c, err, errlen);
    if (!pg) return PP_EIO;
    const pp_serve_store_cfg *cfg = c->cfg;
    int rc = PP_OK;
    for (size_t t = 0; t < v->snap.ntopics && rc == PP_OK; t++) {
        pp_parity_topic *topic = &v->snap.topics[t];
        rc = pp_parity_load_stream_offsets(pg, topic->topic, cfg->stream_group, &v->offsets[t], &topic->nstream, err,
                                           errlen);
        topic->stream = v->offsets[t];
    }
    pp_pg_result *res = NULL;
    /* every day with a pin, a geo or user event or a reject: the primary key (metric,
     * day, key) is the index */
    if (rc == PP_OK)
        rc = pp_pg_exec(pg,
                        "SELECT DISTINCT day FROM metrics"
                        " WHERE metric IN ('pins_total', 'records_by_kind', 'rejected_events') ORDER BY day",
                        0, NULL, &res, err, errlen);
    if (rc) return rc;
    int rows = pp_pg_result_rows(res);
    v->snap.stream_days = pp_xcalloc(rows > 0 ? (size_t)rows : 1, sizeof *v->snap.stream_days);
    uint64_t version = 1469598103934665603ULL;
    for (int r = 0; r < rows; r++) {
        snprintf(v->snap.stream_days[v->snap.nstream_days++], 11, "%s", pp_pg_result_value(res, r, 0));
        version = version * 31 + pp_hash_bytes(pp_pg_result_value(res, r, 0), 10);
    }
    pp_pg_result_free(res);
    for (size_t t = 0; t < v->snap.ntopics; t++)
        for (size_t i = 0; i < v->snap.topics[t].nstream; i++)
            version = version * 31 + (uint64_t)v->offsets[t][i].partition * 1000003 + (uint64_t)v->offsets[t][i].next;
    v->stream_version = (int64_t)(version >> 1);
    /* the newest commit over the topics read (a missing topic is "": no row has it) */
    const char *params[] = {cfg->stream_group, cfg->topic, cfg->geo_topic ? cfg->geo_topic : "",
                            cfg->users_topic ? cfg->users_topic : ""};
    rc = pp_pg_exec(pg,
                    "SELECT (SELECT floor(extract(epoch FROM max(updated_at)) * 1000)::bigint FROM stream_offsets"
                    "         WHERE consumer_group = $1 AND topic IN ($2, $3, $4)),"
                    "       p.e, p.i"
                    "  FROM (SELECT 1) AS one LEFT JOIN ("
                    "    SELECT floor(extract(epoch FROM event_time) * 1000)::bigint AS e,"
                    "           floor(extract(epoch FROM ingested_at) * 1000)::bigint AS i"
                    "      FROM pins WHERE ingested_at IS NOT NULL ORDER BY ingested_at DESC LIMIT 1) AS p ON true",
                    4, params, &res, err, errlen);
    if (rc) return rc;
    v->last_commit_ms = ms_or_unknown(res, 0, 0);
    v->newest_event_ms = ms_or_unknown(res, 0, 1);
    v->newest_ingest_ms = ms_or_unknown(res, 0, 2);
    pp_pg_result_free(res);
    return PP_OK;
}

static int read_kafka(pp_serve_conn *c, pp_serve_view *v, char *err, size_t errlen) {
    const pp_serve_store_cfg *cfg = c->cfg;
    int rc = PP_OK;
    if (!c->kafka) {
        pp_kafka_conf kc;
        rc = pp_kafka_conf_for(&kc, cfg->brokers, cfg->topic, "pinpipe-serve", err, errlen);
        if (rc) return rc;
        rc = pp_kafka_admin_create(&c->kafka, &kc, err, errlen);
        pp_kafka_conf_free(&kc);
        if (rc) return rc;
    }
    for (size_t t = 0; t < v->snap.ntopics && rc == PP_OK; t++) {
        pp_parity_topic *topic = &v->snap.topics[t];
        rc = pp_kafka_admin_watermarks(c->kafka, topic->topic, KAFKA_TIMEOUT_MS, &v->wm[t], &topic->nwm, err, errlen);
        if (rc == PP_ENOTFOUND && t > 0) /* a geo or users topic nobody created yet: no records (as parity) */
            rc = PP_OK, topic->nwm = 0;
        topic->wm = v->wm[t];
    }
    return rc;
}

pp_serve_view *pp_serve_view_read(pp_serve_conn *c) {
    pp_serve_view *v = pp_xcalloc(1, sizeof *v);
    v->snap.taken_ms = pp_wall_ms();
    const char *names[PP_SERVE_MAX_TOPICS] = {c->cfg->topic, c->cfg->geo_topic, c->cfg->users_topic};
    for (size_t i = 0; i < PP_SERVE_MAX_TOPICS; i++)
        if (names[i] && *names[i]) v->snap.topics[v->snap.ntopics++].topic = names[i];
    v->snap.run_timeout_ms = c->cfg->run_timeout_ms;
    v->lag_records = v->last_commit_ms = v->newest_event_ms = v->newest_ingest_ms = -1;
    pp_cql_session *cql = pp_serve_conn_cql(c, v->batch_err, sizeof v->batch_err);
    if (cql && pp_parity_runs_load(cql, NULL, &v->runs, v->batch_err, sizeof v->batch_err) == PP_OK) {
        v->snap.batch_ok = 1;
        pp_serve_sort_runs(v->runs.rows, v->runs.n);
        v->snap.runs = v->runs.rows;
        v->snap.nruns = v->runs.n;
    } else if (cql) {
        pp_serve_conn_drop_cql(c);
    }
    if (read_stream(c, v, v->stream_err, sizeof v->stream_err) == PP_OK)
        v->snap.stream_ok = 1;
    else
        pp_serve_conn_drop_pg(c);
    if (read_kafka(c, v, v->kafka_err, sizeof v->kafka_err) == PP_OK) v->snap.kafka_ok = 1;
    /* the fingerprint: every input of pp_serve_decide_day */
    uint64_t f = (uint64_t)(v->snap.batch_ok | v->snap.stream_ok << 1 | v->snap.kafka_ok << 2);
    f = f * 31 + (uint64_t)v->stream_version;
    for (size_t i = 0; i < v->runs.n; i++) {
        const pp_parity_run_row *r = &v->runs.rows[i];
        f = f * 31 + pp_hash_bytes(r->day ? r->day : "", r->day ? strlen(r->day) : 0);
        f = f * 31 + pp_hash_bytes(r->status, strlen(r->status)) + (uint64_t)r->write_ts;
        /* a 'running' run turns 'abandoned' with age: its age in whole run timeouts */
        f = f * 31 + (uint64_t)(r->age_ms / (c->cfg->run_timeout_ms > 0 ? c->cfg->run_timeout_ms : 1));
    }
    for (size_t t = 0; t < v->snap.ntopics; t++) {
        const pp_parity_topic *topic = &v->snap.topics[t];
        f = f * 31 + t;
        for (size_t i = 0; i < topic->nwm; i++)
            f = f * 31 + (uint64_t)topic->wm[i].partition * 7 + (uint64_t)topic->wm[i].low * 13 +
                (uint64_t)topic->wm[i].high;
    }
    v->fingerprint = f;
    if (v->snap.stream_ok && v->snap.kafka_ok) {
        v->lag_records = 0;
        for (size_t t = 0; t < v->snap.ntopics; t++) {
            const pp_parity_topic *topic = &v->snap.topics[t];
            for (size_t i = 0; i < topic->nwm; i++) {
                int64_t next = 0;
                for (size_t k = 0; k < topic->nstream; k++)
                    if (topic->stream[k].partition == topic->wm[i].partition) next = topic->stream[k].next;
                if (next < topic->wm[i].low) next = topic->wm[i].low;
                if (topic->wm[i].high > next) v->lag_records += topic->wm[i].high - next;
            }
        }
    }
    return v;
}

void pp_serve_view_free(pp_serve_view *v) {
    if (!v) return;
    pp_parity_runs_free(&v->runs);
    for (size_t t = 0; t < PP_SERVE_MAX_TOPICS; t++) {
        free(v->offsets[t]);
        free(v->wm[t]);
    }
    free(v->snap.stream_days);
    free(v);
}

int pp_serve_load_rows(pp_serve_conn *c, pp_serve_source src, int metric, const char *day, pp_agg *agg, char *err,
                       size_t errlen) {
    char why[512];
    const char *name = metric >= 0 ? PP_METRICS[metric].name : NULL;
    int rc;
    if (src == PP_SERVE_BATCH) {
        pp_cql_session *cql = pp_serve_conn_cql(c, why, sizeof why);
        rc = cql ? pp_parity_load_batch(cql, day, name, agg, why, sizeof why) : PP_EIO;
        if (rc) pp_serve_conn_drop_cql(c);
    } else {
        pp_pg *pg = pp_serve_conn_pg(c, why, sizeof why);
        rc = pg ? pp_parity_load_stream(pg, day, name, agg, why, sizeof why) : PP_EIO;
        if (rc) pp_serve_conn_drop_pg(c);
    }
    if (rc) pp_errf(err, errlen, "%s: %s", src == PP_SERVE_BATCH ? "cassandra" : "postgresql", why);
    return rc;
}
