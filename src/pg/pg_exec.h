/* pg_exec — parameterised statements and their results.
 *
 * Every value travels as a bound parameter ($1, $2, ...), never spliced into SQL:
 * params[i] is the text form of the value, NULL for SQL NULL. Results are text.
 *
 * Errors carry the server's message and SQLSTATE ("pg exec: ERROR: syntax error
 * at or near ... (SQLSTATE 42601)"; also pp_pg_sqlstate()) and are classified once
 * (common/error.h):
 *   PP_EIO       transient: the connection failed (pp_pg_lost() is then true; see
 *                pg_conn.h), or SQLSTATE 40*, 53*, 55P03, 57014, 58*: retry later;
 *   PP_EREFUSED  the data is refused for good: SQLSTATE 22* (data exception, e.g.
 *                22008 a date out of range), 23* (a constraint), 54* (too large);
 *   PP_ESERVER   any other server error (bad SQL, a missing table, permissions):
 *                permanent, and not the fault of one row.
 *
 * Ownership: a pp_pg_result belongs to the caller, who frees it with
 * pp_pg_result_free; strings read from it live as long as it does.
 */
#ifndef PINPIPE_PG_EXEC_H
#define PINPIPE_PG_EXEC_H

#include <stddef.h>

#include "pg/pg_conn.h"

typedef struct pg_result pp_pg_result; /* libpq's PGresult */

/* Runs sql with nparams parameters. res may be NULL when the rows are not wanted. */
int pp_pg_exec(pp_pg *pg, const char *sql, int nparams, const char *const *params, pp_pg_result **res, char *err,
               size_t errlen);

/* Prepares a named statement and remembers it: after a reconnect it is prepared
 * again automatically. Preparing a known name again with the same SQL is a no-op;
 * with different SQL it is PP_EINVAL. */
int pp_pg_prepare(pp_pg *pg, const char *name, const char *sql, int nparams, char *err, size_t errlen);
int pp_pg_exec_prepared(pp_pg *pg, const char *name, int nparams, const char *const *params, pp_pg_result **res,
                        char *err, size_t errlen);

/* The first column of the first row: *value is malloc'd text (free() it) or NULL for
 * SQL NULL. PP_ENOTFOUND when there is no row. */
int pp_pg_query_value(pp_pg *pg, const char *sql, int nparams, const char *const *params, char **value, char *err,
                      size_t errlen);
/* The same, parsed as an integer: PP_ENOTFOUND no row, PP_EINVAL NULL or not an integer. */
int pp_pg_query_int64(pp_pg *pg, const char *sql, int nparams, const char *const *params, long long *value, char *err,
                      size_t errlen);

int pp_pg_result_rows(const pp_pg_result *r);
int pp_pg_result_cols(const pp_pg_result *r);
/* Column index by name, -1 if absent. */
int pp_pg_result_col(const pp_pg_result *r, const char *name);
/* The text of a field, NULL for SQL NULL (or out of range). */
const char *pp_pg_result_value(const pp_pg_result *r, int row, int col);
size_t pp_pg_result_len(const pp_pg_result *r, int row, int col);
/* Rows affected by INSERT/UPDATE/DELETE/COPY (0 when not applicable). */
long long pp_pg_result_affected(const pp_pg_result *r);
void pp_pg_result_free(pp_pg_result *r);

#endif
