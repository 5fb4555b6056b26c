/* api_ingest — POST /pin/, /geo/ and /user/ (one path, parameterised by the kind,
 * docs/joins.md): read the body (bounded), validate it as the kind's model
 * (api_validate.h), produce it to the kind's topic, and answer only after Kafka's
 * delivery report.
 *
 * Order of checks: Content-Type (415), Content-Length over the limit (413, before
 * any of the body is read), body growing over the limit while it arrives (413 for
 * chunked bodies, as soon as the limit is passed), empty body (422 missing), not
 * JSON (400 json_invalid), fails the model (422, every field error), producer
 * refuses it (503 queue_full / kafka_error; 413 when the record is over the
 * producer's message.max.bytes), then the delivery report: 200 with the echo, 503
 * (timeout / kafka_error: transient), or for a permanent refusal (kafka_producer.h)
 * 413 when Kafka refused the size and 500 `kafka_refused` otherwise. Every 503
 * carries Retry-After; a permanent error is never a 503.
 *
 * The Kafka record (docs/architecture.md, docs/joins.md): topic = the kind's
 * (topics[kind]); key = a pin's unique_id without surrounding whitespace
 * (pp_message_key), a geo or user event's ind in decimal; value = the body bytes
 * exactly as received; headers pinpipe-ingest-time (ms since the epoch, decimal
 * ASCII), pinpipe-schema ("1", or "2" for a pin with poster_name) and pinpipe-kind;
 * timestamp = the ingest time.
 *
 * How waiting works: once the record is handed to the producer the MHD connection is
 * suspended (MHD_suspend_connection), so no server thread waits; the delivery report
 * callback, on the producer's poll thread, stores the outcome and resumes the
 * connection, and MHD calls the handler again to send the answer. Many requests in
 * flight thus share the producer's batches.
 *
 * Shutdown protocol (see api_server.c): `pending` counts records whose delivery
 * callback has not finished; once `closing` is set no new record is produced (503
 * shutting_down), so pending only falls. The daemon may be stopped only at
 * pending == 0 (MHD forbids stopping with suspended connections).
 *
 * Every kind shares the producer, the limits and the shutdown counters: one
 * pp_api_ingest serves all three routes.
 *
 * Ownership: pp_api_ingest is owned by the server; producer, metrics, topics and
 * flags are borrowed. Each request's state (pp_api_ingest_req) is created by the
 * first step and freed with pp_api_ingest_req_free from MHD's request-completed
 * callback.
 */
#ifndef PINPIPE_API_INGEST_H
#define PINPIPE_API_INGEST_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <stddef.h>

#include "api/api_metrics.h"
#include "event/kind.h"
#include "kafka/kafka_producer.h"

typedef struct {
    pp_producer *producer;             /* borrowed */
    pp_api_metrics *metrics;           /* borrowed */
    const char *topics[PP_KIND_COUNT]; /* borrowed; NULL: the producer's default topic */
    size_t max_body;                   /* bytes */
    int retry_after_s;                 /* Retry-After of 503 answers */
    const atomic_int *draining;        /* borrowed: when set, answers carry Connection: close */
    atomic_int closing;                /* set by the server: answer 503, produce nothing */
    atomic_long pending;               /* records whose delivery callback has not finished */
} pp_api_ingest;

typedef struct pp_api_ingest_req pp_api_ingest_req;

/* topics: one per kind (indexed by pp_kind), copied by value (the strings are borrowed). */
void pp_api_ingest_init(pp_api_ingest *ing, pp_producer *producer, pp_api_metrics *metrics,
                        const char *const topics[PP_KIND_COUNT], size_t max_body, int retry_after_s,
                        const atomic_int *draining);

/* One call of MHD's access handler for POST to kind's path (after routing and auth),
 * with MHD's arguments. *req starts NULL and is owned by the caller once set; kind
 * is read on the first call. *status gets the HTTP status once an answer is queued
 * (else it is left alone). */
enum MHD_Result pp_api_ingest_step(pp_api_ingest *ing, pp_kind kind, struct MHD_Connection *c, const char *upload_data,
                                   size_t *upload_data_size, pp_api_ingest_req **req, unsigned *status);

/* Is the request still receiving its body (not yet validated, produced or answered)? */
int pp_api_ingest_req_reading(const pp_api_ingest_req *r);

void pp_api_ingest_req_free(pp_api_ingest_req *r);

#endif
