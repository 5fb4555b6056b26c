#include "batch/batch.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch_coverage.h"
#include "batch/batch_day.h"
#include "batch/batch_days.h"
#include "batch/batch_finalize.h"
#include "batch/batch_load.h"
#include "batch/batch_limits.h"
#include "batch/batch_schema.h"
#include "batch/batch_store.h"
#include "common/config.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "cql/cql_session.h"
#include "event/kind.h"
#include "metrics/metrics.h"
#include "s3/s3_client.h"

void pp_batch_opts_default(pp_batch_opts *o) {
    memset(o, 0, sizeof *o);
    o->coverage = 1;
    o->kafka_timeout_ms = 10000;
}

static void print_summary(FILE *out, const pp_batch_summary *r, const pp_batch_writer_stats *ws) {
    fprintf(out,
            "batch day=%s status=%s%s%s%s%s objects=%" PRIu64 " bytes=%" PRIu64 " records=%" PRIu64
            " duplicate_coordinates=%" PRIu64 " duplicate_pins=%" PRIu64 " rejects=%" PRIu64 " corrupt_lines=%" PRIu64
            " misplaced=%" PRIu64 " duplicate_sides=%" PRIu64 " pins_written=%" PRIu64 " geo_written=%" PRIu64
            " users_written=%" PRIu64 " posts=%" PRIu64 " rejects_written=%" PRIu64 " metrics_written=%" PRIu64
            " requests=%" PRIu64 " retries=%" PRIu64 " refused=%" PRIu64
            " seconds=%.3f read_s=%.3f clean_s=%.3f write_s=%.3f\n",
            r->day, r->status, r->metric ? " metric=" : "", r->metric ? r->metric : "", r->shard[0] ? " shard=" : "",
            r->shard, r->objects, r->bytes, r->records_read, r->duplicate_coordinates, r->duplicate_pins, r->rejects,
            r->corrupt_lines, r->misplaced, r->duplicate_sides, r->pins_written, r->geo_written, r->users_written,
            r->posts, r->rejects_written, r->metrics_written, ws->requests, ws->retries, ws->refused,
            (double)r->duration_ms / 1000.0, (double)r->read_ms / 1000.0, (double)r->clean_ms / 1000.0,
            (double)r->write_ms / 1000.0);
    fflush(out);
}

typedef struct {
    pp_batch_days days;
    char *coverage;
    s3_client *s3;
    pp_cql_session *cql;
    pp_batch_store *store;
} job;

static void job_free(job *j) {
    pp_batch_store_destroy(j->store);
    pp_cql_session_destroy(j->cql);
    s3_client_destroy(j->s3);
    free(j->coverage);
    pp_batch_days_free(&j->days);
}

/* Everything before the first day: settings, coverage, connections, schema. */
static int job_open(job *j, const pp_batch_opts *o, int *metric, char *err, size_t errlen) {
    char why[1024];
    int rc;
    *metric = -1;
    if (o->metric && (*metric = pp_metric_find(o->metric)) < 0) {
        pp_errf(err, errlen, "--metric: no metric named '%s' (docs/metrics.md lists them)", o->metric);
        return PP_EINVAL;
    }
    if ((rc = pp_batch_days_range(o->from, o->to, &j->days, why, sizeof why))) {
        pp_errf(err, errlen, "%s", why);
        return rc;
    }
    if (!pp_batch_keyspace_valid(o->keyspace)) {
        pp_errf(err, errlen, "keyspace '%s': 1 to 48 letters, digits or '_', starting with a letter", o->keyspace);
        return PP_EINVAL;
    }
    if (!o->bucket || !*o->bucket) {
        pp_errf(err, errlen, "no bucket: set --bucket or PINPIPE_S3_BUCKET");
        return PP_EINVAL;
    }
    /* the coverage is taken before the lake is listed: everything it covers was there */
    if (o->coverage && o->finalize <= 0) {
        const char *pins = o->topic && *o->topic ? o->topic : pp_kind_default_topic(PP_KIND_PIN);
        const char *topics[3] = {pins};
        size_t n = 1;
        for (pp_kind k = PP_KIND_GEO; k <= PP_KIND_USER; k++) {
            const char *t = pp_kind_topic(k, k == PP_KIND_GEO ? o->geo_topic : o->users_topic, pins);
            if (t && strcmp(t, pins) != 0) topics[n++] = t;
        }
        if ((rc = pp_batch_coverage_json_topics(o->brokers, topics, n, o->lake_group, o->kafka_timeout_ms, &j->coverage,
                                                why, sizeof why))) {
            pp_errf(err, errlen, "%s (is Kafka at %s up? --no-coverage runs without it)", why, o->brokers);
            return rc;
        }
    } else {
        j->coverage = pp_xstrdup("{\"source\":\"none\"}");
    }
    s3_config sc;
    s3_config_defaults(&sc);
    s3_config_from_env(&sc);
    sc.bucket = o->bucket;
    if ((rc = s3_client_create(&sc, &j->s3, why, sizeof why))) {
        pp_errf(err, errlen, "S3: %s", why);
        return rc;
    }
    pp_cql_config cc;
    if ((rc = pp_cql_config_from_env(&cc, why, sizeof why))) {
        pp_errf(err, errlen, "Cassandra settings: %s", why);
        return rc;
    }
    if (o->cass_host) cc.host = o->cass_host;
    if (o->cass_port) cc.port = o->cass_port;
    if (o->cass_user) cc.user = o->cass_user;
    if (o->cass_password) cc.password = o->cass_password;
    cc.keyspace = NULL; /* it may not exist yet */
    if (cc.max_streams < o->concurrency + 8) cc.max_streams = o->concurrency + 8;
    if ((rc = pp_cql_session_create(&cc, &j->cql, why, sizeof why))) {
        pp_errf(err, errlen, "Cassandra at %s:%d: %s", cc.host, cc.port, why);
        return rc;
    }
    if ((rc = pp_batch_schema_ensure(j->cql, o->keyspace, o->replication_factor, err, errlen))) return rc;
    /* again, in the keyspace now that it exists (batch_runs is read by name: parity_runs.h) */
    pp_cql_session_destroy(j->cql);
    j->cql = NULL;
    cc.keyspace = o->keyspace;
    if ((rc = pp_cql_session_create(&cc, &j->cql, why, sizeof why))) {
        pp_errf(err, errlen, "Cassandra at %s:%d: %s", cc.host, cc.port, why);
        return rc;
    }
    /* every request bounded in bytes by the node's own limits (batch_limits.h) */
    pp_batch_limits lim;
    if (pp_batch_limits_query(j->cql, &lim, why, sizeof why) != PP_OK)
        PP_WARN("batch", "Cassandra limits: %s; using the fallbacks (docs/batch.md)", why);
    PP_INFO("batch",
            "Cassandra limits (from %s): max_mutation_size=%llu batch_size_fail_threshold=%llu"
            " native_transport_max_frame_size=%llu; a group of rows up to %zu bytes, a row up to %zu bytes",
            lim.source, (unsigned long long)lim.max_mutation_size, (unsigned long long)lim.batch_size_fail_threshold,
            (unsigned long long)lim.max_frame_size, lim.group_bytes, lim.row_bytes);
    pp_batch_writer_opts wo = {.max_inflight = o->concurrency,
                               .group_rows = o->group_rows,
                               .group_bytes = lim.group_bytes,
                               .row_bytes = lim.row_bytes};
    return pp_batch_store_create(&j->store, j->cql, o->keyspace, &wo, err, errlen);
}

/* --if-lake-grew: 0 when the day is skipped (unchanged: printed; or *rc set on an
 * error), 1 when it is to be run. */
static int unchanged_skip(job *j, const pp_batch_opts *o, const char *day, FILE *out, int *rc, char *err,
                          size_t errlen) {
    int grew;
    uint64_t objects, bytes;
    char why[768];
    if ((*rc = pp_batch_lake_grew(j->cql, j->s3, o->prefix, day, &grew, &objects, &bytes, why, sizeof why))) {
        pp_errf(err, errlen, "day %s: %s", day, why);
        return 0;
    }
    if (grew) {
        PP_INFO("batch",
                "day %s: the lake has %llu object(s), %llu bytes, not what its newest full run read: running it", day,
                (unsigned long long)objects, (unsigned long long)bytes);
        return 1;
    }
    fprintf(out, "batch day=%s status=unchanged objects=%llu bytes=%llu\n", day, (unsigned long long)objects,
            (unsigned long long)bytes);
    fflush(out);
    return 0;
}

int pp_batch_run(const pp_batch_opts *o, FILE *out, volatile sig_atomic_t *stop, char *err, size_t errlen) {
    job j;
    int metric;
    memset(&j, 0, sizeof j);
    if (o->report) memset(o->report, 0, sizeof *o->report);
    int rc = job_open(&j, o, &metric, err, errlen);
    if (rc == PP_OK) {
        if (o->report) o->report->days = j.days.n;
        pp_batch_day_ctx c = {.s3 = j.s3,
                              .store = j.store,
                              .prefix = o->prefix,
                              .metric = metric,
                              .max_line = (size_t)o->max_line,
                              .coverage = j.coverage,
                              .shard = o->shard};
        pp_clean_opts_default(&c.clean);
        PP_INFO("batch", "%zu day(s) %s..%s from s3://%s/%s into keyspace %s%s%s", j.days.n, j.days.day[0],
                j.days.day[j.days.n - 1], o->bucket, o->prefix, o->keyspace, metric >= 0 ? ", only metric " : "",
                metric >= 0 ? o->metric : "");
        pp_batch_writer_stats before = {0}, after;
        for (size_t i = 0; i < j.days.n && rc == PP_OK; i++) {
            if (stop && *stop) {
                if (i)
                    pp_errf(err, errlen, "stopped before %s (days %s..%s are done)", j.days.day[i], j.days.day[0],
                            j.days.day[i - 1]);
                else
                    pp_errf(err, errlen, "stopped before the first day, %s", j.days.day[0]);
                rc = PP_EINVAL;
                break;
            }
            pp_batch_summary r;
            if (o->if_lake_grew && metric < 0 && !unchanged_skip(&j, o, j.days.day[i], out, &rc, err, errlen)) {
                if (rc == PP_OK && o->report) o->report->days_done++;
                continue;
            }
            if (rc) break;
            if (o->finalize > 0)
                rc = pp_batch_finalize_day(j.cql, j.store, o->keyspace, j.days.day[i], o->finalize, &r, err, errlen);
            else
                rc = pp_batch_day_run(&c, j.days.day[i], &r, err, errlen);
            pp_batch_store_writer_stats(j.store, &after);
            pp_batch_writer_stats ws = {after.rows - before.rows, after.requests - before.requests,
                                        after.retries - before.retries, after.refused - before.refused,
                                        after.splits - before.splits};
            before = after;
            print_summary(out, &r, &ws);
            if (rc == PP_OK && o->report) {
                o->report->days_done++;
                o->report->records += r.records_read;
                if (metric < 0 && strcmp(j.days.day[i], o->report->newest_done) > 0)
                    snprintf(o->report->newest_done, sizeof o->report->newest_done, "%s", j.days.day[i]);
            }
        }
    }
    job_free(&j);
    return rc;
}
