/* stream — the stream job: Kafka → clean → PostgreSQL, exactly once.
 *
 * A consumer-group member of up to three topics: pins, geo and users (docs/joins.md;
 * a message's kind is its pinpipe-kind header). The join of the three is kept in
 * PostgreSQL (stream_join.h). On assignment each partition starts at the offset
 * stored in PostgreSQL (not Kafka's committed offset); each micro-batch (bounded
 * by count and time) is cleaned and stored in one transaction (stream_sink.h).
 * PostgreSQL unavailable: the batch is retried with backoff until it is stored or
 * the job is told to stop; a record PostgreSQL refuses for good is stored as a
 * reject and the partition moves on (stream_store.h); Kafka unavailable:
 * librdkafka reconnects by itself. /healthz turns 503 "stalled" when no batch was
 * stored for stall_ms while records wait (consumed, or behind the high watermark).
 * SIGTERM/SIGINT: the current batch is finished and stored, then it leaves the
 * group and returns.
 */
#ifndef PINPIPE_STREAM_H
#define PINPIPE_STREAM_H

#include <signal.h>
#include <stddef.h>

typedef struct {
    const char *brokers;
    const char *topic;       /* the pins topic */
    const char *geo_topic;   /* NULL or "": geo events are not consumed */
    const char *users_topic; /* NULL or "": user events are not consumed */
    const char *group;
    const char *dsn;
    const char *instance_id; /* group.instance.id (static membership), or NULL */
    int session_timeout_ms;  /* how soon the group notices a dead instance */
    int batch_max;           /* messages per micro-batch */
    int batch_ms;            /* longest wait to fill a micro-batch */
    int join_locks_max;      /* posts a micro-batch locks one by one at most (stream_sink.h) */
    const char *stats_address;
    int stats_port;        /* 0: no /metrics endpoint */
    long stall_ms;         /* /healthz: stalled after this long without progress while input waits */
    long max_messages;     /* stop after this many messages (0: run until told); for tests */
    int exit_when_idle_ms; /* stop after this long without messages (0: never); for tests */
} pp_stream_opts;

/* Zero, and the settings no option reaches (stats_address). The defaults and the
 * environment of the options are in the command's option table (src/cli/cmd_stream.c). */
void pp_stream_opts_default(pp_stream_opts *o);

/* Runs until *stop becomes non-zero (or a limit in opts). Returns 0 after a clean
 * shutdown, a PP_E* code when it could not start or could not store a batch. */
int pp_stream_run(const pp_stream_opts *o, volatile sig_atomic_t *stop, char *err, size_t errlen);

#endif
