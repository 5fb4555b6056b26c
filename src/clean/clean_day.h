/* clean_day — the event day the cleaning engine gives some bytes, cheaply.
 *
 * pp_clean_event_day returns exactly the day pp_clean (clean.h) files the bytes
 * under — pin.event_day for an event it cleans, the reject's day for one it
 * rejects — without cleaning: it parses and validates the event (event.h) and
 * stops there, with no copies of the fields and no rules (no rule changes an
 * event's time). The rules it follows are pp_clean's:
 *   - a valid `timestamp` (event_time.h: parsed and in range) gives its day,
 *     whether or not the rest of the event is valid;
 *   - else the ingest time gives the day, when it is in the event-time range
 *     (an ingest time out of the range is unknown);
 *   - else there is no day.
 * tests/unit/test_clean_day.c checks it against pp_clean over the fixture corpus,
 * the emulator's output and the edge cases.
 */
#ifndef PINPIPE_CLEAN_DAY_H
#define PINPIPE_CLEAN_DAY_H

#include <stddef.h>
#include <stdint.h>

#include "event/kind.h"

/* buf[0..len): the raw bytes; ingest_time_ms < 0: unknown. Returns 1 and writes
 * "YYYY-MM-DD" into day, or 0 and writes "" when the bytes have no day. */
int pp_clean_event_day(const char *buf, size_t len, int64_t ingest_time_ms, char day[11]);
/* The same for an event of any kind (geo: its timestamp; user: as the pin). */
int pp_clean_kind_event_day(pp_kind kind, const char *buf, size_t len, int64_t ingest_time_ms, char day[11]);

#endif
