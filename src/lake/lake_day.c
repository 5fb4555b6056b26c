#include "lake/lake_day.h"

#include <string.h>

#include "clean/clean_day.h"

void pp_lake_event_day(pp_kind kind, const void *value, size_t len, int64_t ingest_time_ms, const pp_clean_opts *opts,
                       char day[11]) {
    (void)opts; /* no rule changes an event's day */
    if (!pp_clean_kind_event_day(kind, value ? (const char *)value : "", len, ingest_time_ms, day))
        memcpy(day, PP_LAKE_NO_TIME_DAY, 11);
}
