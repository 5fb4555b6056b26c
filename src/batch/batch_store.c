#include "batch/batch_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch/batch_bucket.h"
#include "batch/batch_schema.h"
#include "batch/batch_share.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/hashmap.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "contract/reject_record.h"
#include "metrics/metrics.h"

/* the pins of bucket b go on lane LANE_PINS + b: one partition per lane */
enum { LANE_REJECTS = 0, LANE_METRICS = 1, LANE_DELETES = 2, LANE_GEO = 3, LANE_USERS = 4, LANE_PINS = 5 };
_Static_assert(LANE_PINS + PP_PINS_BUCKETS <= PP_BATCH_WRITER_LANES, "a writer lane per bucket");
enum { T_PINS = 0, T_REJECTS = 1, T_GEO = 2, T_USERS = 3 };
static const char *const TABLE_NAMES[] = {"pins", "rejects", "geo", "users"};

static const char *const GEO_COLS[] = {"event_day",       "ind",          "country",
                                       "coordinates",     "event_time",   "kafka_topic",
                                       "kafka_partition", "kafka_offset", "ingested_at"};
#define N_GEO_COLS (sizeof GEO_COLS / sizeof GEO_COLS[0])
static const char *const USER_COLS[] = {"event_day",  "ind",         "user_name",       "age",          "date_joined",
                                        "event_time", "kafka_topic", "kafka_partition", "kafka_offset", "ingested_at"};
#define N_USER_COLS (sizeof USER_COLS / sizeof USER_COLS[0])

static const char *const REJECT_COLS[] = {"day",        "kafka_topic", "kafka_partition", "kafka_offset",
                                          "reason",     "detail",      "errors",          "raw",
                                          "raw_base64", "ingested_at", "lake_object",     "lake_line"};
#define N_REJECT_COLS (sizeof REJECT_COLS / sizeof REJECT_COLS[0])

static const char RUN_INSERT[] =
    "INSERT INTO %s.batch_runs (day, run_at, status, metric, host, write_ts, objects, bytes, records_read,"
    " duplicate_coordinates, conflicting_duplicates, duplicate_pins, rejects, corrupt_lines, misplaced,"
    " pins_written, rejects_written, metrics_written, duration_ms, read_ms, clean_ms, write_ms,"
    " lake_coverage, lake_read, error, shard)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

struct pp_batch_store {
    pp_cql_session *s;
    pp_batch_writer *w;
    pp_hashmap *inserts; /* (table, null pattern) -> prepared INSERT */
    const pp_cql_prepared *del_pins, *del_rejects, *del_metrics, *del_metric, *ins_metric, *last_ts, *ins_run;
    const pp_cql_prepared *del_shard_metrics, *ins_shard_metric, *del_geo, *del_users;
    pp_batch_share *share; /* made on the first shard run */
    char day[11];
    const char *metric;   /* NULL: the whole day */
    pp_batch_shard shard; /* count 0: not sharded */
    int64_t ts;           /* write timestamp of the run's rows (µs) */
    char host[256];
    char ks[64];
    pp_strbuf buf, buf2;
    /* the pin's columns, from the pin column table (batch_schema.h) */
    const pp_pin_column *pin_cols[PP_PIN_COLUMNS_MAX];
    const char *pin_names[PP_PIN_COLUMNS_MAX + 1]; /* and "bucket", last */
    size_t n_pin_cols;
};

int pp_batch_store_create(pp_batch_store **out, pp_cql_session *s, const char *keyspace, const pp_batch_writer_opts *wo,
                          char *err, size_t errlen) {
    char why[512];
    *out = NULL;
    pp_batch_store *st = pp_xcalloc(1, sizeof *st);
    st->s = s;
    snprintf(st->ks, sizeof st->ks, "%s", keyspace);
    pp_sb_init(&st->buf);
    pp_sb_init(&st->buf2);
    if (gethostname(st->host, sizeof st->host - 1) != 0) snprintf(st->host, sizeof st->host, "unknown");
    st->n_pin_cols = pp_batch_pin_columns(st->pin_cols);
    for (size_t i = 0; i < st->n_pin_cols; i++) st->pin_names[i] = st->pin_cols[i]->name;
    st->pin_names[st->n_pin_cols] = "bucket";
    if (st->n_pin_cols >= 31) { /* one bit each in an INSERT's null pattern, one value for the timestamp */
        pp_errf(err, errlen, "batch: %zu pin columns, at most 30", st->n_pin_cols);
        pp_batch_store_destroy(st);
        return PP_EINVAL;
    }
    st->inserts = pp_hashmap_create(64);
    int rc = pp_batch_writer_create(&st->w, s, wo);
    if (rc) {
        pp_errf(err, errlen, "batch writer: %s", pp_strerror(rc));
        pp_batch_store_destroy(st);
        return rc;
    }
    struct {
        const pp_cql_prepared **p;
        const char *cql;
    } stmts[] = {
        {&st->del_pins, "DELETE FROM %s.pins USING TIMESTAMP ? WHERE event_day = ? AND bucket = ?"},
        {&st->del_rejects, "DELETE FROM %s.rejects USING TIMESTAMP ? WHERE day = ?"},
        {&st->del_geo, "DELETE FROM %s.geo USING TIMESTAMP ? WHERE event_day = ?"},
        {&st->del_users, "DELETE FROM %s.users USING TIMESTAMP ? WHERE event_day = ?"},
        {&st->del_metrics, "DELETE FROM %s.metrics USING TIMESTAMP ? WHERE day = ?"},
        {&st->del_metric, "DELETE FROM %s.metrics USING TIMESTAMP ? WHERE day = ? AND metric = ?"},
        {&st->ins_metric,
         "INSERT INTO %s.metrics (day, metric, key, kind, value) VALUES (?, ?, ?, ?, ?)"
         " USING TIMESTAMP ?"},
        {&st->last_ts, "SELECT max(write_ts) FROM %s.batch_runs WHERE day = ?"},
        {&st->ins_run, RUN_INSERT},
        {&st->del_shard_metrics,
         "DELETE FROM %s.shard_metrics USING TIMESTAMP ? WHERE day = ? AND shards = ? AND shard = ?"},
        {&st->ins_shard_metric,
         "INSERT INTO %s.shard_metrics (day, shards, shard, metric, key, kind, value) VALUES (?, ?, ?, ?, ?, ?, ?)"
         " USING TIMESTAMP ?"},
    };
    for (size_t i = 0; i < sizeof stmts / sizeof stmts[0]; i++) {
        char cql[1024];
        snprintf(cql, sizeof cql, stmts[i].cql, st->ks); /* a checked identifier (batch_schema.h) */
        if ((rc = pp_cql_prepare(s, cql, stmts[i].p, why, sizeof why))) {
            pp_errf(err, errlen, "Cassandra: preparing \"%s\": %s", cql, why);
            pp_batch_store_destroy(st);
            return rc;
        }
    }
    *out = st;
    return PP_OK;
}

void pp_batch_store_destroy(pp_batch_store *st) {
    if (!st) return;
    pp_batch_writer_destroy(st->w);
    pp_batch_share_destroy(st->share);
    pp_hashmap_destroy(st->inserts);
    pp_sb_free(&st->buf);
    pp_sb_free(&st->buf2);
    free(st);
}

void pp_batch_store_writer_stats(const pp_batch_store *st, pp_batch_writer_stats *ws) {
    pp_batch_writer_get_stats(st->w, ws);
}

/* The prepared INSERT of table naming the columns in mask, then USING TIMESTAMP. */
static int insert_stmt(pp_batch_store *st, int table, const char *const *cols, size_t ncols, uint32_t mask,
                       const pp_cql_prepared **out, char *err, size_t errlen) {
    uint32_t key[2] = {(uint32_t)table, mask};
    int inserted;
    void **slot = pp_hashmap_upsert(st->inserts, key, sizeof key, &inserted);
    if (!inserted && *slot) {
        *out = *slot;
        return PP_OK;
    }
    pp_strbuf qb; /* rare: once per pattern */
    pp_strbuf *q = &qb;
    pp_sb_init(q);
    pp_sb_printf(q, "INSERT INTO %s.%s (", st->ks, TABLE_NAMES[table]);
    size_t n = 0;
    for (size_t i = 0; i < ncols; i++)
        if (mask & (1u << i)) pp_sb_printf(q, "%s%s", n++ ? ", " : "", cols[i]);
    pp_sb_puts(q, ") VALUES (");
    for (size_t i = 0; i < n; i++) pp_sb_puts(q, i ? ", ?" : "?");
    pp_sb_puts(q, ") USING TIMESTAMP ?");
    char why[512];
    int rc = pp_cql_prepare(st->s, q->data, out, why, sizeof why);
    if (rc) pp_errf(err, errlen, "Cassandra: preparing \"%s\": %s", q->data, why);
    pp_sb_free(q);
    if (rc) return rc;
    *slot = (void *)(uintptr_t)*out;
    return PP_OK;
}

/* The non-null values of vals[0..n) (in cols order) then the run's timestamp into
 * out[0..*nout), and the INSERT naming their columns; *keep_at: where vals[keep] went. */
static int bind_row(pp_batch_store *st, int table, const char *const *cols, const pp_cql_value *vals, size_t n,
                    pp_cql_value *out, size_t *nout, const pp_cql_prepared **stmt, size_t keep, size_t *keep_at,
                    char *err, size_t errlen) {
    uint32_t mask = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (vals[i].kind != PP_CQL_NULL) {
            if (i == keep) *keep_at = k;
            mask |= 1u << i;
            out[k++] = vals[i];
        }
    out[k++] = pp_cql_bigint(st->ts);
    *nout = k;
    return insert_stmt(st, table, cols, n, mask, stmt, err, errlen);
}

/* Inserts the non-null values of vals[0..n) (in cols order) at the run's timestamp;
 * instead: the row to write if Cassandra refuses this one for good (NULL: none). */
static int insert_row(pp_batch_store *st, int lane, int table, const char *const *cols, const pp_cql_value *vals,
                      size_t n, const pp_batch_writer_instead *instead, char *err, size_t errlen) {
    pp_cql_value v[32];
    size_t k, unused;
    const pp_cql_prepared *stmt;
    int rc = bind_row(st, table, cols, vals, n, v, &k, &stmt, n, &unused, err, errlen);
    if (rc == PP_OK) rc = pp_batch_writer_add_or(st->w, lane, stmt, v, k, instead, err, errlen);
    return rc;
}

static pp_cql_value opt_time(int64_t ms) { return ms >= 0 ? pp_cql_timestamp(ms) : pp_cql_null(); }

/* The reject written instead of a row Cassandra refuses for good (e.g. over its
 * max_mutation_size; docs/batch.md "Byte limits"): the record's coordinates and lake
 * line, reason and detail (the writer appends the refusal), no raw bytes (the lake
 * keeps them). buf holds its values. */
static int refusal_row(pp_batch_store *st, const pp_batch_origin *o, const char *reason, const char *detail,
                       const pp_strbuf *errors, pp_cql_value *buf, pp_batch_writer_instead *out, char *err,
                       size_t errlen) {
    pp_cql_value v[N_REJECT_COLS] = {
        pp_cql_text(st->day),
        pp_cql_text(o->topic),
        pp_cql_int(o->partition),
        pp_cql_bigint(o->offset),
        pp_cql_text(reason),
        pp_cql_text(detail),
        errors ? pp_cql_textn(errors->data, errors->len) : pp_cql_null(),
        pp_cql_null(),
        pp_cql_null(),
        opt_time(o->ingest_time_ms),
        pp_cql_text(o->object),
        o->line ? pp_cql_int((int32_t)o->line) : pp_cql_null(),
    };
    memset(out, 0, sizeof *out);
    out->vals = buf;
    return bind_row(st, T_REJECTS, REJECT_COLS, v, N_REJECT_COLS, buf, &out->n, &out->stmt, 5 /* detail */, &out->why,
                    err, errlen);
}

/* A pin column's value as Cassandra takes it. */
static pp_cql_value cql_of(const pp_pin_column *c, const pp_col_value *v) {
    if (v->null) return pp_cql_null();
    switch (c->kind) {
    case PP_COL_TEXT: return pp_cql_text(v->text);
    case PP_COL_BIGINT: return pp_cql_bigint(v->i);
    case PP_COL_INT: return pp_cql_int((int32_t)v->i);
    case PP_COL_BOOL: return pp_cql_bool(v->i != 0);
    case PP_COL_TIME: return pp_cql_timestamp(v->i);
    case PP_COL_TAGS: /* an empty list as null, as before tags were frozen: readers see one form */
        return v->n ? pp_cql_list_text(v->list, v->n) : pp_cql_null();
    }
    return pp_cql_null();
}

int pp_batch_store_pin(pp_batch_store *st, const pp_pin *p, const pp_batch_origin *o, char *err, size_t errlen) {
    pp_pin_row row = {p, o->topic, o->partition, o->offset, o->ingest_time_ms};
    pp_cql_value v[PP_PIN_COLUMNS_MAX + 1];
    for (size_t i = 0; i < st->n_pin_cols; i++) {
        pp_col_value cv;
        pp_pin_column_get(st->pin_cols[i], &row, &cv);
        v[i] = cql_of(st->pin_cols[i], &cv);
    }
    int32_t bucket = pp_pins_bucket(p->text[PP_F_UNIQUE_ID]);
    v[st->n_pin_cols] = pp_cql_int(bucket);
    size_t nv = st->n_pin_cols + 1;
    char detail[320];
    pp_cql_value fv[N_REJECT_COLS + 1];
    pp_batch_writer_instead instead;
    snprintf(detail, sizeof detail, "pin %.200s of %s refused by Cassandra, not in pins: ",
             p->text[PP_F_UNIQUE_ID] ? p->text[PP_F_UNIQUE_ID] : "", p->event_day);
    int rc = refusal_row(st, o, "cassandra_refused", detail, NULL, fv, &instead, err, errlen);
    if (rc == PP_OK) rc = insert_row(st, LANE_PINS + bucket, T_PINS, st->pin_names, v, nv, &instead, err, errlen);
    return rc;
}

/* "[latitude,longitude]" in the shortest form that reads back to the same doubles. */
static void coordinates_text(char *out, size_t n, double lat, double lon) {
    char a[32], b[32];
    const double v[2] = {lat, lon};
    char *s[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(s[i], sizeof a, "%.*g", prec, v[i]);
            if (strtod(s[i], NULL) == v[i]) break;
        }
    }
    snprintf(out, n, "[%s,%s]", a, b);
}

int pp_batch_store_geo(pp_batch_store *st, const pp_geo *g, const pp_batch_origin *o, char *err, size_t errlen) {
    char coords[80];
    if (g->has_coordinates) coordinates_text(coords, sizeof coords, g->latitude, g->longitude);
    pp_cql_value v[N_GEO_COLS] = {
        pp_cql_text(g->event_day),
        pp_cql_bigint(g->ind),
        pp_cql_text(g->country),
        g->has_coordinates ? pp_cql_text(coords) : pp_cql_null(),
        pp_cql_timestamp(g->event_time_ms),
        pp_cql_text(o->topic),
        pp_cql_int(o->partition),
        pp_cql_bigint(o->offset),
        opt_time(o->ingest_time_ms),
    };
    return insert_row(st, LANE_GEO, T_GEO, GEO_COLS, v, N_GEO_COLS, NULL, err, errlen);
}

int pp_batch_store_user(pp_batch_store *st, const pp_user *u, const pp_batch_origin *o, char *err, size_t errlen) {
    pp_cql_value v[N_USER_COLS] = {
        pp_cql_text(u->event_day),
        pp_cql_bigint(u->ind),
        pp_cql_text(u->user_name),
        u->has_age ? pp_cql_bigint(u->age) : pp_cql_null(),
        u->has_date_joined ? pp_cql_timestamp(u->date_joined_ms) : pp_cql_null(),
        pp_cql_timestamp(u->event_time_ms),
        pp_cql_text(o->topic),
        pp_cql_int(o->partition),
        pp_cql_bigint(o->offset),
        opt_time(o->ingest_time_ms),
    };
    return insert_row(st, LANE_USERS, T_USERS, USER_COLS, v, N_USER_COLS, NULL, err, errlen);
}

int pp_batch_store_reject(pp_batch_store *st, const pp_reject *rej, const pp_batch_origin *o, const char *raw,
                          size_t raw_len, char *err, size_t errlen) {
    pp_strbuf *errors = &st->buf;
    pp_reject_row rr;
    pp_reject_row_fill(&rr, rej, raw, raw_len, 0, errors, &st->buf2);
    pp_cql_value v[N_REJECT_COLS] = {
        pp_cql_text(st->day),
        pp_cql_text(o->topic),
        pp_cql_int(o->partition),
        pp_cql_bigint(o->offset),
        pp_cql_text(rej->reason),
        pp_cql_text(rej->detail),
        pp_cql_textn(rr.errors, rr.errors_len),
        rr.raw ? pp_cql_textn(rr.raw, rr.raw_len) : pp_cql_null(),
        rr.raw_base64 ? pp_cql_textn(rr.raw_base64, rr.raw_base64_len) : pp_cql_null(),
        opt_time(o->ingest_time_ms),
        pp_cql_text(o->object),
        o->line ? pp_cql_int((int32_t)o->line) : pp_cql_null(),
    };
    char detail[640];
    pp_cql_value fv[N_REJECT_COLS + 1];
    pp_batch_writer_instead instead;
    snprintf(detail, sizeof detail, "%s; its %zu raw bytes were refused by Cassandra, not stored: ", rej->detail,
             raw_len);
    int rc = refusal_row(st, o, rej->reason, detail, errors, fv, &instead, err, errlen);
    /* insert_row copies (the writer does) before the buffers are reused */
    if (rc == PP_OK) rc = insert_row(st, LANE_REJECTS, T_REJECTS, REJECT_COLS, v, N_REJECT_COLS, &instead, err, errlen);
    return rc;
}

int pp_batch_store_metric(pp_batch_store *st, const pp_agg_entry *e, char *err, size_t errlen) {
    const pp_metric_def *d = &PP_METRICS[e->metric];
    pp_cql_value v[6] = {pp_cql_text(st->day),
                         pp_cql_text(d->name),
                         pp_cql_textn(e->key, e->keylen),
                         pp_cql_text(pp_agg_kind_name(d->kind)),
                         pp_cql_bigint(e->value),
                         pp_cql_bigint(st->ts)};
    if (st->shard.count > 0 && st->shard.index >= 0) { /* a shard run: its share of the day's metrics */
        pp_cql_value sv[8] = {v[0], pp_cql_int(st->shard.count), pp_cql_int(st->shard.index), v[1], v[2], v[3], v[4],
                              v[5]};
        return pp_batch_writer_add(st->w, LANE_METRICS, st->ins_shard_metric, sv, 8, err, errlen);
    }
    return pp_batch_writer_add(st->w, LANE_METRICS, st->ins_metric, v, 6, err, errlen);
}

int pp_batch_store_begin(pp_batch_store *st, pp_batch_summary *r, char *err, size_t errlen) {
    char why[512];
    pp_cql_result *res = NULL;
    pp_cql_value day = pp_cql_text(r->day);
    int rc = pp_cql_execute(st->s, st->last_ts, &day, 1, &res, why, sizeof why);
    if (rc) {
        pp_errf(err, errlen, "Cassandra: reading the last run of %s: %s", r->day, why);
        return rc;
    }
    int64_t last = 0;
    if (pp_cql_result_nrows(res) > 0) pp_cql_result_get_bigint(res, 0, 0, &last); /* null: none yet */
    pp_cql_result_destroy(res);
    int64_t now = pp_wall_us();
    r->write_ts = now > last + 1 ? now : last + 1;
    memcpy(st->day, r->day, sizeof st->day);
    st->metric = r->metric;
    st->ts = r->write_ts;
    memset(&st->shard, 0, sizeof st->shard);
    if (pp_parity_run_kind(r->shard) == PP_RUN_KIND_FINALIZE)
        st->shard = (pp_batch_shard){-1, atoi(r->shard + 4)};
    else if (r->shard[0] && pp_batch_shard_parse(r->shard, &st->shard) != 0) {
        pp_errf(err, errlen, "batch: not a shard: '%s'", r->shard);
        return PP_EINVAL;
    }
    return pp_batch_store_record(st, r, err, errlen);
}

/* A shard run's clear: its share of pins and rejects, its shard_metrics rows. */
static int clear_share(pp_batch_store *st, char *err, size_t errlen) {
    pp_cql_value v[4] = {pp_cql_bigint(st->ts - 1), pp_cql_text(st->day), pp_cql_int(st->shard.count),
                         pp_cql_int(st->shard.index)};
    uint64_t deleted;
    int rc = st->share ? PP_OK : pp_batch_share_create(&st->share, st->s, st->ks, err, errlen);
    if (!rc)
        rc = pp_batch_share_clear(st->share, st->w, LANE_DELETES, st->day, &st->shard, st->ts, &deleted, err, errlen);
    if (!rc) rc = pp_batch_writer_add(st->w, LANE_DELETES, st->del_shard_metrics, v, 4, err, errlen);
    if (!rc) rc = pp_batch_writer_flush(st->w, LANE_DELETES, err, errlen);
    return rc;
}

int pp_batch_store_clear(pp_batch_store *st, char *err, size_t errlen) {
    pp_cql_value v[3] = {pp_cql_bigint(st->ts - 1), pp_cql_text(st->day), pp_cql_text(st->metric)};
    int rc;
    if (st->metric) return pp_batch_writer_add(st->w, LANE_DELETES, st->del_metric, v, 3, err, errlen);
    if (st->shard.count > 0 && st->shard.index < 0) { /* a finalize: only the metrics */
        rc = pp_batch_writer_add(st->w, LANE_DELETES, st->del_metrics, v, 2, err, errlen);
        return rc ? rc : pp_batch_writer_flush(st->w, LANE_DELETES, err, errlen);
    }
    if (st->shard.count > 0) return clear_share(st, err, errlen);
    rc = PP_OK;
    for (int32_t b = 0; b < PP_PINS_BUCKETS && !rc; b++) { /* the day's pins: a partition per bucket */
        pp_cql_value pv[3] = {v[0], v[1], pp_cql_int(b)};
        rc = pp_batch_writer_add(st->w, LANE_DELETES, st->del_pins, pv, 3, err, errlen);
        if (!rc) rc = pp_batch_writer_flush(st->w, LANE_DELETES, err, errlen);
    }
    if (!rc) rc = pp_batch_writer_add(st->w, LANE_DELETES, st->del_rejects, v, 2, err, errlen);
    if (!rc) rc = pp_batch_writer_flush(st->w, LANE_DELETES, err, errlen);
    if (!rc) rc = pp_batch_writer_add(st->w, LANE_DELETES, st->del_metrics, v, 2, err, errlen);
    if (!rc) rc = pp_batch_writer_flush(st->w, LANE_DELETES, err, errlen);
    if (!rc) rc = pp_batch_writer_add(st->w, LANE_DELETES, st->del_geo, v, 2, err, errlen);
    if (!rc) rc = pp_batch_writer_flush(st->w, LANE_DELETES, err, errlen);
    if (!rc) rc = pp_batch_writer_add(st->w, LANE_DELETES, st->del_users, v, 2, err, errlen);
    if (!rc) rc = pp_batch_writer_flush(st->w, LANE_DELETES, err, errlen);
    return rc;
}

int pp_batch_store_drain(pp_batch_store *st, char *err, size_t errlen) {
    return pp_batch_writer_drain(st->w, err, errlen);
}

static pp_cql_value u64(uint64_t v) { return pp_cql_bigint((int64_t)v); }

int pp_batch_store_record(pp_batch_store *st, const pp_batch_summary *r, char *err, size_t errlen) {
    char why[512];
    pp_cql_value v[] = {
        pp_cql_text(r->day),
        pp_cql_timestamp(r->run_at_ms),
        pp_cql_text(r->status),
        pp_cql_text(r->metric),
        pp_cql_text(st->host),
        pp_cql_bigint(r->write_ts),
        u64(r->objects),
        u64(r->bytes),
        u64(r->records_read),
        u64(r->duplicate_coordinates),
        u64(r->conflicting_duplicates),
        u64(r->duplicate_pins),
        u64(r->rejects),
        u64(r->corrupt_lines),
        u64(r->misplaced),
        u64(r->pins_written),
        u64(r->rejects_written),
        u64(r->metrics_written),
        pp_cql_bigint(r->duration_ms),
        pp_cql_bigint(r->read_ms),
        pp_cql_bigint(r->clean_ms),
        pp_cql_bigint(r->write_ms),
        pp_cql_text(r->lake_coverage),
        pp_cql_text(r->lake_read),
        pp_cql_text(r->error),
        pp_cql_text(r->shard[0] ? r->shard : NULL),
    };
    int rc = pp_cql_execute(st->s, st->ins_run, v, sizeof v / sizeof v[0], NULL, why, sizeof why);
    if (rc) pp_errf(err, errlen, "Cassandra: recording the run of %s in batch_runs: %s", r->day, why);
    return rc;
}
