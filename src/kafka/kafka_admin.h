/* kafka_admin — topic administration and readiness checks.
 *
 * create_topic is idempotent: a topic that already exists counts as success (a
 * different partition count is logged as a warning, not changed). Metadata is read
 * by listing all topics, so asking about a topic never auto-creates it.
 *
 * Threads: one thread at a time per admin handle.
 * Ownership: the handle owns its librdkafka client; destroy releases it.
 */
#ifndef PINPIPE_KAFKA_ADMIN_H
#define PINPIPE_KAFKA_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "kafka/kafka_conf.h"

typedef struct pp_kafka_admin pp_kafka_admin;

int pp_kafka_admin_create(pp_kafka_admin **out, const pp_kafka_conf *kc, char *err, size_t errlen);
void pp_kafka_admin_destroy(pp_kafka_admin *a);

/* Creates topic with `partitions` partitions and `replication` replicas (<= 0: 1),
 * waiting up to timeout_ms for the cluster to report it created. */
int pp_kafka_admin_create_topic(pp_kafka_admin *a, const char *topic, int partitions, int replication, int timeout_ms,
                                char *err, size_t errlen);

/* Deletes topic; a topic that does not exist counts as success. */
int pp_kafka_admin_delete_topic(pp_kafka_admin *a, const char *topic, int timeout_ms, char *err, size_t errlen);

/* The topic's partition count; PP_ENOTFOUND when the cluster does not have it. */
int pp_kafka_admin_partitions(pp_kafka_admin *a, const char *topic, int timeout_ms, int *partitions, char *err,
                              size_t errlen);

/* Adds partitions to topic until it has `total` (CreatePartitions), waiting up to
 * timeout_ms. A topic that already has `total` counts as success; fewer than it has
 * is PP_EINVAL (Kafka cannot remove partitions). */
int pp_kafka_admin_add_partitions(pp_kafka_admin *a, const char *topic, int total, int timeout_ms, char *err,
                                  size_t errlen);

typedef struct {
    int32_t partition;
    int64_t low;  /* the oldest offset Kafka still holds */
    int64_t high; /* the high watermark: the offset the next record will get */
} pp_kafka_watermark;

/* Every partition Kafka has for topic now (the metadata's set, in partition order)
 * with its watermarks, each asked of the partition's leader. *out is malloc'd (free()
 * it). PP_ENOTFOUND when the cluster does not have the topic. */
int pp_kafka_admin_watermarks(pp_kafka_admin *a, const char *topic, int timeout_ms, pp_kafka_watermark **out, size_t *n,
                              char *err, size_t errlen);

/* For each of partitions[0..n): the first offset whose message timestamp is >= ts_ms
 * (librdkafka's offsets_for_times: a ListOffsets request to each leader), or -1 when
 * the partition has no message that late. */
int pp_kafka_admin_offsets_for_time(pp_kafka_admin *a, const char *topic, const int32_t *partitions, size_t n,
                                    int64_t ts_ms, int timeout_ms, int64_t *out, char *err, size_t errlen);

/* Readiness: one Metadata request answered within timeout_ms. *brokers (may be NULL)
 * gets the number of brokers in the cluster. */
int pp_kafka_admin_ping(pp_kafka_admin *a, int timeout_ms, int *brokers, char *err, size_t errlen);

#endif
