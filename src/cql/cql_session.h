/* cql_session — pinpipe's Cassandra client: a session on one node over one
 * connection, with prepared statements, paging, batches, and requests in flight.
 *
 *   pp_cql_config cfg;
 *   pp_cql_config_from_env(&cfg, err, sizeof err);      // defaults < PINPIPE_CASSANDRA_*
 *   cfg.keyspace = "pinpipe";                            // < the caller's overrides
 *   pp_cql_session_create(&cfg, &s, err, sizeof err);    // connect, STARTUP, auth, USE
 *   pp_cql_prepare(s, "INSERT INTO t (k, v) VALUES (?, ?)", &ins, err, sizeof err);
 *   pp_cql_value v[] = {pp_cql_text("a"), pp_cql_int(1)};
 *   pp_cql_execute(s, ins, v, 2, NULL, err, sizeof err);
 *
 * Values are always bound as protocol values, never spliced into statement text.
 * Every call returns 0 or a negative PP_E*, with a message in err. A server error is
 * PP_ESERVER with err "code 0x2200 Invalid: <server's message>";
 * pp_cql_session_server_code then gives the code.
 *
 * Ownership: the session owns its connection, its prepared statements (valid until
 * the session is destroyed; a re-prepare updates them in place) and the futures
 * not yet waited for (destroying the session frees them). Results are owned by the
 * caller that receives them (pp_cql_result_destroy). Config strings are copied at
 * create. A session is not thread-safe: use one per thread.
 *
 * Prepared statements are re-prepared transparently when the server answers
 * Unprepared (0x2500), and the request is retried once.
 */
#ifndef PINPIPE_CQL_SESSION_H
#define PINPIPE_CQL_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_frame.h"
#include "cql/cql_result.h"
#include "cql/cql_value.h"

#define PP_CQL_DEFAULT_PORT 19042
#define PP_CQL_DEFAULT_PAGE_SIZE 5000

typedef struct {
    const char *host;       /* default 127.0.0.1 */
    int port;               /* default 19042 */
    const char *user;       /* default cassandra; NULL or "": no credentials */
    const char *password;   /* default cassandra */
    const char *keyspace;   /* NULL or "": none; else `USE` on connect ([A-Za-z0-9_]) */
    int consistency;        /* default LOCAL_ONE */
    int32_t page_size;      /* rows per page of a SELECT (default 5000); <= 0: no paging */
    int connect_timeout_ms; /* default 5000 */
    int request_timeout_ms; /* each request (default 12000) */
    size_t max_frame;       /* largest response body accepted (default 256 MiB) */
    int max_streams;        /* requests in flight at most (default 1024; max 32768) */
} pp_cql_config;

/* The built-in defaults. */
void pp_cql_config_defaults(pp_cql_config *c);
/* Defaults overlaid with PINPIPE_CASSANDRA_HOST, _PORT, _USER, _PASSWORD and
 * _CONSISTENCY (the keyspace is the caller's choice: PINPIPE_CASSANDRA_KEYSPACE is
 * not read here). PP_EINVAL for a port or consistency that does not parse. The
 * strings point into the environment. */
int pp_cql_config_from_env(pp_cql_config *c, char *err, size_t errlen);

typedef struct pp_cql_session pp_cql_session;
typedef struct pp_cql_prepared pp_cql_prepared;
typedef struct pp_cql_future pp_cql_future;

int pp_cql_session_create(const pp_cql_config *cfg, pp_cql_session **out, char *err, size_t errlen);
void pp_cql_session_destroy(pp_cql_session *s);

/* The code of the last server error (e.g. 0x2400 Already_exists), -1 if none yet. */
int32_t pp_cql_session_server_code(const pp_cql_session *s);
/* The keyspace in use ("" if none). */
const char *pp_cql_session_keyspace(const pp_cql_session *s);
/* How many times a statement was re-prepared after an Unprepared answer. */
uint64_t pp_cql_session_reprepares(const pp_cql_session *s);

/* ---- synchronous ---------------------------------------------------------- */

/* Runs a statement with n bound values (serialized by their own kinds) and, for a
 * SELECT, follows every page into one result. out may be NULL (result dropped). */
int pp_cql_query(pp_cql_session *s, const char *cql, const pp_cql_value *vals, size_t n, pp_cql_result **out, char *err,
                 size_t errlen);

/* Prepares (or finds in the session's cache) a statement. */
int pp_cql_prepare(pp_cql_session *s, const char *cql, const pp_cql_prepared **out, char *err, size_t errlen);
const char *pp_cql_prepared_query(const pp_cql_prepared *p);
size_t pp_cql_prepared_nbind(const pp_cql_prepared *p);
/* Bind marker i: name and type (valid until the next re-prepare). */
const pp_cql_column *pp_cql_prepared_bind(const pp_cql_prepared *p, size_t i);

/* Executes a prepared statement; values are encoded for its bind markers' types
 * (n must match). Follows every page, like pp_cql_query. */
int pp_cql_execute(pp_cql_session *s, const pp_cql_prepared *p, const pp_cql_value *vals, size_t n, pp_cql_result **out,
                   char *err, size_t errlen);

/* One page: prev == NULL asks for the first; else the page after prev (a result of
 * the same statement with pp_cql_result_has_more). */
int pp_cql_query_page(pp_cql_session *s, const char *cql, const pp_cql_value *vals, size_t n, const pp_cql_result *prev,
                      pp_cql_result **out, char *err, size_t errlen);
int pp_cql_execute_page(pp_cql_session *s, const pp_cql_prepared *p, const pp_cql_value *vals, size_t n,
                        const pp_cql_result *prev, pp_cql_result **out, char *err, size_t errlen);

typedef struct {
    const pp_cql_prepared *stmt;
    const pp_cql_value *values;
    size_t nvalues;
} pp_cql_batch_item;

/* One BATCH of prepared statements; type PP_CQL_BATCH_UNLOGGED (or _LOGGED). */
int pp_cql_batch(pp_cql_session *s, int type, const pp_cql_batch_item *items, size_t n, char *err, size_t errlen);

/* ---- asynchronous --------------------------------------------------------- */
/* submit sends the request at once and returns a future (owned by the session until
 * waited for). Results of a submitted SELECT are its first page only
 * (pp_cql_result_has_more tells; continue with pp_cql_*_page). */

int pp_cql_submit_query(pp_cql_session *s, const char *cql, const pp_cql_value *vals, size_t n, pp_cql_future **out,
                        char *err, size_t errlen);
int pp_cql_submit_execute(pp_cql_session *s, const pp_cql_prepared *p, const pp_cql_value *vals, size_t n,
                          pp_cql_future **out, char *err, size_t errlen);
int pp_cql_submit_batch(pp_cql_session *s, int type, const pp_cql_batch_item *items, size_t n, pp_cql_future **out,
                        char *err, size_t errlen);

/* The stream id the future's request travels on (-1 once it has failed locally). */
int pp_cql_future_stream(const pp_cql_future *f);

/* Waits up to timeout_ms (< 0: until the earliest request deadline) for any future
 * to become ready, in whatever order the server answers; *ready is then a future
 * whose pp_cql_wait returns without blocking on the network (except to re-prepare).
 * PP_ETIMEOUT if none became ready; PP_EINVAL if none is outstanding. */
int pp_cql_poll(pp_cql_session *s, int timeout_ms, pp_cql_future **ready, char *err, size_t errlen);

/* Waits for f's response and consumes f (freed, whatever the outcome). out may be
 * NULL. */
int pp_cql_wait(pp_cql_session *s, pp_cql_future *f, pp_cql_result **out, char *err, size_t errlen);

#endif
