/* cli_table — what the query commands (cql, sql) share: their statements from -e and
 * --file in order, the --format choice, and rows of text printed as an aligned table
 * with a header, a rule and "(N rows)", or as CSV fields (RFC 4180).
 */
#ifndef PINPIPE_CLI_TABLE_H
#define PINPIPE_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "common/options.h"

enum { CLI_FMT_TABLE, CLI_FMT_CSV, CLI_FMT_JSON };

/* --format table|csv|json: a CLI_FMT_* into the int field at o->off. */
int cli_opt_format(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);

/* -e STATEMENT and -f/--file FILE, in the order given. */
typedef struct {
    int is_file;
    const char *arg;
} cli_source;
typedef struct {
    cli_source *items; /* the caller allocates room for argc */
    size_t n;
} cli_sources;

/* Appends to the cli_sources field at o->off: a file when the row's short flag is 'f'. */
int cli_opt_source(const pp_opt *o, void *cfg, const char *val, pp_opt_from from, char *err, size_t errlen);

/* An aligned table: names[nc], cells[row * nc + col] (NULL prints as "null"). Widths
 * count UTF-8 code points; a newline, tab or carriage return in a cell shows escaped
 * (\n, \t, \r) so the columns stay aligned. */
void cli_table_print(FILE *out, size_t nc, const char *const *names, size_t nr, const char *const *cells);

/* One CSV field: quoted (quotes doubled) when it holds a comma, quote or line break,
 * or always when quote_always (an empty string, to tell it from null). */
void cli_csv_field(FILE *out, const char *s, int quote_always);

#endif
