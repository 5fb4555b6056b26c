#include "cli/cli_secret.h"

#include <stdio.h>

#include "common/error.h"
#include "common/secret.h"
#include "pg/pg_dsn_secret.h"

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
