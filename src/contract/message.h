/* message — pinpipe's Kafka message contract (docs/architecture.md), built and
 * read in this one place.
 *
 *   value   the event's bytes exactly as received
 *   key     a pin: its unique_id without leading and trailing ASCII whitespace (none
 *           when the bytes are not an event with a unique_id); a geo or user event:
 *           its ind in decimal ASCII (none when it has no valid ind)
 *   headers pinpipe-ingest-time  ms since the epoch, decimal ASCII
 *           pinpipe-schema       "2" when the pin has poster_name, else "1"
 *           pinpipe-kind         "pin", "geo" or "user" (docs/joins.md); a message
 *                                without it is a pin
 *
 * The API (api/api_ingest.c, api/api_validate.c) and the producer of tools (contract/event_producer.c)
 * build messages with pp_message_build; the lake writer and the stream read the
 * ingest time back with pp_message_ingest_time, so both paths derive the same
 * event time for events without a timestamp.
 *
 * Ownership: a pp_message holds its header values; its record points into the
 * message itself (headers) and into the caller's value and event, which must
 * outlive the send. Do not copy a built pp_message (build it where it is used).
 */
#ifndef PINPIPE_CONTRACT_MESSAGE_H
#define PINPIPE_CONTRACT_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "event/event.h"
#include "event/kind.h"
#include "kafka/kafka_types.h"

#define PP_HDR_INGEST_TIME "pinpipe-ingest-time"
#define PP_HDR_SCHEMA "pinpipe-schema"
#define PP_HDR_KIND "pinpipe-kind"

typedef struct {
    pp_kafka_record rec; /* what to hand to pp_producer_send */
    pp_kafka_header headers[3];
    char ingest[24], schema[2], key[24];
} pp_message;

/* Builds the message of value[0..len) for topic. ev: the parsed value (its
 * unique_id becomes the key, its schema version the header; an event that did not
 * parse gives no key and schema "1"). ingest_time_ms: the ingest time header.
 * rec.timestamp_ms is 0 (the producer's clock); rec.partition is "any". */
void pp_message_build(pp_message *m, const char *topic, const void *value, size_t len, const pp_event *ev,
                      int64_t ingest_time_ms);

/* The message of a geo or user event: key = ind (has_ind 0: no key). */
void pp_message_build_kind(pp_message *m, pp_kind kind, const char *topic, const void *value, size_t len, int has_ind,
                           int64_t ind, int64_t ingest_time_ms);

/* The kind a message says it is: its pinpipe-kind header; a pin when it has none.
 * -1 for a header naming no kind. */
int pp_message_kind(const pp_kafka_message *m, pp_kind *kind);

/* The message key of an event: its unique_id without leading and trailing ASCII
 * whitespace, as the cleaning engine compares ids, so every repeat of a pin lands in
 * the same partition in order. Points into id. */
void pp_message_key(const char *id, size_t len, const void **key, size_t *key_len);

/* The ingest time of a message: its header, else the message timestamp, else -1.
 * A time out of the event-time range (event_time.h) counts as unknown (-1). */
int64_t pp_message_ingest_time(const pp_kafka_message *m);

#endif
