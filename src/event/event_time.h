/* event_time — event timestamps: parsing and formatting, always UTC.
 *
 * Accepted forms (the public data uses the first):
 *   "YYYY-MM-DD HH:MM:SS"
 *   "YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]"   (ISO-8601; no zone = UTC)
 * Years 1970..9999. Times are milliseconds since the Unix epoch.
 */
#ifndef PINPIPE_EVENT_TIME_H
#define PINPIPE_EVENT_TIME_H

#include <stddef.h>
#include <stdint.h>

int pp_event_time_parse(const char *s, size_t n, int64_t *ms_out);
/* "YYYY-MM-DD" of a time; out must hold 11 bytes. */
void pp_event_day(int64_t ms, char out[11]);
/* "YYYY-MM-DDTHH:MM:SS.mmmZ"; out must hold 25 bytes. */
void pp_event_time_iso(int64_t ms, char out[25]);
/* Parses "YYYY-MM-DD" into the epoch ms of its midnight; 0 or PP_EINVAL. */
int pp_day_parse(const char *s, int64_t *ms_out);

#endif
