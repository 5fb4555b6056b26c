/* message — reading pinpipe's Kafka message contract (docs/architecture.md).
 *
 * The API writes the ingest time into the `pinpipe-ingest-time` header (ms since
 * the epoch, decimal ASCII) and the schema version into `pinpipe-schema`. The lake
 * writer and the stream read them back with these helpers, so both paths derive
 * the same event time for events without a timestamp.
 */
#ifndef PINPIPE_MESSAGE_H
#define PINPIPE_MESSAGE_H

#include <stdint.h>

#include "kafka/kafka_types.h"

#define PP_HDR_INGEST_TIME "pinpipe-ingest-time"
#define PP_HDR_SCHEMA "pinpipe-schema"

/* The message key of an event: its unique_id without leading and trailing ASCII
 * whitespace, as the cleaning engine compares ids, so every repeat of a pin lands in
 * the same partition in order. Points into id. */
void pp_message_key(const char *id, size_t len, const void **key, size_t *key_len);

/* The ingest time of a message: its header, else the message timestamp, else -1.
 * A time out of the event-time range (event_time.h) counts as unknown (-1). */
int64_t pp_message_ingest_time(const pp_kafka_message *m);

#endif
