/* fake_kafka — a stand-in for the Kafka producer and the API's health probe, so the
 * whole API server (api_server.c: MHD, routing, auth, api_ingest.c) runs in-process
 * without a broker (linked by fuzz_api instead of kafka_producer.c and api_health.c).
 *
 * It behaves as the real producer's header promises: send copies nothing it needs
 * later, returns PP_EBUSY / PP_EINVAL without a callback, or queues the record, and a
 * poll thread owned by the producer calls every callback exactly once. What happens to
 * the next records is set with fake_kafka_set_outcome. Every record sent is checked
 * against the API's Kafka contract (api_ingest.h): the value is a valid event, the key
 * its trimmed unique_id, the headers the ingest time and the schema version.
 */
#ifndef PINPIPE_FAKE_KAFKA_H
#define PINPIPE_FAKE_KAFKA_H

#include <stddef.h>

typedef enum {
    FAKE_KAFKA_DELIVERED = 0,  /* the delivery report says PP_OK */
    FAKE_KAFKA_QUEUE_FULL,     /* send returns PP_EBUSY */
    FAKE_KAFKA_TOO_LARGE,      /* send returns PP_EREFUSED (over message.max.bytes) */
    FAKE_KAFKA_TIMEOUT,        /* the report says PP_ETIMEOUT */
    FAKE_KAFKA_FAILED,         /* the report says PP_EIO */
    FAKE_KAFKA_BROKER_REFUSED, /* the report says PP_EREFUSED, too_large */
    FAKE_KAFKA_NO_TOPIC,       /* the report says PP_ENOTFOUND */
    FAKE_KAFKA_N_OUTCOMES
} fake_kafka_outcome;

void fake_kafka_set_outcome(fake_kafka_outcome o);
/* The health probe's answer: 1 reachable, 0 unreachable. */
void fake_kafka_set_reachable(int reachable);
/* How many records so far were refused for good for another reason than their size
 * (FAKE_KAFKA_NO_TOPIC): the only case the API answers 500. */
long fake_kafka_refused_for_good(void);
/* The largest value the API may hand the producer (its body limit). */
void fake_kafka_set_max_value(size_t bytes);

#endif
