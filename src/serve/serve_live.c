#include "serve/serve_live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "event/event_time.h"
#include "pg/pg_exec.h"
#include "serve/serve_render.h"

/* minute start (ms) and pins stored in it, oldest first, one row per minute of the hour */
static const char PER_MINUTE[] =
    "SELECT floor(extract(epoch FROM m) * 1000)::bigint, coalesce(c.n, 0)"
    "  FROM generate_series(date_trunc('minute', now()) - interval '59 minutes', date_trunc('minute', now()),"
    "                       interval '1 minute') AS m"
    "  LEFT JOIN (SELECT date_trunc('minute', ingested_at) AS t, count(*) AS n FROM pins"
    "              WHERE ingested_at >= date_trunc('minute', now()) - interval '59 minutes' GROUP BY 1) AS c"
    "    ON c.t = m ORDER BY 1";
static const char POSTERS[] = "SELECT poster_name, count(*) FROM pins"
                              " WHERE ingested_at >= now() - make_interval(mins => $1::int) AND poster_name IS NOT NULL"
                              " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $2::int";
static const char CATEGORIES[] = "SELECT coalesce(category, '(null)'), count(*) FROM pins"
                                 " WHERE ingested_at >= now() - make_interval(mins => $1::int)"
                                 " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT $2::int";

static void table_json(pp_strbuf *out, const pp_pg_result *res, const char *name, int time_key) {
    pp_sb_printf(out, "\"%s\":[", name);
    for (int r = 0; r < pp_pg_result_rows(res); r++) {
        pp_sb_puts(out, r ? ",{\"" : "{\"");
        pp_sb_puts(out, time_key ? "minute\":" : "key\":");
        if (time_key)
            pp_serve_render_time(out, strtoll(pp_pg_result_value(res, r, 0), NULL, 10));
        else
            pp_sb_json_str(out, pp_pg_result_value(res, r, 0), pp_pg_result_len(res, r, 0));
        pp_sb_printf(out, ",\"pins\":%s}", pp_pg_result_value(res, r, 1));
    }
    pp_sb_putc(out, ']');
}

static void table_csv(pp_strbuf *out, const pp_pg_result *res, int time_key) {
    pp_sb_puts(out, time_key ? "minute,pins\r\n" : "key,pins\r\n");
    for (int r = 0; r < pp_pg_result_rows(res); r++) {
        if (time_key) {
            char iso[25];
            pp_event_time_iso(strtoll(pp_pg_result_value(res, r, 0), NULL, 10), iso);
            pp_sb_puts(out, iso);
        } else {
            pp_sb_csv_field(out, pp_pg_result_value(res, r, 0), pp_pg_result_len(res, r, 0));
        }
        pp_sb_printf(out, ",%s\r\n", pp_pg_result_value(res, r, 1));
    }
}

int pp_serve_live(pp_serve_conn *c, const pp_serve_request *r, pp_strbuf *out, char *err, size_t errlen) {
    char why[512];
    pp_pg *pg = pp_serve_conn_pg(c, why, sizeof why);
    pp_pg_result *res[3] = {NULL, NULL, NULL};
    char minutes[24], top[24];
    snprintf(minutes, sizeof minutes, "%ld", r->minutes);
    snprintf(top, sizeof top, "%ld", r->top);
    const char *params[] = {minutes, top};
    int rc = pg ? PP_OK : PP_EIO;
    if (rc == PP_OK && (r->table == PP_LIVE_ALL || r->table == PP_LIVE_PER_MINUTE))
        rc = pp_pg_exec(pg, PER_MINUTE, 0, NULL, &res[0], why, sizeof why);
    if (rc == PP_OK && (r->table == PP_LIVE_ALL || r->table == PP_LIVE_POSTERS))
        rc = pp_pg_exec(pg, POSTERS, 2, params, &res[1], why, sizeof why);
    if (rc == PP_OK && (r->table == PP_LIVE_ALL || r->table == PP_LIVE_CATEGORIES))
        rc = pp_pg_exec(pg, CATEGORIES, 2, params, &res[2], why, sizeof why);
    if (rc) {
        if (pg) pp_serve_conn_drop_pg(c);
        pp_errf(err, errlen, "postgresql: %s", why);
    } else if (r->csv) {
        int k = r->table == PP_LIVE_PER_MINUTE ? 0 : r->table == PP_LIVE_POSTERS ? 1 : 2;
        table_csv(out, res[k], k == 0);
    } else {
        pp_sb_printf(out, "{\"minutes\":%ld,\"top\":%ld,", r->minutes, r->top);
        const char *names[] = {"per_minute", "posters", "categories"};
        int first = 1;
        for (int k = 0; k < 3; k++) {
            if (!res[k]) continue;
            if (!first) pp_sb_putc(out, ',');
            table_json(out, res[k], names[k], k == 0);
            first = 0;
        }
        pp_sb_puts(out, "}\n");
    }
    for (int k = 0; k < 3; k++) pp_pg_result_free(res[k]);
    return rc;
}
