/* parity_runs — which batch run of a day counts, chosen by an order no clock can
 * turn back.
 *
 * Runs are ordered by write_ts, the write timestamp of their rows (batch_store.h):
 * each run takes max(now, the largest write_ts recorded for the day + 1), so it is
 * larger than every earlier run's whatever the hosts' clocks say, and it is also what
 * decides whose rows the tables hold (a run's delete hides every cell with a smaller
 * timestamp). So the run with the largest write_ts is the newest, and the tables are
 * its output. run_at (a host's wall clock) only breaks ties between rows written
 * before write_ts existed; it never orders runs otherwise: a host whose clock runs
 * hours ahead cannot hide the runs after it.
 *
 * Walking newest first: a run that is not 'done' (running, failed) means the
 * tables are partial (a shard run "I/N" too: its share is being replaced); a 'done'
 * --metric back-fill is passed over (the coverage is the full run's before it); a
 * 'done' shard run is passed over too, but when one is newer than the first full
 * run the day is "finalize pending" (its pins/rejects are newer than the metrics);
 * the first full 'done' run — single-process, or a finalize "all/N" — gives the
 * coverage.
 *
 * A 'running' row whose last write is older than the run timeout (measured on
 * Cassandra's clock: writetime() of the row against the server's now(), not any
 * batch host's clock) is 'abandoned': its run is presumed dead. It still hides the
 * runs before it — its deletes took effect — but the reason says to re-run.
 *
 * Ownership: a pp_parity_runs owns its result set; the rows' strings point into it.
 */
#ifndef PINPIPE_PARITY_RUNS_H
#define PINPIPE_PARITY_RUNS_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_session.h"
#include "parity/day_rule.h"

/* run timeout default: longer than any day's batch run */
#define PP_PARITY_RUN_TIMEOUT_MS (6LL * 3600 * 1000)

typedef struct {
    const char *status;   /* running, done, failed */
    const char *metric;   /* NULL or "": the whole day */
    const char *coverage; /* lake_coverage JSON, may be NULL */
    const char *read;     /* lake_read JSON, may be NULL */
    const char *host;     /* may be NULL */
    int64_t write_ts;     /* µs; -1 when null */
    int64_t run_at_ms;
    int64_t age_ms; /* since the row was last written, by Cassandra's clock; -1 unknown */
    const char *day;
    int64_t written_ms; /* when the row was last written (its status), by Cassandra's clock; -1 unknown */
    const char *shard;  /* NULL or "": single-process; "I/N" a shard run; "all/N" a finalize (batch_shard.h) */
    int64_t objects, bytes, records_read; /* the run's lake objects, their bytes, records read; -1 when null */
} pp_parity_run_row;

/* 1 when run a is newer than run b: larger write_ts, then (rows without one) run_at. */
int pp_parity_run_newer(const pp_parity_run_row *a, const pp_parity_run_row *b);

/* What a batch_runs row is, from its shard column: a single-process run (NULL or ""),
 * a shard run ("I/N") or a finalize ("all/N"; a full run). */
typedef enum { PP_RUN_KIND_FULL, PP_RUN_KIND_SHARD, PP_RUN_KIND_FINALIZE } pp_run_kind;
pp_run_kind pp_parity_run_kind(const char *shard);

/* The state of the day's newest run. *chosen is the index of the run whose coverage
 * counts (PP_DAY_RUN_DONE only; else -1). note gets who/when of a run that is not
 * done ("started 2026-01-02T03:04:05.000Z on host h"). */
pp_day_run pp_parity_pick_run(const pp_parity_run_row *rows, size_t n, int64_t run_timeout_ms, long *chosen, char *note,
                              size_t notelen);

typedef struct {
    pp_parity_run_row *rows;
    size_t n;
    void *res; /* private: the result set the strings point into */
} pp_parity_runs;

/* Reads every batch_runs row of day, or of every day when day is NULL (one scan of a
 * small table: a row per run), and Cassandra's now, for the ages. A keyspace whose
 * batch_runs has no shard column yet (a batch older than sharding made it) reads
 * with shard NULL. */
int pp_parity_runs_load(pp_cql_session *cql, const char *day, pp_parity_runs *out, char *err, size_t errlen);
void pp_parity_runs_free(pp_parity_runs *r);

#endif
