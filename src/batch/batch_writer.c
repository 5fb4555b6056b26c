#include "batch/batch_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/error.h"
#include "common/log.h"
#include "cql/cql_arena.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 2000

typedef struct {
    const pp_cql_prepared *stmt;
    pp_cql_value *vals;
    size_t n;
} row;

typedef struct {
    pp_cql_future *f; /* NULL: not in flight */
    pp_cql_arena arena;
    row *rows;
    size_t nrows;
    int attempts;
} slot;

struct pp_batch_writer {
    pp_cql_session *s;
    pp_batch_writer_opts o;
    slot *slots; /* max_inflight of them, plus one being filled per lane */
    size_t nslots;
    slot *filling[PP_BATCH_WRITER_LANES];
    int inflight;
    pp_cql_batch_item *items; /* scratch for one batch */
    int failed;               /* sticky error code */
    char failure[512];
    pp_batch_writer_stats st;
};

int pp_batch_writer_retryable(int rc, int32_t server_code) {
    if (rc == PP_ETIMEOUT || rc == PP_EIO) return 1;
    if (rc != PP_ESERVER) return 0;
    return server_code == 0x1000    /* Unavailable */
           || server_code == 0x1001 /* Overloaded */
           || server_code == 0x1002 /* Is_bootstrapping */
           || server_code == 0x1100; /* Write_timeout */
}

int pp_batch_writer_create(pp_batch_writer **out, pp_cql_session *s, const pp_batch_writer_opts *o) {
    pp_batch_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w) return PP_ENOMEM;
    w->s = s;
    w->o = *o;
    if (w->o.max_inflight <= 0) w->o.max_inflight = 64;
    if (w->o.max_inflight > 1024) w->o.max_inflight = 1024;
    if (w->o.group_rows <= 0) w->o.group_rows = 1;
    if (w->o.group_rows > 1000) w->o.group_rows = 1000;
    if (w->o.max_attempts <= 0) w->o.max_attempts = 5;
    w->nslots = (size_t)w->o.max_inflight + PP_BATCH_WRITER_LANES;
    w->slots = calloc(w->nslots, sizeof *w->slots);
    w->items = calloc((size_t)w->o.group_rows, sizeof *w->items);
    if (!w->slots || !w->items) {
        pp_batch_writer_destroy(w);
        return PP_ENOMEM;
    }
    for (size_t i = 0; i < w->nslots; i++) {
        pp_cql_arena_init(&w->slots[i].arena);
        w->slots[i].rows = calloc((size_t)w->o.group_rows, sizeof(row));
        if (!w->slots[i].rows) {
            pp_batch_writer_destroy(w);
            return PP_ENOMEM;
        }
    }
    *out = w;
    return PP_OK;
}

void pp_batch_writer_destroy(pp_batch_writer *w) {
    if (!w) return;
    for (size_t i = 0; w->slots && i < w->nslots; i++) {
        pp_cql_arena_free(&w->slots[i].arena);
        free(w->slots[i].rows);
    }
    free(w->slots);
    free(w->items);
    free(w);
}

void pp_batch_writer_get_stats(const pp_batch_writer *w, pp_batch_writer_stats *st) { *st = w->st; }

static int fail(pp_batch_writer *w, int rc, char *err, size_t errlen) {
    if (!w->failed) w->failed = rc;
    pp_errf(err, errlen, "%s", w->failure);
    return w->failed;
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int backoff_ms(int attempt) {
    int ms = BACKOFF_FIRST_MS;
    for (int i = 1; i < attempt && ms < BACKOFF_MAX_MS; i++) ms *= 2;
    return ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
}

static void release(slot *sl) {
    pp_cql_arena_free(&sl->arena);
    sl->nrows = 0;
    sl->attempts = 0;
    sl->f = NULL;
}

/* Submits sl (again); a failed submit that is retryable is retried here. */
static int send_slot(pp_batch_writer *w, slot *sl, char *err, size_t errlen) {
    char why[512];
    for (;;) {
        int rc;
        sl->attempts++;
        if (sl->nrows == 1) {
            rc = pp_cql_submit_execute(w->s, sl->rows[0].stmt, sl->rows[0].vals, sl->rows[0].n, &sl->f, why,
                                       sizeof why);
        } else {
            for (size_t i = 0; i < sl->nrows; i++)
                w->items[i] = (pp_cql_batch_item){sl->rows[i].stmt, sl->rows[i].vals, sl->rows[i].n};
            rc = pp_cql_submit_batch(w->s, PP_CQL_BATCH_UNLOGGED, w->items, sl->nrows, &sl->f, why, sizeof why);
        }
        if (rc == PP_OK) {
            w->inflight++;
            return PP_OK;
        }
        sl->f = NULL;
        if (!pp_batch_writer_retryable(rc, pp_cql_session_server_code(w->s)) || sl->attempts >= w->o.max_attempts) {
            pp_errf(w->failure, sizeof w->failure, "Cassandra write (%s) failed after %d tries: %s",
                     pp_cql_prepared_query(sl->rows[0].stmt), sl->attempts, why);
            return fail(w, rc, err, errlen);
        }
        PP_WARN("batch", "Cassandra write not sent (%s); trying again", why);
        w->st.retries++;
        sleep_ms(backoff_ms(sl->attempts));
    }
}

/* Waits for one answer and handles it. */
static int collect_one(pp_batch_writer *w, char *err, size_t errlen) {
    pp_cql_future *ready;
    char why[512];
    int rc = pp_cql_poll(w->s, -1, &ready, why, sizeof why);
    if (rc) {
        pp_errf(w->failure, sizeof w->failure, "Cassandra: %s", why);
        return fail(w, rc, err, errlen);
    }
    slot *sl = NULL;
    for (size_t i = 0; i < w->nslots && !sl; i++)
        if (w->slots[i].f == ready) sl = &w->slots[i];
    rc = pp_cql_wait(w->s, ready, NULL, why, sizeof why);
    if (!sl) return PP_OK; /* not ours (cannot happen: the session is the writer's while it writes) */
    w->inflight--;
    sl->f = NULL;
    if (rc == PP_OK) {
        w->st.requests++;
        w->st.rows += sl->nrows;
        release(sl);
        return PP_OK;
    }
    if (!pp_batch_writer_retryable(rc, pp_cql_session_server_code(w->s)) || sl->attempts >= w->o.max_attempts) {
        pp_errf(w->failure, sizeof w->failure, "Cassandra write (%s) failed after %d tries: %s",
                 pp_cql_prepared_query(sl->rows[0].stmt), sl->attempts, why);
        release(sl);
        return fail(w, rc, err, errlen);
    }
    PP_WARN("batch", "Cassandra write failed (%s); trying again", why);
    w->st.retries++;
    sleep_ms(backoff_ms(sl->attempts));
    return send_slot(w, sl, err, errlen);
}

static slot *free_slot(pp_batch_writer *w) {
    for (size_t i = 0; i < w->nslots; i++) {
        slot *sl = &w->slots[i];
        int filling = 0;
        for (int l = 0; l < PP_BATCH_WRITER_LANES; l++) filling |= w->filling[l] == sl;
        if (!sl->f && !filling) return sl;
    }
    return NULL;
}

static int flush_lane(pp_batch_writer *w, int lane, char *err, size_t errlen) {
    slot *sl = w->filling[lane];
    if (!sl || sl->nrows == 0) return PP_OK;
    w->filling[lane] = NULL;
    while (w->inflight >= w->o.max_inflight) {
        int rc = collect_one(w, err, errlen);
        if (rc) return rc;
    }
    return send_slot(w, sl, err, errlen);
}

int pp_batch_writer_flush(pp_batch_writer *w, int lane, char *err, size_t errlen) {
    if (w->failed) return fail(w, w->failed, err, errlen);
    int rc = PP_OK;
    for (int l = 0; l < PP_BATCH_WRITER_LANES && rc == PP_OK; l++)
        if (lane < 0 || lane == l) rc = flush_lane(w, l, err, errlen);
    return rc;
}

static int copy_value(pp_cql_arena *a, const pp_cql_value *in, pp_cql_value *out) {
    *out = *in;
    switch (in->kind) {
    case PP_CQL_TEXT:
    case PP_CQL_BLOB:
    case PP_CQL_OTHER:
        if (!(out->u.text.s = pp_cql_arena_strndup(a, in->u.text.s, in->u.text.len))) return PP_ENOMEM;
        return PP_OK;
    case PP_CQL_LIST_TEXT:
    case PP_CQL_SET_TEXT: {
        size_t n = in->u.list.count;
        const char **items = pp_cql_arena_alloc(a, (n ? n : 1) * sizeof *items);
        size_t *lens = pp_cql_arena_alloc(a, (n ? n : 1) * sizeof *lens);
        if (!items || !lens) return PP_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            lens[i] = in->u.list.lens ? in->u.list.lens[i] : strlen(in->u.list.items[i]);
            if (!(items[i] = pp_cql_arena_strndup(a, in->u.list.items[i], lens[i]))) return PP_ENOMEM;
        }
        out->u.list.items = items;
        out->u.list.lens = lens;
        return PP_OK;
    }
    default: return PP_OK;
    }
}

int pp_batch_writer_add(pp_batch_writer *w, int lane, const pp_cql_prepared *stmt, const pp_cql_value *vals,
                        size_t n, char *err, size_t errlen) {
    if (w->failed) return fail(w, w->failed, err, errlen);
    if (lane < 0 || lane >= PP_BATCH_WRITER_LANES) {
        pp_errf(err, errlen, "batch writer: no lane %d", lane);
        return PP_EINVAL;
    }
    if (!w->filling[lane]) {
        while (!(w->filling[lane] = free_slot(w))) {
            int rc = collect_one(w, err, errlen);
            if (rc) return rc;
        }
    }
    slot *sl = w->filling[lane];
    row *r = &sl->rows[sl->nrows];
    r->stmt = stmt;
    r->n = n;
    r->vals = pp_cql_arena_alloc(&sl->arena, (n ? n : 1) * sizeof *r->vals);
    int rc = r->vals ? PP_OK : PP_ENOMEM;
    for (size_t i = 0; i < n && rc == PP_OK; i++) rc = copy_value(&sl->arena, &vals[i], &r->vals[i]);
    if (rc) {
        pp_errf(w->failure, sizeof w->failure, "batch writer: out of memory");
        return fail(w, rc, err, errlen);
    }
    sl->nrows++;
    if (sl->nrows == (size_t)w->o.group_rows) return flush_lane(w, lane, err, errlen);
    return PP_OK;
}

int pp_batch_writer_drain(pp_batch_writer *w, char *err, size_t errlen) {
    int rc = pp_batch_writer_flush(w, -1, err, errlen);
    while (rc == PP_OK && w->inflight > 0) rc = collect_one(w, err, errlen);
    return rc;
}
