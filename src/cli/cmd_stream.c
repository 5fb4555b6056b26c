/* pinpipe stream — the stream job: Kafka → clean → PostgreSQL, exactly once. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_io.h"
#include "cli/cli_secret.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/log.h"
#include "stream/stream.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: pinpipe stream [options]\n"
            "\n"
            "Consumes the pins topic, cleans every event with the shared engine and stores each\n"
            "micro-batch in ONE PostgreSQL transaction: cleaned pins (first occurrence per\n"
            "(event day, unique_id)), metric deltas of the new pins, rejects with their reason\n"
            "and Kafka coordinates, and the consumed offsets. It resumes from the offsets stored\n"
            "in PostgreSQL, so it counts every event exactly once through crashes and restarts.\n"
            "Creates or migrates its schema on start (docs/stream.md). SIGTERM/SIGINT: finish\n"
            "the batch, store it, leave the group, exit 0.\n"
            "\n"
            "options (environment variable in brackets):\n"
            "  --brokers LIST        Kafka bootstrap servers [PINPIPE_KAFKA_BROKERS] (127.0.0.1:19092)\n"
            "  --topic NAME          topic to consume [PINPIPE_TOPIC] (pins)\n"
            "  --group NAME          consumer group [PINPIPE_STREAM_GROUP] (pinpipe-stream)\n"
            "  --dsn DSN             PostgreSQL [PINPIPE_PG_DSN]\n"
            "                        (postgresql://pinpipe:pinpipe@127.0.0.1:15432/pinpipe);\n"
            "                        a password in --dsn is refused (ps shows it): put it in\n"
            "                        PINPIPE_PG_DSN, PGPASSWORD or a 0600 PGPASSFILE\n"
            "  --instance-id ID      static group membership (group.instance.id): a restarted\n"
            "                        instance with the same ID gets its partitions back at once\n"
            "                        [PINPIPE_STREAM_INSTANCE_ID] (none)\n"
            "  --session-timeout-ms MS  how soon the group notices a dead instance\n"
            "                        [PINPIPE_STREAM_SESSION_TIMEOUT_MS] (10000)\n"
            "  --batch-max N         messages per micro-batch [PINPIPE_STREAM_BATCH_MAX] (5000)\n"
            "  --batch-ms MS         longest wait to fill a micro-batch [PINPIPE_STREAM_BATCH_MS] (50)\n"
            "  --metrics-port PORT   serve GET /metrics (Prometheus) on 127.0.0.1:PORT\n"
            "                        [PINPIPE_STREAM_METRICS_PORT] (0: off); also GET /healthz\n"
            "  --stall-ms MS         /healthz answers 503 \"stalled\" when no batch was stored for\n"
            "                        MS while records wait [PINPIPE_STREAM_STALL_MS] (60000)\n"
            "  --max-messages N      stop after N messages (tests)\n"
            "  --exit-when-idle MS   stop after MS without messages (tests, benchmarks)\n"
            "  -h, --help            this text\n"
            "\n"
            "exit status: 0 clean shutdown, 1 could not start, or an error that retrying cannot\n"
            "mend (e.g. a table missing; a record PostgreSQL refuses is a reject, not an error),\n"
            "2 bad usage\n");
}

int cmd_stream(int argc, char **argv) {
    static const struct option OPTS[] = {
        {"brokers", required_argument, 0, 'b'},      {"topic", required_argument, 0, 't'},
        {"group", required_argument, 0, 'g'},        {"dsn", required_argument, 0, 'd'},
        {"batch-max", required_argument, 0, 'n'},    {"batch-ms", required_argument, 0, 'w'},
        {"metrics-port", required_argument, 0, 'p'}, {"max-messages", required_argument, 0, 'M'},
        {"exit-when-idle", required_argument, 0, 'I'}, {"instance-id", required_argument, 0, 'i'},
        {"session-timeout-ms", required_argument, 0, 's'}, {"stall-ms", required_argument, 0, 'S'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    pp_stream_opts o;
    pp_stream_opts_default(&o);
    long v;
    int c;
    optind = 1;
    int idx = 0;
    while ((c = getopt_long(argc, argv, "h", OPTS, &idx)) != -1) {
        switch (c) {
        case 'b': o.brokers = optarg; break;
        case 't': o.topic = optarg; break;
        case 'g': o.group = optarg; break;
        case 'd':
            if (cli_dsn_flag_check("stream", "dsn", optarg)) return 2;
            o.dsn = optarg;
            break;
        case 'i': o.instance_id = optarg; break;
        case 'h': usage(stdout); return 0;
        case 'n': case 'w': case 'p': case 'M': case 'I': case 's': case 'S':
            long min = c == 'p' || c == 'M' || c == 'I' ? 0 : 1, max = c == 'p' ? 65535 : 0x7fffffffL;
            if (pp_parse_long(optarg, min, max, &v)) {
                fprintf(stderr, "pinpipe stream: --%s: a number in %ld..%ld, not '%s'\n", OPTS[idx].name, min, max,
                        optarg);
                return 2;
            }
            if (c == 'n') o.batch_max = (int)v;
            if (c == 'w') o.batch_ms = (int)v;
            if (c == 'p') o.stats_port = (int)v;
            if (c == 'M') o.max_messages = v;
            if (c == 'I') o.exit_when_idle_ms = (int)v;
            if (c == 's') o.session_timeout_ms = (int)v;
            if (c == 'S') o.stall_ms = v;
            break;
        default: usage(stderr); return 2;
        }
    }
    pp_cli_catch_stop_signals();
    char err[512];
    if (pp_stream_run(&o, &pp_cli_stop, err, sizeof err) != 0) {
        PP_ERROR("stream", "%s", err);
        return 1;
    }
    return 0;
}
