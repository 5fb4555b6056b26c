/* pinpipe lake — the lake writer: Kafka → S3 raw lake (docs/lake.md). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli_io.h"
#include "cli/cli_secret.h"
#include "cli/commands.h"
#include "common/config.h"
#include "common/error.h"
#include "common/log.h"
#include "kafka/kafka_conf.h"
#include "lake/lake.h"
#include "kafka/kafka_group.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: pinpipe lake [options]\n"
            "       pinpipe lake --print-committed [--brokers LIST] [--topic NAME] [--group NAME]\n"
            "\n"
            "Consumes the pins topic as a member of a consumer group and writes every raw\n"
            "record to the S3 lake, one object per (partition, event day) at a time:\n"
            "  PREFIXdt=YYYY-MM-DD/TOPIC-PPPP-OOOOOOOOOOOOOOOOOOOO.jsonl[.gz]\n"
            "(partition and first offset zero-padded), one JSON line per record with its topic,\n"
            "partition, offset, ingest time, key and the exact message value (\"raw\", or\n"
            "\"raw_base64\" when it is not UTF-8). The event day is the one the shared cleaning\n"
            "engine gives the event. An object is stored whole (one PUT) when it reaches\n"
            "--max-records or --max-bytes, or --max-age-ms after its first record; the group's\n"
            "offsets are committed only up to what is stored. S3 errors are retried with backoff\n"
            "until they pass. SIGTERM/SIGINT: store every open object, commit, leave the group,\n"
            "exit 0. Details: docs/lake.md.\n"
            "\n"
            "options (environment variable in brackets):\n"
            "  --brokers LIST        Kafka bootstrap servers [PINPIPE_KAFKA_BROKERS] (127.0.0.1:19092)\n"
            "  --topic NAME          topic to consume [PINPIPE_TOPIC] (pins)\n"
            "  --group NAME          consumer group [PINPIPE_LAKE_GROUP] (pinpipe-lake)\n"
            "  --instance-id ID      static group membership (group.instance.id): a restarted\n"
            "                        writer with the same ID gets its partitions back at once\n"
            "                        [PINPIPE_LAKE_INSTANCE_ID] (none)\n"
            "  --session-timeout-ms MS  how soon the group notices a dead writer\n"
            "                        [PINPIPE_LAKE_SESSION_TIMEOUT_MS] (10000)\n"
            "  --bucket NAME         S3 bucket, created if missing [PINPIPE_S3_BUCKET] (pinpipe-lake)\n"
            "  --prefix PREFIX       key prefix; '/' is added when missing [PINPIPE_LAKE_PREFIX] (raw/)\n"
            "  --endpoint URL        S3 endpoint, path-style [PINPIPE_S3_ENDPOINT] (http://127.0.0.1:19000)\n"
            "  --region NAME         S3 signing region [PINPIPE_S3_REGION] (us-east-1)\n"
            "  --access-key KEY      [PINPIPE_S3_ACCESS_KEY]\n"
            "  --secret-key-file F   S3 secret key: the content of F (mode 0600)\n"
            "                        [PINPIPE_S3_SECRET_KEY holds the key itself]\n"
            "  --gzip                write .jsonl.gz objects (zlib, one gzip member) [PINPIPE_LAKE_GZIP=1]\n"
            "  --max-records N       records per object [PINPIPE_LAKE_MAX_RECORDS] (50000)\n"
            "  --max-bytes N         bytes of JSON lines per object, before gzip, up to 1 GiB\n"
            "                        [PINPIPE_LAKE_MAX_BYTES] (67108864 = 64 MiB)\n"
            "  --max-age-ms MS       store an object at the latest MS after its first record, so a\n"
            "                        quiet partition still lands [PINPIPE_LAKE_MAX_AGE_MS] (10000)\n"
            "  --metrics-port PORT   serve GET /metrics (Prometheus) on 127.0.0.1:PORT\n"
            "                        [PINPIPE_LAKE_METRICS_PORT] (0: off); also GET /healthz\n"
            "  --stall-ms MS         /healthz answers 503 \"stalled\" when nothing was stored or\n"
            "                        consumed for MS while records wait [PINPIPE_LAKE_STALL_MS] (60000)\n"
            "  --max-messages N      store everything and stop after N records (tests, benchmarks)\n"
            "  --exit-when-idle MS   store everything and stop after MS without records, counted\n"
            "                        from the last record or partition assignment (tests). A dead\n"
            "                        member may hold partitions for --session-timeout-ms: restart\n"
            "                        with the same --instance-id, or wait longer than that\n"
            "  --print-committed     print the group's committed offsets of the topic, one line per\n"
            "                        partition: PARTITION OFFSET (- when none); does not join the\n"
            "                        group, so a running writer is not disturbed\n"
            "  -h, --help            this text\n"
            "Kafka client properties: PINPIPE_KAFKA_PROPS; S3 retries: PINPIPE_S3_MAX_ATTEMPTS and\n"
            "more (docs/clients-s3.md). PINPIPE_LOG_LEVEL=debug logs every stored object.\n"
            "\n"
            "exit status: 0 clean shutdown (everything stored and committed), 1 could not start,\n"
            "fatal Kafka error, a permanent S3 error (403, 400...: never retried) or objects left\n"
            "unstored at shutdown, 2 bad usage\n");
}

static int print_committed(const pp_lake_opts *o) {
    pp_kafka_conf kc;
    pp_kafka_committed *c = NULL;
    size_t n = 0;
    char err[512];
    int rc;
    memset(&kc, 0, sizeof kc);
    if ((rc = pp_kafka_conf_for(&kc, o->brokers, NULL, "pinpipe-lake-committed", err, sizeof err)) ||
        (rc = pp_kafka_group_committed(&kc, o->topic, o->group, 10000, &c, &n, err, sizeof err))) {
        fprintf(stderr, "pinpipe lake: %s\n", err);
        pp_kafka_conf_free(&kc);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (c[i].offset >= 0)
            printf("%d %lld\n", (int)c[i].partition, (long long)c[i].offset);
        else
            printf("%d -\n", (int)c[i].partition);
    }
    free(c);
    pp_kafka_conf_free(&kc);
    return fflush(stdout) ? 1 : 0;
}

int cmd_lake(int argc, char **argv) {
    static const struct option OPTS[] = {
        {"brokers", required_argument, 0, 'b'},      {"topic", required_argument, 0, 't'},
        {"group", required_argument, 0, 'g'},        {"bucket", required_argument, 0, 'B'},
        {"prefix", required_argument, 0, 'P'},       {"endpoint", required_argument, 0, 'E'},
        {"region", required_argument, 0, 'R'},       {"access-key", required_argument, 0, 'A'},
        {"secret-key", required_argument, 0, 'S'},   {"gzip", no_argument, 0, 'z'},
        {"secret-key-file", required_argument, 0, 'K'},
        {"max-records", required_argument, 0, 'r'},  {"max-bytes", required_argument, 0, 'y'},
        {"max-age-ms", required_argument, 0, 'a'},   {"metrics-port", required_argument, 0, 'p'},
        {"max-messages", required_argument, 0, 'M'}, {"exit-when-idle", required_argument, 0, 'I'},
        {"print-committed", no_argument, 0, 'C'},    {"help", no_argument, 0, 'h'},
        {"instance-id", required_argument, 0, 'i'},  {"session-timeout-ms", required_argument, 0, 's'},
        {"stall-ms", required_argument, 0, 'T'},
        {0, 0, 0, 0}};
    pp_lake_opts o;
    pp_lake_opts_default(&o);
    int committed = 0, c, idx = 0;
    long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", OPTS, &idx)) != -1) {
        switch (c) {
        case 'b': o.brokers = optarg; break;
        case 't': o.topic = optarg; break;
        case 'g': o.group = optarg; break;
        case 'B': o.bucket = optarg; break;
        case 'P': o.prefix = optarg; break;
        case 'E': o.s3_endpoint = optarg; break;
        case 'R': o.s3_region = optarg; break;
        case 'A': o.s3_access_key = optarg; break;
        case 'S':
            return cli_secret_on_argv("lake", "secret-key",
                                      "--secret-key-file FILE (mode 0600) or PINPIPE_S3_SECRET_KEY");
        case 'K': {
            static char *secret; /* lives until exit: o points into it */
            if (cli_secret_file("lake", "secret-key-file", optarg, &secret)) return 2;
            o.s3_secret_key = secret;
            break;
        }
        case 'z': o.gzip = 1; break;
        case 'i': o.instance_id = optarg; break;
        case 'C': committed = 1; break;
        case 'h': usage(stdout); return 0;
        case 'r': case 'y': case 'a': case 'p': case 'M': case 'I': case 's': case 'T': {
            long min = c == 'p' || c == 'M' || c == 'I' ? 0 : 1;
            long max = c == 'p' ? 65535 : c == 'M' ? 0x7fffffffffffffffL : c == 'y' ? (1L << 30) : 0x7fffffffL;
            if (pp_parse_long(optarg, min, max, &v)) {
                fprintf(stderr, "pinpipe lake: --%s: a number in %ld..%ld, not '%s'\n", OPTS[idx].name, min, max,
                        optarg);
                return 2;
            }
            if (c == 'r') o.limits.max_records = v;
            if (c == 'y') o.limits.max_bytes = v;
            if (c == 'a') o.limits.max_age_ms = v;
            if (c == 'p') o.stats_port = (int)v;
            if (c == 'M') o.max_messages = v;
            if (c == 'I') o.exit_when_idle_ms = (int)v;
            if (c == 's') o.session_timeout_ms = (int)v;
            if (c == 'T') o.stall_ms = v;
            break;
        }
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pinpipe lake: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (o.limits.max_records < 1 || o.limits.max_bytes < 1 || o.limits.max_bytes > (1L << 30) ||
        o.limits.max_age_ms < 1) {
        fprintf(stderr, "pinpipe lake: PINPIPE_LAKE_MAX_RECORDS and _MAX_AGE_MS must be >= 1, "
                        "PINPIPE_LAKE_MAX_BYTES in 1..1073741824\n");
        return 2;
    }
    if (committed) return print_committed(&o);
    pp_cli_catch_stop_signals();
    char err[1024];
    if (pp_lake_run(&o, &pp_cli_stop, err, sizeof err) != 0) {
        PP_ERROR("lake", "%s", err);
        return 1;
    }
    return 0;
}
