/* lake_status — does the lake hold day D completely? (`pinpipe lake status`,
 * docs/lake.md "Day completeness").
 *
 * The day is complete when, for every partition of the topic, the lake writer's
 * committed offset is at or past `needed`: the first offset whose Kafka message
 * timestamp is >= D+1 00:00:00 UTC + allowance (every record of the day that arrives
 * within the allowance for late events is before it). A partition with no message
 * that late is complete when its committed offset equals the high watermark and the
 * wall clock is past D+1 + allowance (nothing more can arrive in time).
 *
 * pp_lake_status_decide is pure (no I/O, no clock); pp_lake_status_query asks Kafka.
 */
#ifndef PINPIPE_LAKE_STATUS_H
#define PINPIPE_LAKE_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "kafka/kafka_conf.h"

typedef struct {
    const char *topic; /* the caller's (pp_lake_status_query leaves it NULL) */
    int32_t partition;
    int64_t committed; /* the lake group's committed offset; -1 none */
    int64_t needed;    /* first offset with timestamp >= the deadline; -1 no message that late */
    int64_t high;      /* high watermark */
    int ok;
    char why[160];
} pp_lake_part_status;

/* Fills ok and why of each partition; 1 when every one is ok (and n > 0). */
int pp_lake_status_decide(pp_lake_part_status *p, size_t n, int64_t deadline_ms, int64_t now_ms);

/* The partitions of topic with committed (group), needed (for deadline_ms) and high.
 * *out is malloc'd. */
int pp_lake_status_query(const pp_kafka_conf *kc, const char *topic, const char *group, int64_t deadline_ms,
                         int timeout_ms, pp_lake_part_status **out, size_t *n, char *err, size_t errlen);

#endif
