/* kafka_lag_render — a consumer's lag as Prometheus text, for the daemons' /metrics
 * (lake writer, stream):
 *   <prefix>_consumer_lag{topic,partition}  gauge: records in the partition not yet
 *                                           consumed (-1: unknown)
 *   <prefix>_consumer_lag_total             gauge: their sum (unknown ones left out)
 * One series per assigned partition: the label set is bounded by the topic's
 * partitions. The high watermarks are the ones the last fetches brought back (no
 * network call), so rendering never blocks on Kafka.
 */
#ifndef PINPIPE_KAFKA_LAG_RENDER_H
#define PINPIPE_KAFKA_LAG_RENDER_H

#include "common/strbuf.h"
#include "kafka/kafka_consumer.h"

/* Nothing is appended when c is NULL or its lag cannot be read. */
void pp_consumer_lag_render(pp_consumer *c, const char *prefix, pp_strbuf *out);

#endif
