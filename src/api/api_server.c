#include "api/api_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api/api_auth.h"
#include "api/api_health.h"
#include "api/api_http.h"
#include "api/api_metrics.h"
#include "api/api_ingest.h"
#include "api/api_reply.h"
#include "api/api_respond.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "http/http_guard.h"
#include "kafka/kafka_producer.h"

struct pp_api_server {
    pp_api_opts opts; /* strings below are the server's copies */
    char *address;
    char *topics[PP_KIND_COUNT]; /* by kind */
    pp_producer *producer;
    pp_api_health *health;
    pp_api_metrics metrics;
    pp_api_auth auth;
    pp_api_ingest ingest;
    pp_http_guard *guard;
    struct MHD_Daemon *daemon;
    int port;
    atomic_int draining;
    int shut_down;
    int shutdown_rc;
};

/* Per request (MHD's con_cls), freed by on_completed. */
typedef struct {
    pp_api_route route;
    int64_t start_us;
    unsigned status;           /* the answer's code once queued, else 0 */
    int deferred;              /* a GET/HEAD answered on the next call (keeps the connection) */
    int received;              /* the guard was told the request is complete */
    size_t discarded;          /* body bytes of a request answered without reading them */
    pp_api_ingest_req *ingest; /* POST to an ingest path only */
} api_req;

void pp_api_opts_init(pp_api_opts *o) {
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 1) cpus = 1;
    if (cpus > 8) cpus = 8;
    memset(o, 0, sizeof *o);
    o->address = PP_API_DEFAULT_ADDRESS;
    o->port = PP_API_DEFAULT_PORT;
    o->max_body = PP_API_DEFAULT_MAX_BODY;
    o->produce_timeout_ms = PP_API_DEFAULT_PRODUCE_TIMEOUT_MS;
    o->threads = cpus;
    o->connection_timeout_s = PP_API_DEFAULT_CONNECTION_TIMEOUT_S;
    o->max_connections = PP_API_DEFAULT_MAX_CONNECTIONS;
    o->max_connections_per_ip = PP_API_DEFAULT_MAX_CONNECTIONS_PER_IP;
    o->request_timeout_s = PP_API_DEFAULT_REQUEST_TIMEOUT_S;
    o->linger_ms = PP_API_DEFAULT_LINGER_MS;
    o->queue_max = PP_API_DEFAULT_QUEUE_MAX;
    o->retry_after_s = 1;
    o->health_interval_ms = 1000;
    o->auth_token = NULL;
}

int pp_api_opts_check(const pp_api_opts *o, char *err, size_t errlen) {
    static const struct {
        const char *name;
        size_t off;
        long min, max;
    } RANGES[] = {
        {"port", offsetof(pp_api_opts, port), 0, 65535},
        {"max-body", offsetof(pp_api_opts, max_body), 1, 1L << 30},
        {"produce-timeout-ms", offsetof(pp_api_opts, produce_timeout_ms), 1, 3600000},
        {"threads", offsetof(pp_api_opts, threads), 1, 256},
        {"connection-timeout", offsetof(pp_api_opts, connection_timeout_s), 1, 86400},
        {"max-connections", offsetof(pp_api_opts, max_connections), 1, 1000000},
        {"max-connections-per-ip", offsetof(pp_api_opts, max_connections_per_ip), 0, 1000000},
        {"request-timeout", offsetof(pp_api_opts, request_timeout_s), 1, 86400},
        {"linger-ms", offsetof(pp_api_opts, linger_ms), 0, 60000},
        {"queue-max", offsetof(pp_api_opts, queue_max), 1, 10000000},
        {"retry-after", offsetof(pp_api_opts, retry_after_s), 1, 3600},
        {"health-interval-ms", offsetof(pp_api_opts, health_interval_ms), 10, 3600000},
    };
    for (size_t i = 0; i < sizeof RANGES / sizeof RANGES[0]; i++) {
        long v = *(const long *)((const char *)o + RANGES[i].off);
        if (v < RANGES[i].min || v > RANGES[i].max) {
            pp_errf(err, errlen, "--%s: %ld is out of range %ld..%ld", RANGES[i].name, v, RANGES[i].min, RANGES[i].max);
            return PP_EINVAL;
        }
    }
    if (!o->address || !*o->address) {
        pp_errf(err, errlen, "--address must not be empty");
        return PP_EINVAL;
    }
    return PP_OK;
}

/* Each kind's ingest route and the 307 to it (its path without the slash). */
static const pp_api_route INGEST_ROUTE[PP_KIND_COUNT] = {
    [PP_KIND_PIN] = PP_API_ROUTE_PIN, [PP_KIND_GEO] = PP_API_ROUTE_GEO, [PP_KIND_USER] = PP_API_ROUTE_USER};
static const pp_api_route REDIRECT_ROUTE[PP_KIND_COUNT] = {[PP_KIND_PIN] = PP_API_ROUTE_PIN_REDIRECT,
                                                           [PP_KIND_GEO] = PP_API_ROUTE_GEO_REDIRECT,
                                                           [PP_KIND_USER] = PP_API_ROUTE_USER_REDIRECT};

/* The kind whose ingest route (redirect: 0) or redirect (1) route is; -1 for neither. */
static int kind_of_route(pp_api_route route, int redirect) {
    for (int k = 0; k < PP_KIND_COUNT; k++)
        if ((redirect ? REDIRECT_ROUTE : INGEST_ROUTE)[k] == route) return k;
    return -1;
}

static pp_api_route route_of(const char *url) {
    size_t n = strlen(url);
    for (int k = 0; k < PP_KIND_COUNT; k++) {
        const char *path = pp_kind_path((pp_kind)k); /* "/pin/" */
        if (!strcmp(url, path)) return INGEST_ROUTE[k];
        if (n + 1 == strlen(path) && !strncmp(url, path, n)) return REDIRECT_ROUTE[k];
    }
    if (!strcmp(url, "/healthz")) return PP_API_ROUTE_HEALTHZ;
    if (!strcmp(url, "/metrics")) return PP_API_ROUTE_METRICS;
    return PP_API_ROUTE_OTHER;
}

static int is_get(const char *method) {
    return !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
}

static enum MHD_Result answer_health(pp_api_server *s, struct MHD_Connection *c, api_req *r) {
    char why[256];
    pp_api_kafka_state k = pp_api_health_state(s->health, why, sizeof why);
    int draining = atomic_load(&s->draining);
    int ok = k == PP_API_KAFKA_REACHABLE && !draining;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_printf(&sb, "{\"status\":\"%s\",\"kafka\":\"%s\"",
                 ok             ? "ok"
                     : draining ? "draining"
                                : "unavailable",
                 pp_api_kafka_state_name(k));
    if (k != PP_API_KAFKA_REACHABLE && why[0]) {
        pp_sb_puts(&sb, ",\"detail\":");
        pp_sb_json_cstr(&sb, pp_utf8_valid(why, strlen(why)) ? why : "(not UTF-8)");
    }
    pp_sb_putc(&sb, '}');
    r->status = ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
    return pp_api_respond(c, r->status, &sb, PP_API_JSON, NULL, draining);
}

static enum MHD_Result answer_metrics(pp_api_server *s, struct MHD_Connection *c, api_req *r) {
    pp_http_guard_stats gs;
    pp_http_guard_stats_get(s->guard, &gs);
    pp_api_gauges g = {
        .queue_depth = pp_producer_pending(s->producer),
        .kafka_reachable = pp_api_health_state(s->health, NULL, 0) == PP_API_KAFKA_REACHABLE,
        .refused_total = gs.refused_total,
        .refused_per_ip = gs.refused_per_ip,
        .request_timeouts = gs.timeouts,
        .open_connections = gs.open,
    };
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_metrics_render(&s->metrics, &g, &sb);
    r->status = MHD_HTTP_OK;
    return pp_api_respond(c, r->status, &sb, "text/plain; version=0.0.4; charset=utf-8", NULL,
                          atomic_load(&s->draining));
}

/* The first call of a request (headers only): route it; answer everything but a
 * POST to an ingest path that passed auth. Returns 1 when answered (res set). */
static int route_first(pp_api_server *s, struct MHD_Connection *c, const char *method, api_req *r,
                       enum MHD_Result *res) {
    int close_conn = atomic_load(&s->draining);
    int kind = kind_of_route(r->route, 0) >= 0 ? kind_of_route(r->route, 0) : kind_of_route(r->route, 1);
    if (kind >= 0 && !s->topics[kind]) { /* a kind without a topic (kind.h, pp_kind_topic) */
        char msg[200];
        snprintf(msg, sizeof msg, "Not Found: %s events are not taken here (no %s topic is configured: --%s-topic)",
                 pp_kind_name((pp_kind)kind), pp_kind_name((pp_kind)kind), kind == PP_KIND_GEO ? "geo" : "users");
        r->status = MHD_HTTP_NOT_FOUND;
        *res = pp_api_respond_detail(c, r->status, msg, NULL, close_conn);
        return 1;
    }
    if (kind_of_route(r->route, 0) >= 0) {
        if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
            static const char *const allow[] = {MHD_HTTP_HEADER_ALLOW, "POST", NULL};
            r->status = MHD_HTTP_METHOD_NOT_ALLOWED;
            *res = pp_api_respond_detail(c, r->status, "Method Not Allowed", allow, close_conn);
            return 1;
        }
        if (!pp_api_auth_check(&s->auth,
                               MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION))) {
            static const char *const www[] = {MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer", NULL};
            r->status = MHD_HTTP_UNAUTHORIZED;
            *res = pp_api_respond_detail(c, r->status, "Not authenticated", www, close_conn);
            return 1;
        }
        return 0;
    }
    int redirect_kind = kind_of_route(r->route, 1);
    if (redirect_kind >= 0) {
        const char *const loc[] = {MHD_HTTP_HEADER_LOCATION, pp_kind_path((pp_kind)redirect_kind), NULL};
        pp_strbuf empty;
        pp_sb_init(&empty);
        r->status = MHD_HTTP_TEMPORARY_REDIRECT;
        *res = pp_api_respond(c, r->status, &empty, NULL, loc, close_conn);
        return 1;
    }
    switch (r->route) {
    case PP_API_ROUTE_HEALTHZ:
    case PP_API_ROUTE_METRICS:
        if (!is_get(method)) {
            static const char *const allow[] = {MHD_HTTP_HEADER_ALLOW, "GET, HEAD", NULL};
            r->status = MHD_HTTP_METHOD_NOT_ALLOWED;
            *res = pp_api_respond_detail(c, r->status, "Method Not Allowed", allow, close_conn);
        } else {
            *res = r->route == PP_API_ROUTE_HEALTHZ ? answer_health(s, c, r) : answer_metrics(s, c, r);
        }
        return 1;
    default: break;
    }
    r->status = MHD_HTTP_NOT_FOUND;
    *res = pp_api_respond_detail(c, r->status, "Not Found", NULL, close_conn);
    return 1;
}

/* Collects the header fields that decide a request's framing. */
typedef struct {
    pp_api_header h[8];
    size_t n;
    int overflow;
} framing_fields;

static enum MHD_Result collect_framing(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    framing_fields *f = cls;
    (void)kind;
    if (!key || !value) return MHD_YES;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) && strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) &&
        strcasecmp(key, MHD_HTTP_HEADER_CONTENT_TYPE))
        return MHD_YES;
    if (f->n == sizeof f->h / sizeof f->h[0]) {
        f->overflow = 1;
        return MHD_NO;
    }
    f->h[f->n++] = (pp_api_header){key, value};
    return MHD_YES;
}

/* 400 before any body is read when the framing is ambiguous (api_http.h). Returns 1
 * when answered (res set). */
static int reject_framing(pp_api_server *s, struct MHD_Connection *c, api_req *r, enum MHD_Result *res) {
    framing_fields f = {.n = 0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_framing, &f);
    const char *why = f.overflow ? "too many Content-Length, Transfer-Encoding or Content-Type headers"
                                 : pp_api_framing_problem(f.h, f.n);
    if (!why) return 0;
    char msg[160];
    snprintf(msg, sizeof msg, "Bad Request: ambiguous framing: %s", why);
    r->status = MHD_HTTP_BAD_REQUEST;
    (void)s;
    *res = pp_api_respond_detail(c, r->status, msg, NULL, 1);
    return 1;
}

static enum MHD_Result step_request(pp_api_server *s, struct MHD_Connection *c, const char *url, const char *method,
                                    const char *upload_data, size_t *upload_data_size, void **con_cls) {
    api_req *r = *con_cls;
    if (!r) {
        r = pp_xcalloc(1, sizeof *r);
        r->start_us = pp_mono_us();
        r->route = route_of(url);
        pp_api_metrics_request_begin(&s->metrics);
        *con_cls = r;
        enum MHD_Result fres;
        if (reject_framing(s, c, r, &fres)) return fres;
        /* An answer queued now, before the body, makes MHD close the connection after
         * it (it will not read an unknown body). Right for requests carrying a body we
         * refuse; a GET is answered on the next call instead, keeping the connection. */
        if (is_get(method) && kind_of_route(r->route, 0) < 0) {
            r->deferred = 1;
            return MHD_YES;
        }
        enum MHD_Result res;
        if (route_first(s, c, method, r, &res)) return res;
    } else if (r->deferred && r->status == 0) {
        if (*upload_data_size > 0) { /* a GET with a body: bounded, then dropped */
            r->discarded += *upload_data_size;
            *upload_data_size = 0;
            return r->discarded > (size_t)s->opts.max_body ? MHD_NO : MHD_YES;
        }
        enum MHD_Result res;
        route_first(s, c, method, r, &res);
        return res;
    }
    int kind = kind_of_route(r->route, 0);
    if (kind < 0 || (r->status && !r->ingest)) {
        *upload_data_size = 0; /* a body after an early answer: ignored */
        return MHD_YES;
    }
    return pp_api_ingest_step(&s->ingest, (pp_kind)kind, c, upload_data, upload_data_size, &r->ingest, &r->status);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    pp_api_server *s = cls;
    (void)version;
    enum MHD_Result res = step_request(s, c, url, method, upload_data, upload_data_size, con_cls);
    api_req *r = *con_cls;
    /* complete (answered, or handed to Kafka): the request deadline stops */
    if (r && !r->received && (r->status != 0 || (r->ingest && !pp_api_ingest_req_reading(r->ingest)))) {
        r->received = 1;
        pp_http_guard_received(s->guard, c);
    }
    return res;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
    pp_api_server *s = cls;
    api_req *r = *con_cls;
    pp_http_guard_done(s->guard, c); /* the next request's deadline starts */
    if (!r) return;
    /* an answer that could not be sent is still counted under its code */
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && r->status == 0)
        PP_DEBUG("api", "request on %s ended without an answer (%d)", pp_api_route_label(r->route), (int)toe);
    pp_api_metrics_request_end(&s->metrics, r->route, r->status, pp_mono_us() - r->start_us);
    pp_api_ingest_req_free(r->ingest);
    free(r);
    *con_cls = NULL;
}

static int parse_address(const char *addr, long port, struct sockaddr_storage *ss, socklen_t *len, int *v6) {
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    char buf[64];
    size_t n = strlen(addr);
    if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']' && n - 2 < sizeof buf) { /* [::1] */
        memcpy(buf, addr + 1, n - 2);
        buf[n - 2] = '\0';
        addr = buf;
    }
    if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)port);
        *len = sizeof *in4;
        *v6 = 0;
        return PP_OK;
    }
    if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *len = sizeof *in6;
        *v6 = 1;
        return PP_OK;
    }
    return PP_EINVAL;
}

static int start_daemon(pp_api_server *s, char *err, size_t errlen) {
    struct sockaddr_storage ss;
    socklen_t sslen;
    int v6;
    if (parse_address(s->address, s->opts.port, &ss, &sslen, &v6) != PP_OK) {
        pp_errf(err, errlen, "--address: '%s' is not an IPv4 or IPv6 address", s->address);
        return PP_EINVAL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
        (v6 ? MHD_USE_IPv6 : 0);
    struct MHD_OptionItem ops[6 + PP_HTTP_GUARD_MHD_OPTIONS + 1] = {
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->opts.connection_timeout_s, NULL},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
    };
    size_t n = 4;
    if (s->opts.threads > 1) /* else one event loop, no pool */
        ops[n++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->opts.threads, NULL};
    n += pp_http_guard_mhd_options(s->guard, ops + n, PP_HTTP_GUARD_MHD_OPTIONS);
    ops[n] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    s->daemon = MHD_start_daemon(flags, (uint16_t)s->opts.port, pp_http_guard_accept, s->guard, on_request, s,
                                 MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
    if (!s->daemon) {
        pp_errf(err, errlen, "cannot listen on %s port %ld (in use, or not a local address?)", s->address,
                s->opts.port);
        return PP_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : (int)s->opts.port;
    return PP_OK;
}

int pp_api_server_create(pp_api_server **out, const pp_api_opts *o, const pp_kafka_conf *kc, char *err, size_t errlen) {
    int rc = pp_api_opts_check(o, err, errlen);
    if (rc != PP_OK) return rc;
    pp_api_server *s = pp_xcalloc(1, sizeof *s);
    s->opts = *o;
    s->shut_down = 1; /* nothing to shut down until the daemon runs */
    atomic_init(&s->draining, 0);
    pp_api_metrics_init(&s->metrics);
    s->address = pp_xstrdup(o->address);
    /* the one rule of which topics carry geo and user events (kind.h); NULL: the kind is off */
    const char *pins = kc->topic ? kc->topic : PP_KAFKA_DEFAULT_TOPIC;
    const char *configured[PP_KIND_COUNT] = {pins, o->geo_topic, o->users_topic};
    for (int k = 0; k < PP_KIND_COUNT; k++) {
        const char *t = pp_kind_topic((pp_kind)k, configured[k], pins);
        s->topics[k] = t ? pp_xstrdup(t) : NULL;
    }
    s->opts.geo_topic = s->topics[PP_KIND_GEO];
    s->opts.users_topic = s->topics[PP_KIND_USER];
    s->opts.address = s->address;
    s->opts.auth_token = NULL; /* only its digest is kept */
    if (pp_api_auth_init(&s->auth, o->auth_token) != PP_OK) {
        pp_errf(err, errlen, "api: cannot hash the auth token");
        rc = PP_EINVAL;
        goto fail;
    }

    pp_producer_opts po;
    pp_producer_opts_init(&po);
    /* Kafka's record limit follows the body limit (kafka_limits.h); -X wins */
    long record_max = PP_KAFKA_RECORD_MAX_BYTES_FOR(o->max_body);
    if (record_max > po.message_max_bytes)
        po.message_max_bytes =
            (int)(record_max < PP_KAFKA_MESSAGE_MAX_BYTES_LIMIT ? record_max : PP_KAFKA_MESSAGE_MAX_BYTES_LIMIT);
    po.linger_ms = (int)o->linger_ms;
    po.queue_max_messages = (int)o->queue_max;
    po.message_timeout_ms = (int)o->produce_timeout_ms;
    rc = pp_producer_create(&s->producer, kc, &po, err, errlen);
    if (rc != PP_OK) goto fail;
    if (pp_producer_max_message_bytes(s->producer) < PP_KAFKA_RECORD_MAX_BYTES_FOR(o->max_body))
        PP_WARN("api",
                "message.max.bytes %ld cannot hold every body up to --max-body %ld with its key "
                "(needs %ld): such events are answered 413",
                pp_producer_max_message_bytes(s->producer), o->max_body, PP_KAFKA_RECORD_MAX_BYTES_FOR(o->max_body));
    if (PP_KAFKA_RECORD_MAX_BYTES_FOR(o->max_body) > PP_KAFKA_TOPIC_MAX_MESSAGE_BYTES)
        PP_WARN("api",
                "--max-body %ld is above what pinpipe's topics are made for: the topic's "
                "max.message.bytes (and the broker's message.max.bytes) must be at least %ld, "
                "else Kafka refuses the largest events (answered 413)",
                o->max_body, PP_KAFKA_RECORD_MAX_BYTES_FOR(o->max_body) + 65536);
    rc = pp_api_health_create(&s->health, kc, s->producer, (int)o->health_interval_ms, err, errlen);
    if (rc != PP_OK) goto fail;
    pp_http_guard_opts go = {
        .max_connections = o->max_connections,
        .per_ip = o->max_connections_per_ip,
        .request_timeout_ms = o->request_timeout_s * 1000,
        .threads = o->threads,
    };
    rc = pp_http_guard_create(&s->guard, &go, "api", err, errlen);
    if (rc != PP_OK) goto fail;
    pp_api_ingest_init(&s->ingest, s->producer, &s->metrics, (const char *const *)s->topics, (size_t)o->max_body,
                       (int)o->retry_after_s, &s->draining);
    rc = start_daemon(s, err, errlen);
    if (rc != PP_OK) goto fail;
    s->shut_down = 0;
    PP_INFO("api",
            "listening on http://%s%s%s:%d/ (topics: pin %s, geo %s, user %s; %ld thread%s, body limit %ld bytes, "
            "Kafka record limit %ld bytes, produce timeout %ld ms, connections %ld (%ld per "
            "address), request timeout %ld s, auth %s)",
            strchr(s->address, ':') ? "[" : "", s->address, strchr(s->address, ':') ? "]" : "", s->port,
            s->topics[PP_KIND_PIN], s->topics[PP_KIND_GEO] ? s->topics[PP_KIND_GEO] : "off",
            s->topics[PP_KIND_USER] ? s->topics[PP_KIND_USER] : "off", o->threads, o->threads == 1 ? "" : "s",
            o->max_body, pp_producer_max_message_bytes(s->producer), o->produce_timeout_ms, o->max_connections,
            o->max_connections_per_ip, o->request_timeout_s, s->auth.enabled ? "bearer token" : "off");
    *out = s;
    return PP_OK;
fail:
    pp_api_server_destroy(s);
    return rc;
}

int pp_api_server_port(const pp_api_server *s) { return s->port; }

/* Waits until *counter is 0 or timeout_ms passed; returns the last value seen. */
static long wait_zero(atomic_long *counter, long timeout_ms) {
    int64_t until = pp_mono_us() + (int64_t)timeout_ms * 1000;
    long v;
    while ((v = atomic_load(counter)) > 0 && pp_mono_us() < until) pp_sleep_ms(5);
    return v;
}

int pp_api_server_shutdown(pp_api_server *s, char *err, size_t errlen) {
    if (s->shut_down) {
        if (s->shutdown_rc != PP_OK) pp_errf(err, errlen, "api: the last shutdown did not flush everything");
        return s->shutdown_rc;
    }
    s->shut_down = 1;
    atomic_store(&s->draining, 1);
    MHD_socket listen_fd = MHD_quiesce_daemon(s->daemon);
    PP_INFO("api", "shutting down: not accepting connections; %ld request(s) in flight",
            (long)atomic_load(&s->metrics.in_flight));

    /* 1. requests in flight finish normally (answers say Connection: close) */
    long left =
        wait_zero(&s->metrics.in_flight, s->opts.produce_timeout_ms + s->opts.connection_timeout_s * 1000 + 1000);
    /* 2. nothing new reaches the producer; wait for every delivery report */
    atomic_store(&s->ingest.closing, 1);
    long pending = wait_zero(&s->ingest.pending, 2 * s->opts.produce_timeout_ms + 10000);
    int rc = PP_OK;
    if (pending > 0) {
        /* cannot happen while the producer keeps its promise (a report within
         * message.timeout.ms); stopping MHD now could free requests still referenced */
        pp_errf(err, errlen, "api: %ld delivery report(s) never came; not stopping the HTTP server", pending);
        PP_ERROR("api", "%s", err);
        s->shutdown_rc = PP_ETIMEOUT;
        return PP_ETIMEOUT;
    }
    /* 3. the answers of the last reports go out */
    if (left > 0) left = wait_zero(&s->metrics.in_flight, 1000);
    if (left > 0) PP_WARN("api", "closing %ld connection(s) still sending a request", left);
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
    if (listen_fd != MHD_INVALID_SOCKET) close(listen_fd);

    /* 4. the producer: everything acknowledged is already in Kafka; flush the rest */
    char ferr[256];
    if (pp_producer_flush(s->producer, (int)s->opts.produce_timeout_ms + 1000, ferr, sizeof ferr) != PP_OK) {
        pp_errf(err, errlen, "api: %s", ferr);
        PP_WARN("api", "%s", ferr);
        rc = PP_ETIMEOUT;
    }
    PP_INFO("api", "stopped");
    s->shutdown_rc = rc;
    return rc;
}

void pp_api_server_destroy(pp_api_server *s) {
    if (!s) return;
    char err[256];
    if (!s->shut_down) pp_api_server_shutdown(s, err, sizeof err);
    if (s->daemon && s->shutdown_rc == PP_OK) MHD_stop_daemon(s->daemon);
    if (!s->daemon || s->shutdown_rc == PP_OK) pp_http_guard_destroy(s->guard);
    /* else the daemon still runs and calls into the guard: leaked with it */
    pp_api_health_destroy(s->health);
    if (s->shutdown_rc == PP_OK) pp_producer_destroy(s->producer);
    /* else the producer is leaked on purpose: destroying it would run delivery
     * callbacks on requests MHD still holds */
    free(s->address);
    for (int k = 0; k < PP_KIND_COUNT; k++) free(s->topics[k]);
    free(s);
}
