#include "stream/stream_sink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/hashmap.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "contract/pin_columns.h"
#include "contract/reject_record.h"
#include "event/event_time.h"
#include "metrics/aggregate.h"
#include "pg/pg_copy.h"
#include "pg/pg_exec.h"
#include "pg/pg_txn.h"
#include "stream/stream_pins_sql.h"

#define MAX_PARTS 1024

struct pp_stream_sink {
    pp_pg *pg;
    char *group;
    int staging_ready;     /* temp tables exist on this connection */
    unsigned staging_conn; /* pp_pg_reconnects() when they were made */
    /* generated from the pin column table (stream_pins_sql.h) */
    pp_strbuf stage_sql, copy_sql, insert_sql;
    const pp_pin_column *cols[PP_PIN_COLUMNS_MAX]; /* the columns the stream writes, in order */
    size_t ncols;
};

typedef struct {
    const char *topic;
    int32_t partition;
    int64_t stored; /* next offset stored before this batch */
    int64_t next;   /* next offset after this batch */
} part_state;

typedef struct {
    pp_stream_sink *sink;
    const pp_stream_batch *batch;
    pp_stream_sink_stats stats;
    part_state parts[MAX_PARTS];
    size_t nparts;
    char *keep; /* per item: 1 when at or above its partition's stored offset */
} txn_ctx;

pp_stream_sink *pp_stream_sink_create(pp_pg *pg, const char *group) {
    pp_stream_sink *s = pp_xcalloc(1, sizeof *s);
    s->pg = pg;
    s->group = pp_xstrdup(group);
    pp_sb_init(&s->stage_sql);
    pp_sb_init(&s->copy_sql);
    pp_sb_init(&s->insert_sql);
    pp_stream_pins_stage_create(&s->stage_sql);
    pp_stream_pins_copy(&s->copy_sql);
    pp_stream_pins_insert(&s->insert_sql);
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++)
        if (PP_PIN_COLUMNS[i].get) s->cols[s->ncols++] = &PP_PIN_COLUMNS[i];
    return s;
}

void pp_stream_sink_destroy(pp_stream_sink *s) {
    if (!s) return;
    free(s->group);
    pp_sb_free(&s->stage_sql);
    pp_sb_free(&s->copy_sql);
    pp_sb_free(&s->insert_sql);
    free(s);
}

static int ensure_staging(pp_stream_sink *s, char *err, size_t errlen) {
    if (s->staging_ready && s->staging_conn == pp_pg_reconnects(s->pg)) return PP_OK;
    /* ON COMMIT DELETE ROWS: staging is empty at the start of every transaction. */
    int rc = pp_pg_exec(s->pg, s->stage_sql.data, 0, NULL, NULL, err, errlen);
    if (rc == PP_OK)
        rc = pp_pg_exec(s->pg,
                        "CREATE TEMP TABLE IF NOT EXISTS stage_metrics ("
                        " metric text, day text, key text, kind text, value bigint) ON COMMIT DELETE ROWS",
                        0, NULL, NULL, err, errlen);
    if (rc == PP_OK) {
        s->staging_ready = 1;
        s->staging_conn = pp_pg_reconnects(s->pg);
    }
    return rc;
}

static part_state *part_of(txn_ctx *t, const char *topic, int32_t partition) {
    for (size_t i = 0; i < t->nparts; i++)
        if (t->parts[i].partition == partition && strcmp(t->parts[i].topic, topic) == 0) return &t->parts[i];
    if (t->nparts == MAX_PARTS) return NULL;
    t->parts[t->nparts] = (part_state){topic, partition, -1, -1};
    return &t->parts[t->nparts++];
}

/* Locks each partition's offset row and reads the stored next offset. */
static int lock_offsets(txn_ctx *t, char *err, size_t errlen) {
    for (size_t i = 0; i < t->nparts; i++) {
        part_state *p = &t->parts[i];
        char part[16];
        snprintf(part, sizeof part, "%d", p->partition);
        const char *params[] = {t->sink->group, p->topic, part};
        int rc = pp_pg_exec(t->sink->pg,
                            "INSERT INTO stream_offsets (consumer_group, topic, kafka_partition, next_offset)"
                            " VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING",
                            3, params, NULL, err, errlen);
        long long stored;
        if (rc == PP_OK)
            rc = pp_pg_query_int64(t->sink->pg,
                                   "SELECT next_offset FROM stream_offsets WHERE consumer_group = $1 AND topic = $2"
                                   " AND kafka_partition = $3 FOR UPDATE",
                                   3, params, &stored, err, errlen);
        if (rc) return rc;
        p->stored = stored;
    }
    return PP_OK;
}

static void fmt_i64(char *buf, size_t n, int64_t v) { snprintf(buf, n, "%lld", (long long)v); }

static void fmt_time(char *buf, int64_t ms) {
    if (ms < 0) {
        buf[0] = '\0';
        return;
    }
    pp_event_time_iso(ms, buf);
}

/* A value as COPY text into buf (tags: a JSON array into list); NULL for null. */
static const char *copy_text(const pp_pin_column *c, const pp_col_value *v, char buf[32], pp_strbuf *list) {
    if (v->null) return NULL;
    switch (c->kind) {
    case PP_COL_TEXT: return v->text;
    case PP_COL_BIGINT:
    case PP_COL_INT: fmt_i64(buf, 32, v->i); return buf;
    case PP_COL_BOOL: return v->i ? "true" : "false";
    case PP_COL_TIME: fmt_time(buf, v->i); return buf;
    case PP_COL_TAGS:
        pp_sb_reset(list);
        pp_sb_putc(list, '[');
        for (size_t k = 0; k < v->n; k++) {
            if (k) pp_sb_putc(list, ',');
            pp_sb_json_cstr(list, v->list[k]);
        }
        pp_sb_putc(list, ']');
        return list->data;
    }
    return NULL;
}

static int copy_pins(txn_ctx *t, char *err, size_t errlen) {
    const pp_stream_sink *s = t->sink;
    pp_pg_copy *cp;
    int rc = pp_pg_copy_begin(s->pg, s->copy_sql.data, s->ncols, &cp, err, errlen);
    if (rc) return rc;
    pp_strbuf lists[PP_PIN_COLUMNS_MAX];
    for (size_t c = 0; c < s->ncols; c++) pp_sb_init(&lists[c]);
    for (size_t i = 0; i < t->batch->n && rc == PP_OK; i++) {
        const pp_stream_item *it = &t->batch->items[i];
        if (!t->keep[i] || !it->cleaned) continue;
        pp_pin_row pr = {&it->pin, it->msg->topic, it->msg->partition, it->msg->offset, it->ingest_time_ms};
        char bufs[PP_PIN_COLUMNS_MAX][32];
        const char *row[PP_PIN_COLUMNS_MAX];
        for (size_t c = 0; c < s->ncols; c++) {
            pp_col_value v;
            pp_pin_column_get(s->cols[c], &pr, &v);
            row[c] = copy_text(s->cols[c], &v, bufs[c], &lists[c]);
        }
        rc = pp_pg_copy_row(cp, row, NULL, err, errlen);
    }
    for (size_t c = 0; c < s->ncols; c++) pp_sb_free(&lists[c]);
    if (rc) {
        pp_pg_copy_abort(cp, "stream: staging failed");
        return rc;
    }
    return pp_pg_copy_end(cp, NULL, err, errlen);
}

/* Inserts the staged pins, first occurrence per pair, and marks which items are new. */
static int insert_pins(txn_ctx *t, char *is_new, char *err, size_t errlen) {
    pp_pg_result *res = NULL;
    int rc = pp_pg_exec(t->sink->pg, t->sink->insert_sql.data, 0, NULL, &res, err, errlen);
    if (rc) return rc;
    pp_hashmap *by_coord = pp_hashmap_create((size_t)pp_pg_result_rows(res));
    char key[320];
    for (int r = 0; r < pp_pg_result_rows(res); r++) {
        int n = snprintf(key, sizeof key, "%s|%s|%s", pp_pg_result_value(res, r, 0), pp_pg_result_value(res, r, 1),
                         pp_pg_result_value(res, r, 2));
        int ins;
        pp_hashmap_upsert(by_coord, key, (size_t)n, &ins);
    }
    for (size_t i = 0; i < t->batch->n; i++) {
        const pp_stream_item *it = &t->batch->items[i];
        if (!t->keep[i] || !it->cleaned) continue;
        int n = snprintf(key, sizeof key, "%s|%d|%lld", it->msg->topic, it->msg->partition, (long long)it->msg->offset);
        is_new[i] = pp_hashmap_get(by_coord, key, (size_t)n) != NULL;
    }
    pp_hashmap_destroy(by_coord);
    pp_pg_result_free(res);
    return PP_OK;
}

static int store_metrics(txn_ctx *t, const char *is_new, char *err, size_t errlen) {
    pp_agg *deltas = pp_agg_create();
    for (size_t i = 0; i < t->batch->n; i++) {
        const pp_stream_item *it = &t->batch->items[i];
        if (!t->keep[i]) continue;
        if (it->cleaned && is_new[i]) {
            pp_metrics_of_pin(&it->pin, pp_agg_emit, deltas);
            t->stats.new_pins++;
        } else if (it->cleaned) {
            t->stats.duplicates++;
        } else {
            pp_metrics_of_reject(&it->rej, pp_agg_emit, deltas);
            t->stats.rejects++;
        }
    }
    size_t n;
    pp_agg_entry *e = pp_agg_sorted(deltas, &n);
    pp_pg_copy *cp = NULL;
    int rc = n ? pp_pg_copy_begin(t->sink->pg, "COPY stage_metrics (metric, day, key, kind, value) FROM STDIN", 5, &cp,
                                  err, errlen)
               : PP_OK;
    for (size_t i = 0; i < n && rc == PP_OK; i++) {
        char value[24];
        fmt_i64(value, sizeof value, e[i].value);
        const char *row[5] = {PP_METRICS[e[i].metric].name, e[i].day, e[i].key,
                              pp_agg_kind_name(PP_METRICS[e[i].metric].kind), value};
        size_t lens[5] = {strlen(row[0]), strlen(row[1]), e[i].keylen, strlen(row[3]), strlen(row[4])};
        rc = pp_pg_copy_row(cp, row, lens, err, errlen);
    }
    if (cp && rc) pp_pg_copy_abort(cp, "stream: staging metrics failed");
    if (cp && rc == PP_OK) rc = pp_pg_copy_end(cp, NULL, err, errlen);
    if (n && rc == PP_OK)
        rc = pp_pg_exec(t->sink->pg,
                        "INSERT INTO metrics (metric, day, key, kind, value)"
                        " SELECT metric, day, key, kind, value FROM stage_metrics"
                        " ON CONFLICT (metric, day, key) DO UPDATE SET"
                        " value = CASE WHEN metrics.kind = 'max' THEN GREATEST(metrics.value, EXCLUDED.value)"
                        " ELSE metrics.value + EXCLUDED.value END, updated_at = now()",
                        0, NULL, NULL, err, errlen);
    free(e);
    pp_agg_destroy(deltas);
    return rc;
}

static int store_rejects(txn_ctx *t, char *err, size_t errlen) {
    pp_pg_copy *cp = NULL;
    int rc = PP_OK;
    pp_strbuf errors, raw;
    pp_sb_init(&errors);
    pp_sb_init(&raw);
    for (size_t i = 0; i < t->batch->n && rc == PP_OK; i++) {
        const pp_stream_item *it = &t->batch->items[i];
        if (!t->keep[i] || it->cleaned) continue;
        if (!cp &&
            (rc = pp_pg_copy_begin(t->sink->pg,
                                   "COPY rejects (kafka_topic, kafka_partition, kafka_offset, reason, detail,"
                                   " day, errors, raw, raw_base64, ingested_at) FROM STDIN",
                                   10, &cp, err, errlen)))
            break;
        /* errors as JSON, raw bytes as text or base64 (contract/reject_record.h) */
        pp_reject_row rr;
        pp_reject_row_fill(&rr, &it->rej, it->msg->value ? it->msg->value : "", it->msg->value_len, it->raw_as_base64,
                           &errors, &raw);
        char part[16], off[24], ingested[25], day[11];
        snprintf(part, sizeof part, "%d", it->msg->partition);
        fmt_i64(off, sizeof off, it->msg->offset);
        fmt_time(ingested, it->ingest_time_ms);
        if (it->rej.day[0])
            memcpy(day, it->rej.day, sizeof day);
        else if (it->ingest_time_ms >= 0)
            pp_event_day(it->ingest_time_ms, day);
        else
            snprintf(day, sizeof day, "unknown");
        const char *row[10] = {it->msg->topic,
                               part,
                               off,
                               it->rej.reason,
                               it->rej.detail,
                               day,
                               rr.errors,
                               rr.raw,
                               rr.raw_base64,
                               ingested[0] ? ingested : NULL};
        size_t lens[10];
        for (int k = 0; k < 10; k++) lens[k] = row[k] ? strlen(row[k]) : 0;
        lens[7] = rr.raw_len;
        rc = pp_pg_copy_row(cp, row, lens, err, errlen);
    }
    if (cp && rc) pp_pg_copy_abort(cp, "stream: storing rejects failed");
    if (cp && rc == PP_OK) rc = pp_pg_copy_end(cp, NULL, err, errlen);
    pp_sb_free(&errors);
    pp_sb_free(&raw);
    return rc;
}

static int store_offsets(txn_ctx *t, char *err, size_t errlen) {
    for (size_t i = 0; i < t->nparts; i++) {
        part_state *p = &t->parts[i];
        if (p->next <= p->stored) continue;
        char part[16], next[24];
        snprintf(part, sizeof part, "%d", p->partition);
        fmt_i64(next, sizeof next, p->next);
        const char *params[] = {t->sink->group, p->topic, part, next};
        int rc = pp_pg_exec(t->sink->pg,
                            "UPDATE stream_offsets SET next_offset = $4, updated_at = now()"
                            " WHERE consumer_group = $1 AND topic = $2 AND kafka_partition = $3",
                            4, params, NULL, err, errlen);
        if (rc) return rc;
    }
    return PP_OK;
}

static int write_txn(pp_pg *pg, void *arg, char *err, size_t errlen) {
    (void)pg;
    txn_ctx *t = arg;
    const pp_stream_batch *b = t->batch;
    memset(&t->stats, 0, sizeof t->stats);
    t->stats.messages = b->n;
    int rc = ensure_staging(t->sink, err, errlen);
    if (rc == PP_OK) rc = lock_offsets(t, err, errlen);
    if (rc) return rc;
    int any_pin = 0;
    for (size_t i = 0; i < b->n; i++) {
        part_state *p = part_of(t, b->items[i].msg->topic, b->items[i].msg->partition);
        t->keep[i] = !b->items[i].refetched && b->items[i].msg->offset >= p->stored;
        if (!t->keep[i]) {
            t->stats.skipped++;
            continue;
        }
        if (b->items[i].msg->offset + 1 > p->next) p->next = b->items[i].msg->offset + 1;
        any_pin |= b->items[i].cleaned;
    }
    char *is_new = pp_xcalloc(b->n ? b->n : 1, 1);
    if (any_pin) rc = copy_pins(t, err, errlen);
    if (rc == PP_OK && any_pin) rc = insert_pins(t, is_new, err, errlen);
    if (rc == PP_OK) rc = store_metrics(t, is_new, err, errlen);
    if (rc == PP_OK) rc = store_rejects(t, err, errlen);
    if (rc == PP_OK) rc = store_offsets(t, err, errlen);
    free(is_new);
    return rc;
}

int pp_stream_sink_write(pp_stream_sink *s, const pp_stream_batch *b, pp_stream_sink_stats *stats, char *err,
                         size_t errlen) {
    txn_ctx *t = pp_xcalloc(1, sizeof *t);
    t->sink = s;
    t->batch = b;
    t->keep = pp_xcalloc(b->n ? b->n : 1, 1);
    for (size_t i = 0; i < b->n; i++) {
        if (!part_of(t, b->items[i].msg->topic, b->items[i].msg->partition)) {
            pp_errf(err, errlen, "stream: more than %d partitions in one batch", MAX_PARTS);
            free(t->keep);
            free(t);
            return PP_EINVAL;
        }
    }
    pp_pg_retry policy;
    pp_pg_retry_init(&policy);
    /* Safe to retry an unknown commit: the offset check skips what did commit. */
    policy.retry_unknown_commit = 1;
    int attempts = 0;
    int rc = pp_pg_run_txn(s->pg, &policy, write_txn, t, &attempts, err, errlen);
    if (rc != PP_OK) s->staging_ready = 0; /* a rolled-back CREATE TEMP TABLE is gone */
    t->stats.attempts = attempts;
    if (stats) *stats = t->stats;
    free(t->keep);
    free(t);
    return rc;
}

int pp_stream_sink_stored_offset(pp_stream_sink *s, const char *topic, int32_t partition, int64_t *offset, char *err,
                                 size_t errlen) {
    char part[16];
    snprintf(part, sizeof part, "%d", partition);
    const char *params[] = {s->group, topic, part};
    long long v;
    int rc = pp_pg_query_int64(s->pg,
                               "SELECT next_offset FROM stream_offsets WHERE consumer_group = $1 AND topic = $2"
                               " AND kafka_partition = $3",
                               3, params, &v, err, errlen);
    if (rc == PP_ENOTFOUND) {
        *offset = -1;
        return PP_OK;
    }
    if (rc == PP_OK) *offset = v;
    return rc;
}
