#include "batch/batch_day.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch/batch_coverage.h"
#include "batch/batch_load.h"
#include "batch/batch_spool.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/hashmap.h"
#include "join/join_set.h"
#include "metrics/metrics.h"
#include "metrics/tally.h"

#define MISPLACED_LOGGED 5

typedef struct {
    const pp_batch_day_ctx *c;
    const char *day;
    pp_batch_summary *run;
    pp_batch_spool *spool;
    pp_batch_load load;
    pp_tally tally;
    /* The join, in a whole-day run (a shard run cannot join: the finalize does). Only
     * posts with a geo or user side are kept: a post of pins only contributes nothing
     * (join/join.h), and most days' pins would otherwise all be copied into it. */
    pp_join_set *join;
    pp_hashmap *posts; /* ind -> its post in join, for the day's posts with a side */
    int64_t write_ns, clean_ns;
} day_state;

static void misplaced(day_state *d, const char *what, const char *its_day, const pp_batch_rec *r) {
    if (d->run->misplaced++ < MISPLACED_LOGGED)
        PP_WARN("batch", "%s: %s %s/%d/%lld has day '%s', not the lake day it is filed under (misplaced)",
                d->load.objects[r->object].key, what, pp_batch_spool_topic(d->spool, r->topic), (int)r->partition,
                (long long)r->offset, its_day);
}

/* The post of the day's ind, made when a side arrives; NULL (a pin's lookup) when none. */
static pp_join_post *post_of(day_state *d, int64_t ind, int create) {
    if (!d->join) return NULL;
    if (!create) {
        void **slot = pp_hashmap_get(d->posts, &ind, sizeof ind);
        return slot ? *slot : NULL;
    }
    int inserted;
    void **slot = pp_hashmap_upsert(d->posts, &ind, sizeof ind, &inserted);
    if (inserted) *slot = pp_join_set_post(d->join, d->day, ind);
    return *slot;
}

/* A geo or user event, through the tally (metrics/tally.h): cleaned by its kind,
 * de-duplicated per (kind, event day, ind) with the first occurrence winning (its
 * repeats are in one partition: keyed by ind), its side metrics counted once; the
 * first occurrence of the day joins its post and is stored in geo / users, a reject
 * in rejects. */
static int side_record(day_state *d, const pp_batch_rec *r, const char *raw, const pp_batch_origin *o, char *err,
                       size_t errlen) {
    pp_record rec;
    pp_reject rej;
    int all = d->c->metric < 0, rc = PP_OK;
    int64_t t0 = pp_mono_ns();
    pp_tally_result res = pp_tally_record(&d->tally, (pp_kind)r->kind, raw, r->len, r->ingest_time_ms, &rec, &rej);
    d->clean_ns += pp_mono_ns() - t0;
    if (res == PP_TALLY_REJECTED) {
        if (strcmp(rej.day, d->day) != 0) misplaced(d, "reject", rej.day, r);
        if (all && (rc = pp_batch_store_reject(d->c->store, &rej, o, raw, r->len, err, errlen)) == PP_OK)
            d->run->rejects_written++;
        return rc;
    }
    const char *day = pp_record_day(&rec);
    if (res == PP_TALLY_DUPLICATE) {
        d->run->duplicate_sides++;
    } else if (strcmp(day, d->day) != 0) {
        misplaced(d, pp_kind_name(rec.kind), day, r);
    } else if (rec.kind == PP_KIND_GEO) {
        pp_join_post *p = post_of(d, rec.geo.ind, 1);
        if (p) pp_join_post_add_geo_side(p, &rec.geo);
        if (all && (rc = pp_batch_store_geo(d->c->store, &rec.geo, o, err, errlen)) == PP_OK) d->run->geo_written++;
    } else {
        pp_join_post *p = post_of(d, rec.user.ind, 1);
        if (p) pp_join_post_add_user_side(p, &rec.user);
        if (all && (rc = pp_batch_store_user(d->c->store, &rec.user, o, err, errlen)) == PP_OK) d->run->users_written++;
    }
    pp_record_clear(&rec);
    return rc;
}

/* Step 3: the records in Kafka order, the geo and user events first: then every post
 * with a side exists when its pins come (each kind is de-duplicated on its own, so
 * the order of the kinds changes nothing else). */
static int clean_records(day_state *d, char *err, size_t errlen) {
    const pp_batch_day_ctx *c = d->c;
    int all = c->metric < 0;
    size_t n = pp_batch_spool_count(d->spool);
    int rc = PP_OK;
    for (size_t k = 0; k < 2 * n && rc == PP_OK; k++) { /* k < n: the sides' pass; then the pins' */
        const pp_batch_rec *r = pp_batch_spool_rec(d->spool, k % n);
        if ((r->kind == PP_KIND_PIN) != (k >= n)) continue;
        const char *raw = pp_batch_spool_bytes(d->spool, r);
        pp_batch_origin o = {pp_batch_spool_topic(d->spool, r->topic), r->partition, r->offset, r->ingest_time_ms,
                             d->load.objects[r->object].key,           r->line};
        if (r->kind != PP_KIND_PIN) {
            int64_t t = pp_mono_ns(), cleaning = d->clean_ns;
            rc = side_record(d, r, raw, &o, err, errlen);
            d->write_ns += pp_mono_ns() - t - (d->clean_ns - cleaning);
            continue;
        }
        pp_pin pin;
        pp_reject rej;
        int64_t t0 = pp_mono_ns();
        pp_tally_result res = pp_tally_raw(&d->tally, raw, r->len, r->ingest_time_ms, &pin, &rej);
        int64_t t1 = pp_mono_ns();
        d->clean_ns += t1 - t0;
        if (res == PP_TALLY_NEW) {
            if (strcmp(pin.event_day, d->day) != 0) {
                misplaced(d, "pin", pin.event_day, r);
            } else {
                pp_join_post *p = post_of(d, pin.ind, 0);
                if (p) pp_join_post_add_pin_side(p, &pin);
                if (all && (rc = pp_batch_store_pin(c->store, &pin, &o, err, errlen)) == PP_OK) d->run->pins_written++;
            }
        } else if (res == PP_TALLY_REJECTED) {
            if (strcmp(rej.day, d->day) != 0) misplaced(d, "reject", rej.day, r);
            if (all && (rc = pp_batch_store_reject(c->store, &rej, &o, raw, r->len, err, errlen)) == PP_OK)
                d->run->rejects_written++;
        }
        if (res != PP_TALLY_REJECTED) pp_pin_clear(&pin);
        d->write_ns += pp_mono_ns() - t1;
    }
    return rc;
}

/* Corrupt lake lines to rejects. */
static int store_corrupt(day_state *d, char *err, size_t errlen) {
    int rc = PP_OK;
    for (size_t i = 0; i < d->load.ncorrupt && rc == PP_OK; i++) {
        const pp_batch_corrupt *k = &d->load.corrupt[i];
        const char *key = d->load.objects[k->object].key;
        pp_reject rej;
        char detail[512];
        snprintf(detail, sizeof detail, "%s line %u: %s", key, k->line, k->why);
        pp_reject_set(&rej, "lake_corrupt_line", detail, -1);
        memcpy(rej.day, d->day, sizeof rej.day);
        pp_batch_origin o = {key, -1, (int64_t)k->line, -1, key, k->line};
        rc = pp_batch_store_reject(d->c->store, &rej, &o, k->bytes ? k->bytes : "", k->len, err, errlen);
        if (rc == PP_OK) d->run->rejects_written++;
    }
    return rc;
}

/* Step 4: the day's metric values (with the join's, in a whole-day run). */
static int store_metrics(day_state *d, char *err, size_t errlen) {
    size_t n;
    if (d->join) {
        pp_join_set_metrics(d->join, pp_agg_emit, d->tally.agg);
        d->run->posts = pp_join_set_size(d->join);
    }
    pp_agg_entry *e = pp_agg_sorted(d->tally.agg, &n);
    int rc = PP_OK;
    for (size_t i = 0; i < n && rc == PP_OK; i++) {
        if (strcmp(e[i].day, d->day) != 0) continue; /* misplaced records' days: counted above */
        if (d->c->metric >= 0 && (int)e[i].metric != d->c->metric) continue;
        if ((rc = pp_batch_store_metric(d->c->store, &e[i], err, errlen)) == PP_OK) d->run->metrics_written++;
    }
    free(e);
    return rc;
}

int pp_batch_day_run(const pp_batch_day_ctx *c, const char *day, pp_batch_summary *run, char *err, size_t errlen) {
    day_state d = {.c = c, .day = day, .run = run};
    char why[1024];
    int64_t start = pp_mono_ns();
    int begun = 0;
    char *lake_read = NULL;
    memset(run, 0, sizeof *run);
    snprintf(run->day, sizeof run->day, "%s", day);
    run->metric = c->metric >= 0 ? PP_METRICS[c->metric].name : NULL;
    run->run_at_ms = pp_wall_ms();
    run->lake_coverage = c->coverage;
    pp_batch_shard_format(&c->shard, run->shard, sizeof run->shard);
    pp_tally_init(&d.tally, &c->clean);
    if (c->shard.count == 0) {
        d.join = pp_join_set_create();
        d.posts = pp_hashmap_create(1024);
    }

    /* 1. read */
    pp_batch_spool_stats ss = {0};
    int rc = pp_batch_spool_create(&d.spool, why, sizeof why);
    if (rc == PP_OK)
        rc = pp_batch_load_day(c->s3, c->prefix, day, &c->shard, c->max_line, d.spool, &d.load, why, sizeof why);
    if (rc == PP_OK) rc = pp_batch_spool_seal(d.spool, &ss, why, sizeof why);
    if (rc) goto done;
    run->objects = d.load.nobjects;
    run->bytes = d.load.bytes;
    run->records_read = ss.added;
    run->duplicate_coordinates = ss.duplicates;
    run->conflicting_duplicates = ss.conflicts;
    run->corrupt_lines = d.load.ncorrupt;
    if (ss.conflicts)
        PP_WARN("batch", "%s: %llu records appear twice in the lake with different bytes; the first read is kept", day,
                (unsigned long long)ss.conflicts);
    lake_read = pp_batch_read_json(d.spool);
    run->lake_read = lake_read;
    run->read_ms = (pp_mono_ns() - start) / 1000000;

    /* 2. begin */
    run->status = "running";
    if ((rc = pp_batch_store_begin(c->store, run, why, sizeof why))) goto done;
    begun = 1;
    int64_t t = pp_mono_ns();
    rc = pp_batch_store_clear(c->store, why, sizeof why);
    d.write_ns += pp_mono_ns() - t;

    /* 3. clean and write, 4. metrics, 5. wait */
    if (rc == PP_OK) rc = clean_records(&d, why, sizeof why);
    t = pp_mono_ns();
    if (rc == PP_OK && c->metric < 0) rc = store_corrupt(&d, why, sizeof why);
    if (rc == PP_OK) rc = store_metrics(&d, why, sizeof why);
    if (rc == PP_OK) rc = pp_batch_store_drain(c->store, why, sizeof why);
    d.write_ns += pp_mono_ns() - t;
    run->duplicate_pins = d.tally.duplicates - run->duplicate_sides; /* the tally counts both */
    run->rejects = d.tally.rejected;
    run->clean_ms = d.clean_ns / 1000000;
    run->write_ms = d.write_ns / 1000000;
    run->duration_ms = (pp_mono_ns() - start) / 1000000;
    if (rc == PP_OK) {
        run->status = "done";
        rc = pp_batch_store_record(c->store, run, why, sizeof why);
    }

done:
    if (rc) {
        pp_errf(err, errlen, "day %s: %s", day, why);
        run->status = "failed";
        run->duration_ms = (pp_mono_ns() - start) / 1000000;
        if (begun) {
            char ignored[256];
            run->error = err;
            if (pp_batch_store_record(c->store, run, ignored, sizeof ignored) != PP_OK)
                PP_WARN("batch", "day %s: could not record the failed run: %s", day, ignored);
        }
    }
    run->lake_coverage = NULL;
    run->lake_read = NULL;
    run->error = NULL;
    free(lake_read);
    pp_tally_free(&d.tally);
    pp_join_set_destroy(d.join);
    pp_hashmap_destroy(d.posts);
    pp_batch_load_free(&d.load);
    pp_batch_spool_destroy(d.spool);
    return rc;
}
