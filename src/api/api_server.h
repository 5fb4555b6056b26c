/* api_server — `pinpipe api`: the ingest HTTP API (libmicrohttpd) in front of the
 * Kafka producer.
 *
 * Routes:
 *   POST /pin/     ingest one pin (api_ingest.h) into the pins topic; other methods
 *                  405 (Allow: POST)
 *   POST /geo/     the same for a geo event (its topic, keyed by ind; docs/joins.md)
 *   POST /user/    the same for a user event; a kind without a topic (pp_kind_topic:
 *                  turned off, or not named beside a pins topic of its own) answers
 *                  its paths 404 with a JSON reason
 *   *    /pin      307 Temporary Redirect, Location: /pin/ (as FastAPI does); /geo
 *                  and /user likewise
 *   GET  /healthz  200 {"status":"ok","kafka":"reachable"} or 503
 *   GET  /metrics  Prometheus text (api_metrics.h)
 *   anything else  404 {"detail":"Not Found"}
 * With a token configured, every POST route needs `Authorization: Bearer <token>` (401 and
 * WWW-Authenticate: Bearer otherwise); /healthz and /metrics stay open.
 *
 * Threads: MHD runs a pool of `threads` epoll event loops; a request waiting for
 * Kafka is a suspended connection, not a blocked thread (see api_ingest.h).
 * Limits: body size (413; Kafka's limits are derived from it, kafka_limits.h),
 * connections in all and per client address (over them a new connection is closed at
 * once), a deadline for receiving each whole request (408; slow clients), idle
 * connections (MHD_OPTION_CONNECTION_TIMEOUT) — see http/http_guard.h.
 * Ambiguous framing (two different Content-Length, Content-Length with
 * Transfer-Encoding, two Content-Type) is answered 400 before any body is read.
 *
 * Shutdown (pp_api_server_shutdown): stop accepting (the listen socket is closed),
 * let requests in flight finish with `Connection: close` answers, then refuse new
 * ones on kept-alive connections (503 shutting_down), wait for every delivery report,
 * stop MHD, flush the producer.
 *
 * Config: defaults (pp_api_opts_init) < environment < flags, both from the option
 * table of src/cli/cmd_api.c.
 * Ownership: the server owns its producer, health probe, daemon and copies of every
 * option string; the pp_kafka_conf passed to create is only read during the call.
 */
#ifndef PINPIPE_API_SERVER_H
#define PINPIPE_API_SERVER_H

#include <stddef.h>

#include "kafka/kafka_conf.h"
#include "kafka/kafka_limits.h"

#define PP_API_DEFAULT_ADDRESS "127.0.0.1"
#define PP_API_DEFAULT_PORT 8000
#define PP_API_DEFAULT_MAX_BODY PP_EVENT_MAX_BYTES
#define PP_API_DEFAULT_PRODUCE_TIMEOUT_MS 5000
#define PP_API_DEFAULT_CONNECTION_TIMEOUT_S 15
#define PP_API_DEFAULT_MAX_CONNECTIONS 1024
#define PP_API_DEFAULT_MAX_CONNECTIONS_PER_IP 256
#define PP_API_DEFAULT_REQUEST_TIMEOUT_S 30
#define PP_API_DEFAULT_LINGER_MS 0
#define PP_API_DEFAULT_QUEUE_MAX 100000

typedef struct {
    const char *address;         /* IPv4 or IPv6 literal             PINPIPE_API_ADDRESS */
    long port;                   /* 0: any free port                 PINPIPE_API_PORT */
    long max_body;               /* bytes                            PINPIPE_API_MAX_BODY */
    long produce_timeout_ms;     /* delivery report deadline         PINPIPE_API_PRODUCE_TIMEOUT_MS */
    long threads;                /* MHD event loops; default: CPUs (at most 8)  PINPIPE_API_THREADS */
    long connection_timeout_s;   /* idle/slow client timeout         PINPIPE_API_CONNECTION_TIMEOUT */
    long max_connections;        /*                                  PINPIPE_API_MAX_CONNECTIONS */
    long max_connections_per_ip; /* 0: no limit                    PINPIPE_API_MAX_CONNECTIONS_PER_IP */
    long request_timeout_s;      /* whole request must arrive within PINPIPE_API_REQUEST_TIMEOUT */
    long linger_ms;              /* producer linger.ms               PINPIPE_API_LINGER_MS */
    long queue_max;              /* producer queue, messages         PINPIPE_API_QUEUE_MAX */
    long retry_after_s;          /* Retry-After of 503s (default 1) */
    long health_interval_ms;     /* Kafka probe period (default 1000) */
    const char *auth_token;      /* NULL: no auth                    PINPIPE_API_TOKEN */
    const char *geo_topic;       /* PINPIPE_GEO_TOPIC; NULL and "": as pp_kind_topic (kind.h) says */
    const char *users_topic;     /* PINPIPE_USERS_TOPIC; likewise */
} pp_api_opts;

/* The compiled-in defaults (PP_API_DEFAULT_*; threads: CPUs, at most 8). The
 * strings are literals; the command's option table may replace them with strings
 * of the environment or argv. */
void pp_api_opts_init(pp_api_opts *o);

/* Checks the ranges; PP_EINVAL naming the bad option. */
int pp_api_opts_check(const pp_api_opts *o, char *err, size_t errlen);

typedef struct pp_api_server pp_api_server;

/* Creates the producer and the health probe and starts listening. kc gives the
 * brokers, the pins topic and extra properties; o the geo and users topics. */
int pp_api_server_create(pp_api_server **out, const pp_api_opts *o, const pp_kafka_conf *kc, char *err, size_t errlen);

/* The port actually bound (useful with port 0). */
int pp_api_server_port(const pp_api_server *s);

/* Graceful stop as described above; bounded by about produce_timeout +
 * connection_timeout. PP_OK when every acknowledged event was flushed, else
 * PP_ETIMEOUT. Idempotent; destroy calls it if needed. */
int pp_api_server_shutdown(pp_api_server *s, char *err, size_t errlen);

void pp_api_server_destroy(pp_api_server *s);

#endif
