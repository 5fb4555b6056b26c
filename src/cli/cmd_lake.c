/* pinpipe lake — the lake writer: Kafka → S3 raw lake (docs/lake.md). */
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
#include "s3/s3_config.h"
#include "common/error.h"
#include "common/log.h"
#include "kafka/kafka_conf.h"
#include "lake/lake.h"
#include "lake/lake_upload.h"
#include "kafka/kafka_group.h"

typedef struct {
    pp_lake_opts o;
    int committed; /* --print-committed */
} lake_cfg;

#define F(x) offsetof(lake_cfg, o.x)
static const pp_opt ROWS[] = {
    CLI_ROWS_CONSUMER(lake_cfg, "PINPIPE_LAKE", "pinpipe-lake", "writer"),
    {"geo-topic", 0, "NAME", "PINPIPE_GEO_TOPIC", NULL, pp_opt_str, F(geo_topic), 0, 0, 0,
     "topic of the geo events, consumed in the same group (default: geo when --topic is pins, else none; "
     "empty: none)"},
    {"users-topic", 0, "NAME", "PINPIPE_USERS_TOPIC", NULL, pp_opt_str, F(users_topic), 0, 0, 0,
     "topic of the user events, consumed in the same group (default: users when --topic is pins, else none; "
     "empty: none)"},
    {"bucket", 0, "NAME", "PINPIPE_S3_BUCKET", "pinpipe-lake", pp_opt_str, F(bucket), 0, 0, 0,
     "S3 bucket, created if missing"},
    {"prefix", 0, "PREFIX", "PINPIPE_LAKE_PREFIX", "raw/", pp_opt_str, F(prefix), 0, 0, 0,
     "key prefix; '/' is added when missing"},
    {"endpoint", 0, "URL", "PINPIPE_S3_ENDPOINT", S3_DEFAULT_ENDPOINT, pp_opt_str, F(s3_endpoint), 0, 0,
     PP_OPT_ELSEWHERE, "S3 endpoint, path-style"},
    {"region", 0, "NAME", "PINPIPE_S3_REGION", S3_DEFAULT_REGION, pp_opt_str, F(s3_region), 0, 0, PP_OPT_ELSEWHERE,
     "S3 signing region"},
    {"access-key", 0, "KEY", "PINPIPE_S3_ACCESS_KEY", NULL, pp_opt_str, F(s3_access_key), 0, 0, PP_OPT_ELSEWHERE,
     "S3 access key"},
    {"secret-key", 0, "KEY", NULL, NULL, pp_opt_refuse, 0, 0, 0, PP_OPT_HIDDEN,
     "--secret-key-file FILE (mode 0600) or PINPIPE_S3_SECRET_KEY"},
    {"secret-key-file", 0, "F", NULL, NULL, cli_opt_secret_file, F(s3_secret_key), 0, 0, 0,
     "S3 secret key: the content of F (mode 0600) [PINPIPE_S3_SECRET_KEY holds the key itself]"},
    {"gzip", 0, NULL, "PINPIPE_LAKE_GZIP", NULL, pp_opt_true, F(gzip), 0, 0, 0,
     "write .jsonl.gz objects (zlib, one gzip member); PINPIPE_LAKE_GZIP=1 too"},
    {"uploads", 0, "N", "PINPIPE_LAKE_UPLOADS", "2", pp_opt_int, F(uploads), 1, PP_LAKE_UPLOADS_MAX, 0,
     "objects uploaded at once, by threads, while consuming goes on (each holds one object in memory)"},
    {"max-records", 0, "N", "PINPIPE_LAKE_MAX_RECORDS", "50000", pp_opt_long, F(limits.max_records), 1, INT_MAX, 0,
     "records per object"},
    {"max-bytes", 0, "N", "PINPIPE_LAKE_MAX_BYTES", "67108864", pp_opt_long, F(limits.max_bytes), 1, 1L << 30, 0,
     "bytes of JSON lines per object, before gzip, up to 1 GiB (64 MiB by default)"},
    {"max-age-ms", 0, "MS", "PINPIPE_LAKE_MAX_AGE_MS", "10000", pp_opt_long, F(limits.max_age_ms), 1, INT_MAX, 0,
     "store an object at the latest MS after its first record, so a quiet partition still lands"},
    {"metrics-port", 0, "PORT", "PINPIPE_LAKE_METRICS_PORT", "0", pp_opt_int, F(stats_port), 0, 65535, 0,
     "serve GET /metrics (Prometheus) on 127.0.0.1:PORT (0: off); also GET /healthz"},
    {"stall-ms", 0, "MS", "PINPIPE_LAKE_STALL_MS", PP_STR(PP_HEALTH_DEFAULT_STALL_MS), pp_opt_long, F(stall_ms), 1,
     INT_MAX, 0, "/healthz answers 503 \"stalled\" when nothing was stored or consumed for MS while records wait"},
    {"max-messages", 0, "N", NULL, NULL, pp_opt_long, F(max_messages), 0, LONG_MAX, 0,
     "store everything and stop after N records (tests, benchmarks)"},
    {"exit-when-idle", 0, "MS", NULL, NULL, pp_opt_int, F(exit_when_idle_ms), 0, INT_MAX, 0,
     "store everything and stop after MS without records, counted from the last record or partition assignment "
     "(tests). A dead member may hold partitions for --session-timeout-ms: restart with the same --instance-id, or "
     "wait longer than that"},
    {"print-committed", 0, NULL, NULL, NULL, pp_opt_true, offsetof(lake_cfg, committed), 0, 0, 0,
     "print the group's committed offsets of the topic, one line per partition: PARTITION OFFSET (- when none); "
     "does not join the group, so a running writer is not disturbed"},
    CLI_ROW_HELP,
};
#undef F

static const char HEAD[] = "usage: pinpipe lake [options]\n"
                           "       pinpipe lake --print-committed [--brokers LIST] [--topic NAME] [--group NAME]\n"
                           "       pinpipe lake status --date DAY [--allowance-s S] [--json]   (its own --help)\n"
                           "\n"
                           "Consumes the topics of the three kinds of event (pins, geo, users: --topic,\n"
                           "--geo-topic, --users-topic) as a member of one consumer group and writes every\n"
                           "raw record to the S3 lake, one object per (topic, partition, event day) at a time:\n"
                           "  PREFIXdt=YYYY-MM-DD/TOPIC-PPPP-OOOOOOOOOOOOOOOOOOOO.jsonl[.gz]\n"
                           "(partition and first offset zero-padded), one JSON line per record with its topic,\n"
                           "kind, partition, offset, ingest time, key and the exact message value (\"raw\", or\n"
                           "\"raw_base64\" when it is not UTF-8). The event day is the one the shared cleaning\n"
                           "engine gives the event of its kind. An object is stored whole (one PUT) when it reaches\n"
                           "--max-records or --max-bytes, or --max-age-ms after its first record; the group's\n"
                           "offsets are committed only up to what is stored. S3 errors are retried with backoff\n"
                           "until they pass. SIGTERM/SIGINT: store every open object, commit, leave the group,\n"
                           "exit 0. Details: docs/lake.md.\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "Kafka client properties: PINPIPE_KAFKA_PROPS; S3 retries: PINPIPE_S3_MAX_ATTEMPTS and\n"
                           "more (docs/clients-s3.md). PINPIPE_LOG_LEVEL=debug logs every stored object.\n"
                           "\n"
                           "exit status: 0 clean shutdown (everything stored and committed), 1 could not start,\n"
                           "fatal Kafka error, a permanent S3 error (403, 400...: never retried) or objects left\n"
                           "unstored at shutdown, 2 bad usage\n";
const pp_opts_spec CLI_LAKE_SPEC = PP_OPTS_SPEC("lake", ROWS, HEAD, TAIL);

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
    if (argc > 1 && strcmp(argv[1], "status") == 0) return cmd_lake_status(argc - 1, argv + 1);
    lake_cfg cfg = {0};
    pp_lake_opts_default(&cfg.o);
    int next, rc = pp_opts_parse(&CLI_LAKE_SPEC, &cfg, argc, argv, &next);
    if (rc != PP_OPTS_RUN) return pp_opts_exit(rc);
    const pp_lake_opts *o = &cfg.o;
    if (next < argc) {
        fprintf(stderr, "pinpipe lake: unexpected argument '%s'\n", argv[next]);
        pp_opts_usage(stderr, &CLI_LAKE_SPEC);
        return 2;
    }
    if (o->limits.max_records < 1 || o->limits.max_bytes < 1 || o->limits.max_bytes > (1L << 30) ||
        o->limits.max_age_ms < 1) {
        fprintf(stderr,
                "pinpipe lake: PINPIPE_LAKE_MAX_RECORDS and _MAX_AGE_MS must be >= 1, "
                "PINPIPE_LAKE_MAX_BYTES in 1..1073741824\n");
        return 2;
    }
    if (cfg.committed) return print_committed(o);
    pp_cli_catch_stop_signals();
    char err[1024];
    if (pp_lake_run(o, &pp_cli_stop, err, sizeof err) != 0) {
        PP_ERROR("lake", "%s", err);
        return 1;
    }
    return 0;
}
