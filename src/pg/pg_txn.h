/* pg_txn — transactions, and a run-in-transaction helper that retries.
 *
 * pp_pg_run_txn(pg, policy, fn, arg) runs BEGIN; fn(pg, arg); COMMIT. When an
 * attempt fails it rolls back (if the connection still exists) and decides:
 *
 *   RETRIED (after a back-off of backoff_ms, doubling up to max_backoff_ms, with
 *   +-25% jitter; at most max_attempts attempts in all):
 *     - SQLSTATE 40001 serialization_failure and 40P01 deadlock_detected, raised by
 *       BEGIN, by any statement fn runs, or by COMMIT (the transaction did not
 *       commit, so running it again is safe);
 *     - a connection lost during BEGIN or during fn (the server rolls back the open
 *       transaction): the connection is re-established before the next attempt. A
 *       failed reconnect uses up an attempt too.
 *   NOT RETRIED:
 *     - any other error fn returns or a statement raises (constraint violation, bad
 *       SQL, fn's own PP_E* code): returned as is;
 *     - a connection lost during COMMIT: the commit may or may not have happened.
 *       Returned as PP_EIO with "commit outcome unknown" in err, unless the policy
 *       sets retry_unknown_commit because fn is idempotent (for instance it checks
 *       offsets stored by the same transaction and does nothing when they already
 *       moved).
 *
 * fn must do all of its work through pg, must not BEGIN/COMMIT itself, and must
 * be safe to run again: effects outside PostgreSQL happen after the helper returns.
 * fn returns PP_OK or a PP_E* code (normally the one a pp_pg_* call returned).
 */
#ifndef PINPIPE_PG_TXN_H
#define PINPIPE_PG_TXN_H

#include <stddef.h>

#include "pg/pg_conn.h"

typedef enum { PP_PG_READ_COMMITTED = 0, PP_PG_REPEATABLE_READ, PP_PG_SERIALIZABLE } pp_pg_isolation;

int pp_pg_begin(pp_pg *pg, pp_pg_isolation iso, char *err, size_t errlen);
int pp_pg_commit(pp_pg *pg, char *err, size_t errlen);
/* Rolls back the open transaction; with a lost connection there is nothing left to
 * roll back and it returns PP_OK. */
int pp_pg_rollback(pp_pg *pg, char *err, size_t errlen);

typedef int (*pp_pg_txn_fn)(pp_pg *pg, void *arg, char *err, size_t errlen);

typedef struct {
    pp_pg_isolation isolation; /* default READ COMMITTED */
    int max_attempts;          /* default 5 */
    int backoff_ms;            /* first back-off, default 50 */
    int max_backoff_ms;        /* default 2000 */
    int retry_unknown_commit;  /* default 0: see above */
} pp_pg_retry;

void pp_pg_retry_init(pp_pg_retry *r);

/* Retryable SQLSTATE? (40001, 40P01) */
int pp_pg_retryable_state(const char *sqlstate);

/* policy may be NULL (the defaults). *attempts (may be NULL) gets the number of
 * attempts made. On failure err holds the last attempt's error. */
int pp_pg_run_txn(pp_pg *pg, const pp_pg_retry *policy, pp_pg_txn_fn fn, void *arg, int *attempts, char *err,
                  size_t errlen);

#endif
