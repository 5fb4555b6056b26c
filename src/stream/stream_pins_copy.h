/* stream_pins_copy — a stored pin as one row of the stream's COPY into pins, in
 * COPY's binary format (pg/pg_copy_binary.h): no escaping on our side, no parsing
 * of text into dates, times, numbers and arrays on PostgreSQL's.
 *
 * Each column is encoded by its kind and PostgreSQL type (contract/pin_columns.h):
 * text, date (event_day's "YYYY-MM-DD"), bigint, int, boolean, timestamptz and
 * text[]. A time is clamped to the event-time range as the text form was
 * (event/event_time.h); a time before 1970 or a day that is not a date is refused,
 * as PostgreSQL refused their text. A column of a kind and type not listed has no
 * binary form: tests/unit/test_stream_pins_copy.c checks every pin column has one.
 */
#ifndef PINPIPE_STREAM_PINS_COPY_H
#define PINPIPE_STREAM_PINS_COPY_H

#include <stddef.h>

#include "common/strbuf.h"
#include "contract/pin_columns.h"

/* 1 when the column has a binary form here. */
int pp_stream_pin_column_binary(const pp_pin_column *c);

/* Appends row r's values of cols[0..ncols) as one binary COPY row to out. PP_OK;
 * PP_EREFUSED for a value PostgreSQL would refuse (*why says which), or PP_EINVAL
 * for a column without a binary form; out is then as it was. */
int pp_stream_pin_row(const pp_pin_column *const *cols, size_t ncols, const pp_pin_row *r, pp_strbuf *out,
                      const char **why);

#endif
