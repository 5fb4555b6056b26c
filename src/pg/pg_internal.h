/* pg_internal — the pp_pg structure and the helpers the src/pg/ files share.
 * Not for other components: use pg_conn.h, pg_exec.h, pg_txn.h, pg_copy.h.
 */
#ifndef PINPIPE_PG_INTERNAL_H
#define PINPIPE_PG_INTERNAL_H

#include <libpq-fe.h>
#include <stddef.h>

#include "pg/pg_conn.h"

typedef struct {
    char *name;
    char *sql;
    int nparams;
} pg_prepared;

struct pp_pg {
    PGconn *conn;
    int in_txn;       /* a transaction was open after the last statement */
    int lost;         /* the last failure lost the connection */
    int doomed;       /* the server announced (FATAL) it is closing the session */
    char sqlstate[6]; /* of the last failure, or "" */
    unsigned reconnects;
    pg_prepared *prep; /* remembered for re-preparing after a reconnect */
    size_t nprep;
};

/* Before a statement: reconnects if the connection is known dead and no
 * transaction was open; PP_EIO if one was (it is gone). Clears sqlstate/lost. */
int pp_pg__ready(pp_pg *pg, char *err, size_t errlen);

/* After a statement: takes res (clears it on failure), records sqlstate/lost/in_txn,
 * fills err on failure. `what` names the operation in the message. Returns PP_OK
 * when res has one of the two expected statuses. */
int pp_pg__check(pp_pg *pg, PGresult *res, ExecStatusType want, ExecStatusType want2, const char *what, char *err,
                 size_t errlen);

/* Runs PREPARE for one remembered statement (used by prepare and by reconnect). */
int pp_pg__prepare_one(pp_pg *pg, const pg_prepared *p, char *err, size_t errlen);

#endif
