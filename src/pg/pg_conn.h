/* pg_conn — one PostgreSQL connection (libpq), and how it comes back after a failure.
 *
 * DSN: a URI or key=value string; NULL means PINPIPE_PG_DSN, else
 * postgresql://pinpipe:pinpipe@127.0.0.1:15432/pinpipe. pinpipe adds
 * connect_timeout=5 and application_name=pinpipe unless the DSN sets them, and
 * always client_encoding=UTF8.
 *
 * Server notices (RAISE NOTICE/WARNING, and the FATAL a server sends before closing
 * the connection) go to pinpipe's logger, component "pg": WARNING and worse at warn,
 * NOTICE and INFO at info, DEBUG and LOG at debug.
 *
 * Reconnection: before each statement issued OUTSIDE a transaction, the connection
 * is checked without blocking; if the server closed it (restart, idle kill), it is
 * re-established first (prepared statements are prepared again), so a restart
 * between statements is invisible. A connection lost DURING a statement is reported
 * (PP_EIO, pp_pg_lost() true) and never silently retried here, because the
 * statement may or may not have run; the next statement reconnects.
 * pp_pg_run_txn (pg_txn.h) adds retries on top.
 *
 * Threads: a pp_pg is used by one thread at a time.
 * Ownership: pp_pg owns its PGconn; pp_pg_destroy closes it.
 */
#ifndef PINPIPE_PG_CONN_H
#define PINPIPE_PG_CONN_H

#include <stddef.h>

#define PP_PG_DEFAULT_DSN "postgresql://pinpipe:pinpipe@127.0.0.1:15432/pinpipe"

typedef struct pp_pg pp_pg;
typedef struct pg_conn PGconn; /* libpq's type, for pp_pg_raw */

/* Connects (blocking, at most connect_timeout). PP_EIO with libpq's message if the
 * server cannot be reached or refuses; nothing is allocated then. */
int pp_pg_connect(pp_pg **out, const char *dsn, char *err, size_t errlen);
void pp_pg_destroy(pp_pg *pg);

/* Drops the connection and connects again with the same settings, then prepares
 * the remembered prepared statements again. Any open transaction is lost. */
int pp_pg_reconnect(pp_pg *pg, char *err, size_t errlen);

/* SQLSTATE of the last failed statement ("" after a success or a client-side
 * failure), e.g. "40001" for a serialization failure. */
const char *pp_pg_sqlstate(const pp_pg *pg);
/* Did the last failure lose the connection? */
int pp_pg_lost(const pp_pg *pg);
/* Is a transaction open (as of the last statement)? */
int pp_pg_in_txn(const pp_pg *pg);
/* How many times the connection was re-established (for logs and tests). */
unsigned pp_pg_reconnects(const pp_pg *pg);
/* The server's backend process id (for pg_terminate_backend in tests). */
int pp_pg_backend_pid(const pp_pg *pg);

/* libpq's handle, borrowed, for what this module does not wrap. */
PGconn *pp_pg_raw(pp_pg *pg);

#endif
