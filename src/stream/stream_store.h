/* stream_store — stores a prepared micro-batch whatever PostgreSQL answers, so that
 * no record can stop the stream.
 *
 * Errors are classified once (common/error.h, pg_exec.h):
 *   transient (PP_EIO, PP_ETIMEOUT, PP_EBUSY: connection lost, server restarting,
 *     serialization failure, disk full...): the same batch is tried again with a
 *     back-off of 100 ms doubling to 5 s, until it is stored or the stream is told
 *     to stop; every failure is reported to the health check, which turns /healthz
 *     unhealthy once no batch was stored for the stall time;
 *   refused (PP_EREFUSED: PostgreSQL refuses the data for good — a value out of a
 *     type's range, a constraint, a value too large): the batch is split in halves
 *     and each half stored on its own, down to the one record PostgreSQL refuses.
 *     That record becomes a reject (reason store_refused, with the server's message,
 *     its raw bytes and Kafka coordinates) and is stored as such; if even the reject
 *     is refused, once more with its raw bytes as base64. The partition moves on;
 *     every other record of the batch is stored exactly as without the bad one.
 *   any other error (bad SQL, a missing table, permissions — the pipeline, not the
 *     data): returned at once, and the stream stops with it. Never retried.
 * Splitting keeps each partition's records in offset order, and every part is one
 * transaction with its offsets, so a crash between parts loses and repeats nothing.
 *
 * Ownership: the store borrows everything it is given.
 */
#ifndef PINPIPE_STREAM_STORE_H
#define PINPIPE_STREAM_STORE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "common/health.h"
#include "stream/stream_batch.h"
#include "stream/stream_sink.h"

typedef struct {
    pp_stream_sink *sink;
    volatile sig_atomic_t *stop;
    pp_health *health; /* may be NULL */
    /* called after each stored part with its stats and the time its transaction took */
    void (*stored)(void *ud, const pp_stream_sink_stats *st, int64_t ms, const pp_stream_batch *part);
    void (*failed)(void *ud, int rc);                    /* each failed attempt; may be NULL */
    void (*refused)(void *ud, const pp_stream_item *it); /* each record turned into a reject; may be NULL */
    void *ud;
} pp_stream_store;

/* PP_OK when every record of b is stored (as a pin, a repeat or a reject); else the
 * error that stopped it (told to stop while retrying, or a permanent error that is
 * not the data's). b's items may be turned into rejects (pp_stream_item_refuse). */
int pp_stream_store_batch(const pp_stream_store *s, pp_stream_batch *b, char *err, size_t errlen);

#endif
