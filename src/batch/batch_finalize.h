/* batch_finalize — `pinpipe batch --date D --finalize N`: the day's metrics as the
 * merge of its N shard runs (batch_shard.h), and the day's batch_runs row of a full
 * run.
 *
 *  1. pick: the newest run of every shard 0..N-1 (pp_batch_finalize_pick); any
 *     missing, 'running' or 'failed' refuses the finalize (PP_EINVAL, naming it).
 *  2. merge: the shard_metrics rows of (day, N) through the engine's aggregate
 *     (metrics/aggregate.h: counts and sums add, maxima keep the larger). Each
 *     shard's rows are its newest run's (a run replaces its rows). Then the join
 *     metrics, which no shard can compute (a post's sides are in several
 *     partitions): the day's pins, geo and users rows read back and joined
 *     (batch_join_read.h), as a whole-day run joins them while cleaning.
 *  3. write: a batch_runs row shard "all/N" 'running'; delete the day's metrics
 *     partition at its write_ts - 1 and write the merged rows at write_ts; then
 *     'done' with the shards' summed counts and, as lake_coverage / lake_read, each
 *     partition's from the shard owning it. Parity and serve take it for a
 *     single-process run of the day (parity_runs.h).
 *
 * Ownership: everything is the caller's; the session is in the batch keyspace.
 */
#ifndef PINPIPE_BATCH_FINALIZE_H
#define PINPIPE_BATCH_FINALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "batch/batch_store.h"
#include "cql/cql_session.h"
#include "s3/s3_client.h"

/* *run gets the finalize's counts (its strings are NULL after the call). */
int pp_batch_finalize_day(pp_cql_session *cql, pp_batch_store *store, const char *keyspace, const char *day,
                          int n_shards, pp_batch_summary *run, char *err, size_t errlen);

/* --if-lake-grew: *grew = 1 when the day's lake objects or their bytes differ from
 * those of the day's newest 'done' full run (single-process or finalize), or there
 * is none; *objects / *bytes get the lake's now. */
int pp_batch_lake_grew(pp_cql_session *cql, s3_client *s3, const char *prefix, const char *day, int *grew,
                       uint64_t *objects, uint64_t *bytes, char *err, size_t errlen);

#endif
