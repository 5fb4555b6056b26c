/* pinpipe batch — the batch job: lake(day) -> clean -> Cassandra, per day. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "batch/batch.h"
#include "batch/batch_days.h"
#include "batch/batch_export.h"
#include "batch/batch_schema.h"
#include "cli/cli_io.h"
#include "cli/cli_opts.h"
#include "cli/cli_secret.h"
#include "cli/commands.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/options.h"
#include "common/log.h"
#include "metrics/metrics.h"

typedef struct {
    pp_batch_opts o;
    const char *date;         /* --date */
    const char *shard;        /* --shard I/N */
    const char *textfile_dir; /* --metrics-textfile-dir */
    int print_schema;         /* --print-schema */
} batch_cfg;

#define F(x) offsetof(batch_cfg, o.x)
static const pp_opt ROWS[] = {
    {"date", 0, "DAY", NULL, NULL, pp_opt_str, offsetof(batch_cfg, date), 0, 0, 0,
     "one day (same as --from DAY --to DAY)"},
    {"from", 0, "DAY", NULL, NULL, pp_opt_str, F(from), 0, 0, 0,
     "first day of a range, both ends included (at most " PP_STR(PP_BATCH_MAX_DAYS) " days)"},
    {"to", 0, "DAY", NULL, NULL, pp_opt_str, F(to), 0, 0, 0, "last day of the range"},
    {"metric", 0, "NAME", NULL, NULL, pp_opt_str, F(metric), 0, 0, 0,
     "recompute only this metric over the range (back-fill of a new metric): replaces only its rows, leaves "
     "pins, geo, users, rejects and other metrics as they are"},
    {"shard", 0, "I/N", NULL, NULL, pp_opt_str, offsetof(batch_cfg, shard), 0, 0, 0,
     "process only the lake objects of the Kafka partitions p with p % N == I (0 <= I < N <= 1024), replace only "
     "their pins, geo, users and rejects, write the share's metric rows to shard_metrics (not metrics); then "
     "--finalize N"},
    {"finalize", 0, "N", NULL, NULL, pp_opt_int, F(finalize), 1, PP_BATCH_MAX_SHARDS, 0,
     "merge the newest done run of every shard 0..N-1 of the day into its metrics, add the join metrics of the "
     "day's stored pins, geo and users, and record a full run; refuses "
     "(exit 1, naming it) when a shard has no done run or one is running/failed"},
    {"if-lake-grew", 0, NULL, NULL, NULL, pp_opt_true, F(if_lake_grew), 0, 0, 0,
     "run a day only when its lake objects/bytes differ from those its newest full done run read; else print "
     "status=unchanged and write nothing (late data)"},
    {"bucket", 0, "NAME", "PINPIPE_S3_BUCKET", "pinpipe-lake", pp_opt_str, F(bucket), 0, 0, 0, "lake bucket"},
    {"prefix", 0, "P", "PINPIPE_LAKE_PREFIX", "raw/", pp_opt_str, F(prefix), 0, 0, 0, "lake key prefix"},
    {"keyspace", 0, "K", "PINPIPE_CASSANDRA_KEYSPACE", "pinpipe", pp_opt_str, F(keyspace), 0, 0, 0,
     "Cassandra keyspace"},
    {"replication-factor", 0, "N", "PINPIPE_BATCH_REPLICATION_FACTOR", "1", pp_opt_int, F(replication_factor), 1, 100,
     0, "SimpleStrategy replication of a keyspace the batch creates; an existing keyspace is used as it is"},
    CLI_ROWS_CASSANDRA(F(cass_host), F(cass_port), F(cass_user), F(cass_password)),
    {"concurrency", 0, "N", "PINPIPE_BATCH_CONCURRENCY", "128", pp_opt_int, F(concurrency), 1, 1024, 0,
     "Cassandra requests in flight"},
    {"group-rows", 0, "N", "PINPIPE_BATCH_GROUP_ROWS", "16", pp_opt_int, F(group_rows), 1, 1000, 0,
     "rows per single-partition UNLOGGED batch (1: one INSERT per request); groups are also bounded in bytes by "
     "the node's max_mutation_size and batch_size_fail_threshold, read at the start (docs/batch.md \"Byte "
     "limits\")"},
    CLI_ROW_BROKERS(F(brokers), "Kafka, for the lake coverage"),
    CLI_ROW_TOPIC(F(topic), "topic of the coverage"),
    {"geo-topic", 0, "T", "PINPIPE_GEO_TOPIC", NULL, pp_opt_str, F(geo_topic), 0, 0, 0,
     "the geo events' topic, in the coverage too (default: geo when --topic is pins, else none; empty: none)"},
    {"users-topic", 0, "T", "PINPIPE_USERS_TOPIC", NULL, pp_opt_str, F(users_topic), 0, 0, 0,
     "the user events' topic, in the coverage too (default: users when --topic is pins, else none; empty: none)"},
    {"lake-group", 0, "NAME", "PINPIPE_LAKE_GROUP", "pinpipe-lake", pp_opt_str, F(lake_group), 0, 0, 0,
     "the lake writer's consumer group: its committed offsets at the start are recorded as the run's lake "
     "coverage (read without joining)"},
    {"no-coverage", 0, NULL, NULL, NULL, pp_opt_false, F(coverage), 0, 0, 0,
     "do not ask Kafka (coverage recorded as {\"source\":\"none\"})"},
    {"max-line", 0, "BYTES", "PINPIPE_BATCH_MAX_LINE", "16777216", pp_opt_long, F(max_line), 1, 1L << 30, 0,
     "longest lake line"},
    CLI_ROW_TEXTFILE_DIR(offsetof(batch_cfg, textfile_dir)),
    {"print-schema", 0, NULL, NULL, NULL, pp_opt_true, offsetof(batch_cfg, print_schema), 0, 0, 0,
     "print the CQL of the keyspace and tables, and exit"},
    CLI_ROW_HELP,
};
#undef F

static const char HEAD[] = "usage: pinpipe batch (--date DAY | --from DAY --to DAY) [options]\n"
                           "       pinpipe batch --date DAY --shard I/N [options]      one shard of a day\n"
                           "       pinpipe batch --date DAY --finalize N [options]     merge its N shards\n"
                           "       pinpipe batch --date DAY --if-lake-grew [options]   only if the lake changed\n"
                           "\n"
                           "Recomputes days from the raw lake into Cassandra. For each day (YYYY-MM-DD, UTC\n"
                           "event day) it reads every lake object under PREFIXdt=DAY/ (gunzipping .gz),\n"
                           "drops records stored twice (same topic, partition, offset), cleans the rest in\n"
                           "Kafka order with the shared engine, each by its kind (pin, geo, user: the lake\n"
                           "line's kind), keeps the first occurrence of each (event day, unique_id) pin and\n"
                           "(kind, event day, ind) geo or user, joins the day's posts (docs/joins.md), and\n"
                           "REPLACES the day in Cassandra: pins, geo, users, rejects (with their reasons;\n"
                           "unreadable lake lines as lake_corrupt_line) and metrics. A re-run\n"
                           "gives identical tables. Each run of a day is recorded in batch_runs. Creates the\n"
                           "keyspace and tables when missing (--print-schema shows them; docs/batch.md).\n"
                           "Days are independent: machines can split a range, each with its own --from/--to,\n"
                           "or a day by Kafka partition: --shard I/N for I in 0..N-1 (anywhere, in any order),\n"
                           "then --finalize N; the tables are then those of a single run (docs/batch.md).\n"
                           "\n"
                           "options (environment variable and default in brackets; flags win):\n";
static const char TAIL[] = "\n"
                           "S3 endpoint and credentials: PINPIPE_S3_ENDPOINT, _REGION, _ACCESS_KEY, _SECRET_KEY.\n"
                           "Output: one line per day on stdout, `batch day=D status=done records=N ...`.\n"
                           "exit status (for a scheduler's retries): 0 every day done (or unchanged);\n"
                           "1 permanent failure, retrying will not help (the data, an object unreadable, a\n"
                           "refusal, a shard missing/running/failed at --finalize); 2 bad usage; 4 transient\n"
                           "failure, retry (Cassandra, S3 or Kafka unreachable, a timeout). The message names\n"
                           "the day and the cause; earlier days are done.\n";
const pp_opts_spec CLI_BATCH_SPEC = PP_OPTS_SPEC("batch", ROWS, HEAD, TAIL);

int cmd_batch(int argc, char **argv) {
    batch_cfg cfg = {0};
    pp_batch_opts_default(&cfg.o);
    int next, rc = pp_opts_parse(&CLI_BATCH_SPEC, &cfg, argc, argv, &next);
    if (rc != PP_OPTS_RUN) return pp_opts_exit(rc);
    pp_batch_opts o = cfg.o;
    const char *date = cfg.date;
    int print_schema = cfg.print_schema;
    if (print_schema) {
        if (!pp_batch_keyspace_valid(o.keyspace)) {
            fprintf(stderr, "pinpipe batch: keyspace '%s': letters, digits or '_'\n", o.keyspace);
            return 2;
        }
        pp_batch_schema_print(stdout, o.keyspace, o.replication_factor);
        return 0;
    }
    if (next < argc) {
        fprintf(stderr, "pinpipe batch: unexpected argument '%s'\n", argv[next]);
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
    if (cfg.shard && pp_batch_shard_parse(cfg.shard, &o.shard) != 0) {
        fprintf(stderr, "pinpipe batch: --shard '%s': I/N with 0 <= I < N <= %d\n", cfg.shard, PP_BATCH_MAX_SHARDS);
        return 2;
    }
    if ((cfg.shard || o.finalize || o.if_lake_grew) && !date) {
        fprintf(stderr, "pinpipe batch: --shard, --finalize and --if-lake-grew take one day: --date DAY\n");
        return 2;
    }
    if ((cfg.shard != NULL) + (o.finalize > 0) + (o.metric != NULL) + (o.if_lake_grew != 0) > 1) {
        fprintf(stderr, "pinpipe batch: --shard, --finalize, --metric and --if-lake-grew: one at a time\n");
        return 2;
    }
    if (date) o.from = o.to = date;
    if (!o.from || !o.to) {
        fprintf(stderr, "pinpipe batch: say which days: --date DAY, or --from DAY --to DAY\n\n");
        pp_opts_usage(stderr, &CLI_BATCH_SPEC);
        return 2;
    }
    if (!pp_batch_day_valid(o.from) || !pp_batch_day_valid(o.to)) {
        fprintf(stderr, "pinpipe batch: not a day (YYYY-MM-DD): '%s'\n", pp_batch_day_valid(o.from) ? o.to : o.from);
        return 2;
    }
    pp_cli_catch_stop_signals();
    char err[1024];
    pp_batch_report report;
    o.report = &report;
    double started = (double)pp_wall_ms() / 1000.0;
    rc = pp_batch_run(&o, stdout, &pp_cli_stop, err, sizeof err);
    if (rc != 0) PP_ERROR("batch", "%s", err);
    if (cfg.textfile_dir) {
        char why[512];
        if (pp_batch_export_write(cfg.textfile_dir, &report, rc == 0, started, (double)pp_wall_ms() / 1000.0, why,
                                  sizeof why))
            PP_WARN("batch", "monitoring export: %s", why);
    }
    if (rc == 0) return 0;
    return pp_err_transient(rc) ? 4 : 1; /* 4: retry may help; 1: it will not */
}
