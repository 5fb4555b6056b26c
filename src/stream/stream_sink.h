/* stream_sink — stores one prepared micro-batch in ONE PostgreSQL transaction.
 *
 * In that transaction it
 *   1. locks the partitions' rows in stream_offsets (made when missing; one
 *      statement) and skips every message below the stored next offset (another
 *      instance, or an earlier run, stored it);
 *   2. locks the posts (event day, ind) the batch touches and reads their stored
 *      sides (stream_join.h), before it writes any;
 *   3. inserts the cleaned pins, first occurrence per (event day, unique_id) in
 *      Kafka order wins: deduplicated in the batch, the pairs pins holds dropped by
 *      one anti-join, the rest COPY'd (binary) straight into pins (a pair another writer
 *      committed in between fails the COPY: a transient error, tried again);
 *   4. inserts the geo and user rows, first occurrence per (kind, event day, ind)
 *      (stream_sides.h);
 *   5. adds the metric deltas of only those new records, of the rejects, and the
 *      join's change of every touched post, with the shared metrics engine
 *      (count/sum add, max keeps the larger); a join_unmatched row at 0 is deleted;
 *   6. stores the rejects with their kind, reason and Kafka coordinates;
 *   7. stores the next offset of every partition (of every topic) in the batch, in
 *      the statement of step 5 (a WITH) — fewer round trips per batch.
 * A crash anywhere before COMMIT leaves nothing; after it, everything. Together
 * with resuming from stream_offsets this is exactly-once (docs/stream.md).
 *
 * Ownership: the sink borrows the connection; it owns its generated statements.
 */
#ifndef PINPIPE_STREAM_SINK_H
#define PINPIPE_STREAM_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "pg/pg_conn.h"
#include "stream/stream_batch.h"

typedef struct {
    uint64_t messages;   /* messages in the batch */
    uint64_t skipped;    /* already stored (below the stored offset) */
    uint64_t new_pins;   /* new (event day, unique_id) pairs */
    uint64_t duplicates; /* cleaned pins whose pair was already stored */
    uint64_t rejects;
    uint64_t new_sides;       /* new (kind, event day, ind) geo and user rows */
    uint64_t duplicate_sides; /* cleaned geo and user events whose key was already stored */
    int attempts;
} pp_stream_sink_stats;

typedef struct pp_stream_sink pp_stream_sink;

pp_stream_sink *pp_stream_sink_create(pp_pg *pg, const char *group);
void pp_stream_sink_destroy(pp_stream_sink *s);
/* Posts a batch may lock one by one (stream_join.h); more: the join's gate alone.
 * Default PP_STREAM_JOIN_LOCKS_MAX. A write whose locks PostgreSQL's lock table
 * cannot hold (SQLSTATE 53200, a transient error) is tried again with the gate alone. */
#define PP_STREAM_JOIN_LOCKS_MAX 4096
void pp_stream_sink_set_join_locks(pp_stream_sink *s, size_t max_locks);

/* Stores the batch (retrying serialization failures and lost connections inside
 * the transaction helper). On failure nothing is stored and the caller retries. */
int pp_stream_sink_write(pp_stream_sink *s, const pp_stream_batch *b, pp_stream_sink_stats *stats, char *err,
                         size_t errlen);

/* The stored next offset of (topic, partition), or -1 when none is stored. */
int pp_stream_sink_stored_offset(pp_stream_sink *s, const char *topic, int32_t partition, int64_t *offset, char *err,
                                 size_t errlen);

#endif
