/* cli_table — rows of text as the query commands print them (cql, sql): an aligned
 * table with a header, a rule and "(N rows)", or CSV fields (RFC 4180).
 */
#ifndef PINPIPE_CLI_TABLE_H
#define PINPIPE_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

/* An aligned table: names[nc], cells[row * nc + col] (NULL prints as "null"). Widths
 * count UTF-8 code points; a newline, tab or carriage return in a cell shows escaped
 * (\n, \t, \r) so the columns stay aligned. */
void cli_table_print(FILE *out, size_t nc, const char *const *names, size_t nr, const char *const *cells);

/* One CSV field: quoted (quotes doubled) when it holds a comma, quote or line break,
 * or always when quote_always (an empty string, to tell it from null). */
void cli_csv_field(FILE *out, const char *s, int quote_always);

#endif
