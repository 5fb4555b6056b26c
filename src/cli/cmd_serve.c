/* pinpipe serve — the serving layer: one answer per day from batch or stream, the
 * query API and the dashboard. */
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_opts.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/options.h"
#include "event/kind.h"
#include "kafka/kafka_conf.h"
#include "parity/parity_runs.h"
#include "serve/serve_engine.h"
#include "serve/serve_http.h"

typedef struct {
    pp_serve_http_opts http;
    const char *keyspace, *dsn, *brokers, *topic, *geo_topic, *users_topic, *stream_group;
    long run_timeout_s, refresh_ms, cache_mb, answers_mb, max_rollup;
} serve_cfg;

#define F(x) offsetof(serve_cfg, x)
static const pp_opt ROWS[] = {
    {"address", 0, "ADDR", "PINPIPE_SERVE_ADDRESS", "127.0.0.1", pp_opt_str, F(http.address), 0, 0, 0,
     "IPv4 address to listen on"},
    {"port", 0, "N", "PINPIPE_SERVE_PORT", "8080", pp_opt_long, F(http.port), 0, 65535, 0,
     "TCP port, 0 = any free one"},
    {"threads", 0, "N", "PINPIPE_SERVE_THREADS", "2", pp_opt_long, F(http.threads), 1, 64, 0,
     "HTTP event-loop threads (the stores are asked one request at a time)"},
    {"keyspace", 0, "K", "PINPIPE_CASSANDRA_KEYSPACE", "pinpipe", pp_opt_str, F(keyspace), 0, 0, 0,
     "the batch keyspace"},
    {"dsn", 0, "DSN", "PINPIPE_PG_DSN", NULL, cli_opt_dsn, F(dsn), 0, 0, 0,
     "stream database (default " PP_PG_DEFAULT_DSN "); a password in --dsn is refused (ps shows it): "
     "PINPIPE_PG_DSN, PGPASSWORD or a 0600 PGPASSFILE hold it"},
    CLI_ROW_BROKERS(F(brokers), "Kafka bootstrap servers (watermarks: completeness and the stream's lag)"),
    CLI_ROW_TOPIC(F(topic), "the pins topic"),
    {"geo-topic", 0, "T", "PINPIPE_GEO_TOPIC", NULL, pp_opt_str, F(geo_topic), 0, 0, 0,
     "the geo events' topic (docs/joins.md; default: geo when --topic is pins, else none; empty: none)"},
    {"users-topic", 0, "T", "PINPIPE_USERS_TOPIC", NULL, pp_opt_str, F(users_topic), 0, 0, 0,
     "the user events' topic (default: users when --topic is pins, else none; empty: none)"},
    {"stream-group", 0, "G", "PINPIPE_STREAM_GROUP", "pinpipe-stream", pp_opt_str, F(stream_group), 0, 0, 0,
     "the stream's consumer group"},
    {"run-timeout", 0, "S", "PINPIPE_PARITY_RUN_TIMEOUT", "21600", pp_opt_long, F(run_timeout_s), 1, 31536000, 0,
     "a batch run still 'running' S seconds after its last write is presumed dead (as parity)"},
    {"refresh-ms", 0, "MS", "PINPIPE_SERVE_REFRESH_MS", "2000", pp_opt_long, F(refresh_ms), 100, 3600000, 0,
     "how often the stores' state (runs, offsets, watermarks) is read again"},
    {"stall-ms", 0, "MS", "PINPIPE_SERVE_STALL_MS", "30000", pp_opt_long, F(http.stall_ms), 1000, 86400000, 0,
     "/healthz answers 503 'stalled' when the state has not been read for MS"},
    {"cache-mb", 0, "MB", "PINPIPE_SERVE_CACHE_MB", "256", pp_opt_long, F(cache_mb), 1, 65536, 0,
     "day rows kept in memory at most; then the cache starts over"},
    {"answers-mb", 0, "MB", "PINPIPE_SERVE_ANSWERS_MB", "64", pp_opt_long, F(answers_mb), 0, 65536, 0,
     "rendered answers kept per view of the stores (a repeated question is a lookup); 0: none"},
    {"max-rows", 0, "N", "PINPIPE_SERVE_MAX_ROWS", PP_STR(PP_SERVE_MAX_ROWS), pp_opt_long, F(http.max_rows), 1,
     100000000, 0, "rows a metric answer may return; more: 400 asking for top, a coarser group or a shorter range"},
    {"max-rollup", 0, "N", "PINPIPE_SERVE_MAX_ROLLUP", PP_STR(PP_SERVE_MAX_ROLLUP), pp_opt_long, F(max_rollup), 1,
     1000000000, 0, "(period, key) rows a roll-up may hold before ranking (bounds memory); more: 400"},
    {"retry-after", 0, "S", "PINPIPE_SERVE_RETRY_AFTER", "5", pp_opt_long, F(http.retry_after_s), 1, 3600, 0,
     "Retry-After of a 503 (a store is unreachable)"},
    {"max-connections", 0, "N", "PINPIPE_SERVE_MAX_CONNECTIONS", "256", pp_opt_long, F(http.max_connections), 1,
     1000000, 0, "concurrent connections; a new one over N is closed at once"},
    {"max-connections-per-ip", 0, "N", "PINPIPE_SERVE_MAX_CONNECTIONS_PER_IP", "128", pp_opt_long,
     F(http.max_connections_per_ip), 0, 1000000, 0, "concurrent connections from one address; 0 = no limit"},
    {"request-timeout", 0, "S", "PINPIPE_SERVE_REQUEST_TIMEOUT", "10", pp_opt_long, F(http.request_timeout_s), 1, 86400,
     0, "a whole request must arrive within S seconds, else 408 and close"},
    CLI_ROW_HELP,
};
#undef F

static const char HEAD[] = "usage: pinpipe serve [options]\n"
                           "\n"
                           "The serving layer. For each day asked for, the answer comes from the batch view\n"
                           "(Cassandra) when the day's newest full batch run is done and its lake coverage is at\n"
                           "least what the stream has consumed, otherwise from the stream view (PostgreSQL): the\n"
                           "rule parity uses (src/parity/day_rule.c), decided over the same topics: the pins\n"
                           "topic, and the geo and users topics (--geo-topic, --users-topic; a day is the batch's\n"
                           "only when it is on every topic). Every answer says which store served each day, how\n"
                           "fresh each path is and the day's parity verdict.\n"
                           "\n"
                           "  GET /                 the dashboard (every file served by pinpipe itself)\n"
                           "  GET /api/v1/metrics   the metrics and what they count\n"
                           "  GET /api/v1/query     metric=M [from to key group=day|week|month|year|all top=N]\n"
                           "  GET /api/v1/top       metric=M [from to group (all) top (10)]: top-N per period\n"
                           "  GET /api/v1/days      [from to]: each day's source, completeness, parity\n"
                           "  GET /api/v1/live      [minutes=15 top=10]: pins per minute, top posters/categories\n"
                           "  GET /api/v1/join      analysis=A [from to group (all)]: the join's analyses\n"
                           "                        (top_category_by_country, top_user_by_country,\n"
                           "                        median_followers_by_age_group, median_followers_by_join_year,\n"
                           "                        users_by_join_year, posts_by_age_group_category, join_quality)\n"
                           "  GET /healthz, /metrics (Prometheus)\n"
                           "CSV with format=csv or `Accept: text/csv`. SIGTERM/SIGINT: stop accepting, finish the\n"
                           "requests in flight, exit 0. Details: docs/serve.md.\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "Cassandra: PINPIPE_CASSANDRA_HOST, _PORT, _USER, _PASSWORD.\n"
                           "\n"
                           "exit status: 0 stopped cleanly, 1 could not start (listen), 2 bad usage\n";
const pp_opts_spec CLI_SERVE_SPEC = PP_OPTS_SPEC("serve", ROWS, HEAD, TAIL);

typedef struct {
    pp_serve_engine *engine;
    const pp_serve_store_cfg *store;
    long refresh_ms;
    volatile sig_atomic_t stop;
} refresher;

/* Reads a new view every refresh_ms with its own connections, so requests never
 * wait for it. */
static void *refresh_loop(void *arg) {
    refresher *rf = arg;
    pp_serve_conn conn = {.cfg = rf->store};
    while (!rf->stop) {
        pp_serve_view *v = pp_serve_view_read(&conn);
        if (!v->snap.batch_ok) PP_WARN("serve", "cassandra: %s", v->batch_err);
        if (!v->snap.stream_ok) PP_WARN("serve", "postgresql: %s", v->stream_err);
        if (!v->snap.kafka_ok) PP_WARN("serve", "kafka: %s", v->kafka_err);
        pp_serve_engine_set_view(rf->engine, v);
        pp_nap_ms(&rf->stop, rf->refresh_ms);
    }
    pp_serve_conn_close(&conn);
    return NULL;
}

int cmd_serve(int argc, char **argv) {
    serve_cfg c = {0};
    int next, parsed = pp_opts_parse(&CLI_SERVE_SPEC, &c, argc, argv, &next);
    if (parsed != PP_OPTS_RUN) return pp_opts_exit(parsed);
    if (next < argc) {
        fprintf(stderr, "pinpipe serve: unexpected argument '%s'\n", argv[next]);
        return 2;
    }
    char err[512];
    pp_serve_store_cfg store = {.dsn = c.dsn,
                                .brokers = c.brokers,
                                .topic = c.topic,
                                /* the kinds' topics as every component resolves them */
                                .geo_topic = pp_kind_topic(PP_KIND_GEO, c.geo_topic, c.topic),
                                .users_topic = pp_kind_topic(PP_KIND_USER, c.users_topic, c.topic),
                                .stream_group = c.stream_group,
                                .run_timeout_ms = c.run_timeout_s * 1000};
    if (pp_cql_config_from_env(&store.cql, err, sizeof err)) {
        fprintf(stderr, "pinpipe serve: %s\n", err);
        return 2;
    }
    store.cql.keyspace = c.keyspace;
    c.http.answers_bytes = (size_t)c.answers_mb << 20;
    store.cql.connect_timeout_ms = 2000;
    store.cql.request_timeout_ms = 5000;

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* every thread below inherits the mask */
    signal(SIGPIPE, SIG_IGN);

    pp_serve_engine *engine = pp_serve_engine_create(&store, (size_t)c.cache_mb << 20, c.max_rollup);
    refresher rf = {engine, &store, c.refresh_ms, 0};
    pthread_t refresh_thread;
    pthread_create(&refresh_thread, NULL, refresh_loop, &rf);
    pp_serve_http *http = NULL;
    int rc = 0;
    if (pp_serve_http_start(&http, &c.http, engine, err, sizeof err)) {
        fprintf(stderr, "pinpipe serve: %s\n", err);
        rc = 1;
    } else {
        PP_INFO("serve", "listening on http://%s:%d/ (keyspace %s, topic %s)", c.http.address, pp_serve_http_port(http),
                c.keyspace, c.topic);
        int sig = 0;
        sigwait(&stop, &sig);
        PP_INFO("serve", "%s received: draining", sig == SIGINT ? "SIGINT" : "SIGTERM");
        pp_serve_http_stop(http);
    }
    rf.stop = 1;
    pthread_join(refresh_thread, NULL);
    pp_serve_engine_destroy(engine);
    return rc;
}
