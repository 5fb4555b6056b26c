#include "pg/pg_txn.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "pg/pg_exec.h"
#include "pg/pg_internal.h"

int pp_pg_begin(pp_pg *pg, pp_pg_isolation iso, char *err, size_t errlen) {
    static const char *const sql[] = {"BEGIN ISOLATION LEVEL READ COMMITTED", "BEGIN ISOLATION LEVEL REPEATABLE READ",
                                      "BEGIN ISOLATION LEVEL SERIALIZABLE"};
    if ((int)iso < 0 || (int)iso > 2) {
        pp_errf(err, errlen, "pg begin: bad isolation level");
        return PP_EINVAL;
    }
    return pp_pg_exec(pg, sql[iso], 0, NULL, NULL, err, errlen);
}

int pp_pg_commit(pp_pg *pg, char *err, size_t errlen) {
    pp_pg_result *r = NULL;
    int rc = pp_pg_exec(pg, "COMMIT", 0, NULL, &r, err, errlen);
    if (rc != PP_OK) return rc;
    /* COMMIT of a transaction that already failed answers ROLLBACK, not an error. */
    if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        pp_errf(err, errlen, "pg commit: the transaction had failed and was rolled back");
        rc = PP_ESERVER;
    }
    pp_pg_result_free(r);
    return rc;
}

int pp_pg_rollback(pp_pg *pg, char *err, size_t errlen) {
    if (PQstatus(pg->conn) != CONNECTION_OK || pg->doomed) {
        pg->in_txn = 0; /* the server rolls it back when the connection goes */
        return PP_OK;
    }
    return pp_pg_exec(pg, "ROLLBACK", 0, NULL, NULL, err, errlen);
}

void pp_pg_retry_init(pp_pg_retry *r) {
    memset(r, 0, sizeof *r);
    r->isolation = PP_PG_READ_COMMITTED;
    r->max_attempts = 5;
    r->backoff_ms = 50;
    r->max_backoff_ms = 2000;
}

int pp_pg_retryable_state(const char *s) { return s && (!strcmp(s, "40001") || !strcmp(s, "40P01")); }

/* Back-off before attempt n+1: backoff * 2^(n-1), capped, +-25% jitter. */
static long backoff(const pp_pg_retry *p, int n, unsigned *seed) {
    long d = p->backoff_ms > 0 ? p->backoff_ms : 1;
    for (int i = 1; i < n && d < p->max_backoff_ms; i++) d *= 2;
    if (p->max_backoff_ms > 0 && d > p->max_backoff_ms) d = p->max_backoff_ms;
    *seed = *seed * 1103515245u + 12345u;
    long span = d / 2;
    return span > 0 ? d - span / 2 + (long)((*seed >> 8) % (unsigned)(span + 1)) : d;
}

int pp_pg_run_txn(pp_pg *pg, const pp_pg_retry *policy, pp_pg_txn_fn fn, void *arg, int *attempts, char *err,
                  size_t errlen) {
    pp_pg_retry p;
    if (policy)
        p = *policy;
    else
        pp_pg_retry_init(&p);
    if (p.max_attempts < 1) p.max_attempts = 1;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)(size_t)pg;
    char msg[1024] = "";
    int rc = PP_OK, n = 0;

    while (n < p.max_attempts) {
        n++;
        enum { IN_BEGIN, IN_FN, IN_COMMIT } phase = IN_BEGIN;
        rc = pp_pg_begin(pg, p.isolation, msg, sizeof msg);
        if (rc == PP_OK) {
            phase = IN_FN;
            rc = fn(pg, arg, msg, sizeof msg);
        }
        if (rc == PP_OK) {
            phase = IN_COMMIT;
            rc = pp_pg_commit(pg, msg, sizeof msg);
        }
        if (rc == PP_OK) break;

        int lost = pg->lost || pg->doomed || PQstatus(pg->conn) != CONNECTION_OK;
        int retry = pp_pg_retryable_state(pg->sqlstate);
        char state[6];
        snprintf(state, sizeof state, "%s", pg->sqlstate);
        if (pg->in_txn || PQstatus(pg->conn) != CONNECTION_OK) {
            char rb[256];
            if (pp_pg_rollback(pg, rb, sizeof rb) != PP_OK) PP_WARN("pg", "rollback after a failed attempt: %s", rb);
        }
        if (lost && phase == IN_COMMIT && !p.retry_unknown_commit) {
            size_t len = strlen(msg);
            snprintf(msg + len, sizeof msg - len,
                     " (connection lost during COMMIT: "
                     "commit outcome unknown)");
            rc = PP_EIO;
            break;
        }
        if (lost) retry = 1;
        if (!retry || n >= p.max_attempts) break;
        long d = backoff(&p, n, &seed);
        PP_WARN("pg", "transaction attempt %d/%d failed (%s%s): %s; retrying in %ld ms", n, p.max_attempts,
                lost ? "connection lost" : "SQLSTATE ", lost ? "" : state, msg, d);
        pp_sleep_ms(d);
    }
    if (attempts) *attempts = n;
    if (rc != PP_OK) pp_errf(err, errlen, "%s", msg);
    return rc;
}
