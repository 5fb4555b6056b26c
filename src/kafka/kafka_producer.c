#include "kafka/kafka_producer.h"

#include <librdkafka/rdkafka.h>
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
#include "kafka/kafka_rd.h"

struct pp_producer {
    rd_kafka_t *rk;
    char *topic; /* default topic, owned */
    int message_timeout_ms;
    long message_max_bytes; /* message.max.bytes as librdkafka has it */
    int has_thread;
    pthread_t thread;
    atomic_int stop;
    atomic_long pending; /* sent, delivery report not yet served */
};

/* Per-record context handed to librdkafka as the message opaque; freed in dr_cb. */
typedef struct {
    pp_delivery_cb cb;
    void *opaque;
} send_ctx;

void pp_producer_opts_init(pp_producer_opts *opts) {
    memset(opts, 0, sizeof *opts);
    opts->linger_ms = 5;
    opts->batch_num_messages = 10000;
    opts->batch_size = 1000000;
    opts->queue_max_messages = 100000;
    opts->queue_max_kbytes = 1048576;
    opts->message_timeout_ms = 30000;
    opts->message_max_bytes = (int)PP_KAFKA_RECORD_MAX_BYTES;
    opts->poll_thread = 1;
}

/* The one classification of produce errors (see the header). A broker error (> 0) in
 * a delivery report is one librdkafka gave up on without retrying: permanent. */
static int delivery_status(rd_kafka_resp_err_t e, int *too_large) {
    *too_large = 0;
    switch (e) {
    case RD_KAFKA_RESP_ERR_NO_ERROR: return PP_OK;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE: *too_large = 1; return PP_EREFUSED;
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT: return PP_ETIMEOUT;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART: return PP_ENOTFOUND;
    default: return (int)e > 0 ? PP_EREFUSED : PP_EIO;
    }
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *conf_opaque) {
    pp_producer *p = conf_opaque;
    send_ctx *ctx = m->_private;
    pp_delivery_report r;
    rd_kafka_timestamp_type_t tstype;
    (void)rk;
    r.status = delivery_status(m->err, &r.too_large);
    r.errstr = m->err ? rd_kafka_err2str(m->err) : NULL;
    r.topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
    r.partition = m->partition;
    r.offset = m->err ? -1 : m->offset;
    r.timestamp_ms = rd_kafka_message_timestamp(m, &tstype);
    if (ctx && ctx->cb)
        ctx->cb(&r, ctx->opaque);
    else if (m->err)
        PP_WARN("kafka", "delivery to %s failed: %s", r.topic, r.errstr);
    free(ctx);
    atomic_fetch_sub(&p->pending, 1);
}

static void *poll_main(void *arg) {
    pp_producer *p = arg;
    while (!atomic_load(&p->stop)) rd_kafka_poll(p->rk, 100);
    return NULL;
}

/* Appends "key","value" for a positive int option to a flat list; the value text
 * lives in buf[*n / 2]. */
/* key=v unless v is below min (then librdkafka's default stays). */
static void add_int(const char **kv, char (*buf)[24], size_t *n, const char *key, int v, int min) {
    if (v < min) return;
    char *text = buf[*n / 2];
    snprintf(text, sizeof buf[0], "%d", v);
    kv[*n] = key;
    kv[*n + 1] = text;
    *n += 2;
}

int pp_producer_create(pp_producer **out, const pp_kafka_conf *kc, const pp_producer_opts *opts, char *err,
                       size_t errlen) {
    static const char *const enforced[] = {"enable.idempotence", "true", "acks", "all", NULL};
    pp_producer_opts o;
    const char *defaults[2 * 9 + 1];
    char nums[10][24];
    size_t nd = 0;
    rd_kafka_conf_t *conf = NULL;
    char why[512];
    int rc;

    if (opts)
        o = *opts;
    else
        pp_producer_opts_init(&o);
    pp_producer *p = pp_xcalloc(1, sizeof *p);
    p->topic = pp_xstrdup(kc->topic ? kc->topic : PP_KAFKA_DEFAULT_TOPIC);
    p->message_timeout_ms = o.message_timeout_ms > 0 ? o.message_timeout_ms : 300000;
    defaults[nd++] = "partitioner";
    defaults[nd++] = "murmur2_random";
    add_int(defaults, nums, &nd, "linger.ms", o.linger_ms, 0);
    add_int(defaults, nums, &nd, "batch.num.messages", o.batch_num_messages, 1);
    add_int(defaults, nums, &nd, "batch.size", o.batch_size, 1);
    add_int(defaults, nums, &nd, "queue.buffering.max.messages", o.queue_max_messages, 1);
    add_int(defaults, nums, &nd, "queue.buffering.max.kbytes", o.queue_max_kbytes, 1);
    add_int(defaults, nums, &nd, "message.timeout.ms", o.message_timeout_ms, 1);
    add_int(defaults, nums, &nd, "message.max.bytes", o.message_max_bytes, 1000);
    defaults[nd] = NULL;

    rc = pp_kafka_rdconf_new(kc, defaults, enforced, &conf, err, errlen);
    if (rc != PP_OK) goto fail;
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, p);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (!p->rk) {
        pp_errf(err, errlen, "kafka producer: %s", why);
        rc = PP_EINVAL;
        goto fail;
    }
    conf = NULL; /* owned by rk now */
    {
        char v[64];
        size_t vn = sizeof v;
        const rd_kafka_conf_t *c = rd_kafka_conf(p->rk);
        if (rd_kafka_conf_get(c, "message.timeout.ms", v, &vn) == RD_KAFKA_CONF_OK) p->message_timeout_ms = atoi(v);
        vn = sizeof v;
        p->message_max_bytes = 1000000; /* librdkafka's default */
        if (rd_kafka_conf_get(c, "message.max.bytes", v, &vn) == RD_KAFKA_CONF_OK) p->message_max_bytes = atol(v);
    }
    atomic_init(&p->stop, 0);
    atomic_init(&p->pending, 0);
    if (o.poll_thread) {
        if (pthread_create(&p->thread, NULL, poll_main, p) != 0) {
            pp_errf(err, errlen, "kafka producer: cannot start the poll thread");
            rc = PP_ENOMEM;
            goto fail;
        }
        p->has_thread = 1;
    }
    *out = p;
    return PP_OK;

fail:
    if (conf) rd_kafka_conf_destroy(conf);
    if (p) {
        if (p->rk) rd_kafka_destroy(p->rk);
        free(p->topic);
        free(p);
    }
    return rc;
}

void pp_producer_destroy(pp_producer *p) {
    if (!p) return;
    if (p->has_thread) {
        atomic_store(&p->stop, 1);
        pthread_join(p->thread, NULL);
    }
    if (atomic_load(&p->pending) > 0) {
        PP_WARN("kafka", "producer closing with %ld undelivered records: purging them", (long)atomic_load(&p->pending));
        rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    }
    /* Serve the purge reports so every caller hears about its record; bounded. */
    for (int i = 0; i < 300 && atomic_load(&p->pending) > 0; i++) rd_kafka_poll(p->rk, 100);
    if (atomic_load(&p->pending) > 0)
        PP_ERROR("kafka", "producer destroyed with %ld reports never served", (long)atomic_load(&p->pending));
    rd_kafka_destroy(p->rk);
    free(p->topic);
    free(p);
}

static int send_flags(pp_producer *p, const pp_kafka_record *rec, pp_delivery_cb cb, void *opaque, int block, char *err,
                      size_t errlen) {
    rd_kafka_headers_t *hdrs = NULL;
    send_ctx *ctx = NULL;
    if (!rec) {
        pp_errf(err, errlen, "kafka produce: no record");
        return PP_EINVAL;
    }
    const char *topic = rec->topic ? rec->topic : p->topic;
    if (rec->nheaders > 0) {
        hdrs = rd_kafka_headers_new(rec->nheaders);
        for (size_t i = 0; i < rec->nheaders; i++) {
            const pp_kafka_header *h = &rec->headers[i];
            if (!h->name || rd_kafka_header_add(hdrs, h->name, -1, h->value, (ssize_t)h->value_len) != 0) {
                rd_kafka_headers_destroy(hdrs);
                pp_errf(err, errlen, "kafka produce: header %zu has no name", i);
                return PP_EINVAL;
            }
        }
    }
    if (cb) {
        ctx = pp_xmalloc(sizeof *ctx);
        ctx->cb = cb;
        ctx->opaque = opaque;
    }
    /* Counted before the call: the report may be served before producev returns. */
    atomic_fetch_add(&p->pending, 1);
    rd_kafka_resp_err_t e;
    int flags = RD_KAFKA_MSG_F_COPY | (block ? RD_KAFKA_MSG_F_BLOCK : 0);
    if (hdrs)
        e = rd_kafka_producev(
            p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(rec->partition), RD_KAFKA_V_MSGFLAGS(flags),
            RD_KAFKA_V_KEY(rec->key, rec->key_len), RD_KAFKA_V_VALUE((void *)rec->value, rec->value_len),
            RD_KAFKA_V_TIMESTAMP(rec->timestamp_ms), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(ctx), RD_KAFKA_V_END);
    else
        e = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(rec->partition),
                              RD_KAFKA_V_MSGFLAGS(flags), RD_KAFKA_V_KEY(rec->key, rec->key_len),
                              RD_KAFKA_V_VALUE((void *)rec->value, rec->value_len),
                              RD_KAFKA_V_TIMESTAMP(rec->timestamp_ms), RD_KAFKA_V_OPAQUE(ctx), RD_KAFKA_V_END);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        atomic_fetch_sub(&p->pending, 1);
        if (hdrs) rd_kafka_headers_destroy(hdrs);
        free(ctx);
        char what[300];
        snprintf(what, sizeof what, "kafka produce to %s", topic);
        int rc = pp_kafka_fail(p->rk, e, what, err, errlen);
        if (e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
            pp_errf(err, errlen,
                    "kafka produce to %s: the record (%zu bytes of key and value, "
                    "plus headers) is over message.max.bytes %ld",
                    topic, rec->value_len + rec->key_len, p->message_max_bytes);
            rc = PP_EREFUSED;
        }
        return rc;
    }
    return PP_OK;
}

int pp_producer_send(pp_producer *p, const pp_kafka_record *rec, pp_delivery_cb cb, void *opaque, char *err,
                     size_t errlen) {
    return send_flags(p, rec, cb, opaque, 0, err, errlen);
}

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    int status;
    int32_t partition;
    int64_t offset;
    char errstr[256];
} sync_wait;

static void sync_cb(const pp_delivery_report *r, void *opaque) {
    sync_wait *w = opaque;
    pthread_mutex_lock(&w->mu);
    w->status = r->status;
    w->partition = r->partition;
    w->offset = r->offset;
    snprintf(w->errstr, sizeof w->errstr, "%s", r->errstr ? r->errstr : "");
    w->done = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static int sync_done(sync_wait *w) {
    pthread_mutex_lock(&w->mu);
    int d = w->done;
    pthread_mutex_unlock(&w->mu);
    return d;
}

int pp_producer_send_sync(pp_producer *p, const pp_kafka_record *rec, int32_t *partition, int64_t *offset, char *err,
                          size_t errlen) {
    sync_wait w;
    memset(&w, 0, sizeof w);
    pthread_mutex_init(&w.mu, NULL);
    pthread_cond_init(&w.cv, NULL);
    int rc;
    if (p->has_thread) {
        /* The poll thread serves reports, so blocking on a full queue is safe. */
        rc = send_flags(p, rec, sync_cb, &w, 1, err, errlen);
    } else {
        int waited = 0;
        while ((rc = send_flags(p, rec, sync_cb, &w, 0, err, errlen)) == PP_EBUSY && waited < p->message_timeout_ms) {
            rd_kafka_poll(p->rk, 100);
            waited += 100;
        }
    }
    if (rc == PP_OK) {
        /* The report always comes: message.timeout.ms bounds every delivery. */
        if (p->has_thread) {
            pthread_mutex_lock(&w.mu);
            while (!w.done) pthread_cond_wait(&w.cv, &w.mu);
            pthread_mutex_unlock(&w.mu);
        } else {
            while (!sync_done(&w)) rd_kafka_poll(p->rk, 100);
        }
        rc = w.status;
        if (rc != PP_OK) pp_errf(err, errlen, "kafka delivery failed: %s", w.errstr);
        if (partition) *partition = w.partition;
        if (offset) *offset = w.offset;
    }
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.mu);
    return rc;
}

int pp_producer_poll(pp_producer *p, int timeout_ms) { return rd_kafka_poll(p->rk, timeout_ms); }

int pp_producer_flush(pp_producer *p, int timeout_ms, char *err, size_t errlen) {
    int64_t deadline = pp_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    rd_kafka_resp_err_t e = rd_kafka_flush(p->rk, timeout_ms);
    if (e && e != RD_KAFKA_RESP_ERR__TIMED_OUT) return pp_kafka_fail(p->rk, e, "kafka flush", err, errlen);
    /* The queue is empty; callbacks may still be running on the poll thread. */
    while (atomic_load(&p->pending) > 0 && pp_mono_ms() < deadline) rd_kafka_poll(p->rk, 10);
    if (atomic_load(&p->pending) > 0) {
        pp_errf(err, errlen, "kafka flush: %ld records still undelivered after %d ms", (long)atomic_load(&p->pending),
                timeout_ms);
        return PP_ETIMEOUT;
    }
    return PP_OK;
}

long pp_producer_max_message_bytes(const pp_producer *p) { return p->message_max_bytes; }

long pp_producer_pending(const pp_producer *p) { return (long)atomic_load(&((pp_producer *)p)->pending); }

int pp_producer_check(pp_producer *p, char *err, size_t errlen) {
    char why[512] = "";
    rd_kafka_resp_err_t e = rd_kafka_fatal_error(p->rk, why, sizeof why);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) return PP_OK;
    pp_errf(err, errlen, "kafka producer fatal error %s: %s", rd_kafka_err2name(e), why);
    return PP_EIO;
}
