/* cli_secret — the secret-taking flags of the commands, one behaviour for all.
 *
 * Secrets never come from argv (visible to every local user in ps): a command takes a
 * secret from its environment variable or from a `--*-file FILE` flag (FILE mode 0600,
 * see common/secret.h). The old flags that took the secret itself are kept only to
 * say so clearly; they never echo their value.
 */
#ifndef PINPIPE_CLI_SECRET_H
#define PINPIPE_CLI_SECRET_H

/* Reads the secret file `path` of flag --`flag` into *slot (freeing what *slot held).
 * *slot lives until the next call or process exit; a command keeps it in a static.
 * Returns 0, or 2 (bad usage) after printing "pinpipe CMD: --FLAG: reason". */
int cli_secret_file(const char *cmd, const char *flag, const char *path, char **slot);

/* Prints why --`flag` (a secret on argv) is refused and what to use instead; returns 2. */
int cli_secret_on_argv(const char *cmd, const char *flag, const char *instead);

/* 2 after a message when `dsn`, given in flag --`flag`, holds a password; else 0. */
int cli_dsn_flag_check(const char *cmd, const char *flag, const char *dsn);

#endif
