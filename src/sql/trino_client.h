/* trino_client — runs one SQL statement on Trino through its HTTP client protocol
 * (POST /v1/statement, then GET each nextUri until there is none) and collects the
 * columns and rows. Used by `pinpipe sql`.
 *
 * Protocol: https://trino.io/docs/current/develop/client-protocol.html. Every response
 * is a JSON document with the query's id, `columns` (once known), a page of `data`
 * (rows as JSON arrays), `nextUri` while the query is not finished, and `error` when it
 * failed: its message (with the line and column for a syntax or semantic error) is what
 * the caller reports. 502/503/504 and 429 are retried with a short backoff, as the
 * protocol asks; a query that runs past the timeout is cancelled (DELETE nextUri).
 *
 * A nextUri is followed only when it starts with the server URL the caller gave: a
 * response cannot send the client (and its headers) to another host.
 *
 * Limits: a response body of at most PP_TRINO_MAX_BODY bytes; at most max_rows rows
 * are kept (more fail with a message: use LIMIT).
 *
 * Ownership: a pp_trino_result owns its names, types and rows; free it with
 * pp_trino_result_free. The config's strings belong to the caller.
 */
#ifndef PINPIPE_SQL_TRINO_CLIENT_H
#define PINPIPE_SQL_TRINO_CLIENT_H

#include <stddef.h>

#include <jansson.h>

#define PP_TRINO_MAX_BODY ((size_t)64 * 1024 * 1024)
#define PP_TRINO_DEFAULT_MAX_ROWS 1000000

typedef struct {
    const char *url;     /* http://127.0.0.1:18080 (a trailing '/' is ignored) */
    const char *user;    /* X-Trino-User */
    const char *catalog; /* X-Trino-Catalog, or NULL */
    const char *schema;  /* X-Trino-Schema, or NULL */
    long timeout_ms;     /* the whole query, queueing included */
    long connect_timeout_ms;
    long max_rows;
} pp_trino_config;

typedef struct {
    size_t ncols;
    char **names;       /* ncols column names */
    char **types;       /* ncols Trino type signatures ("varchar", "bigint", ...) */
    json_t *rows;       /* array of arrays (one per row, ncols values each) */
    char *update_type;  /* "CREATE VIEW", ... for a statement without rows; NULL else */
    char query_id[128]; /* the server's id of the query */
    long max_rows;      /* more rows than this fail the query (0: PP_TRINO_DEFAULT_MAX_ROWS) */
} pp_trino_result;

void pp_trino_result_init(pp_trino_result *r);
void pp_trino_result_free(pp_trino_result *r);

/* Applies one response document to r. *next_uri gets the URI to GET next (caller
 * frees), or NULL when the query is finished. A query error, a malformed document or a
 * nextUri outside base fails with the message in err. Pure: no I/O. */
int pp_trino_apply_page(pp_trino_result *r, const char *body, size_t len, const char *base, char **next_uri, char *err,
                        size_t errlen);

/* Runs sql; r gets the result. On error err says why: the server's message for a
 * failed query ("Trino: line 1:8: Column 'x' cannot be resolved (COLUMN_NOT_FOUND)"),
 * or the transport's. */
int pp_trino_query(const pp_trino_config *c, const char *sql, pp_trino_result *r, char *err, size_t errlen);

/* The text of a value as the table and CSV show it: strings as they are, numbers and
 * booleans in JSON form, structures as compact JSON; NULL for null. Caller frees. */
char *pp_trino_value_text(const json_t *v);

#endif
