/* cli_secret — the secret-taking options of the commands, one behaviour for all.
 *
 * Secrets never come from argv (visible to every local user in ps): a command takes a
 * secret from its environment variable or from a `--*-file FILE` flag (FILE mode 0600,
 * see common/secret.h). The old flags that took the secret itself are kept only to
 * say so clearly (rows with pp_opt_refuse, common/options.h); they never echo their
 * value. These are option parsers (common/options.h).
 */
#ifndef PINPIPE_CLI_SECRET_H
#define PINPIPE_CLI_SECRET_H

#include "common/options.h"

/* A `--*-file FILE` row: reads the secret of FILE into the row's const char * field.
 * The secret lives until exit (a repeated flag frees the previous one). */
int cli_opt_secret_file(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);
/* A DSN row: the DSN from a flag must not hold a password (the environment may). */
int cli_opt_dsn(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);

#endif
