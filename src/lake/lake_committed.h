/* lake_committed — a consumer group's committed offsets of a topic, read without
 * joining the group (a running writer is not disturbed: no rebalance). Used by
 * `pinpipe lake --print-committed` (tests, operations).
 *
 * It needs a consumer handle that has a group id but no subscription, which
 * kafka_consumer.h does not offer (its consumers always subscribe), so this file
 * builds one itself from the Kafka glue (kafka/kafka_rd.h).
 */
#ifndef PINPIPE_LAKE_COMMITTED_H
#define PINPIPE_LAKE_COMMITTED_H

#include <stddef.h>
#include <stdint.h>

#include "kafka/kafka_conf.h"

typedef struct {
    int32_t partition;
    int64_t offset; /* the next offset to read; -1 when the group has none */
} pp_lake_committed;

/* Every partition of topic, in partition order. *out is malloc'd (free() it). */
int pp_lake_committed_get(const pp_kafka_conf *kc, const char *topic, const char *group, int timeout_ms,
                          pp_lake_committed **out, size_t *n, char *err, size_t errlen);

#endif
