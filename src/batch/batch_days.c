#include "batch/batch_days.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "event/event_time.h"

#define MS_PER_DAY INT64_C(86400000)

int pp_batch_day_valid(const char *s) {
    int64_t ms;
    char back[11];
    if (!s || strlen(s) != 10 || pp_day_parse(s, &ms) != PP_OK) return 0;
    pp_event_day(ms, back); /* 2026-02-30 parses as a date but does not come back */
    return memcmp(back, s, 10) == 0;
}

int pp_batch_days_range(const char *from, const char *to, pp_batch_days *out, char *err, size_t errlen) {
    int64_t a, b;
    memset(out, 0, sizeof *out);
    if (!pp_batch_day_valid(from) || pp_day_parse(from, &a) != PP_OK) {
        pp_errf(err, errlen, "not a day (YYYY-MM-DD): '%s'", from ? from : "");
        return PP_EINVAL;
    }
    if (!pp_batch_day_valid(to) || pp_day_parse(to, &b) != PP_OK) {
        pp_errf(err, errlen, "not a day (YYYY-MM-DD): '%s'", to ? to : "");
        return PP_EINVAL;
    }
    if (b < a) {
        pp_errf(err, errlen, "the range ends (%s) before it starts (%s)", to, from);
        return PP_EINVAL;
    }
    int64_t n = (b - a) / MS_PER_DAY + 1;
    if (n > PP_BATCH_MAX_DAYS) {
        pp_errf(err, errlen, "%s..%s is %lld days; at most %d per run (split the range)", from, to, (long long)n,
                PP_BATCH_MAX_DAYS);
        return PP_EINVAL;
    }
    out->day = pp_xcalloc((size_t)n, sizeof *out->day);
    for (int64_t i = 0; i < n; i++) pp_event_day(a + i * MS_PER_DAY, out->day[i]);
    out->n = (size_t)n;
    return PP_OK;
}

void pp_batch_days_free(pp_batch_days *d) {
    if (!d) return;
    free(d->day);
    d->day = NULL;
    d->n = 0;
}
