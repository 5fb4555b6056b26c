#include "pg/pg_conn.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "pg/pg_internal.h"

/* libpq messages span lines ("...\n\tThis probably means..."); make one line. */
static void trimmed(char *out, size_t outlen, const char *msg) {
    size_t n = 0;
    int space = 1; /* drops leading blanks and collapses runs */
    for (const char *p = msg ? msg : ""; *p && n + 1 < outlen; p++) {
        int blank = *p == '\n' || *p == '\t' || *p == ' ' || *p == '\r';
        if (blank && space) continue;
        out[n++] = blank ? ' ' : *p;
        space = blank;
    }
    while (n > 0 && out[n - 1] == ' ') n--;
    if (outlen) out[n] = '\0';
}

static void notice_cb(void *arg, const PGresult *res) {
    pp_pg *pg = arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    char fallback[1024];
    if (!msg) {
        trimmed(fallback, sizeof fallback, PQresultErrorMessage(res));
        msg = fallback;
    }
    if (!sev) sev = "NOTICE";
    /* A FATAL outside a query is the server announcing it closes the session. */
    if (!strcmp(sev, "FATAL") || !strcmp(sev, "PANIC")) pg->doomed = 1;
    pp_log_level lvl = PP_LOG_WARN;
    if (!strcmp(sev, "NOTICE") || !strcmp(sev, "INFO"))
        lvl = PP_LOG_INFO;
    else if (!strcmp(sev, "DEBUG") || !strcmp(sev, "LOG"))
        lvl = PP_LOG_DEBUG;
    pp_log(lvl, "pg", "server %s: %s", sev, msg);
}

int pp_pg_connect(pp_pg **out, const char *dsn, char *err, size_t errlen) {
    char msg[1024];
    if (!dsn) dsn = pp_env_str("PINPIPE_PG_DSN", PP_PG_DEFAULT_DSN);
    /* Keywords before dbname are defaults the DSN may override; after it, enforced. */
    const char *const kw[] = {"connect_timeout", "application_name", "dbname", "client_encoding", NULL};
    const char *const val[] = {"5", "pinpipe", dsn, "UTF8", NULL};
    pp_pg *pg = pp_xcalloc(1, sizeof *pg);
    pg->conn = PQconnectdbParams(kw, val, 1);
    if (!pg->conn) {
        free(pg);
        pp_errf(err, errlen, "pg: out of memory");
        return PP_ENOMEM;
    }
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        trimmed(msg, sizeof msg, PQerrorMessage(pg->conn));
        pp_errf(err, errlen, "pg connect: %s", msg);
        PQfinish(pg->conn);
        free(pg);
        return PP_EIO;
    }
    PQsetNoticeReceiver(pg->conn, notice_cb, pg);
    PP_DEBUG("pg", "connected to %s:%s/%s as %s (backend %d)", PQhost(pg->conn), PQport(pg->conn), PQdb(pg->conn),
             PQuser(pg->conn), PQbackendPID(pg->conn));
    *out = pg;
    return PP_OK;
}

void pp_pg_destroy(pp_pg *pg) {
    if (!pg) return;
    PQfinish(pg->conn);
    for (size_t i = 0; i < pg->nprep; i++) {
        free(pg->prep[i].name);
        free(pg->prep[i].sql);
    }
    free(pg->prep);
    free(pg);
}

int pp_pg_reconnect(pp_pg *pg, char *err, size_t errlen) {
    char msg[1024];
    PQreset(pg->conn);
    pg->in_txn = 0;
    pg->doomed = 0;
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        trimmed(msg, sizeof msg, PQerrorMessage(pg->conn));
        pp_errf(err, errlen, "pg reconnect: %s", msg);
        pg->lost = 1;
        return PP_EIO;
    }
    pg->reconnects++;
    PP_INFO("pg", "reconnected to %s:%s/%s (backend %d)", PQhost(pg->conn), PQport(pg->conn), PQdb(pg->conn),
            PQbackendPID(pg->conn));
    for (size_t i = 0; i < pg->nprep; i++) {
        int rc = pp_pg__prepare_one(pg, &pg->prep[i], err, errlen);
        if (rc != PP_OK) return rc;
    }
    return PP_OK;
}

int pp_pg__ready(pp_pg *pg, char *err, size_t errlen) {
    pg->sqlstate[0] = '\0';
    pg->lost = 0;
    /* Non-blocking: reads what the server sent meanwhile, e.g. the FATAL and EOF of
     * a shutdown (the EOF turns the status to CONNECTION_BAD; the FATAL, seen by
     * notice_cb, marks the session doomed even before the EOF arrives). */
    for (int i = 0; i < 4 && PQstatus(pg->conn) == CONNECTION_OK && !pg->in_txn; i++) {
        struct pollfd pfd = {PQsocket(pg->conn), POLLIN, 0};
        if (pfd.fd < 0 || poll(&pfd, 1, 0) != 1 || !PQconsumeInput(pg->conn)) break;
    }
    if (PQstatus(pg->conn) == CONNECTION_OK && !pg->doomed) return PP_OK;
    if (pg->in_txn) {
        pg->lost = 1;
        pp_errf(err, errlen, "pg: connection lost inside a transaction (the server rolled it back)");
        return PP_EIO;
    }
    PP_WARN("pg", "connection lost; reconnecting");
    return pp_pg_reconnect(pg, err, errlen);
}

static int is_conn_state(const char *s) {
    return !strncmp(s, "08", 2) || !strcmp(s, "57P01") || !strcmp(s, "57P02") || !strcmp(s, "57P03");
}

/* A condition that passes by itself: a rolled-back transaction (40: serialization,
 * deadlock), insufficient resources (53: disk full, out of memory, too many
 * connections), a lock not available (55P03), a cancelled or timed-out statement
 * (57014), a system error (58: I/O). */
static int is_transient_state(const char *s) {
    return !strncmp(s, "40", 2) || !strncmp(s, "53", 2) || !strcmp(s, "55P03") || !strcmp(s, "57014") ||
        !strncmp(s, "58", 2);
}

/* The data itself is refused: a data exception (22: a value out of range, an
 * invalid byte sequence), an integrity constraint (23), a program limit (54: a row
 * or value too large). Sending the same data again gives the same answer. */
static int is_refused_state(const char *s) {
    return !strncmp(s, "22", 2) || !strncmp(s, "23", 2) || !strncmp(s, "54", 2);
}

int pp_pg__check(pp_pg *pg, PGresult *res, ExecStatusType want, ExecStatusType want2, const char *what, char *err,
                 size_t errlen) {
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    PGTransactionStatusType ts = PQtransactionStatus(pg->conn);
    if (ts != PQTRANS_UNKNOWN) pg->in_txn = ts != PQTRANS_IDLE;
    if (res && (st == want || st == want2)) return PP_OK;

    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(pg->sqlstate, sizeof pg->sqlstate, "%s", state ? state : "");
    pg->lost = PQstatus(pg->conn) != CONNECTION_OK || (state && is_conn_state(state));
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary) {
        const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
        const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
        const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
        pp_errf(err, errlen, "%s: %s: %s (SQLSTATE %s)%s%s%s%s", what, sev ? sev : "ERROR", primary, pg->sqlstate,
                detail ? " DETAIL: " : "", detail ? detail : "", hint ? " HINT: " : "", hint ? hint : "");
    } else if (res && st != PGRES_FATAL_ERROR && st != PGRES_NONFATAL_ERROR && st != PGRES_BAD_RESPONSE) {
        pp_errf(err, errlen, "%s: unexpected result %s", what, PQresStatus(st));
    } else {
        char msg[1024];
        trimmed(msg, sizeof msg, PQerrorMessage(pg->conn));
        pp_errf(err, errlen, "%s: %s", what, msg[0] ? msg : "no result");
    }
    PQclear(res);
    if (pg->lost || !pg->sqlstate[0] || is_transient_state(pg->sqlstate)) return PP_EIO;
    return is_refused_state(pg->sqlstate) ? PP_EREFUSED : PP_ESERVER;
}

const char *pp_pg_sqlstate(const pp_pg *pg) { return pg->sqlstate; }
int pp_pg_lost(const pp_pg *pg) { return pg->lost; }
int pp_pg_in_txn(const pp_pg *pg) { return pg->in_txn; }
unsigned pp_pg_reconnects(const pp_pg *pg) { return pg->reconnects; }
int pp_pg_backend_pid(const pp_pg *pg) { return PQbackendPID(pg->conn); }
PGconn *pp_pg_raw(pp_pg *pg) { return pg->conn; }
