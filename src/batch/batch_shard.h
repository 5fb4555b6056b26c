/* batch_shard — a day split by Kafka partition: which share a shard run owns, and
 * which shard runs a finalize merges (docs/batch.md "Sharding").
 *
 * A shard "I/N" (0 <= I < N <= 1024) owns the lake objects, pins and rejects of the
 * partitions p with p % N == I (a pin's repeats share its key, hence its partition,
 * so de-duplication never crosses shards). Its metric rows go to shard_metrics;
 * `--finalize N` merges the newest done run of every shard 0..N-1 into `metrics`.
 *
 * batch_runs.shard says which kind a run is: NULL (or "") a single-process run,
 * "I/N" a shard run, "all/N" a finalize (a full run: parity and serve use it like
 * a single-process one).
 *
 * Pure functions: no I/O.
 */
#ifndef PINPIPE_BATCH_SHARD_H
#define PINPIPE_BATCH_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "parity/parity_runs.h"

#define PP_BATCH_MAX_SHARDS 1024

typedef struct {
    int index; /* 0..count-1; -1: a finalize of count shards */
    int count; /* 0: not sharded (the whole day) */
} pp_batch_shard;

/* (What a batch_runs row is, from its shard text: pp_parity_run_kind.) */

/* "I/N" with 0 <= I < N <= PP_BATCH_MAX_SHARDS (decimal, nothing else). 0 or -1. */
int pp_batch_shard_parse(const char *s, pp_batch_shard *out);
/* The batch_runs.shard text of sh: "I/N", "all/N", or "" when not sharded. */
void pp_batch_shard_format(const pp_batch_shard *sh, char *out, size_t n);
/* 1 when the shard run sh owns partition (also for a corrupt lake line: the
 * partition of its object's name). Not sharded: always 1. */
int pp_batch_shard_owns(const pp_batch_shard *sh, int32_t partition);

/* Finalize of n_shards: for each shard i, chosen[i] gets the index in rows of its
 * newest run (by write_ts). 0 when every shard's newest run is 'done' and newer than
 * the day's newest single-process run (whose partition delete removed the shards'
 * rows), and no shard run of another layout is newer than the oldest chosen one;
 * else -1 and why names the shard and the reason (missing, running, failed). */
int pp_batch_finalize_pick(const pp_parity_run_row *rows, size_t n, int n_shards, long *chosen, char *why,
                           size_t whylen);

/* The finalize's lake_coverage and lake_read: each partition's value from the run
 * of the shard that owns it (runs[i] is shard i's row, i < n_shards). Coverage
 * {"source":"none"} when any shard ran without it. Malloc'd strings. */
void pp_batch_shard_union(const pp_parity_run_row *const *runs, int n_shards, char **coverage, char **read);

#endif
