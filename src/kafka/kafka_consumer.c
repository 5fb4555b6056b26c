#include "kafka/kafka_consumer.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "kafka/kafka_rd.h"

struct pp_consumer {
    rd_kafka_t *rk;
    pp_kafka_rebalance_cb cb;
    void *cb_opaque;
    int closed;
    int cb_rc; /* error of the last failed assignment callback, until reported */
    char cb_err[320];
};

static void log_parts(const char *what, const rd_kafka_topic_partition_list_t *parts) {
    char line[1024];
    size_t n = 0;
    line[0] = '\0';
    for (int i = 0; i < parts->cnt && n < sizeof line - 64; i++) {
        int w = snprintf(line + n, sizeof line - n, "%s%s[%d]", i ? " " : "", parts->elems[i].topic,
                         (int)parts->elems[i].partition);
        if (w > 0) n += (size_t)w;
    }
    PP_INFO("kafka", "%s %d partition(s): %s", what, parts->cnt, line);
}

/* Calls the caller's callback with parts copied into pp_kafka_partition form; on
 * ASSIGNED copies the chosen offsets back. */
static int call_user(pp_consumer *c, pp_kafka_rebalance ev, rd_kafka_topic_partition_list_t *parts) {
    if (!c->cb || parts->cnt == 0) return PP_OK;
    pp_kafka_partition *arr = pp_xcalloc((size_t)parts->cnt, sizeof *arr);
    for (int i = 0; i < parts->cnt; i++) {
        arr[i].topic = parts->elems[i].topic;
        arr[i].partition = parts->elems[i].partition;
        arr[i].offset = ev == PP_KAFKA_ASSIGNED ? PP_KAFKA_OFFSET_COMMITTED : parts->elems[i].offset;
    }
    char err[256] = "";
    int rc = c->cb(ev, arr, (size_t)parts->cnt, c->cb_opaque, err, sizeof err);
    if (rc == PP_OK && ev == PP_KAFKA_ASSIGNED)
        for (int i = 0; i < parts->cnt; i++) parts->elems[i].offset = arr[i].offset;
    if (rc != PP_OK)
        snprintf(c->cb_err, sizeof c->cb_err, "kafka rebalance callback: %s", err[0] ? err : pp_strerror(rc));
    free(arr);
    return rc;
}

static void check_error(rd_kafka_error_t *e, const char *what) {
    if (!e) return;
    PP_ERROR("kafka", "%s: %s", what, rd_kafka_error_string(e));
    rd_kafka_error_destroy(e);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t e, rd_kafka_topic_partition_list_t *parts, void *opaque) {
    pp_consumer *c = opaque;
    int coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        log_parts("assigned", parts);
        int rc = call_user(c, PP_KAFKA_ASSIGNED, parts);
        if (rc != PP_OK) {
            c->cb_rc = rc;
            PP_ERROR("kafka", "%s; not consuming the assigned partitions", c->cb_err);
            return;
        }
        if (coop)
            check_error(rd_kafka_incremental_assign(rk, parts), "incremental assign");
        else if ((e = rd_kafka_assign(rk, parts)) != RD_KAFKA_RESP_ERR_NO_ERROR)
            PP_ERROR("kafka", "assign: %s", rd_kafka_err2str(e));
    } else if (e == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        int lost = rd_kafka_assignment_lost(rk);
        log_parts(lost ? "lost" : "revoked", parts);
        (void)call_user(c, lost ? PP_KAFKA_LOST : PP_KAFKA_REVOKED, parts);
        if (coop)
            check_error(rd_kafka_incremental_unassign(rk, parts), "incremental unassign");
        else
            rd_kafka_assign(rk, NULL);
    } else {
        PP_ERROR("kafka", "rebalance failed: %s", rd_kafka_err2str(e));
        rd_kafka_assign(rk, NULL);
    }
}

int pp_consumer_rdconf_new(const pp_kafka_conf *kc, const pp_consumer_opts *o, rd_kafka_conf_t **out, char *err,
                           size_t errlen) {
    char sess[24], poll_iv[24];
    const char *defaults[13];
    size_t nd = 0;
    if (!o || !o->group_id || !*o->group_id) {
        pp_errf(err, errlen, "kafka consumer: a group id is required");
        return PP_EINVAL;
    }
    const char *enforced[] = {"group.id", o->group_id, "enable.auto.commit", "false", "enable.auto.offset.store",
                              "false",    NULL};
    defaults[nd++] = "auto.offset.reset";
    defaults[nd++] = o->auto_offset_reset ? o->auto_offset_reset : "earliest";
    /* partitions added to a subscribed topic are seen (and rebalanced onto a member)
     * at the next metadata refresh: librdkafka's default is 5 minutes */
    defaults[nd++] = "topic.metadata.refresh.interval.ms";
    defaults[nd++] = PP_KAFKA_CONSUMER_METADATA_REFRESH_MS;
    if (o->session_timeout_ms > 0) {
        snprintf(sess, sizeof sess, "%d", o->session_timeout_ms);
        defaults[nd++] = "session.timeout.ms";
        defaults[nd++] = sess;
    }
    if (o->max_poll_interval_ms > 0) {
        snprintf(poll_iv, sizeof poll_iv, "%d", o->max_poll_interval_ms);
        defaults[nd++] = "max.poll.interval.ms";
        defaults[nd++] = poll_iv;
    }
    if (o->instance_id && *o->instance_id) {
        defaults[nd++] = "group.instance.id";
        defaults[nd++] = o->instance_id;
    }
    defaults[nd] = NULL;
    return pp_kafka_rdconf_new(kc, defaults, enforced, out, err, errlen);
}

int pp_consumer_create(pp_consumer **out, const pp_kafka_conf *kc, const pp_consumer_opts *o, char *err,
                       size_t errlen) {
    char why[512];
    rd_kafka_conf_t *conf = NULL;
    rd_kafka_topic_partition_list_t *subs = NULL;
    pp_consumer *c = NULL;
    int rc = PP_OK;

    c = pp_xcalloc(1, sizeof *c);
    c->cb = o->rebalance;
    c->cb_opaque = o->rebalance_opaque;
    rc = pp_consumer_rdconf_new(kc, o, &conf, err, errlen);
    if (rc != PP_OK) goto fail;
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_opaque(conf, c);
    c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!c->rk) {
        pp_errf(err, errlen, "kafka consumer: %s", why);
        rc = PP_EINVAL;
        goto fail;
    }
    conf = NULL;
    rd_kafka_poll_set_consumer(c->rk); /* error callbacks are served by consumer polls */

    size_t nt = o->topics ? o->ntopics : 1;
    subs = rd_kafka_topic_partition_list_new((int)nt);
    for (size_t i = 0; i < nt; i++)
        rd_kafka_topic_partition_list_add(
            subs, o->topics ? o->topics[i] : (kc->topic ? kc->topic : PP_KAFKA_DEFAULT_TOPIC), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(c->rk, subs);
    if (e) {
        rc = pp_kafka_fail(c->rk, e, "kafka subscribe", err, errlen);
        goto fail;
    }
    rd_kafka_topic_partition_list_destroy(subs);
    *out = c;
    return PP_OK;

fail:
    if (subs) rd_kafka_topic_partition_list_destroy(subs);
    if (conf) rd_kafka_conf_destroy(conf);
    if (c->rk) {
        c->closed = 1; /* never joined: nothing to leave */
        rd_kafka_destroy(c->rk);
    }
    free(c);
    return rc;
}

int pp_consumer_close(pp_consumer *c, char *err, size_t errlen) {
    if (c->closed) return PP_OK;
    c->closed = 1;
    rd_kafka_resp_err_t e = rd_kafka_consumer_close(c->rk);
    if (e) return pp_kafka_fail(c->rk, e, "kafka consumer close", err, errlen);
    return PP_OK;
}

void pp_consumer_destroy(pp_consumer *c) {
    if (!c) return;
    char err[256];
    if (!c->closed && pp_consumer_close(c, err, sizeof err) != PP_OK) PP_WARN("kafka", "%s", err);
    rd_kafka_destroy(c->rk);
    free(c);
}

void pp_kafka_batch_init(pp_kafka_batch *b) { memset(b, 0, sizeof *b); }

static void batch_release(pp_kafka_batch *b) {
    for (size_t i = 0; i < b->count; i++) rd_kafka_message_destroy(b->raw[i]);
    b->count = 0;
}

void pp_kafka_batch_free(pp_kafka_batch *b) {
    batch_release(b);
    free(b->msgs);
    free(b->raw);
    free(b->hdrs);
    memset(b, 0, sizeof *b);
}

/* Fills b->msgs (and the header views) from b->raw[0..count): one look at each
 * message's headers (librdkafka parses them on the first). */
static void batch_views(pp_kafka_batch *b) {
    size_t used = 0;
    for (size_t i = 0; i < b->count; i++) {
        const rd_kafka_message_t *m = b->raw[i];
        pp_kafka_message *v = &b->msgs[i];
        rd_kafka_timestamp_type_t tstype;
        rd_kafka_headers_t *h = NULL;
        v->topic = rd_kafka_topic_name(m->rkt);
        v->partition = m->partition;
        v->offset = m->offset;
        v->key = m->key;
        v->key_len = m->key ? m->key_len : 0;
        v->value = m->payload;
        v->value_len = m->payload ? m->len : 0;
        v->timestamp_ms = rd_kafka_message_timestamp(m, &tstype);
        if (tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE) v->timestamp_ms = -1;
        v->headers = NULL; /* pointed into b->hdrs below, once it no longer moves */
        v->nheaders = 0;
        if (rd_kafka_message_headers(m, &h) != RD_KAFKA_RESP_ERR_NO_ERROR || !h) continue;
        size_t n = rd_kafka_header_cnt(h);
        if (used + n > b->hdr_cap) {
            size_t cap = b->hdr_cap ? b->hdr_cap : 64;
            while (cap < used + n) cap *= 2;
            b->hdrs = pp_xrealloc(b->hdrs, cap * sizeof *b->hdrs);
            b->hdr_cap = cap;
        }
        const char *name;
        const void *val;
        size_t len;
        for (size_t k = 0; k < n && rd_kafka_header_get_all(h, k, &name, &val, &len) == 0; k++) {
            b->hdrs[used].name = name;
            b->hdrs[used].value = val;
            b->hdrs[used].value_len = len;
            used++;
            v->nheaders++;
        }
    }
    used = 0;
    for (size_t i = 0; i < b->count; i++) {
        b->msgs[i].headers = b->hdrs ? b->hdrs + used : NULL;
        used += b->msgs[i].nheaders;
    }
}

static void grow_batch(pp_kafka_batch *b, size_t max_count) {
    if (max_count <= b->raw_cap) return;
    b->raw = pp_xrealloc(b->raw, max_count * sizeof *b->raw);
    b->msgs = pp_xrealloc(b->msgs, max_count * sizeof *b->msgs);
    b->raw_cap = max_count;
}

int pp_consumer_poll_batch(pp_consumer *c, pp_kafka_batch *b, size_t max_count, int timeout_ms, char *err,
                           size_t errlen) {
    int rc = PP_OK;
    batch_release(b);
    if (c->closed) {
        pp_errf(err, errlen, "kafka consumer: polled after close");
        return PP_EINVAL;
    }
    if (max_count == 0) return PP_OK;
    grow_batch(b, max_count);
    int64_t deadline = pp_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    while (b->count < max_count) {
        /* a message already fetched is taken without reading a clock (librdkafka reads
         * one more per poll that may block): the clock only when there is none */
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 0);
        if (!m && c->cb_rc == PP_OK) {
            int64_t left = deadline - pp_mono_ms();
            if (left <= 0) break;
            m = rd_kafka_consumer_poll(c->rk, (int)left);
        }
        if (c->cb_rc != PP_OK) {
            if (m) rd_kafka_message_destroy(m);
            rc = c->cb_rc;
            c->cb_rc = PP_OK;
            pp_errf(err, errlen, "%s", c->cb_err);
            break;
        }
        if (!m) continue;
        if (m->err) {
            rd_kafka_resp_err_t e = m->err;
            if (e != RD_KAFKA_RESP_ERR__PARTITION_EOF) PP_WARN("kafka", "consumer: %s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            char why[256];
            if (rd_kafka_fatal_error(c->rk, why, sizeof why)) {
                pp_errf(err, errlen, "kafka consumer fatal error: %s", why);
                rc = PP_EIO;
                break;
            }
            continue;
        }
        b->raw[b->count++] = m;
    }
    if (rc == PP_OK) batch_views(b);
    if (rc != PP_OK) batch_release(b);
    return rc;
}

static rd_kafka_topic_partition_list_t *to_list(const pp_kafka_partition *p, size_t n) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)n);
    for (size_t i = 0; i < n; i++)
        rd_kafka_topic_partition_list_add(l, p[i].topic, p[i].partition)->offset = p[i].offset;
    return l;
}

/* The first per-partition error in l, reported into err. */
static int list_error(rd_kafka_topic_partition_list_t *l, const char *what, char *err, size_t errlen) {
    for (int i = 0; i < l->cnt; i++) {
        if (!l->elems[i].err) continue;
        char w[400];
        snprintf(w, sizeof w, "%s %s[%d]", what, l->elems[i].topic, (int)l->elems[i].partition);
        return pp_kafka_fail(NULL, l->elems[i].err, w, err, errlen);
    }
    return PP_OK;
}

int pp_consumer_commit(pp_consumer *c, const pp_kafka_partition *offsets, size_t n, char *err, size_t errlen) {
    if (n == 0) return PP_OK;
    for (size_t i = 0; i < n; i++) {
        if (!offsets[i].topic || offsets[i].offset < 0) {
            pp_errf(err, errlen, "kafka commit: entry %zu needs a topic and an offset >= 0", i);
            return PP_EINVAL;
        }
    }
    rd_kafka_topic_partition_list_t *l = to_list(offsets, n);
    rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, l, 0);
    int rc = e ? pp_kafka_fail(c->rk, e, "kafka commit", err, errlen) : list_error(l, "kafka commit", err, errlen);
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

int pp_consumer_committed(pp_consumer *c, pp_kafka_partition *parts, size_t n, int timeout_ms, char *err,
                          size_t errlen) {
    if (n == 0) return PP_OK;
    rd_kafka_topic_partition_list_t *l = to_list(parts, n);
    rd_kafka_resp_err_t e = rd_kafka_committed(c->rk, l, timeout_ms);
    int rc =
        e ? pp_kafka_fail(c->rk, e, "kafka committed", err, errlen) : list_error(l, "kafka committed", err, errlen);
    for (size_t i = 0; rc == PP_OK && i < n; i++)
        parts[i].offset = l->elems[i].offset >= 0 ? l->elems[i].offset : PP_KAFKA_OFFSET_COMMITTED;
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

int pp_consumer_lag(pp_consumer *c, pp_kafka_lag **out, size_t *n, int timeout_ms, char *err, size_t errlen) {
    rd_kafka_topic_partition_list_t *l = NULL;
    *out = NULL;
    *n = 0;
    rd_kafka_resp_err_t e = rd_kafka_assignment(c->rk, &l);
    if (e) return pp_kafka_fail(c->rk, e, "kafka assignment", err, errlen);
    int rc = PP_OK;
    pp_kafka_lag *lag = NULL;
    if (l->cnt > 0) {
        lag = pp_xcalloc((size_t)l->cnt, sizeof *lag);
        e = rd_kafka_position(c->rk, l);
        if (e) {
            rc = pp_kafka_fail(c->rk, e, "kafka position", err, errlen);
            goto done;
        }
    }
    for (int i = 0; i < l->cnt; i++) {
        const rd_kafka_topic_partition_t *tp = &l->elems[i];
        int64_t lo = -1, hi = -1;
        e = timeout_ms > 0 ? rd_kafka_query_watermark_offsets(c->rk, tp->topic, tp->partition, &lo, &hi, timeout_ms)
                           : rd_kafka_get_watermark_offsets(c->rk, tp->topic, tp->partition, &lo, &hi);
        if (e && timeout_ms > 0) {
            rc = pp_kafka_fail(c->rk, e, "kafka watermarks", err, errlen);
            goto done;
        }
        snprintf(lag[i].topic, sizeof lag[i].topic, "%s", tp->topic);
        lag[i].partition = tp->partition;
        lag[i].position = tp->offset >= 0 ? tp->offset : -1;
        lag[i].high = (!e && hi >= 0) ? hi : -1;
        lag[i].lag = -1;
        if (lag[i].position >= 0 && lag[i].high >= 0) /* a stale cached mark may lag behind */
            lag[i].lag = lag[i].high > lag[i].position ? lag[i].high - lag[i].position : 0;
    }
    *out = lag;
    *n = (size_t)l->cnt;
    lag = NULL;
done:
    free(lag);
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}

long long pp_consumer_waiting(pp_consumer *c) {
    pp_kafka_lag *lag = NULL;
    size_t n = 0;
    long long waiting = 0;
    if (c && pp_consumer_lag(c, &lag, &n, 0, NULL, 0) == PP_OK)
        for (size_t i = 0; lag && i < n; i++) /* lag is NULL when n is 0 */
            if (lag[i].lag > 0) waiting += lag[i].lag;
    free(lag);
    return waiting;
}
