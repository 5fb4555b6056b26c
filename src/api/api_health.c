#include "api/api_health.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "kafka/kafka_admin.h"

struct pp_api_health {
    pp_kafka_admin *admin;
    pp_producer *producer;
    int interval_ms;
    pthread_t thread;
    int has_thread;
    pthread_mutex_t mu; /* guards why, stop; cv wakes the thread on stop */
    pthread_cond_t cv;
    int stop;
    char why[256];
    atomic_int state;
};

static void probe_once(pp_api_health *h) {
    char err[256] = "";
    int brokers = 0;
    pp_api_kafka_state s;
    int timeout = h->interval_ms < 2000 ? 2000 : h->interval_ms;
    if (pp_producer_check(h->producer, err, sizeof err) != PP_OK)
        s = PP_API_KAFKA_FATAL;
    else if (pp_kafka_admin_ping(h->admin, timeout, &brokers, err, sizeof err) == PP_OK && brokers > 0)
        s = PP_API_KAFKA_REACHABLE;
    else
        s = PP_API_KAFKA_UNREACHABLE;
    if (s == PP_API_KAFKA_UNREACHABLE && !err[0]) snprintf(err, sizeof err, "no broker answered");
    pp_api_kafka_state old = (pp_api_kafka_state)atomic_exchange(&h->state, (int)s);
    pthread_mutex_lock(&h->mu);
    snprintf(h->why, sizeof h->why, "%s", s == PP_API_KAFKA_REACHABLE ? "" : err);
    pthread_mutex_unlock(&h->mu);
    if (old != s) {
        if (s == PP_API_KAFKA_REACHABLE)
            PP_INFO("api", "kafka reachable (%d broker%s)", brokers, brokers == 1 ? "" : "s");
        else
            PP_WARN("api", "kafka %s: %s", pp_api_kafka_state_name(s), err);
    }
}

static void *probe_main(void *arg) {
    pp_api_health *h = arg;
    for (;;) {
        probe_once(h);
        struct timespec until = pp_mono_deadline(h->interval_ms);
        pthread_mutex_lock(&h->mu);
        while (!h->stop && pthread_cond_timedwait(&h->cv, &h->mu, &until) != ETIMEDOUT) {}
        int stop = h->stop;
        pthread_mutex_unlock(&h->mu);
        if (stop) break;
    }
    return NULL;
}

int pp_api_health_create(pp_api_health **out, const pp_kafka_conf *kc, pp_producer *producer, int interval_ms,
                         char *err, size_t errlen) {
    pp_api_health *h = pp_xcalloc(1, sizeof *h);
    int rc;
    h->producer = producer;
    h->interval_ms = interval_ms > 0 ? interval_ms : 1000;
    atomic_init(&h->state, PP_API_KAFKA_UNKNOWN);
    pthread_mutex_init(&h->mu, NULL);
    pp_cond_init_mono(&h->cv); /* the probe period does not jump with the wall clock */
    rc = pp_kafka_admin_create(&h->admin, kc, err, errlen);
    if (rc != PP_OK) goto fail;
    if (pthread_create(&h->thread, NULL, probe_main, h) != 0) {
        pp_errf(err, errlen, "api health: cannot start the probe thread");
        rc = PP_ENOMEM;
        goto fail;
    }
    h->has_thread = 1;
    *out = h;
    return PP_OK;
fail:
    pp_api_health_destroy(h);
    return rc;
}

void pp_api_health_destroy(pp_api_health *h) {
    if (!h) return;
    if (h->has_thread) {
        pthread_mutex_lock(&h->mu);
        h->stop = 1;
        pthread_cond_signal(&h->cv);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->thread, NULL);
    }
    pp_kafka_admin_destroy(h->admin);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

pp_api_kafka_state pp_api_health_state(pp_api_health *h, char *why, size_t whylen) {
    pp_api_kafka_state s = (pp_api_kafka_state)atomic_load(&h->state);
    if (why && whylen) {
        pthread_mutex_lock(&h->mu);
        snprintf(why, whylen, "%s", s == PP_API_KAFKA_UNKNOWN ? "no probe has answered yet" : h->why);
        pthread_mutex_unlock(&h->mu);
    }
    return s;
}
