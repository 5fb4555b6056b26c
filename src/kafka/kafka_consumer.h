/* kafka_consumer — a Kafka consumer-group member with manual offset control.
 *
 * Offsets move only when the caller says so: enable.auto.commit=false and
 * enable.auto.offset.store=false are enforced. The caller commits explicit
 * (topic, partition, next offset) triples after its work is durable, or keeps its
 * offsets elsewhere (e.g. in PostgreSQL, in the same transaction as its rows) and
 * hands them back when partitions are assigned.
 *
 * Rebalances: the optional callback hears of every assignment change. On
 * PP_KAFKA_ASSIGNED each partition arrives with offset PP_KAFKA_OFFSET_COMMITTED
 * (resume from the group's committed offset, or auto.offset.reset when it has
 * none); the callback may overwrite any of them with the next offset to read, or
 * PP_KAFKA_OFFSET_BEGINNING / PP_KAFKA_OFFSET_END, and consumption starts there.
 * If it returns an error, nothing is assigned and the next pp_consumer_poll_batch
 * returns that error: the caller should close the consumer so the group moves the
 * partitions elsewhere. On PP_KAFKA_REVOKED the callback may still commit; on
 * PP_KAFKA_LOST (session expired) the partitions already belong to someone else and
 * commits fail. Both eager and cooperative assignors are handled.
 *
 * New partitions: a partition added to a subscribed topic is assigned (to some
 * member of the group) after the next metadata refresh, every
 * PP_KAFKA_CONSUMER_METADATA_REFRESH_MS (topic.metadata.refresh.interval.ms; a
 * property in PINPIPE_KAFKA_PROPS or -X overrides it). It starts from its beginning
 * (auto.offset.reset earliest), so nothing produced to it before is skipped.
 *
 * Threads: one thread drives a consumer. The rebalance callback runs inside
 * pp_consumer_poll_batch or pp_consumer_close, on that thread. pp_consumer_lag may be
 * called from another thread (e.g. a metrics endpoint).
 *
 * Ownership: the consumer owns its librdkafka handle. A pp_kafka_batch owns the
 * messages it holds; their pointers stay valid until the batch is refilled or freed.
 */
#ifndef PINPIPE_KAFKA_CONSUMER_H
#define PINPIPE_KAFKA_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "kafka/kafka_conf.h"
#include "kafka/kafka_types.h"

/* topic.metadata.refresh.interval.ms of every consumer (librdkafka's default is
 * 300000): how soon a partition added to the topic starts being consumed. */
#define PP_KAFKA_CONSUMER_METADATA_REFRESH_MS "10000"

typedef struct pp_consumer pp_consumer;

typedef enum { PP_KAFKA_ASSIGNED, PP_KAFKA_REVOKED, PP_KAFKA_LOST } pp_kafka_rebalance;

/* parts[i].topic is valid only during the call. Return PP_OK, or a PP_E* code
 * (honoured on PP_KAFKA_ASSIGNED only); err may be filled for the log. */
typedef int (*pp_kafka_rebalance_cb)(pp_kafka_rebalance event, pp_kafka_partition *parts, size_t n, void *opaque,
                                     char *err, size_t errlen);

typedef struct {
    const char *group_id;      /* required */
    const char *const *topics; /* subscription; NULL: the configured topic */
    size_t ntopics;
    const char *auto_offset_reset;   /* start without a committed offset: "earliest"
                                        (default) or "latest" */
    int session_timeout_ms;          /* 0: librdkafka's default (45000) */
    int max_poll_interval_ms;        /* 0: librdkafka's default (300000) */
    const char *instance_id;         /* static membership (group.instance.id): a restarted
                                        member with the same id takes its old place at once,
                                        without a rebalance; NULL: dynamic membership */
    pp_kafka_rebalance_cb rebalance; /* may be NULL */
    void *rebalance_opaque;
} pp_consumer_opts;

/* Creates the consumer and subscribes; joining the group happens in the first polls. */
int pp_consumer_create(pp_consumer **out, const pp_kafka_conf *kc, const pp_consumer_opts *opts, char *err,
                       size_t errlen);
/* Closes (if not closed yet) and releases everything. NULL is fine. Free (or empty)
 * every pp_kafka_batch of this consumer first: librdkafka's handle waits for all of
 * its messages, so destroying it while a batch holds some never returns. */
void pp_consumer_destroy(pp_consumer *c);
/* Leaves the group cleanly (the revoke callback runs first, so final commits can be
 * made there). Later polls fail. Idempotent. */
int pp_consumer_close(pp_consumer *c, char *err, size_t errlen);

typedef struct {
    pp_kafka_message *msgs; /* msgs[0..count) */
    size_t count;
    /* private */
    void **raw;
    size_t raw_cap;
    pp_kafka_header *hdrs;
    size_t hdr_cap;
} pp_kafka_batch;

void pp_kafka_batch_init(pp_kafka_batch *b);
/* Releases the messages (count = 0); keeps nothing else. */
void pp_kafka_batch_free(pp_kafka_batch *b);

/* Refills b with up to max_count messages, returning when max_count are there or
 * timeout_ms has passed (0 messages is not an error). Transient consumer errors
 * (a broker down...) are logged and skipped; PP_EIO on a fatal one, or the error of
 * a failed rebalance callback. */
int pp_consumer_poll_batch(pp_consumer *c, pp_kafka_batch *b, size_t max_count, int timeout_ms, char *err,
                           size_t errlen);

/* Commits offsets[i].offset (the NEXT offset to read: last processed + 1) for each
 * partition, synchronously. PP_OK only if every partition's commit succeeded. */
int pp_consumer_commit(pp_consumer *c, const pp_kafka_partition *offsets, size_t n, char *err, size_t errlen);

/* The group's committed offsets for parts (offset set to the next offset to read, or
 * PP_KAFKA_OFFSET_COMMITTED when the group has none). Asks the coordinator. */
int pp_consumer_committed(pp_consumer *c, pp_kafka_partition *parts, size_t n, int timeout_ms, char *err,
                          size_t errlen);

typedef struct {
    char topic[256];
    int32_t partition;
    int64_t position; /* next offset this consumer will read; -1 before its first message */
    int64_t high;     /* high watermark (offset of the next record produced); -1 unknown */
    int64_t lag;      /* high - position; -1 when either is unknown */
} pp_kafka_lag;

/* Lag of every currently assigned partition. *out is malloc'd (free() it), *n set.
 * timeout_ms > 0 asks the brokers for the high watermarks; 0 uses the ones the last
 * fetches brought back (no network call, may be a little stale). */
int pp_consumer_lag(pp_consumer *c, pp_kafka_lag **out, size_t *n, int timeout_ms, char *err, size_t errlen);
/* Records waiting in the assigned partitions: the sum of the known lags (from the
 * last fetches, no network call); 0 when none is known. c may be NULL (0). */
long long pp_consumer_waiting(pp_consumer *c);

#endif
