/* cql_script — splits a CQL script (a .cql file, or `-e` text) into statements.
 *
 * Rules: a statement ends at a ';' that is the last non-blank character of a line;
 * lines whose first non-blank characters are "--" or "//" are comments and are
 * skipped, as are blank lines; text after the last such ';' is a final statement.
 * Statements keep their inner line breaks, lose the final ';' and surrounding blanks.
 *
 * The script owns its statements (pp_cql_script_free).
 */
#ifndef PINPIPE_CQL_SCRIPT_H
#define PINPIPE_CQL_SCRIPT_H

#include <stddef.h>

typedef struct {
    char **stmts;
    size_t *lines; /* 1-based line where statement i starts */
    size_t n;
} pp_cql_script;

/* Always 0 (allocation failure aborts). A script with nothing but comments gives n == 0. */
int pp_cql_script_split(const char *text, size_t len, pp_cql_script *out, char *err, size_t errlen);
void pp_cql_script_free(pp_cql_script *s);

#endif
