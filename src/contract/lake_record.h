/* lake_record — one lake record: a Kafka message as one JSON line, written by the
 * lake writer and read back by the batch, both here.
 *
 *   {"topic":"pins","kind":"pin","partition":3,"offset":12345,"ingest_time":1767225600000,
 *    "key":"<unique_id>","raw":"<the message value, exactly, as a JSON string>"}\n
 *
 * Writing (pp_lake_line_append): members always in this order. kind is the kind the
 * message says it is (pp_message_kind: "pin", "geo" or "user"; a message without the
 * pinpipe-kind header is a pin); a header naming no kind is written as it is (null
 * when it is not UTF-8), for the reader to report. ingest_time is
 * pinpipe-ingest-time (else the message timestamp), in ms since the epoch, or null
 * when the message carries neither. key is null for a message without a key. A
 * value that is not valid UTF-8 is written as "raw_base64" (standard base64, padded)
 * instead of "raw" — the same choice pp_reject_json_raw makes for rejects — and a
 * key that is not valid UTF-8 likewise as "key_base64" instead of "key". Decoding
 * "raw" (or "raw_base64") gives back the value byte for byte.
 *
 * Reading (pp_batch_line_parse): member order does not matter; unknown members are
 * ignored; "key" (or "key_base64") is not needed (the value holds the unique_id).
 * "kind" absent (lines written before kinds existed) is a pin.
 * ingest_time may be null or absent: unknown (-1).
 *
 * A line is corrupt — PP_EINVAL, with err saying why — when it is not a JSON object,
 * when topic is not a non-empty string, partition not an integer in 0..2^31-1,
 * offset not an integer >= 0, ingest_time neither null nor an integer >= 0, kind
 * present but not "pin", "geo" or "user", when it
 * has both or neither of raw and raw_base64, or raw_base64 is not base64.
 *
 * Ownership: the writer appends to the caller's strbuf. The reader decodes the value
 * into the caller's strbuf (reset first); out->raw points into it, out->topic into
 * out itself.
 */
#ifndef PINPIPE_CONTRACT_LAKE_RECORD_H
#define PINPIPE_CONTRACT_LAKE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "event/kind.h"
#include "kafka/kafka_types.h"

/* Appends the line of m, newline included. ingest_time_ms < 0: null. */
void pp_lake_line_append(pp_strbuf *out, const pp_kafka_message *m, int64_t ingest_time_ms);

typedef struct {
    char topic[256];
    pp_kind kind; /* absent: PP_KIND_PIN */
    int32_t partition;
    int64_t offset;
    int64_t ingest_time_ms; /* -1: unknown */
    const char *raw;        /* the Kafka message value, byte for byte (into *raw_buf) */
    size_t raw_len;
} pp_batch_line;

int pp_batch_line_parse(const char *line, size_t len, pp_batch_line *out, pp_strbuf *raw_buf, char *err, size_t errlen);
/* The same with jansson only. pp_batch_line_parse reads the usual lines itself (a
 * flat object of strings, integers and nulls: several times faster) and hands
 * every other line to this one, which also words the errors. Exposed for the
 * tests that check both agree. */
int pp_batch_line_parse_json(const char *line, size_t len, pp_batch_line *out, pp_strbuf *raw_buf, char *err,
                             size_t errlen);

/* Standard base64 (RFC 4648, padding required, no whitespace) appended to out.
 * PP_EINVAL when s[0..n) is not that. */
int pp_batch_base64_decode(const char *s, size_t n, pp_strbuf *out);

#endif
