/* kafka_limits — the one decision on how large an event may be, end to end.
 *
 * The API accepts bodies up to PP_EVENT_MAX_BYTES (its --max-body default, 1 MiB).
 * Everything on the way to Kafka is sized from that number, so a body the API
 * accepts can always be delivered:
 *
 *   record   = value (the body) + key (its unique_id, a part of the body, so at most
 *              as long) + headers + librdkafka's per-record framing
 *            <= PP_KAFKA_RECORD_MAX_BYTES_FOR(body) = 2 x body + PP_KAFKA_RECORD_OVERHEAD
 *   producer   message.max.bytes = PP_KAFKA_RECORD_MAX_BYTES (kafka_producer.c; the
 *              API raises it with --max-body)
 *   broker     message.max.bytes = replica.fetch.max.bytes = PP_KAFKA_TOPIC_MAX_MESSAGE_BYTES
 *              (ci/services/kafka.sh writes the same number; a unit test checks it)
 *   topics     max.message.bytes = PP_KAFKA_TOPIC_MAX_MESSAGE_BYTES on every topic
 *              pinpipe creates (kafka_admin.c); auto-created topics inherit the broker's
 *   consumers  nothing to set: librdkafka's fetch.max.bytes (50 MiB) is raised to at
 *              least message.max.bytes, and a record batch larger than
 *              max.partition.fetch.bytes (1 MiB) is still returned whole by the broker
 *              (fetch v3+, KIP-74) while librdkafka grows its per-partition size.
 *
 * The margin between the producer's and the topic's limit holds the record batch's
 * own header (61 bytes) and librdkafka's allowance of one record over its request
 * limit. A record that is still refused (a topic set lower by hand) is answered 413
 * by the API, never 503: a size refusal is permanent.
 */
#ifndef PINPIPE_KAFKA_LIMITS_H
#define PINPIPE_KAFKA_LIMITS_H

#define PP_EVENT_MAX_BYTES 1048576L    /* the API's default --max-body */
#define PP_KAFKA_RECORD_OVERHEAD 4096L /* headers + per-record framing, with room */
#define PP_KAFKA_RECORD_MAX_BYTES_FOR(body) (2L * (long)(body) + PP_KAFKA_RECORD_OVERHEAD)
#define PP_KAFKA_RECORD_MAX_BYTES PP_KAFKA_RECORD_MAX_BYTES_FOR(PP_EVENT_MAX_BYTES) /* 2101248 */
#define PP_KAFKA_TOPIC_MAX_MESSAGE_BYTES (PP_KAFKA_RECORD_MAX_BYTES + 65536L)       /* 2166784 */
/* librdkafka's own bound on message.max.bytes */
#define PP_KAFKA_MESSAGE_MAX_BYTES_LIMIT 1000000000L

#endif
