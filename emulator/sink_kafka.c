#include "sink_kafka.h"

#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "contract/event_producer.h"

static double now_s(void) { return pp_mono_us() / 1e6; }

/* The topic of a geo or user event (pp_kind_topic: the API's rule). */
static const char *side_topic(const pp_emu_options *o, pp_kind k) {
    return pp_kind_topic(k, k == PP_KIND_GEO ? o->geo_topic : o->users_topic, o->topic);
}

int pp_emu_kafka_run(pp_emu_stream *gen, const pp_emu_options *o, pp_emu_kafka_stats *st, char *err, size_t errlen) {
    memset(st, 0, sizeof *st);
    pp_event_producer *p = NULL;
    double t0 = now_s();
    int rc = pp_event_producer_create(&p, o->kafka, o->topic, (int)o->partitions, err, errlen);
    for (int k = PP_KIND_GEO; rc == PP_OK && o->kinds == PP_KINDS_ALL && o->partitions > 0 && k <= PP_KIND_USER; k++)
        rc = pp_event_producer_create_topic(p, side_topic(o, (pp_kind)k), (int)o->partitions, err, errlen);
    pp_emu_out ev;
    int g = 0;
    while (rc == PP_OK && (g = pp_emu_stream_next(gen, &ev)) == 1) {
        if (ev.kind == PP_KIND_PIN)
            rc = pp_event_producer_send(p, ev.line, ev.len, -1, err, errlen);
        else
            rc = pp_event_producer_send_kind(p, ev.kind, side_topic(o, ev.kind), ev.line, ev.len, ev.has_ind, ev.ind,
                                             -1, err, errlen);
        if (rc) break;
        st->sent++;
    }
    if (rc == PP_OK && g < 0) rc = PP_EINVAL;
    if (p) {
        char ferr[256];
        unsigned long delivered = 0, failed = 0;
        int frc = pp_event_producer_finish(p, 60000, &delivered, &failed, ferr, sizeof ferr);
        if (rc == PP_OK && frc) {
            rc = frc;
            pp_errf(err, errlen, "%s", ferr);
        }
        st->delivered = delivered;
        st->failed = failed;
    }
    pp_event_producer_destroy(p);
    st->seconds = now_s() - t0;
    return rc;
}
