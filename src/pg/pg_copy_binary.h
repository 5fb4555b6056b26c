/* pg_copy_binary — PostgreSQL COPY binary format (COPY ... FROM STDIN (FORMAT
 * binary)): the fields of a row, appended to a strbuf. Pure functions, no
 * connection (unit-tested in tests/unit/test_pg_copy_binary.c).
 *
 * Format: a header, then per row a 16-bit field count and per field a 32-bit byte
 * length (-1: SQL NULL) and the value in the type's binary form (network byte
 * order), then a trailer. Binary values need no escaping and no parsing by the
 * server; each must match its column's type exactly (the server checks lengths,
 * ranges and the text's encoding, and refuses the COPY otherwise).
 *
 *   pp_pg_bin_header(&sb);
 *   pp_pg_bin_row(&sb, 3); pp_pg_bin_int8(&sb, 7); pp_pg_bin_text(&sb, "a", 1); pp_pg_bin_null(&sb);
 *   pp_pg_bin_trailer(&sb);
 */
#ifndef PINPIPE_PG_COPY_BINARY_H
#define PINPIPE_PG_COPY_BINARY_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/* Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch for dates and times. */
#define PP_PG_EPOCH_UNIX_DAYS 10957

void pp_pg_bin_header(pp_strbuf *sb);
void pp_pg_bin_trailer(pp_strbuf *sb);
/* Starts a row of nfields fields. */
void pp_pg_bin_row(pp_strbuf *sb, int nfields);
void pp_pg_bin_null(pp_strbuf *sb);
/* text: PP_EINVAL when v holds a NUL byte, which no PostgreSQL text can hold (the
 * field is then incomplete: abandon the row). */
int pp_pg_bin_text(pp_strbuf *sb, const char *v, size_t len);
void pp_pg_bin_int8(pp_strbuf *sb, int64_t v);
void pp_pg_bin_int4(pp_strbuf *sb, int32_t v);
void pp_pg_bin_bool(pp_strbuf *sb, int v);
/* date: days since 2000-01-01. */
void pp_pg_bin_date(pp_strbuf *sb, int32_t days);
/* timestamptz: microseconds since 2000-01-01T00:00:00Z. */
void pp_pg_bin_timestamptz(pp_strbuf *sb, int64_t us);
/* text[] of the C strings list[0..n) (one dimension; n = 0: the empty array). */
void pp_pg_bin_text_array(pp_strbuf *sb, const char *const *list, size_t n);

#endif
