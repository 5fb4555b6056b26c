#include "stream/stream.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clean/clean.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/error.h"
#include "common/health.h"
#include "common/log.h"
#include "common/prom_hist.h"
#include "event/kind.h"
#include "http/stats_http.h"
#include "kafka/kafka_lag_render.h"
#include "kafka/kafka_consumer.h"
#include "pg/pg_conn.h"
#include "stream/stream_batch.h"
#include "stream/stream_schema.h"
#include "stream/stream_sink.h"
#include "stream/stream_store.h"

/* Upper bounds (ms) of the commit-latency histogram buckets. */
static const int LATENCY_BUCKETS[] = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000};
/* ... and of the micro-batch duration (poll to stored). */
static const int BATCH_BUCKETS[] = {10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};

typedef struct {
    atomic_ullong messages, batches, new_pins, duplicates, rejects, skipped, store_failures, store_refused;
    atomic_ullong new_sides, duplicate_sides; /* geo and user rows */
    atomic_ullong held;                       /* records consumed and not yet stored */
    pp_prom_hist commit;                      /* one transaction that stored a micro-batch (or part of it) */
    pp_prom_hist batch;                       /* one micro-batch: its poll began to all of it stored */
    atomic_llong lag_ms;                      /* now - ingest time of the newest stored message */
    atomic_llong last_commit_ms;              /* wall clock of the last stored transaction (start: job start) */
    atomic_llong last_committed_ingest_ms;    /* newest ingest time among stored messages; -1 none yet */
} stream_stats;

typedef struct {
    const pp_stream_opts *opts;
    pp_stream_sink *sink;
    volatile sig_atomic_t *stop;
    pp_consumer *consumer;
    pp_health health;
    stream_stats stats;
} stream_ctx;

void pp_stream_opts_default(pp_stream_opts *o) {
    memset(o, 0, sizeof *o);
    o->stats_address = "127.0.0.1";
}

/* Partitions start where PostgreSQL says, retrying until it answers. */
static int on_rebalance(pp_kafka_rebalance ev, pp_kafka_partition *parts, size_t n, void *opaque, char *err,
                        size_t errlen) {
    stream_ctx *ctx = opaque;
    if (ev != PP_KAFKA_ASSIGNED) {
        PP_INFO("stream", "%zu partition(s) %s", n, ev == PP_KAFKA_REVOKED ? "revoked" : "lost");
        return PP_OK;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t stored = -1;
        int backoff = 100;
        int rc;
        while (
            (rc = pp_stream_sink_stored_offset(ctx->sink, parts[i].topic, parts[i].partition, &stored, err, errlen))) {
            if (*ctx->stop) return PP_EIO;
            pp_health_error(&ctx->health, err);
            if (!pp_err_transient(rc)) return rc; /* e.g. the offsets table is gone: retrying cannot help */
            PP_WARN("stream", "reading stored offsets: %s (retrying in %d ms)", err, backoff);
            pp_sleep_ms(backoff);
            backoff = backoff < 5000 ? backoff * 2 : 5000;
        }
        parts[i].offset = stored >= 0 ? stored : PP_KAFKA_OFFSET_BEGINNING;
        if (stored >= 0)
            PP_INFO("stream", "assigned %s[%d], resuming at stored offset %lld", parts[i].topic, parts[i].partition,
                    (long long)stored);
        else
            PP_INFO("stream", "assigned %s[%d], no stored offset: starting at the beginning", parts[i].topic,
                    parts[i].partition);
    }
    return PP_OK;
}

static void render(void *opaque, pp_strbuf *out) {
    stream_ctx *ctx = opaque;
    stream_stats *s = &ctx->stats;
    pp_sb_printf(out,
                 "# TYPE pinpipe_stream_messages_total counter\npinpipe_stream_messages_total %llu\n"
                 "# TYPE pinpipe_stream_batches_total counter\npinpipe_stream_batches_total %llu\n"
                 "# TYPE pinpipe_stream_pins_total counter\npinpipe_stream_pins_total{result=\"new\"} %llu\n"
                 "pinpipe_stream_pins_total{result=\"duplicate\"} %llu\n"
                 "# HELP pinpipe_stream_sides_total Geo and user events: new (event day, ind) rows, or repeats.\n"
                 "# TYPE pinpipe_stream_sides_total counter\npinpipe_stream_sides_total{result=\"new\"} %llu\n"
                 "pinpipe_stream_sides_total{result=\"duplicate\"} %llu\n"
                 "# TYPE pinpipe_stream_rejects_total counter\npinpipe_stream_rejects_total %llu\n"
                 "# TYPE pinpipe_stream_skipped_total counter\npinpipe_stream_skipped_total %llu\n"
                 "# TYPE pinpipe_stream_store_failures_total counter\npinpipe_stream_store_failures_total %llu\n"
                 "# HELP pinpipe_stream_store_refused_total Records PostgreSQL refused for good, stored as rejects.\n"
                 "# TYPE pinpipe_stream_store_refused_total counter\npinpipe_stream_store_refused_total %llu\n"
                 "# TYPE pinpipe_stream_end_to_end_lag_ms gauge\npinpipe_stream_end_to_end_lag_ms %lld\n"
                 "# HELP pinpipe_stream_last_commit_timestamp_seconds When the last micro-batch was stored (Unix time; "
                 "the job's start until then).\n"
                 "# TYPE pinpipe_stream_last_commit_timestamp_seconds gauge\n"
                 "pinpipe_stream_last_commit_timestamp_seconds %.3f\n",
                 atomic_load(&s->messages), atomic_load(&s->batches), atomic_load(&s->new_pins),
                 atomic_load(&s->duplicates), atomic_load(&s->new_sides), atomic_load(&s->duplicate_sides),
                 atomic_load(&s->rejects), atomic_load(&s->skipped), atomic_load(&s->store_failures),
                 atomic_load(&s->store_refused), atomic_load(&s->lag_ms), atomic_load(&s->last_commit_ms) / 1000.0);
    long long ingest = atomic_load(&s->last_committed_ingest_ms);
    if (ingest >= 0)
        pp_sb_printf(out,
                     "# HELP pinpipe_stream_last_committed_event_timestamp_seconds Ingest time of the newest event "
                     "stored in PostgreSQL (Unix time).\n"
                     "# TYPE pinpipe_stream_last_committed_event_timestamp_seconds gauge\n"
                     "pinpipe_stream_last_committed_event_timestamp_seconds %.3f\n",
                     ingest / 1000.0);
    pp_prom_hist_render(&s->commit, "pinpipe_stream_commit_latency_seconds", NULL, out);
    pp_prom_hist_render(&s->batch, "pinpipe_stream_batch_duration_seconds",
                        "One micro-batch, from its poll to all of it stored in PostgreSQL.", out);
    pp_consumer_lag_render(ctx->consumer, "pinpipe_stream", out);
}

static void record_commit(stream_stats *s, const pp_stream_sink_stats *st, int64_t ms, const pp_stream_batch *b) {
    atomic_fetch_add(&s->messages, st->messages);
    atomic_fetch_add(&s->batches, 1);
    atomic_fetch_add(&s->new_pins, st->new_pins);
    atomic_fetch_add(&s->duplicates, st->duplicates);
    atomic_fetch_add(&s->new_sides, st->new_sides);
    atomic_fetch_add(&s->duplicate_sides, st->duplicate_sides);
    atomic_fetch_add(&s->rejects, st->rejects);
    atomic_fetch_add(&s->skipped, st->skipped);
    pp_prom_hist_observe(&s->commit, ms);
    int64_t newest = -1;
    for (size_t i = 0; i < b->n; i++)
        if (b->items[i].ingest_time_ms > newest) newest = b->items[i].ingest_time_ms;
    int64_t now = pp_wall_ms();
    atomic_store(&s->last_commit_ms, now);
    if (newest >= 0) {
        atomic_store(&s->lag_ms, now - newest);
        if (newest > atomic_load(&s->last_committed_ingest_ms)) atomic_store(&s->last_committed_ingest_ms, newest);
    }
}

static void on_stored(void *ud, const pp_stream_sink_stats *st, int64_t ms, const pp_stream_batch *part) {
    stream_ctx *ctx = ud;
    record_commit(&ctx->stats, st, ms, part);
    atomic_fetch_sub(&ctx->stats.held, part->n);
    PP_DEBUG("stream", "stored %llu messages: %llu new pins, %llu repeats, %llu rejects, %llu skipped",
             (unsigned long long)st->messages, (unsigned long long)st->new_pins, (unsigned long long)st->duplicates,
             (unsigned long long)st->rejects, (unsigned long long)st->skipped);
}

static void on_failed(void *ud, int rc) {
    (void)rc;
    atomic_fetch_add(&((stream_ctx *)ud)->stats.store_failures, 1);
}

static void on_refused(void *ud, const pp_stream_item *it) {
    (void)it;
    atomic_fetch_add(&((stream_ctx *)ud)->stats.store_refused, 1);
}

/* /healthz: stalled when nothing was stored for stall_ms while records wait: held
 * in a batch that cannot be stored, or behind the partitions' high watermarks. */
static int health(void *opaque, pp_strbuf *out) {
    stream_ctx *ctx = opaque;
    long long waiting = (long long)atomic_load(&ctx->stats.held) + pp_consumer_waiting(ctx->consumer);
    return pp_health_check(&ctx->health, waiting, "record(s)", out);
}

/* One micro-batch in the making: the Kafka messages and their cleaned items. */
typedef struct {
    pp_kafka_batch kb;
    pp_stream_batch sb;
    int64_t polled_at;
} slot;

/* Cleaning the next micro-batch on a thread of its own, while the current one is
 * being stored: the cleaning (client CPU) and PostgreSQL's work overlap. */
typedef struct {
    slot *s;
    const pp_clean_opts *opts;
    pthread_t thread;
    int running;
} prep_job;

static void *prep_main(void *arg) {
    prep_job *j = arg;
    pp_stream_batch_prepare(&j->s->sb, &j->s->kb, j->opts);
    return NULL;
}

static void prep_start(prep_job *j, slot *s, const pp_clean_opts *opts) {
    j->s = s;
    j->opts = opts;
    j->running = pthread_create(&j->thread, NULL, prep_main, j) == 0;
    if (!j->running) prep_main(j); /* no thread: clean it here */
}

static void prep_join(prep_job *j) {
    if (j->running) pthread_join(j->thread, NULL);
    j->running = 0;
}

/* The topics to subscribe to: the pins topic, and the geo and users topics that are
 * set (an empty name turns a kind off). */
static size_t subscription(const pp_stream_opts *o, const char *topics[PP_KIND_COUNT]) {
    size_t n = 0;
    topics[n++] = o->topic;
    const char *sides[] = {o->geo_topic, o->users_topic};
    for (size_t i = 0; i < 2; i++) {
        int dup = !sides[i] || !sides[i][0];
        for (size_t k = 0; k < n && !dup; k++) dup = strcmp(topics[k], sides[i]) == 0;
        if (!dup) topics[n++] = sides[i];
    }
    return n;
}

int pp_stream_run(const pp_stream_opts *o, volatile sig_atomic_t *stop, char *err, size_t errlen) {
    stream_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.opts = o;
    ctx.stop = stop;
    pp_prom_hist_init(&ctx.stats.commit, LATENCY_BUCKETS, sizeof LATENCY_BUCKETS / sizeof LATENCY_BUCKETS[0]);
    pp_prom_hist_init(&ctx.stats.batch, BATCH_BUCKETS, sizeof BATCH_BUCKETS / sizeof BATCH_BUCKETS[0]);
    atomic_store(&ctx.stats.last_commit_ms, pp_wall_ms());
    atomic_store(&ctx.stats.last_committed_ingest_ms, -1);
    pp_health_init(&ctx.health, o->stall_ms);
    pp_pg *pg = NULL;
    pp_consumer *consumer = NULL;
    pp_stats_http *http = NULL;
    pp_kafka_conf kc;
    slot slots[2];
    prep_job prep = {0};
    pp_clean_opts clean_opts;
    int version = 0, rc;
    for (int i = 0; i < 2; i++) {
        pp_kafka_batch_init(&slots[i].kb);
        pp_stream_batch_init(&slots[i].sb);
    }
    pp_clean_opts_default(&clean_opts);
    memset(&kc, 0, sizeof kc);

    if ((rc = pp_pg_connect(&pg, o->dsn, err, errlen))) goto out;
    if ((rc = pp_stream_migrate(pg, &version, err, errlen))) goto out;
    PP_INFO("stream", "PostgreSQL schema at version %d", version);
    ctx.sink = pp_stream_sink_create(pg, o->group);
    if (o->join_locks_max > 0) pp_stream_sink_set_join_locks(ctx.sink, (size_t)o->join_locks_max);
    if ((rc = pp_kafka_conf_for(&kc, o->brokers, o->topic, "pinpipe-stream", err, errlen))) goto out;
    const char *topics[PP_KIND_COUNT];
    size_t ntopics = subscription(o, topics);
    pp_consumer_opts co = {.group_id = o->group,
                           .topics = topics,
                           .ntopics = ntopics,
                           .auto_offset_reset = "earliest",
                           .session_timeout_ms = o->session_timeout_ms,
                           .instance_id = o->instance_id,
                           .rebalance = on_rebalance,
                           .rebalance_opaque = &ctx};
    if ((rc = pp_consumer_create(&consumer, &kc, &co, err, errlen))) goto out;
    ctx.consumer = consumer;
    if ((rc = pp_stats_http_start(&http, o->stats_address, o->stats_port, render, health, &ctx, err, errlen))) goto out;
    pp_stream_store store = {.sink = ctx.sink,
                             .stop = stop,
                             .health = &ctx.health,
                             .stored = on_stored,
                             .failed = on_failed,
                             .refused = on_refused,
                             .ud = &ctx};
    PP_INFO("stream", "consuming %s%s%s%s%s from %s as group %s", topics[0], ntopics > 1 ? ", " : "",
            ntopics > 1 ? topics[1] : "", ntopics > 2 ? ", " : "", ntopics > 2 ? topics[2] : "", o->brokers, o->group);

    /* cur: the prepared batch to store (when `have`); the other slot takes the
     * records that already wait in the consumer, and is cleaned while cur is stored.
     * Only a batch with nothing prepared waits up to batch_ms for its records. */
    int64_t last_message = pp_mono_ms();
    int cur = 0, have = 0;
    while (!*stop) {
        slot *c = &slots[cur], *next = &slots[!cur];
        if (!have) {
            c->polled_at = pp_mono_ms();
            rc = pp_consumer_poll_batch(consumer, &c->kb, (size_t)o->batch_max, o->batch_ms, err, errlen);
            if (rc) goto out;
            if (c->kb.count == 0) {
                if (o->exit_when_idle_ms && pp_mono_ms() - last_message > o->exit_when_idle_ms) break;
                continue;
            }
            last_message = pp_mono_ms();
            pp_stream_batch_prepare(&c->sb, &c->kb, &clean_opts);
        }
        next->polled_at = pp_mono_ms();
        rc = pp_consumer_poll_batch(consumer, &next->kb, (size_t)o->batch_max, 0, err, errlen);
        if (rc) goto out;
        if (next->kb.count) {
            last_message = pp_mono_ms();
            prep_start(&prep, next, &clean_opts);
        }
        atomic_store(&ctx.stats.held, c->sb.n + next->kb.count);
        rc = pp_stream_store_batch(&store, &c->sb, err, errlen);
        pp_stream_batch_clear(&c->sb);
        prep_join(&prep);
        atomic_store(&ctx.stats.held, next->sb.n);
        if (rc) goto out;
        pp_prom_hist_observe(&ctx.stats.batch, pp_mono_ms() - c->polled_at);
        have = next->kb.count > 0;
        cur = !cur;
        if (o->max_messages && (long)atomic_load(&ctx.stats.messages) >= o->max_messages) break;
    }
    rc = PP_OK;
out:
    /* librdkafka's handle cannot be destroyed while messages of it are alive. A
     * prepared batch not stored is read again from the stored offsets next time. */
    prep_join(&prep);
    atomic_store(&ctx.stats.held, 0);
    for (int i = 0; i < 2; i++) {
        pp_stream_batch_free(&slots[i].sb);
        pp_kafka_batch_free(&slots[i].kb);
    }
    if (consumer) {
        char cerr[256];
        if (pp_consumer_close(consumer, cerr, sizeof cerr)) PP_WARN("stream", "leaving the group: %s", cerr);
    }
    pp_stats_http_stop(http);
    ctx.consumer = NULL;
    pp_consumer_destroy(consumer);
    pp_kafka_conf_free(&kc);
    pp_stream_sink_destroy(ctx.sink);
    pp_pg_destroy(pg);
    PP_INFO("stream", "stopped: %llu messages, %llu new pins, %llu repeats, %llu rejects",
            atomic_load(&ctx.stats.messages), atomic_load(&ctx.stats.new_pins), atomic_load(&ctx.stats.duplicates),
            atomic_load(&ctx.stats.rejects));
    pp_health_destroy(&ctx.health);
    return rc;
}
