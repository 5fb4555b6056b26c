#include "contract/event_producer.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/mem.h"
#include "contract/message.h"
#include "event/event.h"
#include "kafka/kafka_admin.h"
#include "kafka/kafka_producer.h"

struct pp_event_producer {
    pp_kafka_conf conf;
    pp_producer *producer;
    char *topic;
    atomic_ulong delivered, failed;
};

static void on_delivery(const pp_delivery_report *r, void *opaque) {
    pp_event_producer *p = opaque;
    if (r->status == PP_OK)
        atomic_fetch_add(&p->delivered, 1);
    else
        atomic_fetch_add(&p->failed, 1);
}

static int create_topic(pp_kafka_conf *conf, const char *topic, int partitions, char *err, size_t errlen) {
    pp_kafka_admin *admin = NULL;
    int rc = pp_kafka_admin_create(&admin, conf, err, errlen);
    if (rc == PP_OK) rc = pp_kafka_admin_create_topic(admin, topic, partitions, 1, 10000, err, errlen);
    pp_kafka_admin_destroy(admin);
    return rc;
}

int pp_event_producer_create(pp_event_producer **out, const char *brokers, const char *topic, int partitions, char *err,
                             size_t errlen) {
    pp_event_producer *p = pp_xcalloc(1, sizeof *p);
    int rc = pp_kafka_conf_init(&p->conf, err, errlen);
    if (rc == PP_OK) rc = pp_kafka_conf_set_brokers(&p->conf, brokers, err, errlen);
    if (rc == PP_OK) rc = pp_kafka_conf_set_topic(&p->conf, topic, err, errlen);
    if (rc == PP_OK && partitions > 0) rc = create_topic(&p->conf, topic, partitions, err, errlen);
    if (rc == PP_OK) rc = pp_producer_create(&p->producer, &p->conf, NULL, err, errlen);
    p->topic = pp_xstrdup(topic);
    if (rc != PP_OK) {
        pp_event_producer_destroy(p);
        return rc;
    }
    *out = p;
    return PP_OK;
}

int pp_event_producer_create_topic(pp_event_producer *p, const char *topic, int partitions, char *err, size_t errlen) {
    return create_topic(&p->conf, topic, partitions, err, errlen);
}

static int send_message(pp_event_producer *p, pp_message *m, char *err, size_t errlen) {
    int rc;
    while ((rc = pp_producer_send(p->producer, &m->rec, on_delivery, p, err, errlen)) == PP_EBUSY)
        pp_producer_flush(p->producer, 100, NULL, 0); /* queue full: let it drain */
    return rc;
}

int pp_event_producer_send(pp_event_producer *p, const char *buf, size_t len, int64_t ingest_time_ms, char *err,
                           size_t errlen) {
    pp_event ev;
    pp_message m;
    pp_event_parse(&ev, buf, len, NULL, 0);
    pp_message_build(&m, p->topic, buf, len, &ev, ingest_time_ms >= 0 ? ingest_time_ms : pp_wall_ms());
    int rc = send_message(p, &m, err, errlen);
    pp_event_clear(&ev);
    return rc;
}

int pp_event_producer_send_kind(pp_event_producer *p, pp_kind kind, const char *topic, const char *buf, size_t len,
                                int has_ind, int64_t ind, int64_t ingest_time_ms, char *err, size_t errlen) {
    pp_message m;
    pp_message_build_kind(&m, kind, topic, buf, len, has_ind, ind, ingest_time_ms >= 0 ? ingest_time_ms : pp_wall_ms());
    return send_message(p, &m, err, errlen);
}

int pp_event_producer_finish(pp_event_producer *p, int timeout_ms, unsigned long *delivered, unsigned long *failed,
                             char *err, size_t errlen) {
    int rc = pp_producer_flush(p->producer, timeout_ms, err, errlen);
    *delivered = atomic_load(&p->delivered);
    *failed = atomic_load(&p->failed);
    return rc;
}

void pp_event_producer_destroy(pp_event_producer *p) {
    if (!p) return;
    pp_producer_destroy(p->producer);
    pp_kafka_conf_free(&p->conf);
    free(p->topic);
    free(p);
}
