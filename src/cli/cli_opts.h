/* cli_opts — option parsers and rows (common/options.h) that several commands share. */
#ifndef PINPIPE_CLI_OPTS_H
#define PINPIPE_CLI_OPTS_H

#include <limits.h>
#include <stddef.h>

#include "cli/cli_secret.h"
#include "common/options.h"
#include "cql/cql_session.h"
#include "kafka/kafka_conf.h"

/* An event time ('YYYY-MM-DD HH:MM:SS' or ISO-8601) into an int64_t field (ms). */
int cli_opt_time(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);

/* The rows of the offline commands (clean, metrics) and of produce: a long field
 * `max_line`, an int64_t field `ingest_time` (the caller starts it at -1). */
#define CLI_ROW_MAX_LINE(type)                                                                                        \
    {                                                                                                                 \
        "max-line", 0, "BYTES", "PINPIPE_MAX_LINE", "1048576", pp_opt_long, offsetof(type, max_line), 1, 1L << 30, 0, \
            "longest accepted line; longer ones are rejected as too_large"                                            \
    }
#define CLI_ROW_INGEST_TIME(type, help) \
    { "ingest-time", 0, "TIME", NULL, NULL, cli_opt_time, offsetof(type, ingest_time), 0, 0, 0, (help) }
/* Kafka: the bootstrap servers and the topic, const char * fields at offsets. */
#define CLI_ROW_BROKERS(off, help) \
    { "brokers", 0, "LIST", "PINPIPE_KAFKA_BROKERS", PP_KAFKA_DEFAULT_BROKERS, pp_opt_str, (off), 0, 0, 0, (help) }
/* Where a job (batch, parity) leaves its outcome for node_exporter's textfile collector
 * (docs/monitoring.md); unset: nowhere. */
#define CLI_ROW_TEXTFILE_DIR(off)                                                                                  \
    {                                                                                                              \
        "metrics-textfile-dir", 0, "DIR", "PINPIPE_METRICS_TEXTFILE_DIR", NULL, pp_opt_str, (off), 0, 0, 0,        \
            "write this run's outcome as a Prometheus text file in DIR (node_exporter's textfile collector reads " \
            "it; docs/monitoring.md)"                                                                              \
    }
#define CLI_ROW_TOPIC(off, help) \
    { "topic", 0, "NAME", "PINPIPE_TOPIC", PP_KAFKA_DEFAULT_TOPIC, pp_opt_str, (off), 0, 0, 0, (help) }

/* A consumer group member (lake, stream): --brokers, --topic, --group, --instance-id
 * and --session-timeout-ms into the fields o.brokers, o.topic, o.group, o.instance_id,
 * o.session_timeout_ms of `type`; the member's own variables are ENV_GROUP,
 * ENV_INSTANCE_ID and ENV_SESSION_TIMEOUT_MS. */
#define CLI_ROWS_CONSUMER(type, env, group_default, member)                                                  \
    CLI_ROW_BROKERS(offsetof(type, o.brokers), "Kafka bootstrap servers"),                                   \
        CLI_ROW_TOPIC(offsetof(type, o.topic), "topic to consume"),                                          \
        {"group", 0, "NAME", env "_GROUP",    (group_default), pp_opt_str, offsetof(type, o.group),          \
         0,       0, 0,      "consumer group"},                                                              \
        {"instance-id",                                                                                      \
         0,                                                                                                  \
         "ID",                                                                                               \
         env "_INSTANCE_ID",                                                                                 \
         NULL,                                                                                               \
         pp_opt_str,                                                                                         \
         offsetof(type, o.instance_id),                                                                      \
         0,                                                                                                  \
         0,                                                                                                  \
         0,                                                                                                  \
         "static group membership (group.instance.id): a restarted " member " with the same ID gets its "    \
         "partitions back at once (default: none)"},                                                         \
    {                                                                                                        \
        "session-timeout-ms", 0, "MS", env "_SESSION_TIMEOUT_MS", "10000", pp_opt_int,                       \
            offsetof(type, o.session_timeout_ms), 1, INT_MAX, 0, "how soon the group notices a dead " member \
    }

/* The Cassandra node and credentials (batch, cql): fields at the offsets given, whose
 * defaults and variables the CQL client applies (cql_session.h); no flag takes the
 * password itself. */
#define CLI_ROWS_CASSANDRA(host_off, port_off, user_off, password_off)                                          \
    {"host",     0, "H", "PINPIPE_CASSANDRA_HOST", "127.0.0.1",     pp_opt_str,                                 \
     (host_off), 0, 0,   PP_OPT_ELSEWHERE,         "Cassandra node"},                                           \
        {"port",     0, "P",   "PINPIPE_CASSANDRA_PORT", PP_STR(PP_CQL_DEFAULT_PORT),     pp_opt_int,           \
         (port_off), 1, 65535, PP_OPT_ELSEWHERE,         "Cassandra native protocol port"},                     \
        {"user",                                                                                                \
         0,                                                                                                     \
         "U",                                                                                                   \
         "PINPIPE_CASSANDRA_USER",                                                                              \
         "cassandra",                                                                                           \
         pp_opt_str,                                                                                            \
         (user_off),                                                                                            \
         0,                                                                                                     \
         0,                                                                                                     \
         PP_OPT_ELSEWHERE,                                                                                      \
         "Cassandra user; '' sends no credentials"},                                                            \
        {"password",                                                                                            \
         0,                                                                                                     \
         "P",                                                                                                   \
         NULL,                                                                                                  \
         NULL,                                                                                                  \
         pp_opt_refuse,                                                                                         \
         0,                                                                                                     \
         0,                                                                                                     \
         0,                                                                                                     \
         PP_OPT_HIDDEN,                                                                                         \
         "--password-file FILE (mode 0600) or PINPIPE_CASSANDRA_PASSWORD"},                                     \
    {                                                                                                           \
        "password-file", 0, "F", NULL, NULL, cli_opt_secret_file, (password_off), 0, 0, 0,                      \
            "Cassandra password: the content of F (mode 0600) [PINPIPE_CASSANDRA_PASSWORD holds the password] " \
            "(default cassandra)"                                                                               \
    }

#define CLI_ROW_HELP \
    { "help", 'h', NULL, NULL, NULL, NULL, 0, 0, 0, PP_OPT_HELP, "this text" }

#endif
