/* pinpipe stream — the stream job: Kafka → clean → PostgreSQL, exactly once. */
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_io.h"
#include "cli/cli_opts.h"
#include "cli/cli_secret.h"
#include "cli/commands.h"
#include "common/health.h"
#include "common/options.h"
#include "event/kind.h"
#include "kafka/kafka_conf.h"
#include "pg/pg_conn.h"
#include "common/log.h"
#include "stream/stream.h"
#include "stream/stream_sink.h"

typedef struct {
    pp_stream_opts o;
} stream_cfg;

#define F(x) offsetof(stream_cfg, o.x)
static const pp_opt ROWS[] = {
    CLI_ROWS_CONSUMER(stream_cfg, "PINPIPE_STREAM", "pinpipe-stream", "instance"),
    /* no default in the table: an empty variable must turn the kind off, and the
     * table's parser ignores empty variables (see side_topic) */
    {"geo-topic", 0, "NAME", "PINPIPE_GEO_TOPIC", NULL, pp_opt_str, F(geo_topic), 0, 0, 0,
     "topic of geo events (default: geo when --topic is pins, else none; empty: none)"},
    {"users-topic", 0, "NAME", "PINPIPE_USERS_TOPIC", NULL, pp_opt_str, F(users_topic), 0, 0, 0,
     "topic of user events (default: users when --topic is pins, else none; empty: none)"},
    {"dsn", 0, "DSN", "PINPIPE_PG_DSN", NULL, cli_opt_dsn, F(dsn), 0, 0, 0,
     "PostgreSQL (default " PP_PG_DEFAULT_DSN "); a password in --dsn is refused (ps shows it): put it in "
     "PINPIPE_PG_DSN, PGPASSWORD or a 0600 PGPASSFILE"},
    {"batch-max", 0, "N", "PINPIPE_STREAM_BATCH_MAX", "5000", pp_opt_int, F(batch_max), 1, INT_MAX, 0,
     "messages per micro-batch"},
    {"batch-ms", 0, "MS", "PINPIPE_STREAM_BATCH_MS", "50", pp_opt_int, F(batch_ms), 1, INT_MAX, 0,
     "longest wait to fill a micro-batch"},
    {"join-locks-max", 0, "N", "PINPIPE_STREAM_JOIN_LOCKS_MAX", PP_STR(PP_STREAM_JOIN_LOCKS_MAX), pp_opt_int,
     F(join_locks_max), 1, INT_MAX, 0,
     "posts a micro-batch locks one by one at most; more: it locks the whole join until it commits (each lock "
     "takes a slot of PostgreSQL's lock table, max_locks_per_transaction x max_connections for all sessions)"},
    {"metrics-port", 0, "PORT", "PINPIPE_STREAM_METRICS_PORT", "0", pp_opt_int, F(stats_port), 0, 65535, 0,
     "serve GET /metrics (Prometheus) on 127.0.0.1:PORT (0: off); also GET /healthz"},
    {"stall-ms", 0, "MS", "PINPIPE_STREAM_STALL_MS", PP_STR(PP_HEALTH_DEFAULT_STALL_MS), pp_opt_long, F(stall_ms), 1,
     INT_MAX, 0, "/healthz answers 503 \"stalled\" when no batch was stored for MS while records wait"},
    {"max-messages", 0, "N", NULL, NULL, pp_opt_long, F(max_messages), 0, INT_MAX, 0, "stop after N messages (tests)"},
    {"exit-when-idle", 0, "MS", NULL, NULL, pp_opt_int, F(exit_when_idle_ms), 0, INT_MAX, 0,
     "stop after MS without messages (tests, benchmarks)"},
    CLI_ROW_HELP,
};
#undef F

static const char HEAD[] = "usage: pinpipe stream [options]\n"
                           "\n"
                           "Consumes the pins, geo and users topics in one group, cleans every event with the\n"
                           "shared engine and stores each micro-batch in ONE PostgreSQL transaction: cleaned\n"
                           "pins (first occurrence per (event day, unique_id)), geo and user rows (first per\n"
                           "(event day, ind)), the metric deltas of the new records and the change they make\n"
                           "to the join of each post they touch (docs/joins.md; posts locked, in key order),\n"
                           "rejects with their reason and Kafka coordinates, and the consumed offsets. It\n"
                           "resumes from the offsets stored in PostgreSQL, so it counts every event exactly\n"
                           "once through crashes and restarts. Creates or migrates its schema on start\n"
                           "(docs/stream.md). SIGTERM/SIGINT: finish the batch, store it, leave the group,\n"
                           "exit 0.\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "\n"
                           "exit status: 0 clean shutdown, 1 could not start, or an error that retrying cannot\n"
                           "mend (e.g. a table missing; a record PostgreSQL refuses is a reject, not an error),\n"
                           "2 bad usage\n";
const pp_opts_spec CLI_STREAM_SPEC = PP_OPTS_SPEC("stream", ROWS, HEAD, TAIL);

int cmd_stream(int argc, char **argv) {
    stream_cfg cfg;
    pp_stream_opts_default(&cfg.o);
    int next, rc = pp_opts_parse(&CLI_STREAM_SPEC, &cfg, argc, argv, &next);
    if (rc != PP_OPTS_RUN) return pp_opts_exit(rc);
    cfg.o.geo_topic = pp_kind_topic(PP_KIND_GEO, cfg.o.geo_topic, cfg.o.topic); /* NULL: off */
    cfg.o.users_topic = pp_kind_topic(PP_KIND_USER, cfg.o.users_topic, cfg.o.topic);
    pp_cli_catch_stop_signals();
    char err[512];
    if (pp_stream_run(&cfg.o, &pp_cli_stop, err, sizeof err) != 0) {
        PP_ERROR("stream", "%s", err);
        return 1;
    }
    return 0;
}
