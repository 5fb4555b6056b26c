#include "batch/batch_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch/batch_limits.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "cql/cql_arena.h"

#define BACKOFF_FIRST_MS 100
#define BACKOFF_MAX_MS 2000
#define ROW_OVERHEAD 32 /* per row of a BATCH: kind, statement id, value count */
#define WHY_MAX 1024    /* bytes of a refusal's message kept in a replacement row */

typedef struct {
    const pp_cql_prepared *stmt;
    pp_cql_value *vals;
    size_t n;
    size_t bytes;
    pp_batch_writer_instead *instead; /* NULL: none (copied into the slot's arena) */
} row;

typedef struct {
    pp_cql_future *f; /* NULL: not in flight */
    pp_cql_arena arena;
    row *rows;
    size_t nrows, bytes;
    size_t at, span; /* the request carries rows[at..at+span) ... */
    int instead;     /* ... or, when set, rows[at]'s replacement */
    int attempts;
    int filling; /* a lane's group being filled */
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
    if (pp_err_transient(rc)) return 1;
    if (rc != PP_ESERVER) return 0;
    return server_code == 0x1000  /* Unavailable */
        || server_code == 0x1001  /* Overloaded */
        || server_code == 0x1002  /* Is_bootstrapping */
        || server_code == 0x1100; /* Write_timeout */
}

int pp_batch_writer_refused(int rc, int32_t server_code) {
    return rc == PP_EREFUSED || (rc == PP_ESERVER && server_code == 0x2200 /* Invalid */);
}

static size_t value_bytes(const pp_cql_value *v) {
    switch (v->kind) {
    case PP_CQL_TEXT:
    case PP_CQL_BLOB:
    case PP_CQL_OTHER: return 4 + v->u.text.len;
    case PP_CQL_INT: return 4 + 4;
    case PP_CQL_BIGINT:
    case PP_CQL_TIMESTAMP: return 4 + 8;
    case PP_CQL_BOOLEAN: return 4 + 1;
    case PP_CQL_LIST_TEXT:
    case PP_CQL_SET_TEXT: {
        size_t n = 4 + 4;
        for (size_t i = 0; i < v->u.list.count; i++)
            n += 4 + (v->u.list.lens ? v->u.list.lens[i] : strlen(v->u.list.items[i]));
        return n;
    }
    case PP_CQL_NULL: return 4;
    }
    return 4;
}

size_t pp_batch_writer_row_bytes(const pp_cql_value *vals, size_t n) {
    size_t b = ROW_OVERHEAD;
    for (size_t i = 0; i < n; i++) b += value_bytes(&vals[i]);
    return b;
}

int pp_batch_writer_create(pp_batch_writer **out, pp_cql_session *s, const pp_batch_writer_opts *o) {
    pp_batch_writer *w = pp_xcalloc(1, sizeof *w);
    *out = NULL;
    w->s = s;
    w->o = *o;
    if (w->o.max_inflight <= 0) w->o.max_inflight = 64;
    if (w->o.max_inflight > 1024) w->o.max_inflight = 1024;
    if (w->o.group_rows <= 0) w->o.group_rows = 1;
    if (w->o.group_rows > 1000) w->o.group_rows = 1000;
    if (w->o.max_attempts <= 0) w->o.max_attempts = 5;
    if (!w->o.group_bytes || !w->o.row_bytes) {
        pp_batch_limits l;
        pp_batch_limits_defaults(&l);
        if (!w->o.group_bytes) w->o.group_bytes = l.group_bytes;
        if (!w->o.row_bytes) w->o.row_bytes = l.row_bytes;
    }
    w->nslots = (size_t)w->o.max_inflight + PP_BATCH_WRITER_LANES;
    w->slots = pp_xcalloc(w->nslots, sizeof *w->slots);
    w->items = pp_xcalloc((size_t)w->o.group_rows, sizeof *w->items);
    for (size_t i = 0; i < w->nslots; i++) {
        pp_cql_arena_init(&w->slots[i].arena);
        w->slots[i].rows = pp_xcalloc((size_t)w->o.group_rows, sizeof(row));
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

static int backoff_ms(int attempt) {
    int ms = BACKOFF_FIRST_MS;
    for (int i = 1; i < attempt && ms < BACKOFF_MAX_MS; i++) ms *= 2;
    return ms < BACKOFF_MAX_MS ? ms : BACKOFF_MAX_MS;
}

static void release(slot *sl) {
    pp_cql_arena_free(&sl->arena);
    sl->nrows = 0;
    sl->bytes = 0;
    sl->at = 0;
    sl->span = 0;
    sl->instead = 0;
    sl->attempts = 0;
    sl->f = NULL;
}

/* The statement of the request sl carries (for messages). */
static const char *query_of(const slot *sl) {
    const row *r = &sl->rows[sl->at];
    return pp_cql_prepared_query(sl->instead ? r->instead->stmt : r->stmt);
}

/* Submits sl's request (again); a failed submit that is retryable is retried here. */
static int send_slot(pp_batch_writer *w, slot *sl, char *err, size_t errlen) {
    char why[512];
    for (;;) {
        int rc;
        const row *r = &sl->rows[sl->at];
        sl->attempts++;
        if (sl->instead) {
            rc =
                pp_cql_submit_execute(w->s, r->instead->stmt, r->instead->vals, r->instead->n, &sl->f, why, sizeof why);
        } else if (sl->span == 1) {
            rc = pp_cql_submit_execute(w->s, r->stmt, r->vals, r->n, &sl->f, why, sizeof why);
        } else {
            for (size_t i = 0; i < sl->span; i++) w->items[i] = (pp_cql_batch_item){r[i].stmt, r[i].vals, r[i].n};
            rc = pp_cql_submit_batch(w->s, PP_CQL_BATCH_UNLOGGED, w->items, sl->span, &sl->f, why, sizeof why);
        }
        if (rc == PP_OK) {
            w->inflight++;
            return PP_OK;
        }
        sl->f = NULL;
        if (!pp_batch_writer_retryable(rc, pp_cql_session_server_code(w->s)) || sl->attempts >= w->o.max_attempts) {
            pp_errf(w->failure, sizeof w->failure, "Cassandra write (%s) failed after %d tries: %s", query_of(sl),
                    sl->attempts, why);
            return fail(w, rc, err, errlen);
        }
        PP_WARN("batch", "Cassandra write not sent (%s); trying again", why);
        w->st.retries++;
        pp_sleep_ms(backoff_ms(sl->attempts));
    }
}

/* Appends why (cut to WHY_MAX bytes) to the text value at r->why of a replacement. */
static int append_why(pp_cql_arena *a, pp_batch_writer_instead *r, const char *why) {
    if (r->why >= r->n) return PP_OK;
    pp_cql_value *v = (pp_cql_value *)&r->vals[r->why];
    size_t have = v->kind == PP_CQL_TEXT ? v->u.text.len : 0;
    size_t add = strnlen(why, WHY_MAX);
    char *s = pp_cql_arena_alloc(a, have + add + 1);
    if (!s) return PP_ENOMEM;
    if (have) memcpy(s, v->u.text.s, have);
    memcpy(s + have, why, add);
    s[have + add] = '\0';
    *v = pp_cql_textn(s, have + add);
    return PP_OK;
}

/* The server refused sl's request for good: split a group, replace a row that has a
 * replacement, else fail. Nothing is sent again as it was. */
static int on_refused(pp_batch_writer *w, slot *sl, const char *why, char *err, size_t errlen) {
    row *r = &sl->rows[sl->at];
    if (!sl->instead && sl->span > 1) {
        PP_WARN("batch", "Cassandra refused a group of %zu rows (%s); sending them one by one", sl->span, why);
        w->st.splits++;
        sl->span = 1;
        sl->attempts = 0;
        return send_slot(w, sl, err, errlen);
    }
    if (!sl->instead && r->instead) {
        PP_WARN("batch", "Cassandra refused a row of %zu bytes for good (%s); writing its replacement", r->bytes, why);
        if (append_why(&sl->arena, r->instead, why)) {
            pp_errf(w->failure, sizeof w->failure, "batch writer: out of memory");
            return fail(w, PP_ENOMEM, err, errlen);
        }
        w->st.refused++;
        sl->instead = 1;
        sl->attempts = 0;
        return send_slot(w, sl, err, errlen);
    }
    pp_errf(w->failure, sizeof w->failure, "Cassandra write (%s) refused for good after %d tries: %s", query_of(sl),
            sl->attempts, why);
    return fail(w, PP_EREFUSED, err, errlen);
}

/* sl's request was answered: the next row of a split group, or done. */
static int on_answered(pp_batch_writer *w, slot *sl, char *err, size_t errlen) {
    w->st.requests++;
    if (sl->instead) {
        sl->at += 1;
    } else {
        w->st.rows += sl->span;
        sl->at += sl->span;
    }
    sl->instead = 0;
    sl->attempts = 0;
    if (sl->at < sl->nrows) {
        sl->span = 1;
        return send_slot(w, sl, err, errlen);
    }
    release(sl);
    return PP_OK;
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
    if (rc == PP_OK) return on_answered(w, sl, err, errlen);
    int32_t code = pp_cql_session_server_code(w->s);
    if (pp_batch_writer_retryable(rc, code) && sl->attempts < w->o.max_attempts) {
        PP_WARN("batch", "Cassandra write failed (%s); trying again", why);
        w->st.retries++;
        pp_sleep_ms(backoff_ms(sl->attempts));
        return send_slot(w, sl, err, errlen);
    }
    if (pp_batch_writer_refused(rc, code)) return on_refused(w, sl, why, err, errlen);
    pp_errf(w->failure, sizeof w->failure, "Cassandra write (%s) failed after %d tries: %s", query_of(sl), sl->attempts,
            why);
    release(sl);
    return fail(w, rc, err, errlen);
}

static slot *free_slot(pp_batch_writer *w) {
    for (size_t i = 0; i < w->nslots; i++) {
        slot *sl = &w->slots[i];
        if (!sl->f && !sl->nrows && !sl->filling) return sl;
    }
    return NULL;
}

static int wait_below_max(pp_batch_writer *w, char *err, size_t errlen) {
    while (w->inflight >= w->o.max_inflight) {
        int rc = collect_one(w, err, errlen);
        if (rc) return rc;
    }
    return PP_OK;
}

static int flush_lane(pp_batch_writer *w, int lane, char *err, size_t errlen) {
    slot *sl = w->filling[lane];
    if (!sl || sl->nrows == 0) return PP_OK;
    w->filling[lane] = NULL;
    sl->filling = 0;
    int rc = wait_below_max(w, err, errlen);
    if (rc) return rc;
    sl->at = 0;
    sl->span = sl->nrows;
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

static pp_cql_value *copy_values(pp_cql_arena *a, const pp_cql_value *vals, size_t n) {
    pp_cql_value *out = pp_cql_arena_alloc(a, (n ? n : 1) * sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        if (copy_value(a, &vals[i], &out[i])) return NULL;
    return out;
}

/* Fills row r of sl with copies of the row and its replacement. */
static int copy_row(slot *sl, row *r, const pp_cql_prepared *stmt, const pp_cql_value *vals, size_t n, size_t bytes,
                    const pp_batch_writer_instead *instead) {
    memset(r, 0, sizeof *r);
    r->stmt = stmt;
    r->n = n;
    r->bytes = bytes;
    if (!(r->vals = copy_values(&sl->arena, vals, n))) return PP_ENOMEM;
    if (instead) {
        pp_batch_writer_instead *c = pp_cql_arena_alloc(&sl->arena, sizeof *c);
        if (!c) return PP_ENOMEM;
        *c = *instead;
        if (!(c->vals = copy_values(&sl->arena, instead->vals, instead->n))) return PP_ENOMEM;
        r->instead = c;
    }
    return PP_OK;
}

/* A row over row_bytes: never sent; its replacement is, alone. */
static int refuse_unsent(pp_batch_writer *w, const pp_cql_prepared *stmt, size_t bytes,
                         const pp_batch_writer_instead *instead, char *err, size_t errlen) {
    char why[256];
    snprintf(why, sizeof why,
             "a row of %zu bytes is over the largest request the node takes (%zu bytes: "
             "native_transport_max_frame_size less overhead); not sent",
             bytes, w->o.row_bytes);
    if (!instead) {
        pp_errf(w->failure, sizeof w->failure, "Cassandra write (%s) refused: %s", pp_cql_prepared_query(stmt), why);
        return fail(w, PP_EREFUSED, err, errlen);
    }
    int rc = wait_below_max(w, err, errlen);
    if (rc) return rc;
    slot *sl = free_slot(w); /* one is free: fewer than max_inflight are out */
    if (!sl) {
        pp_errf(w->failure, sizeof w->failure, "batch writer: no free slot");
        return fail(w, PP_EINVAL, err, errlen);
    }
    PP_WARN("batch", "%s: writing its replacement", why);
    rc = copy_row(sl, &sl->rows[0], stmt, NULL, 0, bytes, instead);
    if (rc == PP_OK) rc = append_why(&sl->arena, sl->rows[0].instead, why);
    if (rc) {
        release(sl);
        pp_errf(w->failure, sizeof w->failure, "batch writer: out of memory");
        return fail(w, rc, err, errlen);
    }
    w->st.refused++;
    sl->nrows = 1;
    sl->at = 0;
    sl->span = 1;
    sl->instead = 1;
    return send_slot(w, sl, err, errlen);
}

int pp_batch_writer_add_or(pp_batch_writer *w, int lane, const pp_cql_prepared *stmt, const pp_cql_value *vals,
                           size_t n, const pp_batch_writer_instead *instead, char *err, size_t errlen) {
    if (w->failed) return fail(w, w->failed, err, errlen);
    if (lane < 0 || lane >= PP_BATCH_WRITER_LANES) {
        pp_errf(err, errlen, "batch writer: no lane %d", lane);
        return PP_EINVAL;
    }
    size_t bytes = pp_batch_writer_row_bytes(vals, n);
    if (bytes > w->o.row_bytes) return refuse_unsent(w, stmt, bytes, instead, err, errlen);
    int rc;
    slot *sl = w->filling[lane];
    if (sl && sl->nrows && sl->bytes + bytes > w->o.group_bytes && (rc = flush_lane(w, lane, err, errlen))) return rc;
    while (!w->filling[lane] && !(w->filling[lane] = free_slot(w)))
        if ((rc = collect_one(w, err, errlen))) return rc;
    sl = w->filling[lane];
    sl->filling = 1;
    if ((rc = copy_row(sl, &sl->rows[sl->nrows], stmt, vals, n, bytes, instead))) {
        pp_errf(w->failure, sizeof w->failure, "batch writer: out of memory");
        return fail(w, rc, err, errlen);
    }
    sl->nrows++;
    sl->bytes += bytes;
    if (sl->nrows == (size_t)w->o.group_rows || sl->bytes >= w->o.group_bytes) return flush_lane(w, lane, err, errlen);
    return PP_OK;
}

int pp_batch_writer_add(pp_batch_writer *w, int lane, const pp_cql_prepared *stmt, const pp_cql_value *vals, size_t n,
                        char *err, size_t errlen) {
    return pp_batch_writer_add_or(w, lane, stmt, vals, n, NULL, err, errlen);
}

int pp_batch_writer_drain(pp_batch_writer *w, char *err, size_t errlen) {
    int rc = pp_batch_writer_flush(w, -1, err, errlen);
    while (rc == PP_OK && w->inflight > 0) rc = collect_one(w, err, errlen);
    return rc;
}
