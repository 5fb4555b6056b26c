/* api_pin — POST /pin/: read the body (bounded), validate it as the seeds' Data
 * model, produce it to Kafka, and answer only after Kafka's delivery report.
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
 * The Kafka record (docs/architecture.md): topic = the configured one; key = the
 * unique_id without surrounding whitespace (pp_message_key); value = the body bytes
 * exactly as received; headers
 * pinpipe-ingest-time (ms since the epoch, decimal ASCII) and pinpipe-schema ("1",
 * or "2" when poster_name is present); timestamp = the ingest time.
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
 * Ownership: pp_api_pin is owned by the server; producer, metrics and flags are
 * borrowed. Each request's state (pp_api_pin_req) is created by the first step and
 * freed with pp_api_pin_req_free from MHD's request-completed callback.
 */
#ifndef PINPIPE_API_PIN_H
#define PINPIPE_API_PIN_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <stddef.h>

#include "api/api_metrics.h"
#include "kafka/kafka_producer.h"

typedef struct {
    pp_producer *producer;      /* borrowed */
    pp_api_metrics *metrics;    /* borrowed */
    const char *topic;          /* borrowed; NULL: the producer's default topic */
    size_t max_body;            /* bytes */
    int retry_after_s;          /* Retry-After of 503 answers */
    const atomic_int *draining; /* borrowed: when set, answers carry Connection: close */
    atomic_int closing;         /* set by the server: answer 503, produce nothing */
    atomic_long pending;        /* records whose delivery callback has not finished */
} pp_api_pin;

typedef struct pp_api_pin_req pp_api_pin_req;

void pp_api_pin_init(pp_api_pin *pin, pp_producer *producer, pp_api_metrics *metrics, const char *topic,
                     size_t max_body, int retry_after_s, const atomic_int *draining);

/* One call of MHD's access handler for POST /pin/ (after routing and auth), with
 * MHD's arguments. *req starts NULL and is owned by the caller once set. *status gets
 * the HTTP status once an answer is queued (else it is left alone). */
enum MHD_Result pp_api_pin_step(pp_api_pin *pin, struct MHD_Connection *c, const char *upload_data,
                                size_t *upload_data_size, pp_api_pin_req **req, unsigned *status);

/* Is the request still receiving its body (not yet validated, produced or answered)? */
int pp_api_pin_req_reading(const pp_api_pin_req *r);

void pp_api_pin_req_free(pp_api_pin_req *r);

#endif
