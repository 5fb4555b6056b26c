#include "batch/batch_finalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch_join_read.h"
#include "batch/batch_load.h"
#include "batch/batch_shard.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/mem.h"
#include "metrics/aggregate.h"
#include "parity/parity_load.h"
#include "parity/parity_runs.h"

/* Step 2: the shard_metrics rows of (day, n_shards), merged into agg. */
static int merge_shards(pp_cql_session *cql, const char *ks, const char *day, int n_shards, pp_agg *agg, char *err,
                        size_t errlen) {
    char cql_text[256], why[512];
    snprintf(cql_text, sizeof cql_text, "SELECT metric, key, value FROM %s.shard_metrics WHERE day = ? AND shards = ?",
             ks); /* a checked identifier (batch_schema.h) */
    pp_cql_value v[2] = {pp_cql_text(day), pp_cql_int(n_shards)};
    pp_cql_result *res = NULL;
    int rc = pp_cql_query(cql, cql_text, v, 2, &res, why, sizeof why);
    if (rc) {
        pp_errf(err, errlen, "Cassandra: reading shard_metrics of %s: %s", day, why);
        return rc;
    }
    size_t unknown = pp_parity_add_metric_rows(agg, res, day);
    if (unknown) {
        pp_errf(err, errlen, "shard_metrics of %s: %zu row(s) of a metric this pinpipe does not know (logged)", day,
                unknown);
        rc = PP_EINVAL;
    }
    pp_cql_result_destroy(res);
    return rc;
}

/* Step 3: the merged rows, between the run's begin and end. */
static int write_metrics(pp_batch_store *store, pp_agg *agg, const char *day, pp_batch_summary *run, char *err,
                         size_t errlen) {
    size_t n;
    pp_agg_entry *e = pp_agg_sorted(agg, &n);
    int rc = pp_batch_store_clear(store, err, errlen);
    for (size_t i = 0; i < n && rc == PP_OK; i++) {
        if (strcmp(e[i].day, day) != 0) continue;
        if ((rc = pp_batch_store_metric(store, &e[i], err, errlen)) == PP_OK) run->metrics_written++;
    }
    free(e);
    if (rc == PP_OK) rc = pp_batch_store_drain(store, err, errlen);
    return rc;
}

/* Step 2b: the join, over every shard's sides (the shards cannot join: a post's pins,
 * geo and user are in different partitions). */
static int join_day(pp_cql_session *cql, const char *ks, const char *day, pp_agg *agg, pp_batch_summary *run, char *err,
                    size_t errlen) {
    pp_join_set *j = pp_join_set_create();
    size_t sides;
    int rc = pp_batch_join_read_day(cql, ks, day, j, &sides, err, errlen);
    if (rc == PP_OK) {
        pp_join_set_metrics(j, pp_agg_emit, agg);
        run->posts = pp_join_set_size(j);
    }
    pp_join_set_destroy(j);
    return rc;
}

static uint64_t sum(uint64_t acc, int64_t v) { return acc + (v > 0 ? (uint64_t)v : 0); }

int pp_batch_finalize_day(pp_cql_session *cql, pp_batch_store *store, const char *keyspace, const char *day,
                          int n_shards, pp_batch_summary *run, char *err, size_t errlen) {
    char why[1024];
    int64_t start = pp_mono_ns();
    pp_parity_runs runs = {0};
    long *chosen = pp_xcalloc((size_t)n_shards, sizeof *chosen);
    const pp_parity_run_row **picked = pp_xcalloc((size_t)n_shards, sizeof *picked);
    char *coverage = NULL, *read = NULL;
    pp_agg *agg = pp_agg_create();
    int begun = 0;
    memset(run, 0, sizeof *run);
    snprintf(run->day, sizeof run->day, "%s", day);
    snprintf(run->shard, sizeof run->shard, "all/%d", n_shards);
    run->run_at_ms = pp_wall_ms();
    int rc = pp_parity_runs_load(cql, day, &runs, why, sizeof why);
    if (rc == PP_OK && pp_batch_finalize_pick(runs.rows, runs.n, n_shards, chosen, why, sizeof why) != 0)
        rc = PP_EINVAL;
    if (rc == PP_OK) rc = merge_shards(cql, keyspace, day, n_shards, agg, why, sizeof why);
    if (rc == PP_OK) rc = join_day(cql, keyspace, day, agg, run, why, sizeof why);
    if (rc) goto done;
    for (int s = 0; s < n_shards; s++) {
        const pp_parity_run_row *r = picked[s] = &runs.rows[chosen[s]];
        run->objects = sum(run->objects, r->objects);
        run->bytes = sum(run->bytes, r->bytes);
        run->records_read = sum(run->records_read, r->records_read);
    }
    pp_batch_shard_union(picked, n_shards, &coverage, &read);
    run->lake_coverage = coverage;
    run->lake_read = read;
    run->status = "running";
    if ((rc = pp_batch_store_begin(store, run, why, sizeof why))) goto done;
    begun = 1;
    if ((rc = write_metrics(store, agg, day, run, why, sizeof why))) goto done;
    run->duration_ms = run->write_ms = (pp_mono_ns() - start) / 1000000;
    run->status = "done";
    rc = pp_batch_store_record(store, run, why, sizeof why);
done:
    if (rc) {
        pp_errf(err, errlen, "day %s: finalize of %d shard(s): %s", day, n_shards, why);
        run->status = "failed";
        run->duration_ms = (pp_mono_ns() - start) / 1000000;
        if (begun) {
            char ignored[256];
            run->error = err;
            (void)pp_batch_store_record(store, run, ignored, sizeof ignored);
        }
    }
    run->lake_coverage = run->lake_read = run->error = NULL;
    free(coverage);
    free(read);
    pp_agg_destroy(agg);
    free(picked);
    free(chosen);
    pp_parity_runs_free(&runs);
    return rc;
}

int pp_batch_lake_grew(pp_cql_session *cql, s3_client *s3, const char *prefix, const char *day, int *grew,
                       uint64_t *objects, uint64_t *bytes, char *err, size_t errlen) {
    char why[512];
    pp_parity_runs runs;
    *grew = 1;
    int rc = pp_batch_lake_size(s3, prefix, day, objects, bytes, err, errlen);
    if (rc) return rc;
    if ((rc = pp_parity_runs_load(cql, day, &runs, why, sizeof why))) {
        pp_errf(err, errlen, "Cassandra: reading the runs of %s: %s", day, why);
        return rc;
    }
    const pp_parity_run_row *best = NULL;
    for (size_t i = 0; i < runs.n; i++) {
        const pp_parity_run_row *r = &runs.rows[i];
        if (!r->status || strcmp(r->status, "done") != 0 || (r->metric && *r->metric) ||
            pp_parity_run_kind(r->shard) == PP_RUN_KIND_SHARD)
            continue;
        if (!best || pp_parity_run_newer(r, best)) best = r;
    }
    if (best && best->objects == (int64_t)*objects && best->bytes == (int64_t)*bytes) *grew = 0;
    pp_parity_runs_free(&runs);
    return PP_OK;
}
