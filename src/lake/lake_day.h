/* lake_day — the event day a lake record is filed under.
 *
 * Exactly the day the batch and the stream give the event, because it is what the
 * one cleaning engine says (clean/clean_day.h, without running the cleaner, by the
 * event's kind): the cleaned record's event_day for an event it cleans, the reject's
 * day for one it rejects (its timestamp's day when readable, else the ingest day). A message with no time
 * at all (no timestamp, no ingest header, no message timestamp) is filed under
 * 1970-01-01 so it is still kept, somewhere the batch can find it.
 */
#ifndef PINPIPE_LAKE_DAY_H
#define PINPIPE_LAKE_DAY_H

#include <stddef.h>
#include <stdint.h>

#include "clean/clean.h"

#define PP_LAKE_NO_TIME_DAY "1970-01-01"

/* value[0..len): the message value (NULL with len 0 is fine) of an event of kind;
 * ingest_time_ms < 0: unknown; opts: the cleaning options (unused: no rule changes
 * the day). */
void pp_lake_event_day(pp_kind kind, const void *value, size_t len, int64_t ingest_time_ms, const pp_clean_opts *opts,
                       char day[11]);

#endif
