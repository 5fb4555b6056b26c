/* lake — the lake writer: Kafka topic → S3 raw lake (docs/lake.md).
 *
 * A consumer-group member of ONE group subscribed to the three topics of the kinds
 * (pins, geo, users; docs/joins.md): the group assigns (topic, partition) pairs and
 * every offset is committed per (topic, partition), so one writer (or several in the
 * group) covers every kind with the same guarantees. Every record of its partitions goes into the open
 * object of its (partition, event day) (lake_writer.h); objects are stored whole
 * with one PUT when they reach max_records or max_bytes, or max_age_ms after their
 * first record, by `uploads` threads (one S3 client each) while consuming goes on;
 * the group's offset of a partition is committed only up to where everything is in
 * stored objects.
 *
 * Assignment: a partition starts at the group's committed offset, else at the
 * earliest one. Revoke: its open objects are stored (one try each, the S3 client
 * retrying inside), what got stored is committed, the rest is dropped — the next
 * owner re-reads it from the committed offset. Lost partitions are dropped.
 * S3 failures: a transient one (no answer, 5xx, 429, SlowDown; common/error.h)
 * is retried with backoff (200 ms doubling to 5 s) until the PUT succeeds or the
 * writer is told to stop; offsets never move past what is stored. Consumption
 * pauses meanwhile (past max.poll.interval.ms, 300 s, the group moves the
 * partitions on: safe, see above). A permanent one (403, 400...: the credentials,
 * the bucket, a policy — never the records, whose every event day is a valid key)
 * is not retried: the writer stops with the error and exit status 1, nothing
 * committed past what is stored. /healthz turns 503 "stalled" when nothing was
 * stored or consumed for stall_ms while records wait (held unstored, or behind
 * the high watermarks). SIGTERM/SIGINT (*stop): every open object is stored,
 * offsets committed, the group left.
 */
#ifndef PINPIPE_LAKE_H
#define PINPIPE_LAKE_H

#include <signal.h>
#include <stddef.h>

#include "lake/lake_rotate.h"

typedef struct {
    const char *brokers;
    const char *topic;       /* the pins */
    const char *geo_topic;   /* as pp_kind_topic (event/kind.h) says: NULL the default, "" none */
    const char *users_topic; /* likewise */
    const char *group;
    const char *instance_id; /* static group membership (group.instance.id); NULL: dynamic */
    int session_timeout_ms;  /* how soon the group notices a dead member */
    const char *bucket;
    const char *prefix;        /* key prefix, "raw/" */
    const char *s3_endpoint;   /* NULL: PINPIPE_S3_ENDPOINT or the S3 client's default */
    const char *s3_region;     /* NULL: PINPIPE_S3_REGION ... */
    const char *s3_access_key; /* NULL: PINPIPE_S3_ACCESS_KEY */
    const char *s3_secret_key; /* NULL: PINPIPE_S3_SECRET_KEY */
    int gzip;
    int uploads; /* objects uploaded at once by threads (lake_writer.h); < 1: 1 */
    pp_lake_limits limits;
    int poll_max; /* messages per poll */
    int poll_ms;  /* longest wait of a poll */
    const char *stats_address;
    int stats_port;        /* 0: no /metrics endpoint */
    long stall_ms;         /* /healthz: stalled after this long without progress while input waits */
    long max_messages;     /* drain and stop after this many records (0: never); tests, benchmarks */
    int exit_when_idle_ms; /* drain and stop after this long without records, counted from
                                  the last record or assignment (0: never) */
} pp_lake_opts;

/* Zero, the limits' defaults and the settings no option reaches (polling, stats
 * address). The defaults and the environment of the options are in the command's
 * option table (src/cli/cmd_lake.c). */
void pp_lake_opts_default(pp_lake_opts *o);

/* The distinct topics the writer subscribes to, pins first (the pins topic defaults to
 * "pins"; geo and users as pp_kind_topic says: by default geo and users beside the
 * pins topic pins, else only when named). Returns their number (1..3). */
size_t pp_lake_topics(const pp_lake_opts *o, const char *out[3]);

/* Runs until *stop becomes non-zero (or a limit in o), then drains. Returns 0 after
 * a clean shutdown with everything stored and committed; a PP_E* code when it could
 * not start, hit a fatal Kafka error, or could not store everything at the end (the
 * committed offsets then stop before what is missing). */
int pp_lake_run(const pp_lake_opts *o, volatile sig_atomic_t *stop, char *err, size_t errlen);

#endif
