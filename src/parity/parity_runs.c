#include "parity/parity_runs.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "event/event_time.h"

int pp_parity_run_newer(const pp_parity_run_row *a, const pp_parity_run_row *b) {
    if (a->write_ts != b->write_ts) return a->write_ts > b->write_ts;
    return a->run_at_ms > b->run_at_ms;
}

static int has_coverage(const char *coverage) {
    json_t *cov = coverage ? json_loads(coverage, 0, NULL) : NULL;
    const char *source = json_string_value(json_object_get(cov, "source"));
    int ok = source && strcmp(source, "lake_group") == 0 && json_is_object(json_object_get(cov, "next_offsets"));
    json_decref(cov);
    return ok;
}

pp_run_kind pp_parity_run_kind(const char *shard) {
    if (!shard || !*shard) return PP_RUN_KIND_FULL;
    return strncmp(shard, "all/", 4) == 0 ? PP_RUN_KIND_FINALIZE : PP_RUN_KIND_SHARD;
}

pp_day_run pp_parity_pick_run(const pp_parity_run_row *rows, size_t n, int64_t run_timeout_ms, long *chosen, char *note,
                              size_t notelen) {
    *chosen = -1;
    note[0] = '\0';
    char *used = pp_xcalloc(n ? n : 1, 1);
    pp_day_run state = PP_DAY_RUN_NONE;
    /* the newest done shard run newer than every full run: "finalize pending" */
    const pp_parity_run_row *pending = NULL;
    for (size_t k = 0; k < n; k++) { /* newest first: selection, a day has few runs */
        long best = -1;
        for (size_t i = 0; i < n; i++)
            if (!used[i] && (best < 0 || pp_parity_run_newer(&rows[i], &rows[best]))) best = (long)i;
        used[best] = 1;
        const pp_parity_run_row *r = &rows[best];
        const char *status = r->status ? r->status : "";
        int shard = pp_parity_run_kind(r->shard) == PP_RUN_KIND_SHARD;
        if (strcmp(status, "done") != 0) {
            char at[25];
            pp_event_time_iso(r->run_at_ms, at);
            snprintf(note, notelen, "%s%s%sstarted %s by its host's clock, on host %s", shard ? "shard " : "",
                     shard ? r->shard : "", shard ? " " : "", at, r->host ? r->host : "?");
            if (strcmp(status, "running") != 0)
                state = PP_DAY_RUN_FAILED;
            else if (run_timeout_ms > 0 && r->age_ms > run_timeout_ms)
                state = PP_DAY_RUN_ABANDONED;
            else
                state = PP_DAY_RUN_RUNNING;
            break;
        }
        if (r->metric && r->metric[0]) continue; /* a --metric back-fill: the coverage is the full run's */
        if (shard) {                             /* its share's rows are newer than the day's metrics */
            if (!pending) pending = r;
            continue;
        }
        if (pending) {
            snprintf(note, notelen, "shard %s, done on host %s", pending->shard, pending->host ? pending->host : "?");
            state = PP_DAY_RUN_FINALIZE_PENDING;
            break;
        }
        state = has_coverage(r->coverage) ? PP_DAY_RUN_DONE : PP_DAY_RUN_NO_COVERAGE;
        if (state == PP_DAY_RUN_DONE) *chosen = best;
        break;
    }
    if (state == PP_DAY_RUN_NONE && pending) {
        snprintf(note, notelen, "shard %s, done on host %s", pending->shard, pending->host ? pending->host : "?");
        state = PP_DAY_RUN_FINALIZE_PENDING;
    }
    free(used);
    return state;
}

#define SELECT_RUNS_COLS                                                                                        \
    "SELECT day, status, metric, lake_coverage, lake_read, host, write_ts, run_at, writetime(status), objects," \
    " bytes, records_read"
#define SELECT_RUNS SELECT_RUNS_COLS ", shard FROM batch_runs"
#define SELECT_RUNS_V1 SELECT_RUNS_COLS " FROM batch_runs"

/* A bigint column, -1 when null. */
static int64_t opt_bigint(const pp_cql_result *res, size_t r, size_t c) {
    int64_t v;
    return pp_cql_result_get_bigint(res, r, c, &v) ? -1 : v;
}

int pp_parity_runs_load(pp_cql_session *cql, const char *day, pp_parity_runs *out, char *err, size_t errlen) {
    pp_cql_result *res = NULL, *now = NULL;
    pp_cql_value v[] = {pp_cql_text(day ? day : "")};
    memset(out, 0, sizeof *out);
    int rc = pp_cql_query(cql, "SELECT toUnixTimestamp(now()) FROM system.local", NULL, 0, &now, err, errlen);
    if (rc) return rc;
    int64_t server_now_wall_ms = -1;
    if (pp_cql_result_nrows(now) > 0 && pp_cql_result_get_timestamp(now, 0, 0, &server_now_wall_ms) != 0 &&
        pp_cql_result_get_bigint(now, 0, 0, &server_now_wall_ms) != 0)
        server_now_wall_ms = -1;
    pp_cql_result_destroy(now);
    rc = pp_cql_query(cql, day ? SELECT_RUNS " WHERE day = ?" : SELECT_RUNS, day ? v : NULL, day ? 1 : 0, &res, err,
                      errlen);
    if (rc == PP_ESERVER && strstr(err, "shard")) /* no shard column yet: no shard runs either */
        rc = pp_cql_query(cql, day ? SELECT_RUNS_V1 " WHERE day = ?" : SELECT_RUNS_V1, day ? v : NULL, day ? 1 : 0,
                          &res, err, errlen);
    if (rc) return rc;
    size_t n = pp_cql_result_nrows(res);
    out->rows = pp_xcalloc(n ? n : 1, sizeof *out->rows);
    for (size_t r = 0; r < n; r++) {
        pp_parity_run_row *row = &out->rows[out->n];
        int64_t wt = -1;
        if (pp_cql_result_get_text(res, r, 0, &row->day, NULL) || pp_cql_result_get_text(res, r, 1, &row->status, NULL))
            continue;
        if (pp_cql_result_get_text(res, r, 2, &row->metric, NULL)) row->metric = NULL;
        if (pp_cql_result_get_text(res, r, 3, &row->coverage, NULL)) row->coverage = NULL;
        if (pp_cql_result_get_text(res, r, 4, &row->read, NULL)) row->read = NULL;
        if (pp_cql_result_get_text(res, r, 5, &row->host, NULL)) row->host = NULL;
        if (pp_cql_result_get_bigint(res, r, 6, &row->write_ts)) row->write_ts = -1;
        if (pp_cql_result_get_timestamp(res, r, 7, &row->run_at_ms)) row->run_at_ms = 0;
        if (pp_cql_result_get_bigint(res, r, 8, &wt)) wt = -1;
        row->age_ms = server_now_wall_ms >= 0 && wt >= 0 ? server_now_wall_ms - wt / 1000 : -1;
        row->written_ms = wt >= 0 ? wt / 1000 : -1;
        row->objects = opt_bigint(res, r, 9);
        row->bytes = opt_bigint(res, r, 10);
        row->records_read = opt_bigint(res, r, 11);
        if (pp_cql_result_ncols(res) < 13 || pp_cql_result_get_text(res, r, 12, &row->shard, NULL)) row->shard = NULL;
        out->n++;
    }
    out->res = res;
    return PP_OK;
}

void pp_parity_runs_free(pp_parity_runs *r) {
    free(r->rows);
    pp_cql_result_destroy(r->res);
    memset(r, 0, sizeof *r);
}
