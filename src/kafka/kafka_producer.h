/* kafka_producer — pinpipe's idempotent Kafka producer.
 *
 * Guarantees (enforced whatever the user's properties say): enable.idempotence=true
 * and acks=all, so a successful delivery report means the record is in every
 * in-sync replica, exactly once and in order per partition.
 *
 * Every record gets its own delivery report, handed to the callback given with it
 * together with the caller's opaque pointer: the HTTP API answers a request only
 * from that callback. A report always arrives, at the latest after
 * message_timeout_ms (then with PP_ETIMEOUT) or when the producer is destroyed
 * (then with PP_EIO, "purged").
 *
 * Threads: pp_producer_send may be called from any number of threads at once. By
 * default a POLL THREAD owned by the producer serves delivery reports, so callbacks
 * run on that thread (and inside pp_producer_flush); they must be quick and must not
 * call pp_producer_destroy. With opts.poll_thread = 0 the caller serves them by
 * calling pp_producer_poll (callbacks then run in the caller's thread).
 *
 * Queue full: pp_producer_send never blocks. When the local queue is full
 * (queue_max_messages / queue_max_kbytes) it returns PP_EBUSY at once, so the API
 * can answer 503; no callback is called for that record.
 *
 * Sizes (kafka_limits.h): message.max.bytes defaults to PP_KAFKA_RECORD_MAX_BYTES, so
 * every producer can write the largest event the API accepts. A record over the
 * producer's limit is refused at once (PP_EREFUSED); one the broker refuses comes
 * back in its report.
 *
 * Errors are classified once, here: a report's status is PP_OK; PP_ETIMEOUT (not
 * acknowledged within message_timeout_ms: transient); PP_EREFUSED (Kafka refused this
 * record for good — a broker error librdkafka does not retry, e.g. MESSAGE_TOO_LARGE,
 * INVALID_RECORD, TOPIC_AUTHORIZATION_FAILED; `too_large` says when it is the size);
 * PP_ENOTFOUND (the topic or partition does not exist); or PP_EIO (transport, the
 * producer's fatal state, purged at destroy: transient for the record).
 *
 * Ownership: the producer copies key, value and headers before send returns. It
 * owns its librdkafka handle and poll thread; pp_producer_destroy releases them.
 */
#ifndef PINPIPE_KAFKA_PRODUCER_H
#define PINPIPE_KAFKA_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

#include "kafka/kafka_conf.h"
#include "kafka/kafka_limits.h"
#include "kafka/kafka_types.h"

typedef struct pp_producer pp_producer;

typedef struct {
    int status;         /* PP_OK, or a PP_E* code as classified above */
    int too_large;      /* with PP_EREFUSED: the record is over a Kafka size limit */
    const char *errstr; /* librdkafka's reason when status != PP_OK, else NULL */
    const char *topic;
    int32_t partition; /* -1 if unknown */
    int64_t offset;    /* the record's offset; -1 if unknown */
    int64_t timestamp_ms;
} pp_delivery_report;

/* The report and its strings are valid only during the call. */
typedef void (*pp_delivery_cb)(const pp_delivery_report *report, void *opaque);

typedef struct {
    int linger_ms;          /* linger.ms: wait this long to fill a batch (default 5; 0: send at once) */
    int batch_num_messages; /* batch.num.messages (default 10000) */
    int batch_size;         /* batch.size in bytes (default 1000000) */
    int queue_max_messages; /* queue.buffering.max.messages (default 100000) */
    int queue_max_kbytes;   /* queue.buffering.max.kbytes (default 1048576) */
    int message_timeout_ms; /* message.timeout.ms: bound on every delivery (default 30000) */
    int message_max_bytes;  /* message.max.bytes: largest record, with key, headers and
                               framing (default PP_KAFKA_RECORD_MAX_BYTES) */
    int poll_thread;        /* 1 (default): own poll thread; 0: caller calls pp_producer_poll */
} pp_producer_opts;

/* The defaults listed above. A field left at 0 after init means librdkafka's own
 * default (poll_thread excepted). Extra properties (-X / PINPIPE_KAFKA_PROPS) win
 * over these. */
void pp_producer_opts_init(pp_producer_opts *opts);

/* Does not contact a broker (librdkafka connects in the background). opts may be NULL. */
int pp_producer_create(pp_producer **out, const pp_kafka_conf *kc, const pp_producer_opts *opts, char *err,
                       size_t errlen);

/* Flushes nothing: call pp_producer_flush first. Stops the poll thread, purges what is
 * still queued or in flight (their callbacks get PP_EIO) and releases everything. */
void pp_producer_destroy(pp_producer *p);

/* Enqueues rec. cb may be NULL (failures are then logged). Returns PP_OK (the callback
 * will be called exactly once), PP_EBUSY (queue full), PP_EREFUSED (the record is
 * larger than message.max.bytes: it can never be sent), PP_EINVAL (bad partition),
 * PP_ENOTFOUND (unknown partition) or PP_EIO (fatal producer error: the producer must
 * be recreated); on an error the callback is never called. */
int pp_producer_send(pp_producer *p, const pp_kafka_record *rec, pp_delivery_cb cb, void *opaque, char *err,
                     size_t errlen);

/* Sends rec and waits for its delivery report (at most message_timeout_ms), waiting
 * for room when the queue is full. For tools and tests. partition/offset may be NULL. */
int pp_producer_send_sync(pp_producer *p, const pp_kafka_record *rec, int32_t *partition, int64_t *offset, char *err,
                          size_t errlen);

/* Serves delivery reports (needed only when opts.poll_thread = 0); waits up to
 * timeout_ms for the first one. Returns how many were served. */
int pp_producer_poll(pp_producer *p, int timeout_ms);

/* Waits until every record sent so far has had its delivery callback called and
 * returned; PP_ETIMEOUT (with the count left) if that takes longer than timeout_ms. */
int pp_producer_flush(pp_producer *p, int timeout_ms, char *err, size_t errlen);

/* The producer's message.max.bytes: the largest record it sends (key, value, headers
 * and librdkafka's per-record framing, PP_KAFKA_RECORD_OVERHEAD at most). */
long pp_producer_max_message_bytes(const pp_producer *p);

/* Records sent whose delivery callback has not returned yet. */
long pp_producer_pending(const pp_producer *p);

/* PP_OK, or PP_EIO with the reason when the idempotent producer hit a fatal error (it
 * must then be destroyed and recreated). For health checks. */
int pp_producer_check(pp_producer *p, char *err, size_t errlen);

#endif
