/* pinpipe batch — the batch job: lake(day) -> clean -> Cassandra, per day. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "batch/batch.h"
#include "batch/batch_days.h"
#include "batch/batch_schema.h"
#include "cli/cli_io.h"
#include "cli/cli_secret.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/log.h"
#include "metrics/metrics.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: pinpipe batch (--date DAY | --from DAY --to DAY) [options]\n"
            "\n"
            "Recomputes days from the raw lake into Cassandra. For each day (YYYY-MM-DD, UTC\n"
            "event day) it reads every lake object under PREFIXdt=DAY/ (gunzipping .gz),\n"
            "drops records stored twice (same topic, partition, offset), cleans the rest in\n"
            "Kafka order with the shared engine, keeps the first occurrence of each\n"
            "(event day, unique_id), and REPLACES the day in Cassandra: pins, rejects (with\n"
            "their reasons; unreadable lake lines as lake_corrupt_line) and metrics. A re-run\n"
            "gives identical tables. Each run of a day is recorded in batch_runs. Creates the\n"
            "keyspace and tables when missing (--print-schema shows them; docs/batch.md).\n"
            "Days are independent: machines can split a range, each with its own --from/--to.\n"
            "\n"
            "options (environment variable and default in brackets):\n"
            "  --date DAY            one day (same as --from DAY --to DAY)\n"
            "  --from DAY, --to DAY  a range of days, both included (at most %d)\n"
            "  --metric NAME         recompute only this metric over the range (back-fill of a\n"
            "                        new metric): replaces only its rows, leaves pins, rejects\n"
            "                        and other metrics as they are\n"
            "  --bucket NAME         lake bucket [PINPIPE_S3_BUCKET] (pinpipe-lake)\n"
            "  --prefix P            lake key prefix [PINPIPE_LAKE_PREFIX] (raw/)\n"
            "  --keyspace K          Cassandra keyspace [PINPIPE_CASSANDRA_KEYSPACE] (pinpipe)\n"
            "  --replication-factor N  SimpleStrategy replication of a keyspace the batch\n"
            "                        creates [PINPIPE_BATCH_REPLICATION_FACTOR] (1); an existing\n"
            "                        keyspace is used as it is\n"
            "  --host H, --port P    Cassandra node [PINPIPE_CASSANDRA_HOST, _PORT] (127.0.0.1:19042)\n"
            "  --user U              [PINPIPE_CASSANDRA_USER] (cassandra)\n"
            "  --password-file F     Cassandra password: the content of F (mode 0600)\n"
            "                        [PINPIPE_CASSANDRA_PASSWORD holds the password] (cassandra)\n"
            "  --concurrency N       Cassandra requests in flight [PINPIPE_BATCH_CONCURRENCY] (128)\n"
            "  --group-rows N        rows per single-partition UNLOGGED batch\n"
            "                        [PINPIPE_BATCH_GROUP_ROWS] (16; 1: one INSERT per request);\n"
            "                        groups are also bounded in bytes by the node's\n"
            "                        max_mutation_size and batch_size_fail_threshold, read\n"
            "                        at the start (docs/batch.md \"Byte limits\")\n"
            "  --brokers LIST        Kafka, for the lake coverage [PINPIPE_KAFKA_BROKERS]\n"
            "                        (127.0.0.1:19092)\n"
            "  --topic NAME          topic of the coverage [PINPIPE_TOPIC] (pins)\n"
            "  --lake-group NAME     the lake writer's consumer group [PINPIPE_LAKE_GROUP]\n"
            "                        (pinpipe-lake): its committed offsets at the start are\n"
            "                        recorded as the run's lake coverage (read without joining)\n"
            "  --no-coverage         do not ask Kafka (coverage recorded as {\"source\":\"none\"})\n"
            "  --max-line BYTES      longest lake line [PINPIPE_BATCH_MAX_LINE] (16777216)\n"
            "  --print-schema        print the CQL of the keyspace and tables, and exit\n"
            "  -h, --help            this text\n"
            "\n"
            "S3 endpoint and credentials: PINPIPE_S3_ENDPOINT, _REGION, _ACCESS_KEY, _SECRET_KEY.\n"
            "Output: one line per day on stdout, `batch day=D status=done records=N ...`.\n"
            "exit status: 0 every day done, 1 a day failed (a service down, an object\n"
            "unreadable: the message names it; earlier days are done), 2 bad usage\n",
            PP_BATCH_MAX_DAYS);
}

int cmd_batch(int argc, char **argv) {
    static const struct option OPTS[] = {
        {"date", required_argument, 0, 'd'},     {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'},       {"metric", required_argument, 0, 'm'},
        {"bucket", required_argument, 0, 'B'},   {"prefix", required_argument, 0, 'P'},
        {"keyspace", required_argument, 0, 'k'}, {"replication-factor", required_argument, 0, 'r'},
        {"host", required_argument, 0, 'H'},     {"port", required_argument, 0, 'p'},
        {"user", required_argument, 0, 'u'},     {"password", required_argument, 0, 'w'},
        {"password-file", required_argument, 0, 'W'},
        {"concurrency", required_argument, 0, 'c'}, {"group-rows", required_argument, 0, 'g'},
        {"brokers", required_argument, 0, 'b'},  {"topic", required_argument, 0, 'T'},
        {"lake-group", required_argument, 0, 'G'}, {"no-coverage", no_argument, 0, 'N'},
        {"max-line", required_argument, 0, 'L'}, {"print-schema", no_argument, 0, 'S'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    pp_batch_opts o;
    pp_batch_opts_default(&o);
    const char *date = NULL;
    int print_schema = 0;
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", OPTS, NULL)) != -1) {
        switch (c) {
        case 'd': date = optarg; break;
        case 'f': o.from = optarg; break;
        case 't': o.to = optarg; break;
        case 'm': o.metric = optarg; break;
        case 'B': o.bucket = optarg; break;
        case 'P': o.prefix = optarg; break;
        case 'k': o.keyspace = optarg; break;
        case 'H': o.cass_host = optarg; break;
        case 'u': o.cass_user = optarg; break;
        case 'w':
            return cli_secret_on_argv("batch", "password",
                                      "--password-file FILE (mode 0600) or PINPIPE_CASSANDRA_PASSWORD");
        case 'W': {
            static char *password; /* lives until exit: o points into it */
            if (cli_secret_file("batch", "password-file", optarg, &password)) return 2;
            o.cass_password = password;
            break;
        }
        case 'b': o.brokers = optarg; break;
        case 'T': o.topic = optarg; break;
        case 'G': o.lake_group = optarg; break;
        case 'N': o.coverage = 0; break;
        case 'S': print_schema = 1; break;
        case 'h': usage(stdout); return 0;
        case 'r': case 'p': case 'c': case 'g': case 'L': {
            long max = c == 'p' ? 65535 : c == 'c' ? 1024 : c == 'g' ? 1000 : c == 'r' ? 100 : 1L << 30;
            if (pp_parse_long(optarg, 1, max, &v)) {
                fprintf(stderr, "pinpipe batch: %s: a number in 1..%ld, not '%s'\n", argv[optind - 1], max, optarg);
                return 2;
            }
            if (c == 'r') o.replication_factor = (int)v;
            if (c == 'p') o.cass_port = (int)v;
            if (c == 'c') o.concurrency = (int)v;
            if (c == 'g') o.group_rows = (int)v;
            if (c == 'L') o.max_line = v;
            break;
        }
        default: usage(stderr); return 2;
        }
    }
    if (print_schema) {
        if (!pp_batch_keyspace_valid(o.keyspace)) {
            fprintf(stderr, "pinpipe batch: keyspace '%s': letters, digits or '_'\n", o.keyspace);
            return 2;
        }
        pp_batch_schema_print(stdout, o.keyspace, o.replication_factor);
        return 0;
    }
    if (optind < argc) {
        fprintf(stderr, "pinpipe batch: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (date && (o.from || o.to)) {
        fprintf(stderr, "pinpipe batch: --date or --from/--to, not both\n");
        return 2;
    }
    if (o.metric && pp_metric_find(o.metric) < 0) {
        fprintf(stderr, "pinpipe batch: --metric: no metric named '%s'; the metrics are:", o.metric);
        for (int i = 0; i < PP_M_COUNT; i++) fprintf(stderr, " %s", PP_METRICS[i].name);
        fprintf(stderr, " (docs/metrics.md)\n");
        return 2;
    }
    if (date) o.from = o.to = date;
    if (!o.from || !o.to) {
        fprintf(stderr, "pinpipe batch: say which days: --date DAY, or --from DAY --to DAY\n\n");
        usage(stderr);
        return 2;
    }
    if (!pp_batch_day_valid(o.from) || !pp_batch_day_valid(o.to)) {
        fprintf(stderr, "pinpipe batch: not a day (YYYY-MM-DD): '%s'\n", pp_batch_day_valid(o.from) ? o.to : o.from);
        return 2;
    }
    pp_cli_catch_stop_signals();
    char err[1024];
    if (pp_batch_run(&o, stdout, &pp_cli_stop, err, sizeof err) != 0) {
        PP_ERROR("batch", "%s", err);
        return 1;
    }
    return 0;
}
