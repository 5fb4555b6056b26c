#include "sink_kafka.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "contract/event_producer.h"
#include "contract/message.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_producer.h"

static double now_s(void) { return pp_mono_us() / 1e6; }

/* The geo and user events' producer (--kinds all). */
typedef struct {
    pp_kafka_conf conf;
    pp_producer *producer;
    atomic_ulong delivered, failed;
} side_producer;

static void on_delivery(const pp_delivery_report *r, void *opaque) {
    side_producer *p = opaque;
    if (r->status == PP_OK)
        atomic_fetch_add(&p->delivered, 1);
    else
        atomic_fetch_add(&p->failed, 1);
}

/* The topic of a geo or user event (pp_kind_topic: the API's rule). */
static const char *side_topic(const pp_emu_options *o, pp_kind k) {
    return pp_kind_topic(k, k == PP_KIND_GEO ? o->geo_topic : o->users_topic, o->topic);
}

static int side_create(side_producer *p, const pp_emu_options *o, char *err, size_t errlen) {
    int rc = pp_kafka_conf_init(&p->conf, err, errlen);
    if (rc == PP_OK) rc = pp_kafka_conf_set_brokers(&p->conf, o->kafka, err, errlen);
    if (rc == PP_OK && o->partitions > 0) {
        pp_kafka_admin *admin = NULL;
        rc = pp_kafka_admin_create(&admin, &p->conf, err, errlen);
        for (int k = PP_KIND_GEO; rc == PP_OK && k <= PP_KIND_USER; k++)
            rc = pp_kafka_admin_create_topic(admin, side_topic(o, (pp_kind)k), (int)o->partitions, 1, 10000, err,
                                             errlen);
        pp_kafka_admin_destroy(admin);
    }
    if (rc == PP_OK) rc = pp_producer_create(&p->producer, &p->conf, NULL, err, errlen);
    return rc;
}

static int side_send(side_producer *p, const pp_emu_options *o, const pp_emu_out *ev, char *err, size_t errlen) {
    pp_message m;
    pp_message_build_kind(&m, ev->kind, side_topic(o, ev->kind), ev->line, ev->len, ev->has_ind, ev->ind, pp_wall_ms());
    int rc;
    while ((rc = pp_producer_send(p->producer, &m.rec, on_delivery, p, err, errlen)) == PP_EBUSY)
        pp_producer_flush(p->producer, 100, NULL, 0); /* queue full: let it drain */
    return rc;
}

int pp_emu_kafka_run(pp_emu_stream *gen, const pp_emu_options *o, pp_emu_kafka_stats *st, char *err, size_t errlen) {
    memset(st, 0, sizeof *st);
    pp_event_producer *p = NULL;
    side_producer sides;
    memset(&sides, 0, sizeof sides);
    double t0 = now_s();
    int rc = pp_event_producer_create(&p, o->kafka, o->topic, (int)o->partitions, err, errlen);
    int side_conf = rc == PP_OK && o->kinds == PP_KINDS_ALL;
    if (side_conf) rc = side_create(&sides, o, err, errlen);
    pp_emu_out ev;
    int g = 0;
    while (rc == PP_OK && (g = pp_emu_stream_next(gen, &ev)) == 1) {
        if (ev.kind == PP_KIND_PIN)
            rc = pp_event_producer_send(p, ev.line, ev.len, -1, err, errlen);
        else
            rc = side_send(&sides, o, &ev, err, errlen);
        if (rc) break;
        st->sent++;
    }
    if (rc == PP_OK && g < 0) rc = PP_EINVAL;
    char ferr[256];
    if (p) {
        unsigned long delivered = 0, failed = 0;
        int frc = pp_event_producer_finish(p, 60000, &delivered, &failed, ferr, sizeof ferr);
        if (rc == PP_OK && frc) {
            rc = frc;
            pp_errf(err, errlen, "%s", ferr);
        }
        st->delivered = delivered;
        st->failed = failed;
    }
    if (sides.producer) {
        int frc = pp_producer_flush(sides.producer, 60000, ferr, sizeof ferr);
        if (rc == PP_OK && frc) {
            rc = frc;
            pp_errf(err, errlen, "%s", ferr);
        }
        st->delivered += atomic_load(&sides.delivered);
        st->failed += atomic_load(&sides.failed);
    }
    pp_producer_destroy(sides.producer);
    if (side_conf) pp_kafka_conf_free(&sides.conf);
    pp_event_producer_destroy(p);
    st->seconds = now_s() - t0;
    return rc;
}
