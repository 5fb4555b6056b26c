/* batch_coverage — what part of Kafka a batch run's input covers, as JSON for the
 * batch_runs table (the parity command reads it).
 *
 * lake_coverage: the lake writer's consumer group's committed offsets of the topic
 * when the run started, read without joining the group (kafka/kafka_group.h).
 * Every record below a partition's committed offset is in a stored lake object
 * (the lake writer commits only after storing), so it was listed by this run:
 *
 *   {"source":"lake_group","group":"pinpipe-lake","topic":"pins",
 *    "at":"2026-01-02T03:04:05.678Z","next_offsets":{"0":1234,"1":null,...}}
 *
 * (null: the group has no offset for the partition yet). With coverage off:
 * {"source":"none"}. A pipeline that carries geo and user events (docs/joins.md)
 * covers their topics too, under "more_topics": {"geo": {"0": 12, ...}, "users": {...}}
 * (the parity command decides each topic and merges: parity_load.h).
 *
 * lake_read: per topic and partition, the offset after the highest one the run
 * read for the day: {"pins":{"0":1234,"2":77}}.
 *
 * Ownership: the returned strings are malloc'd; the caller frees them.
 */
#ifndef PINPIPE_BATCH_COVERAGE_H
#define PINPIPE_BATCH_COVERAGE_H

#include <stddef.h>

#include "batch/batch_spool.h"

int pp_batch_coverage_json(const char *brokers, const char *topic, const char *group, int timeout_ms, char **json,
                           char *err, size_t errlen);

/* The same over topics[0..ntopics) (ntopics >= 1): the first as above, the others in
 * more_topics. */
int pp_batch_coverage_json_topics(const char *brokers, const char *const *topics, size_t ntopics, const char *group,
                                  int timeout_ms, char **json, char *err, size_t errlen);

/* After pp_batch_spool_seal. */
char *pp_batch_read_json(const pp_batch_spool *s);

#endif
