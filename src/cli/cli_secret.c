#include "cli/cli_secret.h"

#include <stdio.h>

#include "common/error.h"
#include "common/secret.h"
#include "pg/pg_dsn_secret.h"

int cli_secret_file(const char *cmd, const char *flag, const char *path, char **slot) {
    char err[512];
    char *s = NULL;
    if (pp_secret_read_file(path, &s, err, sizeof err) != PP_OK) {
        fprintf(stderr, "pinpipe %s: --%s: %s\n", cmd, flag, err);
        return 2;
    }
    pp_secret_free(*slot);
    *slot = s;
    return 0;
}

int cli_secret_on_argv(const char *cmd, const char *flag, const char *instead) {
    fprintf(stderr,
            "pinpipe %s: --%s is not accepted: a secret on the command line is visible to every "
            "local user (ps); use %s\n",
            cmd, flag, instead);
    return 2;
}

int cli_dsn_flag_check(const char *cmd, const char *flag, const char *dsn) {
    if (!pp_pg_dsn_has_password(dsn)) return 0;
    fprintf(stderr,
            "pinpipe %s: --%s holds a password, and a command line is visible to every local "
            "user (ps): give the password in PINPIPE_PG_DSN or PGPASSWORD (the environment) or "
            "a password file (PGPASSFILE or ~/.pgpass, mode 0600), and the DSN without it here\n",
            cmd, flag);
    return 2;
}
