#include "serve/serve_engine.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hashmap.h"
#include "common/mem.h"
#include "event/event_time.h"
#include "parity/parity_diff.h"
#include "serve/serve_period.h"

#define DAY_MS 86400000LL

struct pp_serve_engine {
    pthread_mutex_t lock;
    pp_serve_store_cfg cfg;
    pp_serve_conn conn;
    pp_serve_view *view;
    pp_serve_cache *cache;
    pp_hashmap *decided; /* day -> pp_serve_day*, for the current view */
    long max_rollup;     /* (period, key) rows a roll-up may hold */
    pp_hashmap *parity;  /* "day|batch version|stream version" -> size_t[2] {compared, differences} */
};

const char *pp_serve_parity_name(pp_serve_parity p) {
    static const char *const N[] = {"equal", "different", "not_comparable", "no_batch_run", "unknown"};
    return N[p];
}

pp_serve_engine *pp_serve_engine_create(const pp_serve_store_cfg *cfg, size_t cache_bytes, long max_rollup) {
    pp_serve_engine *e = pp_xcalloc(1, sizeof *e);
    pthread_mutex_init(&e->lock, NULL);
    e->cfg = *cfg;
    e->conn.cfg = &e->cfg;
    e->cache = pp_serve_cache_create(cache_bytes);
    e->max_rollup = max_rollup;
    e->decided = pp_hashmap_create(512);
    e->parity = pp_hashmap_create(512);
    return e;
}

void pp_serve_engine_destroy(pp_serve_engine *e) {
    if (!e) return;
    pp_serve_conn_close(&e->conn);
    pp_serve_view_free(e->view);
    pp_serve_cache_destroy(e->cache);
    pp_hashmap_destroy_free(e->decided);
    pp_hashmap_destroy_free(e->parity);
    pthread_mutex_destroy(&e->lock);
    free(e);
}

void pp_serve_engine_set_view(pp_serve_engine *e, pp_serve_view *v) {
    pthread_mutex_lock(&e->lock);
    pp_serve_view *old = e->view;
    e->view = v;
    if (!old || old->fingerprint != v->fingerprint) { /* the same inputs decide alike: keep the decisions */
        pp_hashmap_destroy_free(e->decided);
        e->decided = pp_hashmap_create(512);
    }
    if (pp_hashmap_size(e->parity) > 100000) { /* verdicts of old versions: start over */
        pp_hashmap_destroy_free(e->parity);
        e->parity = pp_hashmap_create(512);
    }
    pthread_mutex_unlock(&e->lock);
    pp_serve_view_free(old);
}

static void freshness_locked(const pp_serve_engine *e, pp_serve_freshness *f) {
    memset(f, 0, sizeof *f);
    f->view_ms = f->lag_records = f->last_commit_ms = f->newest_event_ms = f->newest_ingest_ms = -1;
    const pp_serve_view *v = e->view;
    if (!v) return;
    f->view_ms = v->snap.taken_ms;
    f->fingerprint = v->fingerprint;
    f->batch_ok = v->snap.batch_ok;
    f->stream_ok = v->snap.stream_ok;
    f->kafka_ok = v->snap.kafka_ok;
    memcpy(f->batch_err, v->batch_err, sizeof f->batch_err);
    memcpy(f->stream_err, v->stream_err, sizeof f->stream_err);
    memcpy(f->kafka_err, v->kafka_err, sizeof f->kafka_err);
    f->lag_records = v->lag_records;
    f->last_commit_ms = v->last_commit_ms;
    f->newest_event_ms = v->newest_event_ms;
    f->newest_ingest_ms = v->newest_ingest_ms;
}

void pp_serve_engine_freshness(pp_serve_engine *e, pp_serve_freshness *out) {
    pthread_mutex_lock(&e->lock);
    freshness_locked(e, out);
    pthread_mutex_unlock(&e->lock);
}

/* The day's decision for the current view (decided once per view). */
static const pp_serve_day *decide(pp_serve_engine *e, const char *day) {
    int inserted;
    void **slot = pp_hashmap_upsert(e->decided, day, 10, &inserted);
    if (inserted) {
        pp_serve_day *d = pp_xmalloc(sizeof *d);
        pp_serve_decide_day(&e->view->snap, day, d);
        *slot = d;
    }
    return *slot;
}

static int64_t store_version(const pp_serve_engine *e, const pp_serve_day *d, pp_serve_source src) {
    return src == PP_SERVE_BATCH ? d->batch_version : e->view->stream_version;
}

static const pp_serve_rows *day_rows(pp_serve_engine *e, const pp_serve_day *d, int metric, char *err, size_t errlen) {
    char key[96];
    snprintf(key, sizeof key, "%c|%s|%d|%lld", d->source == PP_SERVE_BATCH ? 'b' : 's', d->day, metric,
             (long long)store_version(e, d, d->source));
    const pp_serve_rows *rows = pp_serve_cache_get(e->cache, key);
    if (rows) return rows;
    pp_agg *agg = pp_agg_create();
    /* a day the stream holds no row of (the view lists its days) is empty without asking:
     * a ten-year range of mostly empty days costs no store round trip per day */
    int empty = d->source == PP_SERVE_STREAM && !d->stream_has_day;
    if (empty || pp_serve_load_rows(&e->conn, d->source, metric, d->day, agg, err, errlen) == PP_OK)
        rows = pp_serve_cache_put(e->cache, key, agg);
    pp_agg_destroy(agg);
    return rows;
}

/* The parity verdict of a day whose both stores hold it. */
static int day_parity(pp_serve_engine *e, pp_serve_day_answer *da, char *err, size_t errlen) {
    const pp_serve_day *d = &da->day;
    const pp_serve_view *v = e->view;
    if (!v->snap.batch_ok || !v->snap.stream_ok) {
        da->parity = PP_PARITY_UNKNOWN;
        return PP_OK;
    }
    if (d->run < 0) {
        da->parity = PP_PARITY_NO_BATCH;
        return PP_OK;
    }
    if (!d->decision.comparable) {
        da->parity = PP_PARITY_NOT_COMPARABLE;
        return PP_OK;
    }
    char key[96];
    snprintf(key, sizeof key, "%s|%lld|%lld", d->day, (long long)d->batch_version, (long long)v->stream_version);
    void **slot = pp_hashmap_get(e->parity, key, strlen(key));
    const size_t *counts = slot ? *slot : NULL;
    if (!counts) {
        pp_agg *batch = pp_agg_create(), *stream = pp_agg_create();
        int rc = pp_serve_load_rows(&e->conn, PP_SERVE_BATCH, -1, d->day, batch, err, errlen);
        if (rc == PP_OK) rc = pp_serve_load_rows(&e->conn, PP_SERVE_STREAM, -1, d->day, stream, err, errlen);
        if (rc == PP_OK) {
            pp_parity_diff diff = {0};
            pp_parity_compare(batch, stream, &diff);
            size_t *fresh = pp_xmalloc(2 * sizeof *fresh);
            fresh[0] = diff.compared;
            fresh[1] = diff.n;
            pp_parity_diff_free(&diff);
            int inserted;
            *pp_hashmap_upsert(e->parity, key, strlen(key), &inserted) = fresh;
            counts = fresh;
        }
        pp_agg_destroy(batch);
        pp_agg_destroy(stream);
        if (rc) return rc;
    }
    if (!counts) return PP_EIO; /* unreachable: for the analyzer */
    da->compared = counts[0];
    da->differences = counts[1];
    da->parity = counts[1] ? PP_PARITY_DIFFERENT : PP_PARITY_EQUAL;
    return PP_OK;
}

static void unavailable(pp_serve_answer *a, const char *store, const char *msg) {
    a->status = 503;
    a->store = store;
    snprintf(a->error, sizeof a->error, "%s", msg);
}

void pp_serve_engine_query(pp_serve_engine *e, const pp_serve_request *r, const int *metrics, size_t nmetrics,
                           pp_serve_answer *a) {
    memset(a, 0, sizeof *a);
    a->status = 200;
    pthread_mutex_lock(&e->lock);
    freshness_locked(e, &a->fresh);
    if (!e->view) {
        unavailable(a, "serve", "starting: the stores have not been read yet");
        pthread_mutex_unlock(&e->lock);
        return;
    }
    a->ndays = (size_t)((r->to_ms - r->from_ms) / DAY_MS) + 1;
    a->days = pp_xcalloc(a->ndays, sizeof *a->days);
    if (nmetrics) a->agg = pp_agg_create();
    char err[512];
    for (size_t i = 0; i < a->ndays && a->status == 200; i++) {
        int64_t day_ms = r->from_ms + (int64_t)i * DAY_MS;
        char day[11], period[PP_SERVE_PERIOD_MAX];
        pp_event_day(day_ms, day);
        pp_serve_day_answer *da = &a->days[i];
        da->day = *decide(e, day);
        da->batch_finished_ms = da->day.batch_finished_ms;
        if (da->day.source == PP_SERVE_NONE) {
            snprintf(err, sizeof err, "%s: %s", day, da->day.note);
            unavailable(a, da->day.unavailable, err);
            break;
        }
        if (day_parity(e, da, err, sizeof err)) {
            unavailable(a, strncmp(err, "cassandra", 9) == 0 ? "cassandra" : "postgresql", err);
            break;
        }
        if (!nmetrics) continue;
        pp_serve_period(r->group, day_ms, period);
        size_t keylen = r->key ? strlen(r->key) : 0;
        for (size_t m = 0; m < nmetrics && a->status == 200; m++) {
            const pp_serve_rows *rows = day_rows(e, &da->day, metrics[m], err, sizeof err);
            if (!rows) {
                unavailable(a, da->day.source == PP_SERVE_BATCH ? "cassandra" : "postgresql", err);
                break;
            }
            for (size_t k = 0; k < rows->n; k++) {
                if (r->key && (rows->keylens[k] != keylen || memcmp(rows->keys[k], r->key, keylen) != 0)) continue;
                pp_agg_add(a->agg, (pp_metric_id)metrics[m], period, rows->keys[k], rows->keylens[k], rows->values[k]);
            }
        }
        if (a->status != 200) break;
        if (pp_agg_size(a->agg) > (size_t)e->max_rollup) { /* memory stays bounded whatever is asked */
            a->status = 400;
            snprintf(a->error, sizeof a->error,
                     "the roll-up passed %ld (period, key) rows: ask a shorter range, a coarser group or one key",
                     e->max_rollup);
            break;
        }
    }
    pthread_mutex_unlock(&e->lock);
}

void pp_serve_answer_free(pp_serve_answer *a) {
    free(a->days);
    pp_agg_destroy(a->agg);
    memset(a, 0, sizeof *a);
}

int pp_serve_engine_with_conn(pp_serve_engine *e, int (*fn)(pp_serve_conn *c, void *arg), void *arg) {
    pthread_mutex_lock(&e->lock);
    int rc = fn(&e->conn, arg);
    pthread_mutex_unlock(&e->lock);
    return rc;
}

void pp_serve_engine_cache_stats(pp_serve_engine *e, pp_serve_cache_stats *out) {
    pthread_mutex_lock(&e->lock);
    pp_serve_cache_stats_get(e->cache, out);
    pthread_mutex_unlock(&e->lock);
}
