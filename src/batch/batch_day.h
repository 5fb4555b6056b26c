/* batch_day — one day of the batch: lake(day) -> clean -> Cassandra.
 *
 *  1. read: every lake object of the day into a spool (batch_load.h), then sort by
 *     Kafka coordinates and drop repeated coordinates (batch_spool.h). Nothing is
 *     written before the whole day was read, so an unreadable object or S3 outage
 *     fails the day with the tables untouched.
 *  2. begin: a batch_runs row 'running' with the run's write timestamp; delete the
 *     day's partitions (or one metric's rows) at that timestamp - 1 (batch_store.h).
 *  3. clean: each record, in Kafka order, through the tally (metrics/tally.h): the
 *     shared cleaning engine, de-duplication per (event day, unique_id) with the
 *     first occurrence winning, metric aggregation. The first occurrence of each pin
 *     goes to `pins`, each reject to `rejects`; corrupt lake lines go to `rejects`
 *     with reason lake_corrupt_line (not to the metrics: they are not Kafka records
 *     the stream would see).
 *  4. metrics: the day's aggregate table to `metrics` (only `metric` with --metric;
 *     then pins and rejects are not rewritten).
 *  5. end: wait for every write, then the batch_runs row 'done' with the counts.
 *
 * A record whose cleaned day is not the lake day it was filed under (the lake
 * writer files by the same rule, so this means a foreign or damaged lake) is
 * counted as misplaced and logged; its pin and metrics are not written for
 * another day's partition (its reject is, under this day).
 */
#ifndef PINPIPE_BATCH_DAY_H
#define PINPIPE_BATCH_DAY_H

#include <stddef.h>

#include "batch/batch_store.h"
#include "clean/clean.h"
#include "s3/s3_client.h"

typedef struct {
    s3_client *s3;
    pp_batch_store *store;
    const char *prefix;
    int metric;           /* -1: every metric (and pins, rejects); else a pp_metric_id */
    size_t max_line;      /* longest lake line */
    const char *coverage; /* lake_coverage JSON */
    pp_batch_shard shard; /* count 0: the whole day; else a shard run "I/N" (batch_shard.h) */
    pp_clean_opts clean;
} pp_batch_day_ctx;

/* Runs day; *run gets the counts (its strings are NULL after the call). On
 * failure err names the day and the cause; a run that had begun is recorded as
 * 'failed' (when Cassandra still answers). */
int pp_batch_day_run(const pp_batch_day_ctx *c, const char *day, pp_batch_summary *run, char *err, size_t errlen);

#endif
