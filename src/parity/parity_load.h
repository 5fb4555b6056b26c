/* parity_load — what parity reads from the two stores for one day.
 *
 * Batch side (Cassandra, tables of docs/batch.md): the day's metrics, and the
 * newest finished run of the day from batch_runs with the Kafka prefix it covered
 * (lake_coverage: the lake writer group's committed offsets when the run started)
 * and the highest offsets it read (lake_read).
 * Stream side (PostgreSQL, docs/stream.md): the day's metrics and the stream's
 * stored offsets (stream_offsets) for its consumer group and topic.
 *
 * The batch run used is the newest finished run of the whole day (a --metric back-fill
 * keeps the coverage of the run before it); a newer run that did not finish makes
 * the day not comparable, since it left the tables partial.
 * A day is comparable when both sides consumed the same prefix of every partition:
 * the stream's next offset equals the batch's coverage, and the batch read nothing
 * at or beyond its coverage. Otherwise the day is skipped with the reason.
 * Ownership: the caller owns the sessions and the tables it passes in.
 */
#ifndef PINPIPE_PARITY_LOAD_H
#define PINPIPE_PARITY_LOAD_H

#include <stddef.h>

#include "cql/cql_session.h"
#include "metrics/aggregate.h"
#include "pg/pg_conn.h"

/* Adds the day's metrics of each store to agg. */
int pp_parity_load_batch(pp_cql_session *cql, const char *day, pp_agg *agg, char *err, size_t errlen);
int pp_parity_load_stream(pp_pg *pg, const char *day, pp_agg *agg, char *err, size_t errlen);

/* 1 comparable, 0 not (reason filled), negative PP_E* on a store error. */
int pp_parity_day_comparable(pp_cql_session *cql, pp_pg *pg, const char *day, const char *topic,
                             const char *stream_group, char *reason, size_t reasonlen, char *err, size_t errlen);

#endif
