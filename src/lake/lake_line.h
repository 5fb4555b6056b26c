/* lake_line — one lake record: a Kafka message as one JSON line.
 *
 *   {"topic":"pins","partition":3,"offset":12345,"ingest_time":1767225600000,
 *    "key":"<unique_id>","raw":"<the message value, exactly, as a JSON string>"}\n
 *
 * Members always in this order. ingest_time is pinpipe-ingest-time (else the message
 * timestamp), in ms since the epoch, or null when the message carries neither. key is
 * null for a message without a key. A value that is not valid UTF-8 is written as
 * "raw_base64" (standard base64, padded) instead of "raw" — the same choice
 * pp_reject_json_raw makes for rejects — and a key that is not valid UTF-8 likewise
 * as "key_base64" instead of "key". Decoding "raw" (or "raw_base64") gives back the
 * value byte for byte.
 */
#ifndef PINPIPE_LAKE_LINE_H
#define PINPIPE_LAKE_LINE_H

#include <stdint.h>

#include "common/strbuf.h"
#include "kafka/kafka_types.h"

/* Appends the line of m, newline included. ingest_time_ms < 0: null. */
void pp_lake_line_append(pp_strbuf *out, const pp_kafka_message *m, int64_t ingest_time_ms);

#endif
