#include "lake/lake_day.h"

#include <string.h>

#include "event/event_time.h"

void pp_lake_event_day(const void *value, size_t len, int64_t ingest_time_ms, const pp_clean_opts *opts,
                       char day[11]) {
    pp_clean_opts o = *opts;
    pp_pin pin;
    pp_reject rej;
    o.ingest_time_ms = ingest_time_ms;
    if (pp_clean(value ? (const char *)value : "", len, &o, &pin, &rej, NULL) == 0) {
        memcpy(day, pin.event_day, 11);
        pp_pin_clear(&pin);
    } else if (rej.day[0]) {
        memcpy(day, rej.day, 11);
    } else if (pp_event_time_in_range(ingest_time_ms)) {
        pp_event_day(ingest_time_ms, day);
    } else {
        memcpy(day, PP_LAKE_NO_TIME_DAY, 11);
    }
    day[10] = '\0';
}
