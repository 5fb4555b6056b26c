/* commands — the subcommands of `pinpipe`, one file each (src/cli/cmd_*.c).
 * Each takes argc/argv starting at its own name and returns the process exit code.
 */
#ifndef PINPIPE_COMMANDS_H
#define PINPIPE_COMMANDS_H

#include "common/options.h"

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} pp_command;

int cmd_api(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_parity(int argc, char **argv);
int cmd_lake(int argc, char **argv);
int cmd_lake_status(int argc, char **argv); /* `pinpipe lake status` */
int cmd_batch(int argc, char **argv);
int cmd_produce(int argc, char **argv);
int cmd_s3(int argc, char **argv);
int cmd_cql(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_sql(int argc, char **argv);

/* The option tables of the commands (defaults, environment, flags, --help). */
extern const pp_opts_spec CLI_STREAM_SPEC;
extern const pp_opts_spec CLI_LAKE_SPEC;
extern const pp_opts_spec CLI_LAKE_STATUS_SPEC;
extern const pp_opts_spec CLI_BATCH_SPEC;
extern const pp_opts_spec CLI_API_SPEC;
extern const pp_opts_spec CLI_PARITY_SPEC;
extern const pp_opts_spec CLI_CLEAN_SPEC;
extern const pp_opts_spec CLI_METRICS_SPEC;
extern const pp_opts_spec CLI_PRODUCE_SPEC;
extern const pp_opts_spec CLI_S3_SPEC;
extern const pp_opts_spec CLI_CQL_SPEC;
extern const pp_opts_spec CLI_SERVE_SPEC;
extern const pp_opts_spec CLI_SQL_SPEC;
extern const pp_opts_spec CLI_RULES_SPEC; /* of `rules check` */

#endif
