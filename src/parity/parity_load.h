/* parity_load — what parity reads from the two stores for one day.
 *
 * Batch side (Cassandra, tables of docs/batch.md): the day's metrics, and the
 * day's batch runs, of which parity_runs.h picks the one that counts, with the
 * Kafka prefix it covered (lake_coverage: the lake writer group's committed offsets
 * when the run started) and the highest offsets it read (lake_read).
 * Stream side (PostgreSQL, docs/stream.md): the day's metrics and the stream's
 * stored offsets (stream_offsets) for its consumer group and topic.
 * Kafka side: the topic's partitions and watermarks (kafka_admin.h), read by the
 * caller AFTER the stream's offsets, so no store can look ahead of Kafka.
 *
 * pp_parity_day_decide puts the three together for one day and applies the day
 * rule (day_rule.h): comparable or not, complete or not, and why.
 * Ownership: the caller owns the sessions and the tables it passes in.
 */
#ifndef PINPIPE_PARITY_LOAD_H
#define PINPIPE_PARITY_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_session.h"
#include "metrics/aggregate.h"
#include "kafka/kafka_admin.h"
#include "parity/day_rule.h"
#include "parity/parity_runs.h"
#include "pg/pg_conn.h"

/* Adds the day's metrics of each store to agg: every metric, or only `metric` when it
 * is not NULL (one partition prefix in either store). */
/* Adds the rows (metric text, key text, value bigint) of res, all of day, to agg; a
 * metric this pinpipe does not know is logged and skipped. Returns how many were. */
size_t pp_parity_add_metric_rows(pp_agg *agg, const pp_cql_result *res, const char *day);

int pp_parity_load_batch(pp_cql_session *cql, const char *day, const char *metric, pp_agg *agg, char *err,
                         size_t errlen);
int pp_parity_load_stream(pp_pg *pg, const char *day, const char *metric, pp_agg *agg, char *err, size_t errlen);

typedef struct {
    int32_t partition;
    int64_t next; /* the next offset the stream will read */
} pp_parity_offset;

/* The stream's stored offsets of topic for group. *out is malloc'd (free() it). */
int pp_parity_load_stream_offsets(pp_pg *pg, const char *topic, const char *group, pp_parity_offset **out, size_t *n,
                                  char *err, size_t errlen);

/* The decision for one day from its batch runs rows[0..n) (parity_runs.h picks the one
 * that counts; *chosen gets its index, -1 when none), Kafka's partitions wm[0..nwm)
 * and the stream's offsets. */
void pp_parity_decide_runs(const pp_parity_run_row *rows, size_t n, const char *topic, const pp_kafka_watermark *wm,
                           size_t nwm, const pp_parity_offset *stream, size_t nstream, int64_t run_timeout_ms,
                           pp_day_decision *out, long *chosen);

/* One topic as parity sees it: Kafka's partitions and the stream's offsets. */
typedef struct {
    const char *topic;
    const pp_kafka_watermark *wm;
    size_t nwm;
    const pp_parity_offset *stream;
    size_t nstream;
} pp_parity_topic;

/* pp_parity_decide_runs for each of topics[0..ntopics) (pins, and geo and users when
 * the pipeline carries them: docs/joins.md), merged with pp_day_decision_merge. A
 * run's coverage names its first topic's offsets "next_offsets" and the others'
 * "more_topics": {"geo": {...}, ...}. ntopics >= 1. */
void pp_parity_decide_topics(const pp_parity_run_row *rows, size_t n, const pp_parity_topic *topics, size_t ntopics,
                             int64_t run_timeout_ms, pp_day_decision *out, long *chosen);

/* Reads the day's batch runs, picks the one that counts (run_timeout_ms: when a
 * 'running' row is presumed dead) and decides with pp_parity_decide_topics. 0 or a
 * negative PP_E* on a store error. */
int pp_parity_day_decide(pp_cql_session *cql, const char *day, const pp_parity_topic *topics, size_t ntopics,
                         int64_t run_timeout_ms, pp_day_decision *out, char *err, size_t errlen);

#endif
