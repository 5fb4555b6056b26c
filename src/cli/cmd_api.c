/* pinpipe api — the ingest HTTP API: POST /pin/, /geo/, /user/ -> Kafka (one topic
 * per kind), answered after the ack. */
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_server.h"
#include "cli/cli_opts.h"
#include "cli/commands.h"
#include "cli/cli_secret.h"
#include "common/options.h"
#include "common/error.h"
#include "common/log.h"
#include "kafka/kafka_conf.h"

typedef struct {
    pp_api_opts o;
    pp_kafka_conf kc; /* brokers, topic and -X go here */
} api_cfg;

/* Kafka settings: into the command's kafka configuration. */
static int kc_brokers(const pp_opt *opt, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)opt, (void)from;
    return pp_kafka_conf_set_brokers(&((api_cfg *)cfg)->kc, val, err, errlen);
}
static int kc_topic(const pp_opt *opt, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)opt, (void)from;
    return pp_kafka_conf_set_topic(&((api_cfg *)cfg)->kc, val, err, errlen);
}
static int kc_prop(const pp_opt *opt, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)opt, (void)from;
    return pp_kafka_conf_add_prop(&((api_cfg *)cfg)->kc, val, err, errlen);
}

#define F(x) offsetof(api_cfg, o.x)
static const pp_opt ROWS[] = {
    {"address", 0, "ADDR", "PINPIPE_API_ADDRESS", PP_API_DEFAULT_ADDRESS, pp_opt_str, F(address), 0, 0, 0,
     "IPv4/IPv6 address to listen on"},
    {"port", 0, "N", "PINPIPE_API_PORT", PP_STR(PP_API_DEFAULT_PORT), pp_opt_long, F(port), 0, 65535, 0,
     "TCP port, 0 = any free one"},
    {"brokers", 0, "LIST", "PINPIPE_KAFKA_BROKERS", PP_KAFKA_DEFAULT_BROKERS, kc_brokers, 0, 0, 0, PP_OPT_ELSEWHERE,
     "Kafka bootstrap servers"},
    {"topic", 0, "NAME", "PINPIPE_TOPIC", NULL, kc_topic, 0, 0, 0, 0,
     "Kafka topic of POST /pin/ (default " PP_KAFKA_DEFAULT_TOPIC "; PINPIPE_KAFKA_TOPIC too)"},
    {"geo-topic", 0, "NAME", "PINPIPE_GEO_TOPIC", NULL, pp_opt_str, F(geo_topic), 0, 0, 0,
     "Kafka topic of POST /geo/, keyed by ind (default: geo when the pins topic is pins, else none; "
     "none or \"\": POST /geo/ answers 404)"},
    {"users-topic", 0, "NAME", "PINPIPE_USERS_TOPIC", NULL, pp_opt_str, F(users_topic), 0, 0, 0,
     "Kafka topic of POST /user/, keyed by ind (default: users when the pins topic is pins, else none; "
     "none or \"\": POST /user/ answers 404)"},
    {NULL, 'X', "KEY=VALUE", "PINPIPE_KAFKA_PROPS", NULL, kc_prop, 0, 0, 0, PP_OPT_ELSEWHERE,
     "extra librdkafka producer property (repeatable); the variable: ';'-separated"},
    {"max-body", 0, "BYTES", "PINPIPE_API_MAX_BODY", "1048576", pp_opt_long, F(max_body), 1, 1L << 30, 0,
     "largest accepted body; larger: 413. The producer's message.max.bytes follows (2 x BYTES + 4096: body, key, "
     "headers); Kafka topics must hold it (docs/api.md, Sizes)"},
    {"produce-timeout-ms", 0, "MS", "PINPIPE_API_PRODUCE_TIMEOUT_MS", PP_STR(PP_API_DEFAULT_PRODUCE_TIMEOUT_MS),
     pp_opt_long, F(produce_timeout_ms), 1, 3600000, 0, "longest wait for Kafka's ack before answering 503"},
    {"threads", 0, "N", "PINPIPE_API_THREADS", NULL, pp_opt_long, F(threads), 1, 256, 0,
     "HTTP event-loop threads (default: CPUs, at most 8)"},
    {"connection-timeout", 0, "S", "PINPIPE_API_CONNECTION_TIMEOUT", PP_STR(PP_API_DEFAULT_CONNECTION_TIMEOUT_S),
     pp_opt_long, F(connection_timeout_s), 1, 86400, 0, "close a connection idle (or a client stalled) for S seconds"},
    {"request-timeout", 0, "S", "PINPIPE_API_REQUEST_TIMEOUT", PP_STR(PP_API_DEFAULT_REQUEST_TIMEOUT_S), pp_opt_long,
     F(request_timeout_s), 1, 86400, 0,
     "a whole request (line, headers, body) must arrive within S seconds of the connection being ready for it, "
     "else 408 and close: a client trickling bytes cannot hold a connection"},
    {"max-connections", 0, "N", "PINPIPE_API_MAX_CONNECTIONS", PP_STR(PP_API_DEFAULT_MAX_CONNECTIONS), pp_opt_long,
     F(max_connections), 1, 1000000, 0, "concurrent connections; a new one over N is closed at once"},
    {"max-connections-per-ip", 0, "N", "PINPIPE_API_MAX_CONNECTIONS_PER_IP",
     PP_STR(PP_API_DEFAULT_MAX_CONNECTIONS_PER_IP), pp_opt_long, F(max_connections_per_ip), 0, 1000000, 0,
     "concurrent connections from one client address; over it a new one is closed at once; 0 = no limit (use 0 "
     "behind a load balancer: every client then has its address)"},
    {"linger-ms", 0, "MS", "PINPIPE_API_LINGER_MS", PP_STR(PP_API_DEFAULT_LINGER_MS), pp_opt_long, F(linger_ms), 0,
     60000, 0,
     "producer linger.ms: wait this long to fill a batch; 0 sends at once, batching what queues up "
     "meanwhile"},
    {"queue-max", 0, "N", "PINPIPE_API_QUEUE_MAX", PP_STR(PP_API_DEFAULT_QUEUE_MAX), pp_opt_long, F(queue_max), 1,
     10000000, 0, "producer queue, in messages; full: 503"},
    {"auth-token", 0, "TOKEN", NULL, NULL, pp_opt_refuse, 0, 0, 0, PP_OPT_HIDDEN,
     "--auth-token-file FILE (mode 0600) or PINPIPE_API_TOKEN"},
    {"auth-token-file", 0, "FILE", NULL, NULL, cli_opt_secret_file, F(auth_token), 0, 0, 0,
     "require `Authorization: Bearer TOKEN` on POST /pin/, /geo/ and /user/, TOKEN the content of FILE (mode 0600: a "
     "file others "
     "may read is refused) (default: no auth). No flag takes the token itself: argv is visible to every user in "
     "ps"},
    {NULL, 0, NULL, "PINPIPE_API_TOKEN", NULL, pp_opt_str, F(auth_token), 0, 0, 0,
     "the token itself, instead of --auth-token-file"},
    CLI_ROW_HELP,
};
#undef F

static const char HEAD[] = "usage: pinpipe api [options]\n"
                           "\n"
                           "Serves the ingest HTTP API (HTTP/1.1). POST /pin/ takes one event (the seeds' Data\n"
                           "model, JSON), POST /geo/ one geolocation, POST /user/ one user (docs/joins.md);\n"
                           "each is validated, produced to its kind's topic (idempotent, acks=all) and\n"
                           "answered 200 with the item echoed back only once Kafka has acknowledged it; 503 with\n"
                           "Retry-After when Kafka cannot take it in time. Also: GET /healthz, GET /metrics\n"
                           "(Prometheus). SIGTERM/SIGINT: stop accepting, finish requests in flight, flush,\n"
                           "exit 0. Details: docs/api.md.\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "\n"
                           "exit status: 0 stopped cleanly, 1 runtime error (could not listen, flush failed),\n"
                           "2 bad usage\n";
const pp_opts_spec CLI_API_SPEC = PP_OPTS_SPEC("api", ROWS, HEAD, TAIL);

/* Does kc already set librdkafka property `key` (from PINPIPE_KAFKA_PROPS)? */
static int has_prop(const pp_kafka_conf *kc, const char *key) {
    size_t n = strlen(key);
    for (size_t i = 0; i < kc->nprops; i++)
        if (!strncmp(kc->props[i], key, n) && kc->props[i][n] == '=') return 1;
    return 0;
}

int cmd_api(int argc, char **argv) {
    api_cfg cfg;
    pp_api_opts *o = &cfg.o;
    pp_kafka_conf *kc = &cfg.kc;
    char err[512];
    pp_api_server *srv = NULL;
    int rc = 2, next;

    pp_api_opts_init(o);
    if (pp_kafka_conf_init(kc, err, sizeof err) != PP_OK) {
        fprintf(stderr, "pinpipe api: %s\n", err);
        pp_kafka_conf_free(kc);
        return 2;
    }
    /* The API's own librdkafka default, below PINPIPE_KAFKA_PROPS and -X: after a
     * broker outage, reconnect within a second (librdkafka backs off up to 10 s),
     * so acknowledgements resume as soon as Kafka is back. */
    if (!has_prop(kc, "reconnect.backoff.max.ms") &&
        pp_kafka_conf_add_prop(kc, "reconnect.backoff.max.ms=1000", err, sizeof err) != PP_OK)
        goto usage_err;
    int parsed = pp_opts_parse(&CLI_API_SPEC, &cfg, argc, argv, &next);
    if (parsed != PP_OPTS_RUN) {
        rc = pp_opts_exit(parsed);
        goto out;
    }
    if (next < argc) {
        fprintf(stderr, "pinpipe api: unexpected argument '%s'\n", argv[next]);
        goto out;
    }
    if (pp_api_opts_check(o, err, sizeof err) != PP_OK) goto usage_err;

    /* Signals: blocked in every thread (the ones started below inherit the mask) and
     * taken synchronously here with sigwait. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (pp_api_server_create(&srv, o, kc, err, sizeof err) != PP_OK) {
        fprintf(stderr, "pinpipe api: %s\n", err);
        rc = 1;
        goto out;
    }
    int sig = 0;
    sigwait(&stop, &sig);
    PP_INFO("api", "%s received", sig == SIGINT ? "SIGINT" : "SIGTERM");
    rc = pp_api_server_shutdown(srv, err, sizeof err) == PP_OK ? 0 : 1;
    if (rc) fprintf(stderr, "pinpipe api: %s\n", err);
    pp_api_server_destroy(srv);
    goto out;

usage_err:
    fprintf(stderr, "pinpipe api: %s\n", err);
    rc = 2;
out:
    pp_kafka_conf_free(kc);
    return rc;
}
