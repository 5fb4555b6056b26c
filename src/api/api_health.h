/* api_health — is Kafka reachable? A background probe for GET /healthz.
 *
 * A thread owned by the probe asks the cluster for its metadata (one Metadata request
 * through its own admin handle, so the producer's queue is not involved) every
 * interval_ms, and checks the producer for a fatal error. /healthz reads the last
 * result without waiting. Until the first probe has answered the state is UNKNOWN
 * (reported as unreachable).
 *
 * Ownership: the probe owns its admin handle and thread; the producer is borrowed and
 * must outlive the probe. destroy stops the thread (waits for a probe in progress, at
 * most its timeout).
 */
#ifndef PINPIPE_API_HEALTH_H
#define PINPIPE_API_HEALTH_H

#include <stddef.h>

#include "kafka/kafka_conf.h"
#include "kafka/kafka_producer.h"

typedef enum {
    PP_API_KAFKA_UNKNOWN = 0,
    PP_API_KAFKA_REACHABLE,
    PP_API_KAFKA_UNREACHABLE,
    PP_API_KAFKA_FATAL /* the idempotent producer hit a fatal error: restart the API */
} pp_api_kafka_state;

typedef struct pp_api_health pp_api_health;

int pp_api_health_create(pp_api_health **out, const pp_kafka_conf *kc, pp_producer *producer, int interval_ms,
                         char *err, size_t errlen);
void pp_api_health_destroy(pp_api_health *h);

/* The last probe's result; why (may be NULL) gets the reason when not reachable. */
pp_api_kafka_state pp_api_health_state(pp_api_health *h, char *why, size_t whylen);

/* "reachable", "unreachable", "unknown", "fatal" */
const char *pp_api_kafka_state_name(pp_api_kafka_state s);

#endif
