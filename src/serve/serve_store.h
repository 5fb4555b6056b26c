/* serve_store — the serving layer's connections to Cassandra, PostgreSQL and Kafka,
 * and the view: one consistent read of what the serving rule needs (serve_days.h)
 * plus the pipeline's freshness.
 *
 * Connections open lazily and are dropped after an error, so the next use opens a
 * new one: serve recovers by itself when a store comes back. A view is read store by
 * store; a store that cannot be read is marked (its error kept for /healthz and the
 * answers) and the others are still used. The stream's offsets are read before
 * Kafka's watermarks, so no store can look ahead of Kafka (as parity reads them); both
 * for every topic the pipeline carries (pins; geo and users when configured).
 *
 * Ownership: a connection set belongs to one thread at a time (the caller locks); a
 * view owns everything its snapshot points to.
 */
#ifndef PINPIPE_SERVE_STORE_H
#define PINPIPE_SERVE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_session.h"
#include "kafka/kafka_admin.h"
#include "metrics/aggregate.h"
#include "pg/pg_conn.h"
#include "serve/serve_days.h"

typedef struct {
    pp_cql_config cql; /* keyspace included */
    const char *dsn, *brokers, *topic, *stream_group;
    /* the geo and users topics, resolved by pp_kind_topic (event/kind.h) as parity
     * resolves them; NULL or "": none, pins only */
    const char *geo_topic, *users_topic;
    int64_t run_timeout_ms;
} pp_serve_store_cfg;

typedef struct {
    const pp_serve_store_cfg *cfg;
    pp_cql_session *cql; /* NULL: not connected */
    pp_pg *pg;
    pp_kafka_admin *kafka;
} pp_serve_conn;

/* The open session (connecting when there is none), or NULL with err. */
pp_cql_session *pp_serve_conn_cql(pp_serve_conn *c, char *err, size_t errlen);
pp_pg *pp_serve_conn_pg(pp_serve_conn *c, char *err, size_t errlen);
/* Drops the session after an error: the next use reconnects. */
void pp_serve_conn_drop_cql(pp_serve_conn *c);
void pp_serve_conn_drop_pg(pp_serve_conn *c);
void pp_serve_conn_close(pp_serve_conn *c);

typedef struct {
    pp_serve_snapshot snap;
    int64_t stream_version; /* changes whenever the stream commits (its offsets) or a day appears/goes */
    uint64_t fingerprint;   /* of everything the serving rule reads: equal views decide alike */
    char batch_err[256], stream_err[256], kafka_err[256]; /* "" when read */
    /* freshness; -1 unknown */
    int64_t lag_records;      /* records Kafka holds that the stream has not stored */
    int64_t last_commit_ms;   /* the stream's newest offset commit */
    int64_t newest_event_ms;  /* the event time of the newest pin the stream stored */
    int64_t newest_ingest_ms; /* its ingest time */
    /* owned storage the snapshot points to (its topics' names point into the cfg) */
    pp_parity_runs runs;
    pp_parity_offset *offsets[PP_SERVE_MAX_TOPICS];
    pp_kafka_watermark *wm[PP_SERVE_MAX_TOPICS];
} pp_serve_view;

/* Reads a new view. Never fails as a whole: a store it could not read is marked. */
pp_serve_view *pp_serve_view_read(pp_serve_conn *c);
void pp_serve_view_free(pp_serve_view *v);

/* The rows of (metric, day) from the source's store into agg; 0 or PP_E* (the
 * session is dropped; err names the store). */
int pp_serve_load_rows(pp_serve_conn *c, pp_serve_source src, int metric, const char *day, pp_agg *agg, char *err,
                       size_t errlen);

#endif
