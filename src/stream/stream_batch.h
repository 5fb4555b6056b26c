/* stream_batch — one micro-batch of Kafka messages, cleaned.
 *
 * Preparing cleans every message with the shared engine (no database work), so
 * the transaction that stores the batch (stream_sink.h) is short. A message's kind
 * is its pinpipe-kind header (contract/message.h; none: a pin): a pin, a geo or a
 * user event (docs/joins.md), cleaned by the kind's function; a header naming no
 * kind is a pin, as the lake writer takes it. The batch borrows the Kafka messages: it must be
 * cleared before their pp_kafka_batch is refilled. It owns the records and rejects
 * it made.
 */
#ifndef PINPIPE_STREAM_BATCH_H
#define PINPIPE_STREAM_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "clean/clean.h"
#include "kafka/kafka_consumer.h"

typedef struct {
    const pp_kafka_message *msg;
    int64_t ingest_time_ms;
    int refetched;     /* an earlier copy of this record is in the batch: ignore this one */
    int cleaned;       /* 1: rec is valid (its rec.kind member); 0: rej is */
    int raw_as_base64; /* store the reject's raw bytes as base64 even when they are text */
    pp_record rec;     /* rec.kind: the message's kind, also for a reject */
    pp_reject rej;
} pp_stream_item;

typedef struct {
    pp_stream_item *items;
    size_t n, cap;
} pp_stream_batch;

void pp_stream_batch_init(pp_stream_batch *b);
/* Cleans every message of kb into b. A record fetched twice in one batch (a
 * partition revoked and assigned again while the batch filled: the consumer goes
 * back to the stored offset) is marked refetched after its first copy: a record
 * whose offset is below the highest one already seen of its partition. */
void pp_stream_batch_prepare(pp_stream_batch *b, const pp_kafka_batch *kb, const pp_clean_opts *opts);
void pp_stream_batch_clear(pp_stream_batch *b);
/* PostgreSQL refused to store the item for good (stream_store.h): it becomes a
 * reject with reason "store_refused" and the server's message, on the same day. */
void pp_stream_item_refuse(pp_stream_item *it, const char *why);
/* The event day of a cleaned item (its record's), or of a reject (maybe ""). */
const char *pp_stream_item_day(const pp_stream_item *it);
/* The ind of a cleaned item's record. */
int64_t pp_stream_item_ind(const pp_stream_item *it);
void pp_stream_batch_free(pp_stream_batch *b);

#endif
