/* cli_opts — option parsers and rows (common/options.h) that several commands share. */
#ifndef PINPIPE_CLI_OPTS_H
#define PINPIPE_CLI_OPTS_H

#include <stddef.h>

#include "common/options.h"

/* An event time ('YYYY-MM-DD HH:MM:SS' or ISO-8601) into an int64_t field (ms). */
int cli_opt_time(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);

/* The rows of the offline commands (clean, metrics) and of produce: a long field
 * `max_line`, an int64_t field `ingest_time` (the caller starts it at -1). */
#define CLI_ROW_MAX_LINE(type)                                                                                  \
    {"max-line", 0, "BYTES", "PINPIPE_MAX_LINE", "1048576", pp_opt_long, offsetof(type, max_line), 1, 1L << 30, \
     0, "longest accepted line; longer ones are rejected as too_large"}
#define CLI_ROW_INGEST_TIME(type, help)                                                                         \
    {"ingest-time", 0, "TIME", NULL, NULL, cli_opt_time, offsetof(type, ingest_time), 0, 0, 0, (help)}
#define CLI_ROW_HELP {"help", 'h', NULL, NULL, NULL, NULL, 0, 0, 0, PP_OPT_HELP, "this text"}

#endif
