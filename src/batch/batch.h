/* batch — the batch job: for each day of a range, lake(day) -> clean -> Cassandra
 * (docs/batch.md). `pinpipe batch` is its command line.
 *
 * A run: checks its settings, reads the lake writer's committed offsets once (the
 * run's lake coverage, batch_coverage.h), connects to S3 and Cassandra, creates the
 * keyspace and tables when missing (batch_schema.h), reads the node's byte limits
 * (batch_limits.h; fallbacks with a warning), then runs each day in turn
 * (batch_day.h) and prints one summary line per day on `out`:
 *
 *   batch day=2026-01-01 status=done objects=3 records=12000 duplicate_coordinates=0
 *     duplicate_pins=310 rejects=120 corrupt_lines=0 misplaced=0 pins=11570 ...
 *
 * Days are independent: nothing is shared between them but the tables, so several
 * machines can split a range (each its own --from/--to), or a day by Kafka partition
 * (shard runs, then a finalize: batch_shard.h, batch_finalize.h). With if_lake_grew
 * a day whose lake is as its newest full run read it prints status=unchanged. The first day that fails
 * stops the run (the days before it are done; re-run from the failed one).
 * *stop (SIGTERM) ends the run after the day in progress.
 *
 * Ownership: the opts strings are the caller's.
 */
#ifndef PINPIPE_BATCH_H
#define PINPIPE_BATCH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "batch/batch_shard.h"

/* What a run did, for its monitoring export (batch_export.h). */
typedef struct {
    size_t days;          /* days asked for */
    size_t days_done;     /* days stored ('done') */
    uint64_t records;     /* lake records read over the done days */
    char newest_done[11]; /* the newest day stored by a whole-day run (not --metric); "" none */
} pp_batch_report;

typedef struct {
    const char *from, *to;     /* days, YYYY-MM-DD, both included */
    const char *metric;        /* NULL: every metric, pins and rejects; else only that metric */
    const char *bucket;        /* PINPIPE_S3_BUCKET (pinpipe-lake) */
    const char *prefix;        /* PINPIPE_LAKE_PREFIX (raw/) */
    const char *keyspace;      /* PINPIPE_CASSANDRA_KEYSPACE (pinpipe) */
    int replication_factor;    /* PINPIPE_BATCH_REPLICATION_FACTOR (1), for a new keyspace */
    const char *cass_host;     /* NULL: PINPIPE_CASSANDRA_HOST (127.0.0.1) */
    int cass_port;             /* 0: PINPIPE_CASSANDRA_PORT (19042) */
    const char *cass_user;     /* NULL: PINPIPE_CASSANDRA_USER (cassandra) */
    const char *cass_password; /* NULL: PINPIPE_CASSANDRA_PASSWORD (cassandra) */
    int concurrency;           /* PINPIPE_BATCH_CONCURRENCY (128): Cassandra requests in flight */
    int group_rows;            /* PINPIPE_BATCH_GROUP_ROWS (16): rows per single-partition UNLOGGED batch
                                (also bounded in bytes by the node's limits: batch_limits.h) */
    int coverage;              /* 1 (default): read the lake group's committed offsets */
    const char *brokers;       /* PINPIPE_KAFKA_BROKERS (127.0.0.1:19092) */
    const char *topic;         /* PINPIPE_TOPIC (pins) */
    const char *geo_topic;     /* PINPIPE_GEO_TOPIC; NULL and "": as pp_kind_topic (event/kind.h) says */
    const char *users_topic;   /* PINPIPE_USERS_TOPIC, likewise */
    const char *lake_group;    /* PINPIPE_LAKE_GROUP (pinpipe-lake) */
    int kafka_timeout_ms;      /* 10000 */
    long max_line;             /* PINPIPE_BATCH_MAX_LINE (16 MiB): longest lake line */
    pp_batch_shard shard;      /* count 0: whole days; else a shard run "I/N" of each day (batch_shard.h) */
    int finalize;              /* > 0: merge the days' N shard runs (batch_finalize.h) instead of reading the lake */
    int if_lake_grew;          /* 1: skip a day whose lake objects/bytes equal its newest full done run's */
    pp_batch_report *report;   /* NULL, or filled by pp_batch_run (zeroed first) */
} pp_batch_opts;

/* Zero, and the settings no option reaches (coverage on, Kafka timeout). The
 * defaults and the environment of the options are in the command's option table
 * (src/cli/cmd_batch.c). */
void pp_batch_opts_default(pp_batch_opts *o);

/* 0 when every day is done; a PP_E* code and err (naming the day and the cause)
 * otherwise. */
int pp_batch_run(const pp_batch_opts *o, FILE *out, volatile sig_atomic_t *stop, char *err, size_t errlen);

#endif
