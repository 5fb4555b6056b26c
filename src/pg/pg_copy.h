/* pg_copy — bulk loading with COPY ... FROM STDIN (text format rows, or any
 * format's bytes with pp_pg_copy_data).
 *
 *   pp_pg_copy *cp;
 *   pp_pg_copy_begin(pg, "COPY pins (id, title) FROM STDIN", 2, &cp, err, errlen);
 *   pp_pg_copy_row(cp, values, NULL, err, errlen);   (repeat; NULL value = SQL NULL)
 *   pp_pg_copy_end(cp, &rows, err, errlen);          (or pp_pg_copy_abort(cp, why))
 *
 * The COPY statement is the caller's constant text; values are escaped by
 * pg_copy_text, never interpreted. Rows are buffered (about 64 KiB) and sent in
 * chunks. Runs inside the caller's transaction if one is open; COPY is all or
 * nothing by itself. A failure in a row (a value that does not parse, a constraint)
 * is reported by pp_pg_copy_end with the server's message and line number.
 *
 * Ownership: the pp_pg_copy is freed by pp_pg_copy_end or pp_pg_copy_abort,
 * whatever they return. While it exists, pg must not run other statements.
 */
#ifndef PINPIPE_PG_COPY_H
#define PINPIPE_PG_COPY_H

#include <stddef.h>

#include "pg/pg_conn.h"

typedef struct pp_pg_copy pp_pg_copy;

int pp_pg_copy_begin(pp_pg *pg, const char *copy_sql, size_t ncols, pp_pg_copy **out, char *err, size_t errlen);
/* values[0..ncols); lens may be NULL (NUL-terminated values). A value with a NUL
 * byte is PP_EINVAL and the copy stays usable. */
int pp_pg_copy_row(pp_pg_copy *cp, const char *const *values, const size_t *lens, char *err, size_t errlen);
/* Raw bytes of the COPY's data (buffered as rows are), e.g. COPY binary's header,
 * rows and trailer built with pg_copy_binary.h. */
int pp_pg_copy_data(pp_pg_copy *cp, const void *data, size_t len, char *err, size_t errlen);
/* Sends what is buffered, ends the COPY; *rows (may be NULL) gets the server's count. */
int pp_pg_copy_end(pp_pg_copy *cp, long long *rows, char *err, size_t errlen);
/* Abandons the COPY: the server discards every row of it. */
void pp_pg_copy_abort(pp_pg_copy *cp, const char *reason);

#endif
