/* pinpipe api — the ingest HTTP API: POST /pin/ -> Kafka, answered after the ack. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_server.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/error.h"
#include "common/log.h"
#include "common/secret.h"
#include "kafka/kafka_conf.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: pinpipe api [options]\n"
            "\n"
            "Serves the ingest HTTP API (HTTP/1.1). POST /pin/ takes one event (the seeds' Data\n"
            "model, JSON), validates it, produces it to Kafka (idempotent, acks=all) and\n"
            "answers 200 with the item echoed back only once Kafka has acknowledged it; 503 with\n"
            "Retry-After when Kafka cannot take it in time. Also: GET /healthz, GET /metrics\n"
            "(Prometheus). SIGTERM/SIGINT: stop accepting, finish requests in flight, flush,\n"
            "exit 0. Details: docs/api.md.\n"
            "\n"
            "options (environment variable in brackets; flags win):\n"
            "  --address ADDR            IPv4/IPv6 address to listen on (default 127.0.0.1)\n"
            "                            [PINPIPE_API_ADDRESS]\n"
            "  --port N                  TCP port, 0 = any free one (default 8000) [PINPIPE_API_PORT]\n"
            "  --brokers LIST            Kafka bootstrap servers (default 127.0.0.1:19092)\n"
            "                            [PINPIPE_KAFKA_BROKERS]\n"
            "  --topic NAME              Kafka topic (default pins) [PINPIPE_TOPIC, PINPIPE_KAFKA_TOPIC]\n"
            "  -X KEY=VALUE              extra librdkafka producer property (repeatable)\n"
            "                            [PINPIPE_KAFKA_PROPS, ';'-separated]\n"
            "  --max-body BYTES          largest accepted body; larger: 413 (default 1048576).\n"
            "                            The producer's message.max.bytes follows (2 x BYTES +\n"
            "                            4096: body, key, headers); Kafka topics must hold it\n"
            "                            (docs/api.md, Sizes) [PINPIPE_API_MAX_BODY]\n"
            "  --produce-timeout-ms MS   longest wait for Kafka's ack before answering 503\n"
            "                            (default 5000) [PINPIPE_API_PRODUCE_TIMEOUT_MS]\n"
            "  --threads N               HTTP event-loop threads (default: CPUs, at most 8)\n"
            "                            [PINPIPE_API_THREADS]\n"
            "  --connection-timeout S    close a connection idle (or a client stalled) for S\n"
            "                            seconds (default 15) [PINPIPE_API_CONNECTION_TIMEOUT]\n"
            "  --request-timeout S       a whole request (line, headers, body) must arrive within\n"
            "                            S seconds of the connection being ready for it, else 408\n"
            "                            and close: a client trickling bytes cannot hold a\n"
            "                            connection (default 30) [PINPIPE_API_REQUEST_TIMEOUT]\n"
            "  --max-connections N       concurrent connections; a new one over N is closed at\n"
            "                            once (default 1024) [PINPIPE_API_MAX_CONNECTIONS]\n"
            "  --max-connections-per-ip N  concurrent connections from one client address; over\n"
            "                            it a new one is closed at once; 0 = no limit (use 0\n"
            "                            behind a load balancer: every client then has its\n"
            "                            address) (default 256) [PINPIPE_API_MAX_CONNECTIONS_PER_IP]\n"
            "  --linger-ms MS            producer linger.ms: wait this long to fill a batch; 0\n"
            "                            sends at once, batching what queues up meanwhile\n"
            "                            (default 0) [PINPIPE_API_LINGER_MS]\n"
            "  --queue-max N             producer queue, in messages; full: 503 (default 100000)\n"
            "                            [PINPIPE_API_QUEUE_MAX]\n"
            "  --auth-token-file FILE    require `Authorization: Bearer TOKEN` on POST /pin/,\n"
            "                            TOKEN the content of FILE (mode 0600: a file others\n"
            "                            may read is refused) [PINPIPE_API_TOKEN holds the token\n"
            "                            itself] (default: no auth). No flag takes the token\n"
            "                            itself: argv is visible to every user in ps\n"
            "  -h, --help                this text\n"
            "\n"
            "exit status: 0 stopped cleanly, 1 runtime error (could not listen, flush failed),\n"
            "2 bad usage\n");
}

static int bad(const char *opt, const char *val) {
    fprintf(stderr, "pinpipe api: --%s: bad value '%s'\n", opt, val);
    return 2;
}

/* Does kc already set librdkafka property `key` (from PINPIPE_KAFKA_PROPS)? */
static int has_prop(const pp_kafka_conf *kc, const char *key) {
    size_t n = strlen(key);
    for (size_t i = 0; i < kc->nprops; i++)
        if (!strncmp(kc->props[i], key, n) && kc->props[i][n] == '=') return 1;
    return 0;
}

int cmd_api(int argc, char **argv) {
    enum { O_ADDRESS = 256, O_PORT, O_BROKERS, O_TOPIC, O_MAX_BODY, O_PRODUCE_TIMEOUT, O_THREADS,
           O_CONN_TIMEOUT, O_MAX_CONN, O_MAX_CONN_IP, O_REQ_TIMEOUT, O_LINGER, O_QUEUE_MAX, O_TOKEN, O_TOKEN_FILE };
    static const struct option OPTS[] = {
        {"address", required_argument, 0, O_ADDRESS},
        {"port", required_argument, 0, O_PORT},
        {"brokers", required_argument, 0, O_BROKERS},
        {"topic", required_argument, 0, O_TOPIC},
        {"max-body", required_argument, 0, O_MAX_BODY},
        {"produce-timeout-ms", required_argument, 0, O_PRODUCE_TIMEOUT},
        {"threads", required_argument, 0, O_THREADS},
        {"connection-timeout", required_argument, 0, O_CONN_TIMEOUT},
        {"max-connections", required_argument, 0, O_MAX_CONN},
        {"max-connections-per-ip", required_argument, 0, O_MAX_CONN_IP},
        {"request-timeout", required_argument, 0, O_REQ_TIMEOUT},
        {"linger-ms", required_argument, 0, O_LINGER},
        {"queue-max", required_argument, 0, O_QUEUE_MAX},
        {"auth-token", required_argument, 0, O_TOKEN},
        {"auth-token-file", required_argument, 0, O_TOKEN_FILE},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    pp_api_opts o;
    pp_kafka_conf kc;
    char err[512];
    char *token_buf = NULL;
    pp_api_server *srv = NULL;
    int rc = 2, c;

    pp_api_opts_init(&o);
    if (pp_kafka_conf_init(&kc, err, sizeof err) != PP_OK) {
        fprintf(stderr, "pinpipe api: %s\n", err);
        pp_kafka_conf_free(&kc);
        return 2;
    }
    /* The API's own librdkafka default, below PINPIPE_KAFKA_PROPS and -X: after a
     * broker outage, reconnect within a second (librdkafka backs off up to 10 s),
     * so acknowledgements resume as soon as Kafka is back. */
    if (!has_prop(&kc, "reconnect.backoff.max.ms") &&
        pp_kafka_conf_add_prop(&kc, "reconnect.backoff.max.ms=1000", err, sizeof err) != PP_OK)
        goto usage_err;
    const char *topic_env = pp_env_str("PINPIPE_TOPIC", NULL);
    if (topic_env && pp_kafka_conf_set_topic(&kc, topic_env, err, sizeof err) != PP_OK) goto usage_err;

    optind = 1;
    while ((c = getopt_long(argc, argv, "hX:", OPTS, NULL)) != -1) {
        long *num = NULL;
        long lo = 0, hi = 0x7fffffffL;
        switch (c) {
        case O_ADDRESS: o.address = optarg; break;
        case O_PORT: num = &o.port; hi = 65535; break;
        case O_MAX_BODY: num = &o.max_body; lo = 1; hi = 1L << 30; break;
        case O_PRODUCE_TIMEOUT: num = &o.produce_timeout_ms; lo = 1; hi = 3600000; break;
        case O_THREADS: num = &o.threads; lo = 1; hi = 256; break;
        case O_CONN_TIMEOUT: num = &o.connection_timeout_s; lo = 1; hi = 86400; break;
        case O_MAX_CONN: num = &o.max_connections; lo = 1; hi = 1000000; break;
        case O_MAX_CONN_IP: num = &o.max_connections_per_ip; lo = 0; hi = 1000000; break;
        case O_REQ_TIMEOUT: num = &o.request_timeout_s; lo = 1; hi = 86400; break;
        case O_LINGER: num = &o.linger_ms; lo = 0; hi = 60000; break;
        case O_QUEUE_MAX: num = &o.queue_max; lo = 1; hi = 10000000; break;
        case O_BROKERS:
            if (pp_kafka_conf_set_brokers(&kc, optarg, err, sizeof err) != PP_OK) goto usage_err;
            break;
        case O_TOPIC:
            if (pp_kafka_conf_set_topic(&kc, optarg, err, sizeof err) != PP_OK) goto usage_err;
            break;
        case 'X':
            if (pp_kafka_conf_add_prop(&kc, optarg, err, sizeof err) != PP_OK) goto usage_err;
            break;
        case O_TOKEN:
            /* never echo optarg: it is the secret */
            fprintf(stderr, "pinpipe api: --auth-token is not accepted: a token on the command line "
                            "is visible to every user (ps); use --auth-token-file FILE (mode 0600) "
                            "or PINPIPE_API_TOKEN\n");
            goto out;
        case O_TOKEN_FILE:
            pp_secret_free(token_buf);
            token_buf = NULL;
            if (pp_secret_read_file(optarg, &token_buf, err, sizeof err) != PP_OK) {
                fprintf(stderr, "pinpipe api: --auth-token-file: %s\n", err);
                goto out;
            }
            o.auth_token = token_buf;
            break;
        case 'h':
            usage(stdout);
            rc = 0;
            goto out;
        default:
            usage(stderr);
            goto out;
        }
        if (num && pp_parse_long(optarg, lo, hi, num) != PP_OK) {
            const char *name = "?";
            for (size_t i = 0; OPTS[i].name; i++)
                if (OPTS[i].val == c) name = OPTS[i].name;
            rc = bad(name, optarg);
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pinpipe api: unexpected argument '%s'\n", argv[optind]);
        goto out;
    }
    if (pp_api_opts_check(&o, err, sizeof err) != PP_OK) goto usage_err;

    /* Signals: blocked in every thread (the ones started below inherit the mask) and
     * taken synchronously here with sigwait. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (pp_api_server_create(&srv, &o, &kc, err, sizeof err) != PP_OK) {
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
    pp_kafka_conf_free(&kc);
    pp_secret_free(token_buf);
    return rc;
}
