#include "lake/lake_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "event/event_time.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_group.h"

int pp_lake_status_decide(pp_lake_part_status *p, size_t n, int64_t deadline_ms, int64_t now_ms) {
    int all = n > 0;
    char at[25];
    pp_event_time_iso(deadline_ms, at);
    for (size_t i = 0; i < n; i++) {
        pp_lake_part_status *s = &p[i];
        long long c = (long long)(s->committed < 0 ? 0 : s->committed);
        if (s->needed >= 0) {
            s->ok = s->committed >= 0 && s->committed >= s->needed;
            snprintf(s->why, sizeof s->why, "offset %lld is the first stamped at or after %s; the lake %s %lld",
                     (long long)s->needed, at, s->ok ? "is past it at" : "has stored only up to", c);
        } else if (s->committed < s->high && !(s->high == 0 && s->committed < 0)) {
            s->ok = 0;
            snprintf(s->why, sizeof s->why, "no message stamped %s or later; the lake has stored up to %lld of %lld",
                     at, c, (long long)s->high);
        } else {
            s->ok = now_ms >= deadline_ms;
            snprintf(s->why, sizeof s->why, "the lake has stored everything (%lld); %s", (long long)s->high,
                     s->ok ? "the allowance has passed" : "waiting for the allowance to pass");
        }
        if (!s->ok) all = 0;
    }
    return all;
}

int pp_lake_status_query(const pp_kafka_conf *kc, const char *topic, const char *group, int64_t deadline_ms,
                         int timeout_ms, pp_lake_part_status **out, size_t *n, char *err, size_t errlen) {
    pp_kafka_admin *a = NULL;
    pp_kafka_watermark *wm = NULL;
    pp_kafka_committed *c = NULL;
    size_t nwm = 0, nc = 0;
    int32_t *ids = NULL;
    int64_t *needed = NULL;
    *out = NULL;
    *n = 0;
    int rc = pp_kafka_admin_create(&a, kc, err, errlen);
    if (!rc) rc = pp_kafka_admin_watermarks(a, topic, timeout_ms, &wm, &nwm, err, errlen);
    if (!rc) rc = pp_kafka_group_committed(kc, topic, group, timeout_ms, &c, &nc, err, errlen);
    if (!rc) {
        ids = pp_xcalloc(nwm ? nwm : 1, sizeof *ids);
        needed = pp_xcalloc(nwm ? nwm : 1, sizeof *needed);
        for (size_t i = 0; i < nwm; i++) ids[i] = wm[i].partition;
        rc = pp_kafka_admin_offsets_for_time(a, topic, ids, nwm, deadline_ms, timeout_ms, needed, err, errlen);
    }
    if (!rc) {
        pp_lake_part_status *p = pp_xcalloc(nwm ? nwm : 1, sizeof *p);
        for (size_t i = 0; i < nwm; i++) {
            p[i].partition = wm[i].partition;
            p[i].high = wm[i].high;
            p[i].needed = needed[i] >= 0 && needed[i] < wm[i].high ? needed[i] : -1;
            p[i].committed = -1;
            for (size_t k = 0; k < nc; k++)
                if (c[k].partition == wm[i].partition) p[i].committed = c[k].offset;
        }
        *out = p;
        *n = nwm;
    }
    free(ids);
    free(needed);
    free(c);
    free(wm);
    pp_kafka_admin_destroy(a);
    return rc;
}
