/* pg_copy_text — PostgreSQL COPY text format: escaping values and encoding rows.
 * Pure functions, no connection (unit-tested in tests/unit/test_pg_copy_text.c).
 *
 * Format (COPY ... FROM STDIN, default TEXT format, tab delimiter): one line per
 * row, columns separated by a tab, the line ended by a newline; SQL NULL is \N.
 * Inside a value, backslash becomes \\, newline \n, carriage return \r and tab \t;
 * every other byte is passed through (the server checks the encoding). A value
 * containing a NUL byte cannot be represented: PP_EINVAL.
 */
#ifndef PINPIPE_PG_COPY_TEXT_H
#define PINPIPE_PG_COPY_TEXT_H

#include <stddef.h>

/* Bytes the escaped form of v[0..len) takes (no terminator). */
size_t pp_pg_copy_escaped_len(const char *v, size_t len);

/* Writes the escaped form of v[0..len) to out (pp_pg_copy_escaped_len bytes, no
 * terminator). Returns PP_OK, or PP_EINVAL if v holds a NUL byte (out is then
 * partly written). */
int pp_pg_copy_escape(const char *v, size_t len, char *out);

/* Bytes one encoded row takes: values[i] == NULL is SQL NULL; lens may be NULL
 * (strlen is used), else lens[i] is values[i]'s length. */
size_t pp_pg_copy_row_len(const char *const *values, const size_t *lens, size_t ncols);

/* Encodes one row (tab-separated, \N for NULL, ending with '\n') into out, which has
 * pp_pg_copy_row_len bytes. PP_EINVAL (naming the column in err) on a NUL byte. */
int pp_pg_copy_encode_row(const char *const *values, const size_t *lens, size_t ncols, char *out, char *err,
                          size_t errlen);

#endif
