#include "stream/stream_store.h"

#include <stdio.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 5000

/* One part, tried again while the error is transient. */
static int write_part(const pp_stream_store *s, const pp_stream_batch *part, char *err, size_t errlen) {
    int backoff = BACKOFF_FIRST_MS;
    for (;;) {
        pp_stream_sink_stats st;
        int64_t t0 = pp_mono_ms();
        int rc = pp_stream_sink_write(s->sink, part, &st, err, errlen);
        if (rc == PP_OK) {
            if (s->health) pp_health_progress(s->health);
            if (s->stored) s->stored(s->ud, &st, pp_mono_ms() - t0, part);
            return PP_OK;
        }
        if (s->failed) s->failed(s->ud, rc);
        if (s->health) pp_health_error(s->health, err);
        if (!pp_err_transient(rc) || *s->stop) return rc;
        PP_WARN("stream", "storing %zu record(s) failed: %s (transient; retrying in %d ms)", part->n, err, backoff);
        pp_nap_ms(s->stop, backoff);
        backoff = backoff < BACKOFF_MAX_MS / 2 ? backoff * 2 : BACKOFF_MAX_MS;
    }
}

static int refuse_one(const pp_stream_store *s, pp_stream_batch *one, const char *why, char *err, size_t errlen) {
    pp_stream_item *it = &one->items[0];
    PP_WARN("stream", "PostgreSQL refuses %s[%d]@%lld for good: %s; storing it as a reject (store_refused)",
            it->msg->topic, (int)it->msg->partition, (long long)it->msg->offset, why);
    pp_stream_item_refuse(it, why);
    if (s->refused) s->refused(s->ud, it);
    int rc = write_part(s, one, err, errlen);
    if (rc == PP_EREFUSED) { /* the raw bytes as text were refused too */
        it->raw_as_base64 = 1;
        rc = write_part(s, one, err, errlen);
    }
    return rc;
}

/* Stores items[0..n): whole when PostgreSQL takes it, else in halves. */
static int store_range(const pp_stream_store *s, pp_stream_item *items, size_t n, char *err, size_t errlen) {
    pp_stream_batch part = {.items = items, .n = n, .cap = n};
    int rc = write_part(s, &part, err, errlen);
    if (rc != PP_EREFUSED) return rc;
    if (n == 1) {
        char why[sizeof items[0].rej.detail];
        snprintf(why, sizeof why, "%s", err);
        return refuse_one(s, &part, why, err, errlen);
    }
    PP_INFO("stream", "PostgreSQL refuses a record among %zu; storing them in halves to find it", n);
    rc = store_range(s, items, n / 2, err, errlen);
    return rc ? rc : store_range(s, items + n / 2, n - n / 2, err, errlen);
}

int pp_stream_store_batch(const pp_stream_store *s, pp_stream_batch *b, char *err, size_t errlen) {
    if (b->n == 0) return PP_OK;
    return store_range(s, b->items, b->n, err, errlen);
}
