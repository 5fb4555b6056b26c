/* event_time — event timestamps: parsing and formatting, always UTC.
 *
 * Accepted forms (the public data uses the first):
 *   "YYYY-MM-DD HH:MM:SS"
 *   "YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]"   (ISO-8601; no zone = UTC)
 * Times are milliseconds since the Unix epoch.
 *
 * The range of event times (docs/cleaning-rules.md, "Event time"): from
 * 1970-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z, in UTC after the zone
 * offset is applied. It is the range every store and the lake's day names
 * (YYYY-MM-DD) can hold. It is enforced here, once: the parser refuses a time out
 * of it (the API answers 422, the cleaner rejects the event as invalid_timestamp),
 * and pp_event_time_in_range guards times that arrive by other ways (the ingest
 * time of a Kafka message).
 */
#ifndef PINPIPE_EVENT_TIME_H
#define PINPIPE_EVENT_TIME_H

#include <stddef.h>
#include <stdint.h>

#define PP_EVENT_TIME_MIN_MS INT64_C(0)               /* 1970-01-01T00:00:00.000Z */
#define PP_EVENT_TIME_MAX_MS INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */

/* 1 when ms is inside [PP_EVENT_TIME_MIN_MS, PP_EVENT_TIME_MAX_MS]. */
int pp_event_time_in_range(int64_t ms);
/* 0, or PP_EINVAL for a malformed time or one out of the range above. */
int pp_event_time_parse(const char *s, size_t n, int64_t *ms_out);
/* "YYYY-MM-DD" of a time; out must hold 11 bytes. A time out of range is clamped
 * to the range first (callers check with pp_event_time_in_range). */
void pp_event_day(int64_t ms, char out[11]);
/* "YYYY-MM-DDTHH:MM:SS.mmmZ"; out must hold 25 bytes; clamped as pp_event_day. */
void pp_event_time_iso(int64_t ms, char out[25]);
/* Parses "YYYY-MM-DD" into the epoch ms of its midnight; 0 or PP_EINVAL. */
int pp_day_parse(const char *s, int64_t *ms_out);

#endif
