/* kafka_group — a consumer group's committed offsets of a topic, read without
 * joining the group (a running member is not disturbed: no rebalance). Used by
 * `pinpipe lake --print-committed` and by the batch's lake coverage.
 *
 * It needs a consumer handle with a group id but no subscription, which
 * kafka_consumer.h does not offer (its consumers always subscribe).
 */
#ifndef PINPIPE_KAFKA_GROUP_H
#define PINPIPE_KAFKA_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "kafka/kafka_conf.h"

typedef struct {
    int32_t partition;
    int64_t offset; /* the next offset to read; -1 when the group has none */
} pp_kafka_committed;

/* Every partition of topic, in partition order. *out is malloc'd (free() it). */
int pp_kafka_group_committed(const pp_kafka_conf *kc, const char *topic, const char *group, int timeout_ms,
                             pp_kafka_committed **out, size_t *n, char *err, size_t errlen);

#endif
