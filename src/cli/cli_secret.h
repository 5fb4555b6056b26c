/* cli_secret — the secret-taking flags of the commands, one behaviour for all.
 *
 * Secrets never come from argv (visible to every local user in ps): a command takes a
 * secret from its environment variable or from a `--*-file FILE` flag (FILE mode 0600,
 * see common/secret.h). The old flags that took the secret itself are kept only to
 * say so clearly; they never echo their value.
 */
#ifndef PINPIPE_CLI_SECRET_H
#define PINPIPE_CLI_SECRET_H

#include "common/options.h"

/* Reads the secret file `path` of flag --`flag` into *slot (freeing what *slot held).
 * *slot lives until the next call or process exit; a command keeps it in a static.
 * Returns 0, or 2 (bad usage) after printing "pinpipe CMD: --FLAG: reason". */
int cli_secret_file(const char *cmd, const char *flag, const char *path, char **slot);

/* Prints why --`flag` (a secret on argv) is refused and what to use instead; returns 2. */
int cli_secret_on_argv(const char *cmd, const char *flag, const char *instead);

/* 2 after a message when `dsn`, given in flag --`flag`, holds a password; else 0. */
int cli_dsn_flag_check(const char *cmd, const char *flag, const char *dsn);

/* Option parsers (common/options.h) of the same behaviours. A `--*-file FILE` row:
 * reads the secret of FILE into the row's const char * field; the secret lives until
 * exit (a repeated flag frees the previous one). Refused flags use pp_opt_refuse. */
int cli_opt_secret_file(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);
/* A DSN row: the DSN from a flag must not hold a password (the environment may). */
int cli_opt_dsn(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);

#endif
