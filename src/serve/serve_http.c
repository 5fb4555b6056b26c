#include "serve/serve_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_metrics.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/mem.h"
#include "common/options.h"
#include "http/http_guard.h"
#include "serve/serve_answers.h"
#include "serve/serve_assets.h"
#include "serve/serve_join.h"
#include "serve/serve_live.h"
#include "serve/serve_render.h"

#define MAX_PARAMS 32
#define DAY_MS 86400000LL
#define DEFAULT_DAYS 30

typedef enum {
    R_ASSET,
    R_METRICS_LIST,
    R_QUERY,
    R_TOP,
    R_DAYS,
    R_LIVE,
    R_JOIN,
    R_HEALTHZ,
    R_PROM,
    R_OTHER,
    R_COUNT
} route;
static const char *const ROUTE_LABELS[R_COUNT] = {
    "/",        "/api/v1/metrics", "/api/v1/query", "/api/v1/top", "/api/v1/days", "/api/v1/live", "/api/v1/join",
    "/healthz", "/metrics",        "other"};
static const int CLASSES[] = {2, 3, 4, 5}; /* status classes counted */

struct pp_serve_http {
    struct MHD_Daemon *daemon;
    pp_serve_engine *engine;
    pp_serve_answers *answers;
    pp_serve_http_opts o;
    pp_http_guard *guard;
    atomic_ulong requests[R_COUNT][4];
    atomic_long in_flight; /* requests being answered (SIGTERM waits for them) */
    pp_api_histogram duration[R_COUNT];
};

typedef struct {
    pp_serve_param p[MAX_PARAMS];
    size_t n;
    int overflow;
} params;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    params *ps = cls;
    if (ps->n == MAX_PARAMS) {
        ps->overflow = 1;
        return MHD_NO;
    }
    ps->p[ps->n++] = (pp_serve_param){key, value};
    return MHD_YES;
}

static route route_of(const char *url) {
    static const struct {
        const char *url;
        route r;
    } T[] = {{"/api/v1/metrics", R_METRICS_LIST},
             {"/api/v1/query", R_QUERY},
             {"/api/v1/top", R_TOP},
             {"/api/v1/days", R_DAYS},
             {"/api/v1/live", R_LIVE},
             {"/api/v1/join", R_JOIN},
             {"/healthz", R_HEALTHZ},
             {"/metrics", R_PROM}};
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (strcmp(url, T[i].url) == 0) return T[i].r;
    return R_ASSET;
}

typedef struct {
    unsigned status;
    const char *type;
    pp_strbuf body;
    int retry_after;
} reply;

static void set_json(reply *rp, unsigned status) {
    rp->status = status;
    rp->type = "application/json";
}

static void health(pp_serve_http *s, reply *rp) {
    pp_serve_freshness f;
    pp_serve_engine_freshness(s->engine, &f);
    int64_t age = f.view_ms < 0 ? -1 : pp_wall_ms() - f.view_ms;
    const char *why = f.view_ms < 0   ? "the stores have not been read yet"
        : age > s->o.stall_ms         ? "stalled: the view of the stores is not being refreshed"
        : !f.batch_ok || !f.stream_ok ? "a store is unreachable"
                                      : NULL;
    set_json(rp, why ? 503 : 200);
    pp_sb_puts(&rp->body, why ? "{\"status\":\"unavailable\",\"reason\":" : "{\"status\":\"ok\"");
    if (why) pp_sb_json_cstr(&rp->body, why);
    pp_sb_printf(&rp->body, ",\"view_age_ms\":%lld,\"freshness\":", (long long)age);
    pp_serve_render_freshness(&f, &rp->body);
    pp_sb_puts(&rp->body, "}\n");
}

static void prometheus(pp_serve_http *s, reply *rp) {
    pp_strbuf *b = &rp->body;
    rp->status = 200;
    rp->type = "text/plain; version=0.0.4";
    pp_sb_puts(b,
               "# HELP pinpipe_serve_requests_total Answered requests by route and status class.\n"
               "# TYPE pinpipe_serve_requests_total counter\n");
    for (int r = 0; r < R_COUNT; r++)
        for (int c = 0; c < 4; c++)
            pp_sb_printf(b, "pinpipe_serve_requests_total{route=\"%s\",code=\"%dxx\"} %lu\n", ROUTE_LABELS[r],
                         CLASSES[c], atomic_load(&s->requests[r][c]));
    pp_sb_puts(b,
               "# HELP pinpipe_serve_request_duration_seconds Time to answer a request, by route.\n"
               "# TYPE pinpipe_serve_request_duration_seconds histogram\n");
    for (int r = 0; r < R_COUNT; r++) {
        char labels[64];
        snprintf(labels, sizeof labels, "route=\"%s\"", ROUTE_LABELS[r]);
        pp_api_histogram_render(b, "pinpipe_serve_request_duration_seconds", labels, &s->duration[r]);
    }
    pp_serve_freshness f;
    pp_serve_engine_freshness(s->engine, &f);
    pp_serve_cache_stats cs;
    pp_serve_engine_cache_stats(s->engine, &cs);
    pp_sb_printf(b,
                 "# HELP pinpipe_serve_store_up 1 when the store was read in the newest view.\n"
                 "# TYPE pinpipe_serve_store_up gauge\n"
                 "pinpipe_serve_store_up{store=\"cassandra\"} %d\npinpipe_serve_store_up{store=\"postgresql\"} %d\n"
                 "pinpipe_serve_store_up{store=\"kafka\"} %d\n"
                 "# HELP pinpipe_serve_view_age_seconds Age of the newest view of the stores.\n"
                 "# TYPE pinpipe_serve_view_age_seconds gauge\npinpipe_serve_view_age_seconds %.3f\n"
                 "# HELP pinpipe_serve_stream_lag_records Records Kafka holds that the stream has not stored.\n"
                 "# TYPE pinpipe_serve_stream_lag_records gauge\npinpipe_serve_stream_lag_records %lld\n"
                 "# HELP pinpipe_serve_cache_hits_total Day rows answered from the cache.\n"
                 "# TYPE pinpipe_serve_cache_hits_total counter\npinpipe_serve_cache_hits_total %lu\n"
                 "# HELP pinpipe_serve_cache_misses_total Day rows read from a store.\n"
                 "# TYPE pinpipe_serve_cache_misses_total counter\npinpipe_serve_cache_misses_total %lu\n"
                 "# HELP pinpipe_serve_cache_bytes Bytes the cache holds.\n"
                 "# TYPE pinpipe_serve_cache_bytes gauge\npinpipe_serve_cache_bytes %zu\n",
                 f.batch_ok, f.stream_ok, f.kafka_ok, f.view_ms < 0 ? -1.0 : (double)(pp_wall_ms() - f.view_ms) / 1000,
                 (long long)f.lag_records, cs.hits, cs.misses, cs.bytes);
}

static void asset(const char *url, reply *rp) {
    if (strcmp(url, "/") == 0) url = "/index.html";
    for (size_t i = 0; i < PP_SERVE_NASSETS; i++)
        if (strcmp(url, PP_SERVE_ASSETS[i].path) == 0) {
            rp->status = 200;
            rp->type = PP_SERVE_ASSETS[i].type;
            pp_sb_append(&rp->body, (const char *)PP_SERVE_ASSETS[i].data, PP_SERVE_ASSETS[i].len);
            return;
        }
    set_json(rp, 404);
    pp_serve_params_error(&rp->body, "no such page", "path",
                          "/, /api/v1/metrics, /api/v1/query, /api/v1/top, /api/v1/days, /api/v1/live, "
                          "/api/v1/join, /healthz, /metrics");
}

static void unavailable(pp_serve_http *s, reply *rp, const pp_serve_answer *a) {
    set_json(rp, 503);
    rp->retry_after = (int)s->o.retry_after_s;
    pp_sb_reset(&rp->body);
    pp_serve_render_unavailable(a, rp->retry_after, &rp->body);
}

typedef struct {
    const pp_serve_request *r;
    pp_strbuf *out;
    char err[512];
} live_call;

static int live_fn(pp_serve_conn *c, void *arg) {
    live_call *lc = arg;
    return pp_serve_live(c, lc->r, lc->out, lc->err, sizeof lc->err);
}

static void api(pp_serve_http *s, route rt, const params *ps, int wants_csv, reply *rp) {
    static const unsigned ALLOWED[R_COUNT] = {
        [R_METRICS_LIST] = PP_SP_FORMAT,
        [R_QUERY] = PP_SP_METRIC | PP_SP_FROM | PP_SP_TO | PP_SP_KEY | PP_SP_GROUP | PP_SP_TOP | PP_SP_FORMAT,
        [R_TOP] = PP_SP_METRIC | PP_SP_FROM | PP_SP_TO | PP_SP_GROUP | PP_SP_TOP | PP_SP_FORMAT,
        [R_DAYS] = PP_SP_FROM | PP_SP_TO | PP_SP_FORMAT,
        [R_LIVE] = PP_SP_MINUTES | PP_SP_TOP | PP_SP_TABLE | PP_SP_FORMAT,
        [R_JOIN] = PP_SP_ANALYSIS | PP_SP_FROM | PP_SP_TO | PP_SP_GROUP | PP_SP_FORMAT,
    };
    int64_t today = pp_wall_ms() / DAY_MS * DAY_MS;
    pp_serve_request r = {.metric = -1,
                          .analysis = -1,
                          .from_ms = today - (DEFAULT_DAYS - 1) * DAY_MS,
                          .to_ms = today,
                          .group = rt == R_TOP || rt == R_JOIN ? PP_GROUP_ALL : PP_GROUP_DAY,
                          .top = rt == R_TOP || rt == R_LIVE ? 10 : 0,
                          .minutes = 15,
                          .csv = wants_csv};
    set_json(rp, 200);
    unsigned required = rt == R_QUERY || rt == R_TOP ? PP_SP_METRIC : rt == R_JOIN ? PP_SP_ANALYSIS : 0;
    if (ps->overflow) {
        set_json(rp, 400);
        pp_serve_params_error(&rp->body, "too many parameters", "", "at most " PP_STR(MAX_PARAMS));
        return;
    }
    int rc = pp_serve_params_parse(ps->p, ps->n, ALLOWED[rt], required, &r, &rp->body);
    if (rc == 0 && rt == R_LIVE && r.csv && r.table == PP_LIVE_ALL) {
        pp_serve_params_error(&rp->body, "CSV is one table: name it", "table", "per_minute, posters, categories");
        rc = 400;
    }
    if (rc) {
        set_json(rp, (unsigned)rc);
        return;
    }
    if (r.csv) rp->type = "text/csv; charset=utf-8";
    if (rt == R_METRICS_LIST) {
        pp_serve_render_metrics(r.csv, &rp->body);
        return;
    }
    if (rt == R_LIVE) {
        live_call lc = {&r, &rp->body, ""};
        if (pp_serve_engine_with_conn(s->engine, live_fn, &lc)) {
            pp_serve_answer a = {.store = "postgresql"};
            snprintf(a.error, sizeof a.error, "%s", lc.err);
            pp_serve_engine_freshness(s->engine, &a.fresh);
            unavailable(s, rp, &a);
        }
        return;
    }
    /* the same question of a view with the same fingerprint has the same answer */
    char request[700];
    snprintf(request, sizeof request, "%d|%d|%d|%lld|%lld|%d|%ld|%d|%s", (int)rt, r.metric, r.analysis,
             (long long)r.from_ms, (long long)r.to_ms, (int)r.group, r.top, r.csv, r.key ? r.key : "");
    pp_serve_freshness f;
    pp_serve_engine_freshness(s->engine, &f);
    if (f.view_ms >= 0 && s->o.answers_bytes && pp_serve_answers_get(s->answers, request, f.fingerprint, &rp->body)) {
        pp_serve_render_close(&f, r.csv, &rp->body);
        return;
    }
    pp_serve_answer a;
    const int *metrics = rt == R_JOIN ? PP_SERVE_JOIN[r.analysis].metrics : rt == R_DAYS ? NULL : &r.metric;
    size_t nmetrics = rt == R_JOIN ? PP_SERVE_JOIN[r.analysis].nmetrics : rt == R_DAYS ? 0 : 1;
    pp_serve_engine_query(s->engine, &r, metrics, nmetrics, &a);
    if (a.status == 400) {
        set_json(rp, 400);
        pp_serve_params_error(&rp->body, a.error, "from", "a shorter range, a coarser group, or key");
    } else if (a.status != 200) {
        unavailable(s, rp, &a);
    } else {
        if (rt == R_DAYS) {
            pp_serve_render_days(&r, &a, &rp->body);
        } else if (rt == R_JOIN) {
            pp_serve_join_table t;
            pp_serve_join_compute((pp_serve_join_analysis)r.analysis, a.agg, &t);
            pp_serve_render_join(&r, &a, &t, &rp->body);
            pp_serve_join_table_free(&t);
        } else {
            size_t n;
            pp_serve_row *rows = pp_serve_rank(a.agg, r.top, &n);
            if (n > (size_t)s->o.max_rows) {
                free(rows);
                set_json(rp, 400);
                char msg[96];
                snprintf(msg, sizeof msg, "the answer would hold %zu rows, more than %ld", n, s->o.max_rows);
                pp_serve_params_error(&rp->body, msg, "top",
                                      "top=N (rows per period), a coarser group, a shorter range or key");
                pp_serve_answer_free(&a);
                return;
            }
            pp_serve_render_query(&r, &a, rows, n, &rp->body);
            free(rows);
        }
        if (s->o.answers_bytes)
            pp_serve_answers_put(s->answers, request, a.fresh.fingerprint, rp->body.data, rp->body.len);
        pp_serve_render_close(&a.fresh, r.csv, &rp->body);
    }
    pp_serve_answer_free(&a);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_size, void **state) {
    (void)version, (void)upload_data, (void)state;
    pp_serve_http *s = cls;
    if (*upload_size) { /* a GET with a body: ignore it */
        *upload_size = 0;
        return MHD_YES;
    }
    pp_http_guard_received(s->guard, conn);
    atomic_fetch_add(&s->in_flight, 1);
    int64_t t0 = pp_mono_us();
    reply rp = {0};
    pp_sb_init(&rp.body);
    route rt = route_of(url);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        set_json(&rp, 405);
        pp_serve_params_error(&rp.body, "method not allowed", "method", "GET, HEAD");
    } else if (rt == R_ASSET) {
        asset(url, &rp);
        if (rp.status == 404) rt = R_OTHER;
    } else if (rt == R_HEALTHZ) {
        health(s, &rp);
    } else if (rt == R_PROM) {
        prometheus(s, &rp);
    } else {
        params ps = {0};
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect, &ps);
        const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept");
        api(s, rt, &ps, accept && strstr(accept, "text/csv") != NULL, &rp);
    }
    size_t len = rp.body.len;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, pp_sb_steal(&rp.body), MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", rp.type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (rt == R_ASSET)
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:");
    if (rp.retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", rp.retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    enum MHD_Result r = MHD_queue_response(conn, rp.status, resp);
    MHD_destroy_response(resp);
    int cls_i = rp.status >= 500 ? 3 : rp.status >= 400 ? 2 : rp.status >= 300 ? 1 : 0;
    atomic_fetch_add(&s->requests[rt][cls_i], 1);
    pp_api_histogram_observe(&s->duration[rt], pp_mono_us() - t0);
    atomic_fetch_sub(&s->in_flight, 1);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode toe) {
    (void)state, (void)toe;
    pp_http_guard_done(((pp_serve_http *)cls)->guard, c);
}

int pp_serve_http_start(pp_serve_http **out, const pp_serve_http_opts *o, pp_serve_engine *engine, char *err,
                        size_t errlen) {
    *out = NULL;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->address, &sa.sin_addr) != 1) {
        pp_errf(err, errlen, "--address: not an IPv4 address: '%s'", o->address);
        return PP_EINVAL;
    }
    pp_serve_http *s = pp_xcalloc(1, sizeof *s);
    s->engine = engine;
    s->answers = pp_serve_answers_create(o->answers_bytes);
    s->o = *o;
    for (int r = 0; r < R_COUNT; r++) {
        pp_api_histogram_init(&s->duration[r]);
        for (int c = 0; c < 4; c++) atomic_init(&s->requests[r][c], 0);
    }
    atomic_init(&s->in_flight, 0);
    pp_http_guard_opts go = {o->max_connections, o->max_connections_per_ip, o->request_timeout_s * 1000, o->threads};
    int rc = pp_http_guard_create(&s->guard, &go, "serve", err, errlen);
    if (rc) {
        pp_serve_answers_destroy(s->answers);
        free(s);
        return rc;
    }
    /* the guard's options first: they hold the logger, which MHD wants before the others */
    struct MHD_OptionItem ops[PP_HTTP_GUARD_MHD_OPTIONS + 4 + 1];
    size_t n = pp_http_guard_mhd_options(s->guard, ops, PP_HTTP_GUARD_MHD_OPTIONS);
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &sa};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s};
    ops[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, o->threads, NULL};
    ops[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG,
                                 (uint16_t)o->port, pp_http_guard_accept, s->guard, answer, s, MHD_OPTION_ARRAY, ops,
                                 MHD_OPTION_END);
    if (!s->daemon) {
        pp_http_guard_destroy(s->guard);
        pp_serve_answers_destroy(s->answers);
        free(s);
        pp_errf(err, errlen, "cannot listen on %s:%ld (in use?)", o->address, o->port);
        return PP_EIO;
    }
    *out = s;
    return PP_OK;
}

int pp_serve_http_port(const pp_serve_http *s) {
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : -1;
}

void pp_serve_http_stop(pp_serve_http *s) {
    if (!s) return;
    MHD_quiesce_daemon(s->daemon); /* no new connections; the requests in flight finish */
    for (int i = 0; i < 50 && atomic_load(&s->in_flight) > 0; i++) pp_sleep_ms(100);
    MHD_stop_daemon(s->daemon);
    pp_http_guard_destroy(s->guard);
    pp_serve_answers_destroy(s->answers);
    free(s);
}
