/* serve_engine — answers the serving API's questions from the current view, the
 * stores and the cache.
 *
 * For each day of a request: the source (serve_days.h), the day's rows of the metric
 * from that store (cached per store version, serve_cache.h), rolled up into periods
 * (serve_period.h), the parity verdict when both stores hold the day and may be
 * compared (the same comparison as `pinpipe parity`, cached too), and the
 * freshness of both paths. A day no store can answer makes the whole answer 503: a
 * partial sum would be a wrong number.
 *
 * Threads: every call may come from any thread; one lock serialises the engine (the
 * view, the cache, the request-side connections). The refresher reads each new view
 * with its own connections, outside the lock, and swaps it in.
 */
#ifndef PINPIPE_SERVE_ENGINE_H
#define PINPIPE_SERVE_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/aggregate.h"
#include "serve/serve_cache.h"
#include "serve/serve_days.h"
#include "serve/serve_params.h"
#include "serve/serve_store.h"

typedef struct pp_serve_engine pp_serve_engine;

/* Defaults of the answer bounds (pinpipe serve --max-rollup, --max-rows): a metric answer
 * rolls up at most max_rollup (period, key) rows before ranking and returns at most
 * max_rows after it; past either: 400 (narrow the question). Memory stays bounded. */
#define PP_SERVE_MAX_ROLLUP 2000000
#define PP_SERVE_MAX_ROWS 100000

typedef enum {
    PP_PARITY_EQUAL,          /* compared, no difference */
    PP_PARITY_DIFFERENT,      /* compared, differences */
    PP_PARITY_NOT_COMPARABLE, /* both exist, but not the same Kafka prefix (why in decision) */
    PP_PARITY_NO_BATCH,       /* no finished full batch run: nothing to compare */
    PP_PARITY_UNKNOWN,        /* a store could not be read */
} pp_serve_parity;

typedef struct {
    pp_serve_day day;
    pp_serve_parity parity;
    size_t compared, differences;
    int64_t batch_finished_ms; /* -1: no run counts */
} pp_serve_day_answer;

typedef struct {
    int64_t view_ms;      /* when the view was read */
    uint64_t fingerprint; /* of the view: equal fingerprints, equal answers (serve_answers.h) */
    int batch_ok, stream_ok, kafka_ok;
    char batch_err[256], stream_err[256], kafka_err[256];
    int64_t lag_records, last_commit_ms, newest_event_ms, newest_ingest_ms;
} pp_serve_freshness;

typedef struct {
    int status; /* 200; 400 (the roll-up is too large: error says so); 503 (a store could not
                 * answer; error and store say which) */
    char error[512];
    const char *store;
    pp_serve_day_answer *days;
    size_t ndays;
    pp_agg *agg; /* the rolled-up rows (metric queries, analyses) */
    pp_serve_freshness fresh;
} pp_serve_answer;

pp_serve_engine *pp_serve_engine_create(const pp_serve_store_cfg *cfg, size_t cache_bytes, long max_rollup);
void pp_serve_engine_destroy(pp_serve_engine *e);

/* Takes ownership of v; the old view is freed. */
void pp_serve_engine_set_view(pp_serve_engine *e, pp_serve_view *v);
/* The freshness of the current view (view_ms -1: none yet). */
void pp_serve_engine_freshness(pp_serve_engine *e, pp_serve_freshness *out);

/* The days of r's range with their sources and parity, and metrics[0..nmetrics) rolled
 * up by r->group (and r->key) into a->agg: one view and one source per day for all of
 * them (nmetrics 0: the days alone). */
void pp_serve_engine_query(pp_serve_engine *e, const pp_serve_request *r, const int *metrics, size_t nmetrics,
                           pp_serve_answer *a);
void pp_serve_answer_free(pp_serve_answer *a);

/* Runs fn with the engine's request-side connections under its lock (the live view). */
int pp_serve_engine_with_conn(pp_serve_engine *e, int (*fn)(pp_serve_conn *c, void *arg), void *arg);

void pp_serve_engine_cache_stats(pp_serve_engine *e, pp_serve_cache_stats *out);

const char *pp_serve_parity_name(pp_serve_parity p);

#endif
