#include "clean/clean_day.h"

#include "event/event.h"
#include "event/kind_event.h"
#include "event/event_time.h"

int pp_clean_event_day(const char *buf, size_t len, int64_t ingest_time_ms, char day[11]) {
    pp_event ev;
    int known = 1;
    pp_event_parse(&ev, buf, len, NULL, 0);
    if (ev.present[PP_F_TIMESTAMP])
        pp_event_day(ev.event_time_ms, day);
    else if (pp_event_time_in_range(ingest_time_ms))
        pp_event_day(ingest_time_ms, day);
    else
        known = 0;
    pp_event_clear(&ev);
    if (!known) day[0] = '\0';
    return known;
}

int pp_clean_kind_event_day(pp_kind kind, const char *buf, size_t len, int64_t ingest_time_ms, char day[11]) {
    if (kind == PP_KIND_PIN) return pp_clean_event_day(buf, len, ingest_time_ms, day);
    pp_kind_event ev;
    int tf = kind == PP_KIND_GEO ? PP_GEO_TIMESTAMP : PP_USER_TIMESTAMP, known = 1;
    pp_kind_event_parse(&ev, kind, buf, len, NULL, 0);
    if (ev.present[tf])
        pp_event_day(ev.i[tf], day);
    else if (pp_event_time_in_range(ingest_time_ms))
        pp_event_day(ingest_time_ms, day);
    else
        known = 0;
    pp_kind_event_clear(&ev);
    if (!known) day[0] = '\0';
    return known;
}
