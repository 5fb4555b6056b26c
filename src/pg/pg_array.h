/* pg_array — PostgreSQL array literals, '{"a","b"}', built in a strbuf.
 *
 * For array parameters of one statement (unnest($1::text[], $2::bigint[]) sends a
 * whole batch in one round trip) and for array columns in COPY text (the literal is
 * then escaped as any COPY value). Text elements are always double-quoted, with
 * '\' and '"' escaped, so "NULL" or a blank stays a string. A NUL byte cannot be
 * in a PostgreSQL text value: PP_EINVAL, and the literal must be abandoned.
 *
 *   pp_pg_array_open(&sb); pp_pg_array_text(&sb, v, len); ...; pp_pg_array_close(&sb);
 */
#ifndef PINPIPE_PG_ARRAY_H
#define PINPIPE_PG_ARRAY_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

void pp_pg_array_open(pp_strbuf *sb);
int pp_pg_array_text(pp_strbuf *sb, const char *v, size_t len);
void pp_pg_array_int(pp_strbuf *sb, int64_t v);
void pp_pg_array_close(pp_strbuf *sb);

#endif
