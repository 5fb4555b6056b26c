/* pinpipe — one binary, one subcommand per component. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common/log.h"

static const pp_command COMMANDS[] = {
    {"api", "the ingest HTTP API: POST /pin/ -> Kafka, answered after the ack", cmd_api},
    {"lake", "the lake writer: Kafka -> S3 raw lake (JSONL objects by event day)", cmd_lake},
    {"batch", "the batch job: lake(day) -> clean -> Cassandra, replacing the day", cmd_batch},
    {"stream", "the stream job: Kafka -> clean -> PostgreSQL, exactly once", cmd_stream},
    {"serve", "the serving layer: query API and dashboard, each day from batch or stream", cmd_serve},
    {"parity", "compare batch (Cassandra) and stream (PostgreSQL) metrics, day by day", cmd_parity},
    {"clean", "clean raw JSONL events offline (rejects and a rule summary too)", cmd_clean},
    {"metrics", "compute metrics offline from raw or cleaned JSONL", cmd_metrics},
    {"rules", "list the cleaning rules; `rules check` runs them over the fixtures", cmd_rules},
    {"produce", "produce a file of raw events to Kafka with the API's message contract", cmd_produce},
    {"s3", "object store client: ls, get, put, head, rm, mb (path-style, SigV4)", cmd_s3},
    {"cql", "Cassandra client: run CQL statements, print rows (also the readiness probe)", cmd_cql},
    {"sql", "ad-hoc SQL on Trino over batch, stream and lake (docs/sql.md)", cmd_sql},
};
#define N_COMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *out) {
    fprintf(out, "usage: pinpipe COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) fprintf(out, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(out,
            "\n`pinpipe COMMAND --help` describes each command.\n"
            "Environment: PINPIPE_LOG_LEVEL=error|warn|info|debug (default info).\n");
}

int main(int argc, char **argv) {
    pp_log_init_from_env();
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].name)) return COMMANDS[i].run(argc - 1, argv + 1);
    fprintf(stderr, "pinpipe: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
