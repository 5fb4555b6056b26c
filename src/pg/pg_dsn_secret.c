#include "pg/pg_dsn_secret.h"

#include <libpq-fe.h>
#include <string.h>

int pp_pg_dsn_has_password(const char *dsn) {
    if (!dsn) return 0;
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(dsn, &errmsg);
    PQfreemem(errmsg);
    if (!opts) return 0;
    int found = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (!strcmp(o->keyword, "password") && o->val && *o->val) found = 1;
    PQconninfoFree(opts);
    return found;
}
