#include "parity/parity_load.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "pg/pg_exec.h"

static int add_row(pp_agg *agg, const char *metric, const char *day, const char *key, size_t keylen, int64_t v) {
    int m = pp_metric_find(metric);
    if (m < 0) {
        PP_WARN("parity", "ignoring unknown metric '%s' (a newer pinpipe wrote it?)", metric);
        return 0;
    }
    pp_agg_add(agg, (pp_metric_id)m, day, key, keylen, v);
    return 1;
}

size_t pp_parity_add_metric_rows(pp_agg *agg, const pp_cql_result *res, const char *day) {
    size_t unknown = 0;
    for (size_t r = 0; r < pp_cql_result_nrows(res); r++) {
        const char *name, *key;
        size_t keylen;
        int64_t value;
        if (pp_cql_result_get_text(res, r, 0, &name, NULL) || pp_cql_result_get_text(res, r, 1, &key, &keylen) ||
            pp_cql_result_get_bigint(res, r, 2, &value))
            continue;
        if (!add_row(agg, name, day, key, keylen, value)) unknown++;
    }
    return unknown;
}

int pp_parity_load_batch(pp_cql_session *cql, const char *day, const char *metric, pp_agg *agg, char *err,
                         size_t errlen) {
    pp_cql_result *res = NULL;
    pp_cql_value v[] = {pp_cql_text(day), pp_cql_text(metric ? metric : "")};
    int rc = pp_cql_query(cql,
                          metric ? "SELECT metric, key, value FROM metrics WHERE day = ? AND metric = ?"
                                 : "SELECT metric, key, value FROM metrics WHERE day = ?",
                          v, metric ? 2 : 1, &res, err, errlen);
    if (rc) return rc;
    pp_parity_add_metric_rows(agg, res, day);
    pp_cql_result_destroy(res);
    return PP_OK;
}

int pp_parity_load_stream(pp_pg *pg, const char *day, const char *metric, pp_agg *agg, char *err, size_t errlen) {
    pp_pg_result *res = NULL;
    const char *params[] = {day, metric};
    int rc = pp_pg_exec(pg,
                        metric ? "SELECT metric, key, value FROM metrics WHERE day = $1 AND metric = $2"
                               : "SELECT metric, key, value FROM metrics WHERE day = $1",
                        metric ? 2 : 1, params, &res, err, errlen);
    if (rc) return rc;
    for (int r = 0; r < pp_pg_result_rows(res); r++)
        add_row(agg, pp_pg_result_value(res, r, 0), day, pp_pg_result_value(res, r, 1), pp_pg_result_len(res, r, 1),
                strtoll(pp_pg_result_value(res, r, 2), NULL, 10));
    pp_pg_result_free(res);
    return PP_OK;
}

int pp_parity_load_stream_offsets(pp_pg *pg, const char *topic, const char *group, pp_parity_offset **out, size_t *n,
                                  char *err, size_t errlen) {
    pp_pg_result *res = NULL;
    const char *params[] = {group, topic};
    *out = NULL;
    *n = 0;
    int rc = pp_pg_exec(
        pg, "SELECT kafka_partition, next_offset FROM stream_offsets WHERE consumer_group = $1 AND topic = $2", 2,
        params, &res, err, errlen);
    if (rc) return rc;
    int rows = pp_pg_result_rows(res);
    pp_parity_offset *o = pp_xcalloc(rows > 0 ? (size_t)rows : 1, sizeof *o);
    for (int r = 0; r < rows; r++) {
        o[r].partition = (int32_t)atoi(pp_pg_result_value(res, r, 0));
        o[r].next = strtoll(pp_pg_result_value(res, r, 1), NULL, 10);
    }
    pp_pg_result_free(res);
    *out = o;
    *n = (size_t)rows;
    return PP_OK;
}

typedef struct {
    pp_day_partition *p;
    size_t n, cap;
} part_set;

/* The entry of partition id, added (knowing nothing) when missing. */
static pp_day_partition *part_of(part_set *s, int32_t id) {
    for (size_t i = 0; i < s->n; i++)
        if (s->p[i].partition == id) return &s->p[i];
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        s->p = pp_xrealloc(s->p, cap * sizeof *s->p);
        s->cap = cap;
    }
    pp_day_partition *e = &s->p[s->n++];
    *e = (pp_day_partition){id, -1, -1, -1, -1, -1};
    return e;
}

/* Adds {"<partition>": offset, ...} of obj to the set, into the field at `field`. */
static void add_offsets(part_set *s, json_t *obj, size_t field) {
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        pp_day_partition *e = part_of(s, (int32_t)atoi(k));
        *(int64_t *)((char *)e + field) = json_is_integer(v) ? json_integer_value(v) : -1;
    }
}

/* The coverage of topic in a run's coverage JSON: next_offsets for its "topic" (or
 * when it names none: runs from before kinds), else more_topics[topic]. */
static json_t *coverage_of(json_t *cov, const char *topic) {
    json_t *t = json_object_get(cov, "topic");
    if (!json_is_string(t) || strcmp(json_string_value(t), topic) == 0) return json_object_get(cov, "next_offsets");
    return json_object_get(json_object_get(cov, "more_topics"), topic);
}

void pp_parity_decide_runs(const pp_parity_run_row *rows, size_t n, const char *topic, const pp_kafka_watermark *wm,
                           size_t nwm, const pp_parity_offset *stream, size_t nstream, int64_t run_timeout_ms,
                           pp_day_decision *out, long *chosen) {
    char note[160];
    pp_day_run state = pp_parity_pick_run(rows, n, run_timeout_ms, chosen, note, sizeof note);
    part_set s = {0};
    for (size_t i = 0; i < nwm; i++) {
        pp_day_partition *e = part_of(&s, wm[i].partition);
        e->low = wm[i].low;
        e->high = wm[i].high;
    }
    for (size_t i = 0; i < nstream; i++) {
        pp_day_partition *e = part_of(&s, stream[i].partition);
        e->stream_next = stream[i].next;
    }
    json_t *cov = NULL, *rd = NULL;
    if (*chosen >= 0) {
        cov = json_loads(rows[*chosen].coverage, 0, NULL);
        rd = json_loads(rows[*chosen].read ? rows[*chosen].read : "{}", 0, NULL);
        add_offsets(&s, coverage_of(cov, topic), offsetof(pp_day_partition, batch_next));
        add_offsets(&s, json_object_get(rd, topic), offsetof(pp_day_partition, batch_read));
    }
    pp_day_decide(state, note, s.p, s.n, out);
    json_decref(cov);
    json_decref(rd);
    free(s.p);
}

int pp_parity_day_decide(pp_cql_session *cql, const char *day, const pp_parity_topic *topics, size_t ntopics,
                         int64_t run_timeout_ms, pp_day_decision *out, char *err, size_t errlen) {
    pp_parity_runs runs;
    int rc = pp_parity_runs_load(cql, day, &runs, err, errlen);
    if (rc) return rc;
    long chosen;
    pp_parity_decide_topics(runs.rows, runs.n, topics, ntopics, run_timeout_ms, out, &chosen);
    pp_parity_runs_free(&runs);
    return PP_OK;
}

void pp_parity_decide_topics(const pp_parity_run_row *rows, size_t n, const pp_parity_topic *topics, size_t ntopics,
                             int64_t run_timeout_ms, pp_day_decision *out, long *chosen) {
    for (size_t i = 0; i < ntopics; i++) {
        const pp_parity_topic *t = &topics[i];
        pp_day_decision d;
        pp_parity_decide_runs(rows, n, t->topic, t->wm, t->nwm, t->stream, t->nstream, run_timeout_ms, i ? &d : out,
                              chosen);
        if (i) pp_day_decision_merge(out, &d, t->topic);
    }
}
