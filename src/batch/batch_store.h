/* batch_store — what the batch writes to Cassandra for one day, and how a re-run
 * replaces it.
 *
 * Replacing a day: every row of a run carries the same explicit write timestamp T
 * (microseconds, USING TIMESTAMP), and the run first deletes the day's partitions
 * (pins, geo, users, rejects, metrics — or, for `--metric M`, only M's rows of the day) at
 * T - 1. A Cassandra tombstone hides every cell written at or before its
 * timestamp, so the old rows are gone and the new ones stay, whatever order the
 * server applies the deletes and inserts in (they may even be in flight at once),
 * and a retried insert changes nothing. T is larger than every earlier run's T of
 * the day: max(now, the largest write_ts recorded in batch_runs for the day + 1),
 * so a re-run replaces even when machines' clocks disagree. (A run that dies half
 * way leaves the day partial; its batch_runs row then still says 'running' and the
 * next run replaces it.)
 *
 * Rows: pins are inserted naming only their non-null columns (one prepared
 * statement per pattern of nulls, prepared on first use) so no cell tombstones
 * are written. Writes go through a batch_writer (bounded concurrency, grouped
 * per partition, retried).
 *
 * Ownership: the store owns its writer and statements cache; the session is the
 * caller's and must outlive the store. One day at a time.
 */
#ifndef PINPIPE_BATCH_STORE_H
#define PINPIPE_BATCH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "batch/batch_shard.h"
#include "batch/batch_writer.h"
#include "clean/clean.h"
#include "clean/pin.h"
#include "clean/side.h"
#include "cql/cql_session.h"
#include "metrics/aggregate.h"

/* One row of batch_runs. Strings may be NULL (null). */
typedef struct {
    char day[11];
    const char *metric; /* NULL: the whole day */
    char shard[24];     /* "": single-process; "I/N" a shard run; "all/N" a finalize (batch_shard.h) */
    const char *status; /* running, done, failed */
    int64_t run_at_ms;
    int64_t write_ts; /* µs */
    uint64_t objects, bytes, records_read;
    uint64_t duplicate_coordinates, conflicting_duplicates, duplicate_pins;
    uint64_t rejects, corrupt_lines, misplaced;
    uint64_t pins_written, rejects_written, metrics_written;
    uint64_t duplicate_sides, geo_written, users_written, posts; /* not in batch_runs: the summary line */
    int64_t duration_ms, read_ms, clean_ms, write_ms;
    const char *lake_coverage; /* JSON */
    const char *lake_read;     /* JSON */
    const char *error;
} pp_batch_summary;

/* Where a reject came from: its Kafka coordinates and lake line. */
typedef struct {
    const char *topic; /* for a corrupt lake line: the object key */
    int32_t partition; /* -1 for a corrupt lake line */
    int64_t offset;    /* the line number for a corrupt lake line */
    int64_t ingest_time_ms;
    const char *object;
    uint32_t line;
} pp_batch_origin;

typedef struct pp_batch_store pp_batch_store;

/* Prepares the statements on keyspace's tables (a name pp_batch_keyspace_valid
 * accepts; the tables exist: pp_batch_schema_ensure). */
int pp_batch_store_create(pp_batch_store **out, pp_cql_session *s, const char *keyspace, const pp_batch_writer_opts *wo,
                          char *err, size_t errlen);
void pp_batch_store_destroy(pp_batch_store *st);

/* Starts run r of r->day: sets r->write_ts (see above) and records r as
 * 'running' in batch_runs. r->shard (a valid one, or NULL) decides what the run
 * replaces and where its metrics go (below). */
int pp_batch_store_begin(pp_batch_store *st, pp_batch_summary *r, char *err, size_t errlen);
/* Deletes at write_ts - 1 what the run replaces: the day's rows (or the metric's);
 * for a shard run "I/N", its share of pins and rejects (batch_share.h) and its
 * shard_metrics rows; for a finalize "all/N", the day's metrics only. A shard run's
 * metrics go to shard_metrics, every other run's to metrics. */
int pp_batch_store_clear(pp_batch_store *st, char *err, size_t errlen);

int pp_batch_store_pin(pp_batch_store *st, const pp_pin *pin, const pp_batch_origin *o, char *err, size_t errlen);
/* The first occurrence of a geo / user event of the run's day (table geo / users). */
int pp_batch_store_geo(pp_batch_store *st, const pp_geo *g, const pp_batch_origin *o, char *err, size_t errlen);
int pp_batch_store_user(pp_batch_store *st, const pp_user *u, const pp_batch_origin *o, char *err, size_t errlen);
/* raw: the record's bytes (stored as text when UTF-8 without NUL, else base64). */
int pp_batch_store_reject(pp_batch_store *st, const pp_reject *rej, const pp_batch_origin *o, const char *raw,
                          size_t raw_len, char *err, size_t errlen);
int pp_batch_store_metric(pp_batch_store *st, const pp_agg_entry *e, char *err, size_t errlen);

/* Waits for every write of the run. */
int pp_batch_store_drain(pp_batch_store *st, char *err, size_t errlen);
/* Records r (its final counts and status) in batch_runs. */
int pp_batch_store_record(pp_batch_store *st, const pp_batch_summary *r, char *err, size_t errlen);

void pp_batch_store_writer_stats(const pp_batch_store *st, pp_batch_writer_stats *ws);

#endif
