/* batch_share — deleting one shard's share of a day (batch_shard.h) before the shard
 * run writes it again.
 *
 * A single-process run deletes the day's partitions (one partition tombstone each);
 * a shard cannot: the other shards' rows share those partitions. So it reads the
 * day's existing keys (pins: unique_id and kafka_partition; geo and users: ind and
 * kafka_partition; rejects: their
 * clustering prefix (kafka_topic, kafka_partition), the partition of a corrupt lake
 * line being its object name's) a page at a time, and deletes those of its
 * partitions at the run's write timestamp - 1: a row tombstone per pin, geo or user of the share
 * (none on a first run), one range tombstone per (topic, partition) of rejects.
 * Rows the run writes again get timestamp T and win over the delete; rows it no
 * longer writes (changed rules) stay deleted. Tombstones are purged after the table's
 * gc_grace_seconds by compaction, like any delete.
 *
 * Ownership: the share's statements live in the session, which must outlive it; the
 * deletes go through the caller's writer on `lane` (they are copied).
 */
#ifndef PINPIPE_BATCH_SHARE_H
#define PINPIPE_BATCH_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "batch/batch_shard.h"
#include "batch/batch_writer.h"
#include "cql/cql_session.h"

typedef struct pp_batch_share pp_batch_share;

int pp_batch_share_create(pp_batch_share **out, pp_cql_session *s, const char *keyspace, char *err, size_t errlen);
void pp_batch_share_destroy(pp_batch_share *sh);

/* Deletes the pins, geo, users and rejects of day that shard owns at ts - 1; *deleted gets the
 * number of delete statements queued. */
int pp_batch_share_clear(pp_batch_share *sh, pp_batch_writer *w, int lane, const char *day, const pp_batch_shard *shard,
                         int64_t ts, uint64_t *deleted, char *err, size_t errlen);

#endif
