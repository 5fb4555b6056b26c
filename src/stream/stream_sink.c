#include "stream/stream_sink.h"

#include <stdint.h>
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
#include "pg/pg_array.h"
#include "pg/pg_copy.h"
#include "pg/pg_copy_binary.h"
#include "pg/pg_exec.h"
#include "pg/pg_txn.h"
#include "stream/stream_join.h"
#include "stream/stream_pins_copy.h"
#include "stream/stream_pins_sql.h"
#include "stream/stream_sides.h"

#define MAX_PARTS 1024

struct pp_stream_sink {
    pp_pg *pg;
    char *group;
    /* generated from the pin column table (stream_pins_sql.h) */
    pp_strbuf copy_sql, existing_sql;
    const pp_pin_column *cols[PP_PIN_COLUMNS_MAX]; /* the columns the stream writes, in order */
    size_t ncols;
    const pp_pin_column *keys[PP_PIN_COLUMNS_MAX]; /* the primary key's columns, in order */
    size_t nkeys;
    int key_conflicts; /* writes in a row whose COPY into pins hit a unique violation */
    size_t join_locks; /* posts a batch locks one by one at most */
    int gate_next;     /* the last write ran out of PostgreSQL's lock table: take the join's gate */
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
    char *keep;   /* per item: 1 when at or above its partition's stored offset */
    char *is_new; /* per item: 1 for the first occurrence of a key its table (pins, geo, users) does not hold */
    pp_stream_posts *posts; /* the posts the batch touches, with their stored sides */
} txn_ctx;

pp_stream_sink *pp_stream_sink_create(pp_pg *pg, const char *group) {
    pp_stream_sink *s = pp_xcalloc(1, sizeof *s);
    s->pg = pg;
    s->group = pp_xstrdup(group);
    s->join_locks = PP_STREAM_JOIN_LOCKS_MAX;
    pp_sb_init(&s->copy_sql);
    pp_sb_init(&s->existing_sql);
    pp_stream_pins_copy(&s->copy_sql);
    pp_sb_puts(&s->copy_sql, " (FORMAT binary)");
    pp_stream_pins_existing(&s->existing_sql);
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++) {
        if (PP_PIN_COLUMNS[i].get) s->cols[s->ncols++] = &PP_PIN_COLUMNS[i];
        if (PP_PIN_COLUMNS[i].key != PP_KEY_NONE) s->keys[s->nkeys++] = &PP_PIN_COLUMNS[i];
    }
    return s;
}

void pp_stream_sink_set_join_locks(pp_stream_sink *s, size_t max_locks) { s->join_locks = max_locks; }

void pp_stream_sink_destroy(pp_stream_sink *s) {
    if (!s) return;
    free(s->group);
    pp_sb_free(&s->copy_sql);
    pp_sb_free(&s->existing_sql);
    free(s);
}

static part_state *part_of(txn_ctx *t, const char *topic, int32_t partition) {
    for (size_t i = 0; i < t->nparts; i++)
        if (t->parts[i].partition == partition && strcmp(t->parts[i].topic, topic) == 0) return &t->parts[i];
    if (t->nparts == MAX_PARTS) return NULL;
    t->parts[t->nparts] = (part_state){topic, partition, -1, -1};
    return &t->parts[t->nparts++];
}

/* The batch's partitions as two array parameters (topics, partitions). */
static int part_arrays(const txn_ctx *t, pp_strbuf *topics, pp_strbuf *parts) {
    pp_pg_array_open(topics);
    pp_pg_array_open(parts);
    for (size_t i = 0; i < t->nparts; i++) {
        if (pp_pg_array_text(topics, t->parts[i].topic, strlen(t->parts[i].topic))) return PP_EINVAL;
        pp_pg_array_int(parts, t->parts[i].partition);
    }
    pp_pg_array_close(topics);
    pp_pg_array_close(parts);
    return PP_OK;
}

/* Locks the partitions' offset rows (made when missing) and reads the stored next
 * offsets, in one statement for all of the batch's partitions: the no-op update of
 * an existing row locks it as FOR UPDATE would and returns its latest committed
 * offset. Rows are taken in the arrays' order, (topic, partition), the same in
 * every instance. */
static int lock_offsets(txn_ctx *t, char *err, size_t errlen) {
    pp_strbuf topics, parts;
    pp_sb_init(&topics);
    pp_sb_init(&parts);
    int rc = part_arrays(t, &topics, &parts);
    const char *params[] = {t->sink->group, topics.data, parts.data};
    pp_pg_result *res = NULL;
    if (rc)
        pp_errf(err, errlen, "stream: a topic name holds a NUL byte");
    else
        rc =
            pp_pg_exec(t->sink->pg,
                       "INSERT INTO stream_offsets AS o (consumer_group, topic, kafka_partition, next_offset)"
                       " SELECT $1, u.t, u.p, 0 FROM unnest($2::text[], $3::int[]) WITH ORDINALITY AS u(t, p, i)"
                       " ORDER BY u.i ON CONFLICT (consumer_group, topic, kafka_partition)"
                       " DO UPDATE SET next_offset = o.next_offset RETURNING o.topic, o.kafka_partition, o.next_offset",
                       3, params, &res, err, errlen);
    for (int r = 0; rc == PP_OK && r < pp_pg_result_rows(res); r++) {
        part_state *p = part_of(t, pp_pg_result_value(res, r, 0), (int32_t)atoi(pp_pg_result_value(res, r, 1)));
        if (p) p->stored = strtoll(pp_pg_result_value(res, r, 2), NULL, 10);
    }
    for (size_t i = 0; rc == PP_OK && i < t->nparts; i++) {
        if (t->parts[i].stored >= 0) continue;
        pp_errf(err, errlen, "stream: no stored offset row for %s[%d]", t->parts[i].topic, t->parts[i].partition);
        rc = PP_ESERVER;
    }
    pp_pg_result_free(res);
    pp_sb_free(&topics);
    pp_sb_free(&parts);
    return rc;
}

static void fmt_i64(char *buf, size_t n, int64_t v) { snprintf(buf, n, "%lld", (long long)v); }

static void fmt_time(char *buf, int64_t ms) {
    if (ms < 0) {
        buf[0] = '\0';
        return;
    }
    pp_event_time_iso(ms, buf);
}

/* A key column's value as text (into buf for a number or a time); NULL for null.
 * A list is no key. */
static const char *key_text(const pp_pin_column *c, const pp_col_value *v, char buf[32]) {
    if (v->null) return NULL;
    switch (c->kind) {
    case PP_COL_TEXT: return v->text;
    case PP_COL_BIGINT:
    case PP_COL_INT: fmt_i64(buf, 32, v->i); return buf;
    case PP_COL_BOOL: return v->i ? "true" : "false";
    case PP_COL_TIME: fmt_time(buf, v->i); return buf;
    case PP_COL_TAGS: return NULL;
    }
    return NULL;
}

static pp_pin_row row_of(const pp_stream_item *it) {
    return (pp_pin_row){&it->rec.pin, it->msg->topic, it->msg->partition, it->msg->offset, it->ingest_time_ms};
}

/* The primary key of an item's pin: its key columns' text, NUL-separated. */
static size_t key_of(const pp_stream_sink *s, const pp_stream_item *it, pp_strbuf *key) {
    pp_pin_row pr = row_of(it);
    pp_sb_reset(key);
    for (size_t c = 0; c < s->nkeys; c++) {
        pp_col_value v;
        char buf[32];
        pp_pin_column_get(s->keys[c], &pr, &v);
        const char *text = key_text(s->keys[c], &v, buf);
        if (text)
            pp_sb_append(key, text, strlen(text) + 1); /* with its NUL */
        else
            pp_sb_puts(key, "\x01null");
    }
    return key->len;
}

/* Does item a come before item b in Kafka order (partition, then offset)? */
static int kafka_before(const pp_stream_item *a, const pp_stream_item *b) {
    if (a->msg->partition != b->msg->partition) return a->msg->partition < b->msg->partition;
    return a->msg->offset < b->msg->offset;
}

/* Marks is_new: of each key, the first occurrence in Kafka order among the stored
 * items, unless pins already holds the key (one anti-join for the batch). */
static int find_new_pins(txn_ctx *t, char *err, size_t errlen) {
    const pp_stream_sink *s = t->sink;
    const pp_stream_batch *b = t->batch;
    pp_hashmap *first = pp_hashmap_create(b->n);
    pp_strbuf key;
    pp_sb_init(&key);
    for (size_t i = 0; i < b->n; i++) {
        if (!t->keep[i] || !b->items[i].cleaned || b->items[i].rec.kind != PP_KIND_PIN) continue;
        int ins;
        void **slot = pp_hashmap_upsert(first, key.data, key_of(s, &b->items[i], &key), &ins);
        size_t prev = ins ? 0 : (size_t)(uintptr_t)*slot - 1;
        if (ins || kafka_before(&b->items[i], &b->items[prev])) {
            if (!ins) t->is_new[prev] = 0;
            t->is_new[i] = 1;
            *slot = (void *)(uintptr_t)(i + 1);
        }
    }
    pp_hashmap_destroy(first);
    pp_sb_free(&key);
    /* the candidates' keys, one array per key column, in item order */
    pp_strbuf arrays[PP_PIN_COLUMNS_MAX];
    const char *params[PP_PIN_COLUMNS_MAX];
    size_t *cand = pp_xmalloc((b->n ? b->n : 1) * sizeof *cand), ncand = 0;
    int rc = PP_OK;
    for (size_t c = 0; c < s->nkeys; c++) {
        pp_sb_init(&arrays[c]);
        pp_pg_array_open(&arrays[c]);
    }
    for (size_t i = 0; i < b->n && rc == PP_OK; i++) {
        if (!t->is_new[i]) continue;
        cand[ncand++] = i;
        pp_pin_row pr = row_of(&b->items[i]);
        for (size_t c = 0; c < s->nkeys && rc == PP_OK; c++) {
            pp_col_value v;
            char buf[32];
            pp_pin_column_get(s->keys[c], &pr, &v);
            const char *text = key_text(s->keys[c], &v, buf);
            if (!text) {
                pp_sb_puts(&arrays[c], arrays[c].data[arrays[c].len - 1] == '{' ? "NULL" : ",NULL");
            } else if (pp_pg_array_text(&arrays[c], text, strlen(text))) {
                pp_errf(err, errlen, "stream: a key of %s[%d]@%lld holds a NUL byte", b->items[i].msg->topic,
                        b->items[i].msg->partition, (long long)b->items[i].msg->offset);
                rc = PP_EREFUSED;
            }
        }
    }
    for (size_t c = 0; c < s->nkeys; c++) {
        pp_pg_array_close(&arrays[c]);
        params[c] = arrays[c].data;
    }
    pp_pg_result *res = NULL;
    if (rc == PP_OK && ncand) rc = pp_pg_exec(s->pg, s->existing_sql.data, (int)s->nkeys, params, &res, err, errlen);
    for (int r = 0; rc == PP_OK && r < pp_pg_result_rows(res); r++) {
        long long pos = strtoll(pp_pg_result_value(res, r, 0), NULL, 10);
        if (pos >= 1 && (size_t)pos <= ncand) t->is_new[cand[pos - 1]] = 0;
    }
    pp_pg_result_free(res);
    for (size_t c = 0; c < s->nkeys; c++) pp_sb_free(&arrays[c]);
    free(cand);
    return rc;
}

/* COPY of the new pins straight into pins (binary rows: stream_pins_copy.h). */
static int copy_pins(txn_ctx *t, char *err, size_t errlen) {
    const pp_stream_sink *s = t->sink;
    size_t n = 0;
    for (size_t i = 0; i < t->batch->n; i++) n += (size_t)t->is_new[i];
    if (n == 0) return PP_OK;
    pp_pg_copy *cp;
    int rc = pp_pg_copy_begin(s->pg, s->copy_sql.data, s->ncols, &cp, err, errlen);
    if (rc) return rc;
    pp_strbuf row;
    pp_sb_init(&row);
    pp_pg_bin_header(&row);
    for (size_t i = 0; i < t->batch->n && rc == PP_OK; i++) {
        const pp_stream_item *it = &t->batch->items[i];
        if (!t->is_new[i]) continue;
        pp_pin_row pr = row_of(it);
        const char *why;
        rc = pp_stream_pin_row(s->cols, s->ncols, &pr, &row, &why);
        if (rc)
            pp_errf(err, errlen, "stream: %s[%d]@%lld: %s", it->msg->topic, it->msg->partition,
                    (long long)it->msg->offset, why);
        else
            rc = pp_pg_copy_data(cp, row.data, row.len, err, errlen);
        pp_sb_reset(&row);
    }
    if (rc == PP_OK) {
        pp_pg_bin_trailer(&row);
        rc = pp_pg_copy_data(cp, row.data, row.len, err, errlen);
    }
    pp_sb_free(&row);
    if (rc) {
        pp_pg_copy_abort(cp, "stream: storing pins failed");
        return rc;
    }
    rc = pp_pg_copy_end(cp, NULL, err, errlen);
    /* A key our check did not find: another writer's transaction committed it after
     * the check, and the next attempt's check sees it — so it is transient once. The
     * same again means something the check cannot see (a unique index beside the
     * primary key): refused, so the store isolates the record as a reject instead of
     * retrying forever. */
    if (rc == PP_EREFUSED && strcmp(pp_pg_sqlstate(s->pg), "23505") == 0 && t->sink->key_conflicts++ == 0) rc = PP_EIO;
    return rc;
}

/* What one kept item adds: a new record's metrics, a reject's. */
static void item_metrics(txn_ctx *t, size_t i, pp_agg *deltas) {
    const pp_stream_item *it = &t->batch->items[i];
    if (!it->cleaned) {
        pp_metrics_of_reject(&it->rej, pp_agg_emit, deltas);
        t->stats.rejects++;
        return;
    }
    if (!t->is_new[i]) {
        if (it->rec.kind == PP_KIND_PIN) t->stats.duplicates++;
        return;
    }
    switch (it->rec.kind) {
    case PP_KIND_GEO: pp_metrics_of_geo(&it->rec.geo, pp_agg_emit, deltas); break;
    case PP_KIND_USER: pp_metrics_of_user(&it->rec.user, pp_agg_emit, deltas); break;
    default:
        pp_metrics_of_pin(&it->rec.pin, pp_agg_emit, deltas);
        t->stats.new_pins++;
        break;
    }
}

/* join_unmatched can fall back to 0 when a late partner arrives; a row at 0 is one
 * the batch path would not have (docs/joins.md): deleted in the same transaction.
 * keys: the batch's join_unmatched entries, as (day[], key[]) arrays. */
static int delete_zero_unmatched(txn_ctx *t, const pp_strbuf *days, const pp_strbuf *keys, char *err, size_t errlen) {
    const char *params[] = {PP_METRICS[PP_M_JOIN_UNMATCHED].name, days->data, keys->data};
    return pp_pg_exec(t->sink->pg,
                      "DELETE FROM metrics m USING unnest($2::text[], $3::text[]) AS u(d, k)"
                      " WHERE m.metric = $1 AND m.day = u.d AND m.key = u.k AND m.value = 0",
                      3, params, NULL, err, errlen);
}

/* The next offset of every partition the batch moved on, as three arrays; how many. */
static size_t offset_arrays(const txn_ctx *t, pp_strbuf *topics, pp_strbuf *parts, pp_strbuf *next) {
    pp_pg_array_open(topics);
    pp_pg_array_open(parts);
    pp_pg_array_open(next);
    size_t n = 0;
    for (size_t i = 0; i < t->nparts; i++) {
        const part_state *p = &t->parts[i];
        if (p->next <= p->stored) continue;
        pp_pg_array_text(topics, p->topic, strlen(p->topic)); /* no NUL: lock_offsets took it */
        pp_pg_array_int(parts, p->partition);
        pp_pg_array_int(next, p->next);
        n++;
    }
    pp_pg_array_close(topics);
    pp_pg_array_close(parts);
    pp_pg_array_close(next);
    return n;
}

/* The offsets' update (its parameters: group, topics, partitions, next offsets) and
 * the metrics' upsert ($1..$5: metric, day, key, kind, value), alone or as one
 * statement: the upsert with the update in a WITH (parameters $6..$9) — one round
 * trip for both. */
#define OFFSETS_UPDATE(g, t, p, n)                                                                                  \
    "UPDATE stream_offsets o SET next_offset = u.n, updated_at = now() FROM unnest(" t "::text[], " p "::int[], " n \
    "::bigint[]) AS u(t, p, n) WHERE o.consumer_group = " g " AND o.topic = u.t AND o.kafka_partition = u.p"
#define METRICS_UPSERT                                                                     \
    "INSERT INTO metrics (metric, day, key, kind, value)"                                  \
    " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])"  \
    " ON CONFLICT (metric, day, key) DO UPDATE SET"                                        \
    " value = CASE WHEN metrics.kind = 'max' THEN GREATEST(metrics.value, EXCLUDED.value)" \
    " ELSE metrics.value + EXCLUDED.value END, updated_at = now()"
static const char OFFSETS_SQL[] = OFFSETS_UPDATE("$1", "$2", "$3", "$4");
static const char METRICS_SQL[] = METRICS_UPSERT;
static const char METRICS_OFFSETS_SQL[] =
    "WITH offsets AS (" OFFSETS_UPDATE("$6", "$7", "$8", "$9") ") " METRICS_UPSERT;

/* The metric deltas of the batch (and a join_unmatched row at 0 deleted), and the
 * partitions' next offsets. */
static int store_metrics_and_offsets(txn_ctx *t, char *err, size_t errlen) {
    pp_agg *deltas = pp_agg_create();
    for (size_t i = 0; i < t->batch->n; i++)
        if (t->keep[i]) item_metrics(t, i, deltas);
    pp_stream_posts_delta(t->posts, t->is_new, pp_agg_emit, deltas);
    size_t n;
    pp_agg_entry *e = pp_agg_sorted(deltas, &n);
    /* one array per column, the entries in their sorted order (the same row lock
     * order in every instance) */
    pp_strbuf col[5], unmatched[2], off[3];
    for (int c = 0; c < 5; c++) {
        pp_sb_init(&col[c]);
        pp_pg_array_open(&col[c]);
    }
    for (int c = 0; c < 2; c++) {
        pp_sb_init(&unmatched[c]);
        pp_pg_array_open(&unmatched[c]);
    }
    for (int c = 0; c < 3; c++) pp_sb_init(&off[c]);
    int rc = PP_OK, n_unmatched = 0;
    for (size_t i = 0; i < n && rc == PP_OK; i++) {
        const pp_metric_def *m = &PP_METRICS[e[i].metric];
        if (e[i].metric == PP_M_JOIN_UNMATCHED) {
            pp_pg_array_text(&unmatched[0], e[i].day, strlen(e[i].day));
            pp_pg_array_text(&unmatched[1], e[i].key, e[i].keylen); /* a NUL fails below */
            n_unmatched++;
        }
        const char *kind = pp_agg_kind_name(m->kind);
        pp_pg_array_text(&col[0], m->name, strlen(m->name));
        pp_pg_array_text(&col[1], e[i].day, strlen(e[i].day));
        pp_pg_array_text(&col[3], kind, strlen(kind));
        pp_pg_array_int(&col[4], e[i].value);
        if (pp_pg_array_text(&col[2], e[i].key, e[i].keylen)) {
            pp_errf(err, errlen, "stream: the key of metric %s holds a NUL byte", m->name);
            rc = PP_EINVAL;
        }
    }
    const char *params[9];
    for (int c = 0; c < 5; c++) {
        pp_pg_array_close(&col[c]);
        params[c] = col[c].data;
    }
    size_t n_off = offset_arrays(t, &off[0], &off[1], &off[2]);
    params[5] = t->sink->group;
    for (int c = 0; c < 3; c++) params[6 + c] = off[c].data;
    if (rc == PP_OK && n && n_off)
        rc = pp_pg_exec(t->sink->pg, METRICS_OFFSETS_SQL, 9, params, NULL, err, errlen);
    else if (rc == PP_OK && n)
        rc = pp_pg_exec(t->sink->pg, METRICS_SQL, 5, params, NULL, err, errlen);
    else if (rc == PP_OK && n_off)
        rc = pp_pg_exec(t->sink->pg, OFFSETS_SQL, 4, params + 5, NULL, err, errlen);
    for (int c = 0; c < 2; c++) pp_pg_array_close(&unmatched[c]);
    if (n_unmatched && rc == PP_OK) rc = delete_zero_unmatched(t, &unmatched[0], &unmatched[1], err, errlen);
    for (int c = 0; c < 2; c++) pp_sb_free(&unmatched[c]);
    for (int c = 0; c < 5; c++) pp_sb_free(&col[c]);
    for (int c = 0; c < 3; c++) pp_sb_free(&off[c]);
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
                                   " day, errors, raw, raw_base64, ingested_at, kind) FROM STDIN",
                                   11, &cp, err, errlen)))
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
        const char *row[11] = {it->msg->topic,
                               part,
                               off,
                               it->rej.reason,
                               it->rej.detail,
                               day,
                               rr.errors,
                               rr.raw,
                               rr.raw_base64,
                               ingested[0] ? ingested : NULL,
                               pp_kind_name(it->rej.kind)};
        size_t lens[11];
        for (int k = 0; k < 11; k++) lens[k] = row[k] ? strlen(row[k]) : 0;
        lens[7] = rr.raw_len;
        rc = pp_pg_copy_row(cp, row, lens, err, errlen);
    }
    if (cp && rc) pp_pg_copy_abort(cp, "stream: storing rejects failed");
    if (cp && rc == PP_OK) rc = pp_pg_copy_end(cp, NULL, err, errlen);
    pp_sb_free(&errors);
    pp_sb_free(&raw);
    return rc;
}

static int write_txn(pp_pg *pg, void *arg, char *err, size_t errlen) {
    (void)pg;
    txn_ctx *t = arg;
    const pp_stream_batch *b = t->batch;
    memset(&t->stats, 0, sizeof t->stats);
    t->stats.messages = b->n;
    for (size_t i = 0; i < t->nparts; i++) t->parts[i].stored = t->parts[i].next = -1;
    memset(t->is_new, 0, b->n ? b->n : 1);
    int rc = lock_offsets(t, err, errlen);
    if (rc) return rc;
    for (size_t i = 0; i < b->n; i++) {
        part_state *p = part_of(t, b->items[i].msg->topic, b->items[i].msg->partition);
        t->keep[i] = !b->items[i].refetched && b->items[i].msg->offset >= p->stored;
        if (!t->keep[i]) {
            t->stats.skipped++;
            continue;
        }
        if (b->items[i].msg->offset + 1 > p->next) p->next = b->items[i].msg->offset + 1;
    }
    /* the posts are locked and read before any side of theirs is written */
    pp_stream_posts_free(t->posts);
    t->posts = pp_stream_posts_of(b, t->keep);
    rc = pp_stream_posts_lock(t->sink->pg, t->posts, t->sink->gate_next ? 0 : t->sink->join_locks, err, errlen);
    /* out of shared memory (the lock table is full, e.g. several instances with large
     * batches): transient; the retry takes the gate alone, which needs no post lock */
    if (rc && strcmp(pp_pg_sqlstate(t->sink->pg), "53200") == 0) t->sink->gate_next = 1;
    if (rc == PP_OK) rc = pp_stream_posts_load(t->sink->pg, t->posts, err, errlen);
    if (rc == PP_OK) rc = find_new_pins(t, err, errlen);
    if (rc == PP_OK) rc = copy_pins(t, err, errlen);
    if (rc == PP_OK)
        rc = pp_stream_sides_store(t->sink->pg, b, t->keep, t->is_new, &t->stats.new_sides, &t->stats.duplicate_sides,
                                   err, errlen);
    if (rc == PP_OK) rc = store_metrics_and_offsets(t, err, errlen);
    if (rc == PP_OK) rc = store_rejects(t, err, errlen);
    return rc;
}

static int part_cmp(const void *a, const void *b) {
    const part_state *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

int pp_stream_sink_write(pp_stream_sink *s, const pp_stream_batch *b, pp_stream_sink_stats *stats, char *err,
                         size_t errlen) {
    txn_ctx *t = pp_xcalloc(1, sizeof *t);
    t->sink = s;
    t->batch = b;
    t->keep = pp_xcalloc(b->n ? b->n : 1, 1);
    t->is_new = pp_xcalloc(b->n ? b->n : 1, 1);
    for (size_t i = 0; i < b->n; i++) {
        if (!part_of(t, b->items[i].msg->topic, b->items[i].msg->partition)) {
            pp_errf(err, errlen, "stream: more than %d partitions in one batch", MAX_PARTS);
            free(t->keep);
            free(t->is_new);
            free(t);
            return PP_EINVAL;
        }
    }
    qsort(t->parts, t->nparts, sizeof t->parts[0], part_cmp); /* the order rows are locked in */
    pp_pg_retry policy;
    pp_pg_retry_init(&policy);
    /* Safe to retry an unknown commit: the offset check skips what did commit. */
    policy.retry_unknown_commit = 1;
    int attempts = 0;
    int rc = pp_pg_run_txn(s->pg, &policy, write_txn, t, &attempts, err, errlen);
    if (rc == PP_OK) s->key_conflicts = s->gate_next = 0;
    t->stats.attempts = attempts;
    if (stats) *stats = t->stats;
    pp_stream_posts_free(t->posts);
    free(t->keep);
    free(t->is_new);
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
