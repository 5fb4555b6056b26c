#include "sink_kafka.h"

#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "contract/event_producer.h"

static double now_s(void) { return pp_mono_us() / 1e6; }

int pp_emu_kafka_run(pp_emu_gen *gen, pp_manifest *man, const pp_emu_options *o, pp_emu_kafka_stats *st, char *err,
                     size_t errlen) {
    memset(st, 0, sizeof *st);
    pp_event_producer *p = NULL;
    double t0 = now_s();
    int rc = pp_event_producer_create(&p, o->kafka, o->topic, (int)o->partitions, err, errlen);
    pp_emu_event ev;
    int g = 0;
    while (rc == PP_OK && (g = pp_emu_gen_next(gen, &ev)) == 1) {
        if (man && (rc = pp_manifest_add(man, &ev, err, errlen))) break;
        if ((rc = pp_event_producer_send(p, ev.line, ev.len, -1, err, errlen))) break;
        st->sent++;
    }
    if (rc == PP_OK && g < 0) rc = PP_EINVAL;
    if (p) {
        unsigned long delivered = 0, failed = 0;
        char ferr[256];
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
