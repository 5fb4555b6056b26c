/* stream_pins_sql — the stream's SQL about pins, generated from the pin column
 * table (contract/pin_columns.h), so the pins table, the COPY into it and the
 * check of which keys it holds always name the same columns in the same order.
 *
 *   pins        CREATE TABLE pins (...) of the version-1 columns (migration 1);
 *               ALTER TABLE pins ADD COLUMN ... of a later version's columns
 *   COPY        COPY pins (...) FROM STDIN of the columns the stream writes (not
 *               those the store fills itself), in that order
 *   existing    SELECT of the 1-based positions, among the keys given as one array
 *               parameter per key column ($1 event_day[], $2 unique_id[]), of the
 *               keys pins already holds: one anti-join for a whole batch
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
void pp_stream_pins_copy(pp_strbuf *out);
void pp_stream_pins_existing(pp_strbuf *out);

#endif
