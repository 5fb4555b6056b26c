#include "http/stats_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/error.h"
#include "common/mem.h"
#include "http/http_guard.h"

struct pp_stats_http {
    struct MHD_Daemon *daemon;
    pp_stats_render_fn render;
    pp_stats_health_fn health;
    void *ctx;
    pp_http_guard *guard; /* connection limits and the request deadline */
};

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_size, void **state) {
    (void)version;
    (void)upload_data;
    (void)upload_size;
    (void)state;
    pp_stats_http *s = cls;
    pp_http_guard_received(s->guard, conn); /* answered on the first call */
    pp_strbuf body;
    pp_sb_init(&body);
    unsigned status = MHD_HTTP_OK;
    const char *type = "text/plain; version=0.0.4";
    if (strcmp(method, "GET") != 0) {
        status = MHD_HTTP_METHOD_NOT_ALLOWED;
        pp_sb_puts(&body, "method not allowed\n");
    } else if (strcmp(url, "/metrics") == 0) {
        s->render(s->ctx, &body);
    } else if (strcmp(url, "/healthz") == 0) {
        type = "application/json";
        if (!s->health)
            pp_sb_puts(&body, "{\"status\":\"ok\"}\n");
        else if (!s->health(s->ctx, &body))
            status = MHD_HTTP_SERVICE_UNAVAILABLE;
    } else {
        status = MHD_HTTP_NOT_FOUND;
        pp_sb_puts(&body, "not found\n");
    }
    size_t len = body.len;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, pp_sb_steal(&body), MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", type);
    enum MHD_Result r = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode toe) {
    pp_stats_http *s = cls;
    (void)state;
    (void)toe;
    pp_http_guard_done(s->guard, c);
}

int pp_stats_http_start(pp_stats_http **out, const char *address, int port, pp_stats_render_fn render,
                        pp_stats_health_fn health, void *ctx, char *err, size_t errlen) {
    *out = NULL;
    if (port <= 0) return PP_OK;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, address, &sa.sin_addr) != 1) {
        pp_errf(err, errlen, "stats: bad IPv4 address '%s'", address);
        return PP_EINVAL;
    }
    pp_stats_http *s = pp_xcalloc(1, sizeof *s);
    s->render = render;
    s->health = health;
    s->ctx = ctx;
    pp_http_guard_opts go = {
        .max_connections = pp_env_long("PINPIPE_STATS_MAX_CONNECTIONS", PP_STATS_DEFAULT_MAX_CONNECTIONS),
        .per_ip = pp_env_long("PINPIPE_STATS_MAX_CONNECTIONS_PER_IP", PP_STATS_DEFAULT_MAX_CONNECTIONS_PER_IP),
        .request_timeout_ms = 1000 * pp_env_long("PINPIPE_STATS_REQUEST_TIMEOUT", PP_STATS_DEFAULT_REQUEST_TIMEOUT_S),
        .threads = 1,
    };
    int rc = pp_http_guard_create(&s->guard, &go, "stats", err, errlen);
    if (rc != PP_OK) {
        free(s);
        return rc;
    }
    struct MHD_OptionItem ops[3 + PP_HTTP_GUARD_MHD_OPTIONS + 1] = {
        {MHD_OPTION_SOCK_ADDR, 0, &sa},
        {MHD_OPTION_CONNECTION_TIMEOUT, 10, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
    };
    size_t n = 3 + pp_http_guard_mhd_options(s->guard, ops + 3, PP_HTTP_GUARD_MHD_OPTIONS);
    ops[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG, (uint16_t)port,
                                 pp_http_guard_accept, s->guard, answer, s, MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
    if (!s->daemon) {
        pp_http_guard_destroy(s->guard);
        free(s);
        pp_errf(err, errlen, "stats: cannot listen on %s:%d", address, port);
        return PP_EIO;
    }
    *out = s;
    return PP_OK;
}

void pp_stats_http_stop(pp_stats_http *s) {
    if (!s) return;
    MHD_stop_daemon(s->daemon);
    pp_http_guard_destroy(s->guard);
    free(s);
}
