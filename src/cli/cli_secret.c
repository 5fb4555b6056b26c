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

/* The secrets read by cli_opt_secret_file, one per row: they live until exit. */
static struct {
    const pp_opt *row;
    char *secret;
} g_read[8];

int cli_opt_secret_file(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    (void)from;
    char why[512];
    char *s = NULL;
    if (pp_secret_read_file(val, &s, why, sizeof why) != PP_OK) {
        pp_errf(err, errlen, "--%s: %s", o->flag, why);
        return PP_EINVAL;
    }
    size_t i = 0;
    while (i + 1 < sizeof g_read / sizeof g_read[0] && g_read[i].row && g_read[i].row != o) i++;
    pp_secret_free(g_read[i].secret);
    g_read[i].row = o;
    g_read[i].secret = s;
    *(const char **)((char *)cfg + o->off) = s;
    return PP_OK;
}

int cli_opt_dsn(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen) {
    if (from == PP_OPT_FROM_FLAG && pp_pg_dsn_has_password(val)) {
        pp_errf(err, errlen,
                "--%s holds a password, and a command line is visible to every local user (ps): give the "
                "password in PINPIPE_PG_DSN or PGPASSWORD (the environment) or a password file (PGPASSFILE or "
                "~/.pgpass, mode 0600), and the DSN without it here",
                o->flag);
        return PP_EINVAL;
    }
    return pp_opt_str(o, cfg, val, from, err, errlen);
}
