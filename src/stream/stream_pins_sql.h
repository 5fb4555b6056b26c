/* stream_pins_sql — the stream's SQL about pins, generated from the pin column
 * table (contract/pin_columns.h), so the pins table, its staging table, the COPY
 * into staging and the INSERT into pins always name the same columns in the same
 * order.
 *
 *   pins        CREATE TABLE pins (...) of the version-1 columns (migration 1);
 *               ALTER TABLE pins ADD COLUMN ... of a later version's columns
 *   stage_pins  a temporary table of the columns the stream writes (not those the
 *               store fills itself), ON COMMIT DELETE ROWS
 *   COPY        COPY stage_pins (...) FROM STDIN, in that order
 *   INSERT      the first occurrence per primary key from staging into pins,
 *               RETURNING the coordinates of the rows that were new
 *
 * tests/unit/test_pin_columns.c holds the statements as they were written by hand
 * before, and checks these are the same (up to whitespace).
 * Every function appends to the caller's strbuf.
 */
#ifndef PINPIPE_STREAM_PINS_SQL_H
#define PINPIPE_STREAM_PINS_SQL_H

#include "common/strbuf.h"

void pp_stream_pins_create(pp_strbuf *out);
/* The ALTER TABLE of the columns added in version (> 1); 0 when there are none. */
int pp_stream_pins_alter(pp_strbuf *out, int version);
void pp_stream_pins_stage_create(pp_strbuf *out);
void pp_stream_pins_copy(pp_strbuf *out);
void pp_stream_pins_insert(pp_strbuf *out);

#endif
