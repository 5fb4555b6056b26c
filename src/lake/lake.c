#include "lake/lake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/config.h"
#include "event/kind.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/health.h"
#include "common/log.h"
#include "common/mem.h"
#include "http/stats_http.h"
#include "kafka/kafka_lag_render.h"
#include "kafka/kafka_consumer.h"
#include "lake/lake_stats.h"
#include "lake/lake_upload.h"
#include "lake/lake_writer.h"
#include "s3/s3_client.h"

#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 5000

/* Messages a rebalance made stale: those of (topic, partition) at batch index < index
 * were fetched before the partition was revoked inside the poll that returned them. */
typedef struct {
    char topic[256];
    int32_t partition;
    size_t index;
} lake_cut;

struct lake_ctx;

/* What one upload thread's puts use: its own S3 client (clients are one per thread). */
typedef struct {
    struct lake_ctx *ctx;
    s3_client *s3;
} lake_uploader;

typedef struct lake_ctx {
    const pp_lake_opts *opts;
    volatile sig_atomic_t *stop;
    s3_client *s3;
    lake_uploader up[PP_LAKE_UPLOADS_MAX];
    void *up_uds[PP_LAKE_UPLOADS_MAX];
    int n_up;
    pp_lake_writer *writer;
    pp_consumer *consumer;
    const pp_kafka_batch *kb; /* the batch being filled by the current poll */
    lake_cut *cuts;
    size_t n_cuts, cap_cuts;
    int closing;         /* shutting down: a revoke drops, it does not store */
    int64_t assigned_at; /* when partitions were last assigned; -1 never */
    atomic_llong held;   /* records in open objects that could not be stored (last try failed) */
    pp_health health;
    pp_lake_stats stats;
} lake_ctx;

void pp_lake_opts_default(pp_lake_opts *o) {
    memset(o, 0, sizeof *o);
    o->limits.max_records = PP_LAKE_DEFAULT_MAX_RECORDS;
    o->limits.max_bytes = PP_LAKE_DEFAULT_MAX_BYTES;
    o->limits.max_age_ms = PP_LAKE_DEFAULT_MAX_AGE_MS;
    o->poll_max = 5000;
    o->poll_ms = 100;
    o->stats_address = "127.0.0.1";
}

size_t pp_lake_topics(const pp_lake_opts *o, const char *out[3]) {
    const char *pins = o->topic && *o->topic ? o->topic : pp_kind_default_topic(PP_KIND_PIN);
    const char *all[3] = {pins, pp_kind_topic(PP_KIND_GEO, o->geo_topic, pins),
                          pp_kind_topic(PP_KIND_USER, o->users_topic, pins)};
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        int seen = !all[i] || !*all[i];
        for (size_t k = 0; k < n && !seen; k++) seen = strcmp(out[k], all[i]) == 0;
        if (!seen) out[n++] = all[i];
    }
    return n;
}

/* The writer's put, in an upload thread: one S3 PUT of the whole object. A missing
 * bucket is created once and the PUT tried again (the bucket may have been absent at
 * start-up). */
static int s3_put(void *ud, const char *key, const void *data, size_t len, char *err, size_t errlen) {
    lake_uploader *u = ud;
    const char *type = u->ctx->opts->gzip ? "application/gzip" : "application/x-ndjson";
    int64_t t0 = pp_mono_ms();
    int rc = s3_put_buffer(u->s3, key, data, len, type, err, errlen);
    if (rc == PP_ENOTFOUND && s3_create_bucket(u->s3, err, errlen) == PP_OK) {
        PP_INFO("lake", "created bucket %s", s3_client_bucket(u->s3));
        t0 = pp_mono_ms();
        rc = s3_put_buffer(u->s3, key, data, len, type, err, errlen);
    }
    if (rc == PP_OK) pp_lake_stats_upload(&u->ctx->stats, pp_mono_ms() - t0);
    return rc;
}

/* Commits what the writer owes, of every partition (topic == NULL) or of one. A
 * failed commit is logged and owed again next time. */
static void commit_owed(lake_ctx *ctx, const char *topic, int32_t partition) {
    const pp_kafka_partition *c;
    size_t n = pp_lake_writer_commits(ctx->writer, topic, partition, &c);
    if (n == 0) return;
    char err[512], line[1024];
    if (pp_consumer_commit(ctx->consumer, c, n, err, sizeof err) != PP_OK) {
        atomic_fetch_add(&ctx->stats.commit_failures, 1);
        PP_WARN("lake", "commit failed (tried again after the next store): %s", err);
        return;
    }
    size_t used = 0;
    line[0] = '\0';
    for (size_t i = 0; i < n && used < sizeof line - 300; i++) {
        int w = snprintf(line + used, sizeof line - used, "%s%s[%d]@%lld", i ? " " : "", c[i].topic,
                         (int)c[i].partition, (long long)c[i].offset);
        if (w > 0) used += (size_t)w;
    }
    PP_INFO("lake", "committed %s", line);
    atomic_fetch_add(&ctx->stats.commits, 1);
    pp_lake_writer_committed(ctx->writer, c, n);
}

/* Stores objects (the due ones, or all) until they are stored or the writer is
 * told to stop, committing whatever got stored on the way. Only a transient
 * error is tried again; a permanent one is returned (lake.h). */
static int store_until_done(lake_ctx *ctx, pp_lake_flush_mode mode, char *err, size_t errlen) {
    int backoff = BACKOFF_FIRST_MS;
    for (;;) {
        unsigned long long before = atomic_load(&ctx->stats.stored_records);
        int rc = pp_lake_writer_flush(ctx->writer, mode, NULL, 0, pp_mono_ms(), err, errlen);
        commit_owed(ctx, NULL, 0);
        if (atomic_load(&ctx->stats.stored_records) != before) pp_health_progress(&ctx->health);
        if (rc == PP_OK) atomic_store(&ctx->held, 0);
        if (rc == PP_OK || *ctx->stop) return rc;
        atomic_store(&ctx->held, (long long)pp_lake_writer_open_records(ctx->writer));
        pp_health_error(&ctx->health, err);
        if (!pp_err_transient(rc)) {
            PP_ERROR("lake",
                     "storing an object failed for good: %s (not retried: %s; offsets stay at what is "
                     "stored)",
                     err, pp_strerror(rc));
            return rc;
        }
        PP_WARN("lake", "storing an object failed: %s (retrying in %d ms; offsets stay at what is stored)", err,
                backoff);
        pp_nap_ms(ctx->stop, backoff);
        backoff = backoff < BACKOFF_MAX_MS / 2 ? backoff * 2 : BACKOFF_MAX_MS;
    }
}

static void add_cut(lake_ctx *ctx, const char *topic, int32_t partition) {
    if (ctx->n_cuts == ctx->cap_cuts) {
        size_t cap = ctx->cap_cuts ? ctx->cap_cuts * 2 : 16;
        ctx->cuts = pp_xrealloc(ctx->cuts, cap * sizeof *ctx->cuts);
        ctx->cap_cuts = cap;
    }
    lake_cut *c = &ctx->cuts[ctx->n_cuts++];
    snprintf(c->topic, sizeof c->topic, "%s", topic);
    c->partition = partition;
    c->index = ctx->kb ? ctx->kb->count : 0;
}

static int is_cut(const lake_ctx *ctx, const pp_kafka_message *m, size_t index) {
    for (size_t i = 0; i < ctx->n_cuts; i++)
        if (index < ctx->cuts[i].index && ctx->cuts[i].partition == m->partition &&
            strcmp(ctx->cuts[i].topic, m->topic) == 0)
            return 1;
    return 0;
}

static int on_rebalance(pp_kafka_rebalance ev, pp_kafka_partition *parts, size_t n, void *opaque, char *err,
                        size_t errlen) {
    lake_ctx *ctx = opaque;
    (void)err;
    (void)errlen;
    for (size_t i = 0; i < n; i++) {
        const char *t = parts[i].topic;
        int32_t p = parts[i].partition;
        if (ev == PP_KAFKA_ASSIGNED) {
            /* parts[i].offset stays PP_KAFKA_OFFSET_COMMITTED: the group's offset, else earliest */
            pp_lake_writer_assign(ctx->writer, t, p);
            continue;
        }
        add_cut(ctx, t, p);
        if (ev == PP_KAFKA_REVOKED && !ctx->closing) {
            char why[512];
            if (pp_lake_writer_flush(ctx->writer, PP_LAKE_FLUSH_ALL, t, p, pp_mono_ms(), why, sizeof why) != PP_OK)
                PP_WARN("lake", "%s[%d] revoked; storing its open objects failed: %s", t, (int)p, why);
            commit_owed(ctx, t, p);
        }
        pp_lake_writer_release(ctx->writer, t, p);
    }
    if (ev == PP_KAFKA_ASSIGNED) {
        ctx->assigned_at = pp_mono_ms();
        PP_INFO("lake", "%zu partition(s) assigned: each starts at the group's committed offset, else the earliest", n);
    }
    return PP_OK;
}

static void render(void *opaque, pp_strbuf *out) {
    lake_ctx *ctx = opaque;
    pp_lake_stats_render(&ctx->stats, out);
    pp_consumer_lag_render(ctx->consumer, "pinpipe_lake", out);
}

/* /healthz: stalled when nothing was stored or consumed for stall_ms while records
 * wait: held in objects the last try could not store, or behind the watermarks. */
static int health(void *opaque, pp_strbuf *out) {
    lake_ctx *ctx = opaque;
    long long waiting = atomic_load(&ctx->held) + pp_consumer_waiting(ctx->consumer);
    return pp_health_check(&ctx->health, waiting, "record(s)", out);
}

/* The S3 client of the daemon's own calls, and one per upload thread. */
static int open_s3(lake_ctx *ctx, char *err, size_t errlen) {
    const pp_lake_opts *o = ctx->opts;
    s3_config cfg;
    s3_config_defaults(&cfg);
    s3_config_from_env(&cfg);
    if (o->s3_endpoint) cfg.endpoint = o->s3_endpoint;
    if (o->s3_region) cfg.region = o->s3_region;
    if (o->s3_access_key) cfg.access_key = o->s3_access_key;
    if (o->s3_secret_key) cfg.secret_key = o->s3_secret_key;
    cfg.bucket = o->bucket;
    int rc = s3_client_create(&cfg, &ctx->s3, err, errlen);
    int n = o->uploads < 1 ? 1 : o->uploads > PP_LAKE_UPLOADS_MAX ? PP_LAKE_UPLOADS_MAX : o->uploads;
    for (; rc == PP_OK && ctx->n_up < n; ctx->n_up++) {
        ctx->up[ctx->n_up].ctx = ctx;
        ctx->up_uds[ctx->n_up] = &ctx->up[ctx->n_up];
        rc = s3_client_create(&cfg, &ctx->up[ctx->n_up].s3, err, errlen);
    }
    if (rc) return rc;
    char why[512];
    if (s3_create_bucket(ctx->s3, why, sizeof why) != PP_OK)
        PP_WARN("lake", "could not make sure bucket %s exists (uploads will tell): %s", o->bucket, why);
    PP_INFO("lake", "storing to %s/%s/%s%s", cfg.endpoint, o->bucket, o->prefix, o->gzip ? " (gzip)" : "");
    return PP_OK;
}

static int open_consumer(lake_ctx *ctx, char *err, size_t errlen) {
    const pp_lake_opts *o = ctx->opts;
    pp_kafka_conf kc;
    memset(&kc, 0, sizeof kc);
    int rc;
    if ((rc = pp_kafka_conf_for(&kc, o->brokers, o->topic, "pinpipe-lake", err, errlen))) goto out;
    const char *topics[3];
    size_t ntopics = pp_lake_topics(o, topics);
    pp_consumer_opts co = {.topics = topics,
                           .ntopics = ntopics,
                           .group_id = o->group,
                           .auto_offset_reset = "earliest",
                           .session_timeout_ms = o->session_timeout_ms,
                           .instance_id = o->instance_id,
                           .rebalance = on_rebalance,
                           .rebalance_opaque = ctx};
    rc = pp_consumer_create(&ctx->consumer, &kc, &co, err, errlen);
out:
    pp_kafka_conf_free(&kc);
    return rc;
}

int pp_lake_run(const pp_lake_opts *o, volatile sig_atomic_t *stop, char *err, size_t errlen) {
    lake_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.opts = o;
    ctx.stop = stop;
    ctx.assigned_at = -1;
    pp_health_init(&ctx.health, o->stall_ms);
    pp_lake_stats_init(&ctx.stats);
    pp_stats_http *http = NULL;
    pp_kafka_batch kb;
    pp_kafka_batch_init(&kb);
    unsigned long long consumed = 0;
    int rc;

    pp_lake_writer_opts wo;
    memset(&wo, 0, sizeof wo);
    wo.prefix = o->prefix;
    wo.gzip = o->gzip;
    wo.limits = o->limits;
    pp_clean_opts_default(&wo.clean);
    wo.put = s3_put;
    wo.put_uds = ctx.up_uds;
    wo.stats = &ctx.stats;
    if ((rc = open_s3(&ctx, err, errlen))) goto out;
    wo.uploads = ctx.n_up;
    if ((rc = pp_lake_writer_create(&ctx.writer, &wo, err, errlen))) goto out;
    if ((rc = open_consumer(&ctx, err, errlen))) goto out;
    if ((rc = pp_stats_http_start(&http, o->stats_address, o->stats_port, render, health, &ctx, err, errlen))) goto out;
    const char *topics[3];
    size_t ntopics = pp_lake_topics(o, topics);
    PP_INFO("lake",
            "consuming %s%s%s%s%s from %s as group %s; objects close at %ld records, %ld bytes or %ld ms; %d upload(s) "
            "at once",
            topics[0], ntopics > 1 ? ", " : "", ntopics > 1 ? topics[1] : "", ntopics > 2 ? ", " : "",
            ntopics > 2 ? topics[2] : "", o->brokers, o->group, o->limits.max_records, o->limits.max_bytes,
            o->limits.max_age_ms, ctx.n_up);

    ctx.kb = &kb;
    int64_t last_message = pp_mono_ms();
    while (!*stop) {
        int timeout = o->poll_ms;
        int64_t due = pp_lake_writer_next_due(ctx.writer, pp_mono_ms());
        if (due >= 0 && due < timeout) timeout = (int)due;
        ctx.n_cuts = 0;
        if ((rc = pp_consumer_poll_batch(ctx.consumer, &kb, (size_t)o->poll_max, timeout, err, errlen))) goto out;
        int64_t now = pp_mono_ms(); /* once per poll: a batch takes milliseconds, ages are seconds */
        for (size_t i = 0; i < kb.count && rc == PP_OK; i++) {
            if (is_cut(&ctx, &kb.msgs[i], i)) {
                atomic_fetch_add(&ctx.stats.skipped, 1);
                continue;
            }
            if (pp_lake_writer_add(ctx.writer, &kb.msgs[i], now)) {
                rc = store_until_done(&ctx, PP_LAKE_FLUSH_DUE, err, errlen);
                now = pp_mono_ms();
            }
        }
        consumed += kb.count;
        if (kb.count) {
            last_message = pp_mono_ms();
            pp_health_progress(&ctx.health);
        }
        if (rc == PP_OK) rc = store_until_done(&ctx, PP_LAKE_FLUSH_DUE, err, errlen);
        if (rc) break; /* told to stop while S3 failed: the drain below tries once more */
        if (o->max_messages > 0 && consumed >= (unsigned long long)o->max_messages) break;
        /* idle counts from the last record or the last assignment, whichever is later */
        if (ctx.assigned_at > last_message) last_message = ctx.assigned_at;
        if (o->exit_when_idle_ms > 0 && kb.count == 0 && ctx.assigned_at >= 0 &&
            pp_mono_ms() - last_message > o->exit_when_idle_ms) {
            PP_INFO("lake", "no records for %d ms: draining and stopping", o->exit_when_idle_ms);
            break;
        }
    }
    pp_kafka_batch_free(&kb); /* no message is referenced any more */

    /* drain: everything open is stored, its offsets committed */
    rc = store_until_done(&ctx, PP_LAKE_FLUSH_ALL, err, errlen);
    if (rc != PP_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", err);
        pp_errf(err, errlen,
                "%zu record(s) in %zu object(s) not stored at shutdown (%s); the committed offsets stop before "
                "them, so the next run re-reads them",
                pp_lake_writer_open_records(ctx.writer), pp_lake_writer_open_objects(ctx.writer), why);
    }
out:
    ctx.closing = 1;
    pp_stats_http_stop(http);
    if (ctx.consumer) {
        char cerr[256];
        if (pp_consumer_close(ctx.consumer, cerr, sizeof cerr)) PP_WARN("lake", "leaving the group: %s", cerr);
    }
    ctx.kb = NULL;
    pp_consumer_destroy(ctx.consumer);
    pp_kafka_batch_free(&kb);
    pp_lake_writer_destroy(ctx.writer); /* joins the upload threads */
    s3_client_destroy(ctx.s3);
    for (int i = 0; i < ctx.n_up; i++) s3_client_destroy(ctx.up[i].s3);
    free(ctx.cuts);
    unsigned long long objects = 0;
    for (int r = 0; r < PP_LAKE_N_REASONS; r++) objects += atomic_load(&ctx.stats.objects[r]);
    PP_INFO("lake", "stopped: %llu records consumed, %llu stored in %llu objects (%llu bytes)",
            atomic_load(&ctx.stats.records), atomic_load(&ctx.stats.stored_records), objects,
            atomic_load(&ctx.stats.object_bytes));
    pp_health_destroy(&ctx.health);
    return rc;
}
