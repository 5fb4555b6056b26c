/* fake_kafka — see fake_kafka.h. Implements kafka_producer.h and api_health.h. */
#include "fake_kafka.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_health.h"
#include "common/error.h"
#include "event/event.h"
#include "event/kind_event.h"
#include "fuzz_support.h"
#include "kafka/kafka_producer.h"
#include "contract/message.h"

static atomic_int g_outcome = FAKE_KAFKA_DELIVERED;
static atomic_int g_reachable = 1;
static atomic_size_t g_max_value = 1024 * 1024;
static atomic_long g_refused;

void fake_kafka_set_outcome(fake_kafka_outcome o) { atomic_store(&g_outcome, (int)o); }
void fake_kafka_set_reachable(int reachable) { atomic_store(&g_reachable, reachable); }
void fake_kafka_set_max_value(size_t bytes) { atomic_store(&g_max_value, bytes); }
long fake_kafka_refused_for_good(void) { return atomic_load(&g_refused); }

/* ---- producer --------------------------------------------------------------- */

typedef struct report {
    struct report *next;
    pp_delivery_cb cb;
    void *opaque;
    int status;
    int too_large;
} report;

struct pp_producer {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    report *head, *tail; /* reports not yet served */
    pthread_t thread;
    int stop;
    atomic_long pending; /* sent, callback not yet returned */
};

void pp_producer_opts_init(pp_producer_opts *opts) {
    memset(opts, 0, sizeof *opts);
    opts->message_timeout_ms = 30000;
    opts->poll_thread = 1;
}

static void serve(pp_producer *p, report *r) {
    pp_delivery_report rep = {.status = r->status,
                              .too_large = r->too_large,
                              .errstr = r->status == PP_OK ? NULL : "fake failure",
                              .topic = "pins",
                              .partition = r->status == PP_OK ? 0 : -1,
                              .offset = r->status == PP_OK ? 0 : -1,
                              .timestamp_ms = 0};
    if (r->cb) r->cb(&rep, r->opaque);
    free(r);
    atomic_fetch_sub(&p->pending, 1);
}

static void *poll_main(void *arg) {
    pp_producer *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
        report *r = p->head;
        if (!r) break; /* stopping, nothing left */
        p->head = r->next;
        if (!p->head) p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        serve(p, r);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int pp_producer_create(pp_producer **out, const pp_kafka_conf *kc, const pp_producer_opts *opts, char *err,
                       size_t errlen) {
    (void)kc;
    (void)opts;
    pp_producer *p = calloc(1, sizeof *p);
    if (!p) {
        pp_errf(err, errlen, "fake producer: out of memory");
        return PP_ENOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    atomic_init(&p->pending, 0);
    if (pthread_create(&p->thread, NULL, poll_main, p) != 0) {
        free(p);
        pp_errf(err, errlen, "fake producer: cannot start its thread");
        return PP_EIO;
    }
    *out = p;
    return PP_OK;
}

void pp_producer_destroy(pp_producer *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static const pp_kafka_header *header(const pp_kafka_record *rec, const char *name) {
    for (size_t i = 0; i < rec->nheaders; i++)
        if (strcmp(rec->headers[i].name, name) == 0) return &rec->headers[i];
    return NULL;
}

/* A geo or user record (docs/joins.md): a valid event of its kind, keyed by its ind. */
static void check_kind_record(const pp_kafka_record *rec, pp_kind kind) {
    pp_kind_event ev;
    int rc = pp_kind_event_parse(&ev, kind, rec->value, rec->value_len, NULL, 0);
    FUZZ_CHECK(rc == PP_OK, "the API produced a %s event that is not valid", pp_kind_name(kind));
    int ind = kind == PP_KIND_GEO ? (int)PP_GEO_IND : (int)PP_USER_IND;
    char key[24];
    int n = snprintf(key, sizeof key, "%lld", (long long)ev.i[ind]);
    FUZZ_CHECK(rec->key_len == (size_t)n && memcmp(rec->key, key, (size_t)n) == 0, "the record's key is not the ind");
    const pp_kafka_header *schema = header(rec, PP_HDR_SCHEMA);
    FUZZ_CHECK(schema && schema->value_len == 1 && ((const char *)schema->value)[0] == '1',
               "a %s record's schema header is not 1", pp_kind_name(kind));
    pp_kind_event_clear(&ev);
}

/* The API's Kafka contract (api_ingest.h, docs/architecture.md, docs/joins.md). */
static void check_record(const pp_kafka_record *rec) {
    FUZZ_CHECK(rec->value && rec->value_len > 0, "the API produced an empty value");
    FUZZ_CHECK(rec->value_len <= atomic_load(&g_max_value), "the API produced %zu bytes, over its body limit",
               rec->value_len);
    const pp_kafka_header *ingest = header(rec, PP_HDR_INGEST_TIME);
    FUZZ_CHECK(ingest && ingest->value_len > 0, "the record has no ingest time");
    for (size_t i = 0; i < ingest->value_len; i++)
        FUZZ_CHECK(((const char *)ingest->value)[i] >= '0' && ((const char *)ingest->value)[i] <= '9',
                   "the ingest time is not decimal");
    pp_kafka_message as_read = {.headers = rec->headers, .nheaders = rec->nheaders};
    pp_kind kind;
    FUZZ_CHECK(header(rec, PP_HDR_KIND) && pp_message_kind(&as_read, &kind) == 0, "the record names no kind");
    if (kind != PP_KIND_PIN) {
        check_kind_record(rec, kind);
        return;
    }
    pp_event ev;
    int rc = pp_event_parse(&ev, rec->value, rec->value_len, NULL, 0);
    FUZZ_CHECK(rc == PP_OK, "the API produced an event that is not valid");
    const void *key;
    size_t key_len;
    pp_message_key(ev.str[PP_F_UNIQUE_ID], ev.len[PP_F_UNIQUE_ID], &key, &key_len);
    FUZZ_CHECK(rec->key_len == key_len && (key_len == 0 || memcmp(rec->key, key, key_len) == 0),
               "the record's key is not the event's unique_id");
    const pp_kafka_header *schema = header(rec, PP_HDR_SCHEMA);
    FUZZ_CHECK(schema && schema->value_len == 1 && ((const char *)schema->value)[0] == '0' + ev.schema_version,
               "the record's schema header is not the event's schema version");
    pp_event_clear(&ev);
}

int pp_producer_send(pp_producer *p, const pp_kafka_record *rec, pp_delivery_cb cb, void *opaque, char *err,
                     size_t errlen) {
    check_record(rec);
    int o = atomic_load(&g_outcome);
    if (o == FAKE_KAFKA_QUEUE_FULL) {
        pp_errf(err, errlen, "fake producer: queue full");
        return PP_EBUSY;
    }
    if (o == FAKE_KAFKA_TOO_LARGE) {
        pp_errf(err, errlen, "fake producer: message too large");
        return PP_EREFUSED;
    }
    report *r = calloc(1, sizeof *r);
    if (!r) {
        pp_errf(err, errlen, "fake producer: out of memory");
        return PP_ENOMEM;
    }
    r->cb = cb;
    r->opaque = opaque;
    switch (o) {
    case FAKE_KAFKA_TIMEOUT: r->status = PP_ETIMEOUT; break;
    case FAKE_KAFKA_FAILED: r->status = PP_EIO; break;
    case FAKE_KAFKA_BROKER_REFUSED: r->status = PP_EREFUSED, r->too_large = 1; break;
    case FAKE_KAFKA_NO_TOPIC:
        r->status = PP_ENOTFOUND;
        atomic_fetch_add(&g_refused, 1);
        break;
    default: r->status = PP_OK; break;
    }
    atomic_fetch_add(&p->pending, 1);
    pthread_mutex_lock(&p->mu);
    if (p->tail)
        p->tail->next = r;
    else
        p->head = r;
    p->tail = r;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return PP_OK;
}

int pp_producer_flush(pp_producer *p, int timeout_ms, char *err, size_t errlen) {
    struct timespec nap = {0, 1000000};
    for (int waited = 0; atomic_load(&p->pending) > 0; waited++) {
        if (waited >= timeout_ms) {
            pp_errf(err, errlen, "fake producer: %ld records not delivered", atomic_load(&p->pending));
            return PP_ETIMEOUT;
        }
        nanosleep(&nap, NULL);
    }
    return PP_OK;
}

long pp_producer_max_message_bytes(const pp_producer *p) {
    (void)p;
    return PP_KAFKA_RECORD_MAX_BYTES;
}

long pp_producer_pending(const pp_producer *p) { return atomic_load(&((pp_producer *)p)->pending); }

int pp_producer_check(pp_producer *p, char *err, size_t errlen) {
    (void)p;
    (void)err;
    (void)errlen;
    return PP_OK;
}

/* ---- health probe ----------------------------------------------------------- */

struct pp_api_health {
    int unused;
};

int pp_api_health_create(pp_api_health **out, const pp_kafka_conf *kc, pp_producer *producer, int interval_ms,
                         char *err, size_t errlen) {
    (void)kc;
    (void)producer;
    (void)interval_ms;
    *out = calloc(1, sizeof **out);
    if (!*out) {
        pp_errf(err, errlen, "fake health: out of memory");
        return PP_ENOMEM;
    }
    return PP_OK;
}

void pp_api_health_destroy(pp_api_health *h) { free(h); }

pp_api_kafka_state pp_api_health_state(pp_api_health *h, char *why, size_t whylen) {
    (void)h;
    if (atomic_load(&g_reachable)) return PP_API_KAFKA_REACHABLE;
    if (why && whylen) pp_errf(why, whylen, "fake: no broker");
    return PP_API_KAFKA_UNREACHABLE;
}
