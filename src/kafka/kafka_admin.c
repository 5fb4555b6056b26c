#include "kafka/kafka_admin.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "kafka/kafka_limits.h"
#include "kafka/kafka_rd.h"

struct pp_kafka_admin {
    rd_kafka_t *rk;
};

int pp_kafka_admin_create(pp_kafka_admin **out, const pp_kafka_conf *kc, char *err, size_t errlen) {
    rd_kafka_conf_t *conf = NULL;
    char why[512];
    pp_kafka_admin *a = pp_xcalloc(1, sizeof *a);
    int rc = pp_kafka_rdconf_new(kc, NULL, NULL, &conf, err, errlen);
    if (rc == PP_OK) {
        a->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
        if (!a->rk) {
            rd_kafka_conf_destroy(conf);
            pp_errf(err, errlen, "kafka admin: %s", why);
            rc = PP_EINVAL;
        }
    }
    if (rc != PP_OK) {
        free(a);
        return rc;
    }
    *out = a;
    return PP_OK;
}

void pp_kafka_admin_destroy(pp_kafka_admin *a) {
    if (!a) return;
    rd_kafka_destroy(a->rk);
    free(a);
}

/* Waits on q for the result event of an admin request; NULL on timeout. */
static rd_kafka_event_t *wait_result(rd_kafka_queue_t *q, rd_kafka_event_type_t type, int timeout_ms) {
    /* The request's own timeouts fire first; the extra second only guards a hang. */
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    while (ev && rd_kafka_event_type(ev) != type) {
        rd_kafka_event_destroy(ev);
        ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    }
    return ev;
}

static rd_kafka_AdminOptions_t *options(pp_kafka_admin *a, rd_kafka_admin_op_t op, int timeout_ms) {
    char why[256];
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(a->rk, op);
    rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, why, sizeof why);
    rd_kafka_AdminOptions_set_operation_timeout(o, timeout_ms, why, sizeof why);
    return o;
}

/* Interprets a Create/DeleteTopics result for one topic; `ok_err` counts as success. */
static int topic_result(rd_kafka_event_t *ev, const rd_kafka_topic_result_t **res, size_t cnt,
                        rd_kafka_resp_err_t ok_err, const char *what, const char *topic, char *err, size_t errlen) {
    char w[400];
    snprintf(w, sizeof w, "kafka %s %s", what, topic);
    if (!ev) {
        pp_errf(err, errlen, "%s: no answer in time", w);
        return PP_ETIMEOUT;
    }
    rd_kafka_resp_err_t e = rd_kafka_event_error(ev);
    if (e) {
        pp_errf(err, errlen, "%s: %s", w, rd_kafka_event_error_string(ev));
        return pp_kafka_err_code(e);
    }
    if (cnt != 1) {
        pp_errf(err, errlen, "%s: %zu results for one topic", w, cnt);
        return PP_EPROTO;
    }
    e = rd_kafka_topic_result_error(res[0]);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == ok_err) return PP_OK;
    const char *msg = rd_kafka_topic_result_error_string(res[0]);
    pp_errf(err, errlen, "%s: %s (%s)", w, msg ? msg : rd_kafka_err2str(e), rd_kafka_err2name(e));
    return pp_kafka_err_code(e);
}

int pp_kafka_admin_create_topic(pp_kafka_admin *a, const char *topic, int partitions, int replication, int timeout_ms,
                                char *err, size_t errlen) {
    char why[512];
    if (!topic || !*topic || partitions <= 0) {
        pp_errf(err, errlen, "kafka create topic: need a name and a partition count > 0");
        return PP_EINVAL;
    }
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(topic, partitions, replication > 0 ? replication : 1, why, sizeof why);
    if (!nt) {
        pp_errf(err, errlen, "kafka create topic %s: %s", topic, why);
        return PP_EINVAL;
    }
    /* the topic holds the largest event the API accepts (kafka_limits.h) */
    char max_msg[24];
    snprintf(max_msg, sizeof max_msg, "%ld", PP_KAFKA_TOPIC_MAX_MESSAGE_BYTES);
    rd_kafka_NewTopic_set_config(nt, "max.message.bytes", max_msg);
    rd_kafka_queue_t *q = rd_kafka_queue_new(a->rk);
    rd_kafka_AdminOptions_t *o = options(a, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout_ms);
    rd_kafka_CreateTopics(a->rk, &nt, 1, o, q);
    rd_kafka_event_t *ev = wait_result(q, RD_KAFKA_EVENT_CREATETOPICS_RESULT, timeout_ms);
    size_t cnt = 0;
    const rd_kafka_topic_result_t **res =
        ev ? rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt) : NULL;
    int rc = topic_result(ev, res, cnt, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, "create topic", topic, err, errlen);
    int existed =
        rc == PP_OK && cnt == 1 && rd_kafka_topic_result_error(res[0]) == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS;
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    if (existed) {
        int have = 0;
        char e2[256];
        if (pp_kafka_admin_partitions(a, topic, timeout_ms, &have, e2, sizeof e2) == PP_OK && have != partitions)
            PP_WARN("kafka", "topic %s exists with %d partitions (asked for %d); left as is", topic, have, partitions);
    } else if (rc == PP_OK) {
        PP_INFO("kafka", "created topic %s (%d partitions)", topic, partitions);
    }
    return rc;
}

int pp_kafka_admin_delete_topic(pp_kafka_admin *a, const char *topic, int timeout_ms, char *err, size_t errlen) {
    if (!topic || !*topic) {
        pp_errf(err, errlen, "kafka delete topic: need a name");
        return PP_EINVAL;
    }
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(a->rk);
    rd_kafka_AdminOptions_t *o = options(a, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout_ms);
    rd_kafka_DeleteTopics(a->rk, &dt, 1, o, q);
    rd_kafka_event_t *ev = wait_result(q, RD_KAFKA_EVENT_DELETETOPICS_RESULT, timeout_ms);
    size_t cnt = 0;
    const rd_kafka_topic_result_t **res =
        ev ? rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &cnt) : NULL;
    int rc = topic_result(ev, res, cnt, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "delete topic", topic, err, errlen);
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_DeleteTopic_destroy(dt);
    return rc;
}

static int metadata(pp_kafka_admin *a, int timeout_ms, const struct rd_kafka_metadata **md, char *err, size_t errlen) {
    rd_kafka_resp_err_t e = rd_kafka_metadata(a->rk, 1, NULL, md, timeout_ms);
    if (e) return pp_kafka_fail(a->rk, e, "kafka metadata", err, errlen);
    return PP_OK;
}

int pp_kafka_admin_partitions(pp_kafka_admin *a, const char *topic, int timeout_ms, int *partitions, char *err,
                              size_t errlen) {
    const struct rd_kafka_metadata *md = NULL;
    int rc = metadata(a, timeout_ms, &md, err, errlen);
    if (rc != PP_OK) return rc;
    rc = PP_ENOTFOUND;
    for (int i = 0; i < md->topic_cnt; i++) {
        const rd_kafka_metadata_topic_t *t = &md->topics[i];
        if (strcmp(t->topic, topic) != 0) continue;
        if (t->err) {
            rc = pp_kafka_fail(a->rk, t->err, "kafka metadata", err, errlen);
        } else {
            *partitions = t->partition_cnt;
            rc = PP_OK;
        }
        break;
    }
    if (rc == PP_ENOTFOUND) pp_errf(err, errlen, "kafka: topic %s does not exist", topic);
    rd_kafka_metadata_destroy(md);
    return rc;
}

int pp_kafka_admin_ping(pp_kafka_admin *a, int timeout_ms, int *brokers, char *err, size_t errlen) {
    const struct rd_kafka_metadata *md = NULL;
    int rc = metadata(a, timeout_ms, &md, err, errlen);
    if (rc != PP_OK) return rc;
    if (brokers) *brokers = md->broker_cnt;
    rd_kafka_metadata_destroy(md);
    return PP_OK;
}

int pp_kafka_admin_add_partitions(pp_kafka_admin *a, const char *topic, int total, int timeout_ms, char *err,
                                  size_t errlen) {
    char why[512];
    int have = 0;
    int rc = pp_kafka_admin_partitions(a, topic, timeout_ms, &have, err, errlen);
    if (rc != PP_OK) return rc;
    if (have == total) return PP_OK;
    if (total < have) {
        pp_errf(err, errlen, "kafka add partitions %s: it has %d, cannot go down to %d", topic, have, total);
        return PP_EINVAL;
    }
    rd_kafka_NewPartitions_t *np = rd_kafka_NewPartitions_new(topic, (size_t)total, why, sizeof why);
    if (!np) {
        pp_errf(err, errlen, "kafka add partitions %s: %s", topic, why);
        return PP_EINVAL;
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(a->rk);
    rd_kafka_AdminOptions_t *o = options(a, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, timeout_ms);
    rd_kafka_CreatePartitions(a->rk, &np, 1, o, q);
    rd_kafka_event_t *ev = wait_result(q, RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT, timeout_ms);
    size_t cnt = 0;
    const rd_kafka_topic_result_t **res =
        ev ? rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev), &cnt) : NULL;
    rc = topic_result(ev, res, cnt, RD_KAFKA_RESP_ERR_NO_ERROR, "add partitions", topic, err, errlen);
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewPartitions_destroy(np);
    if (rc == PP_OK) PP_INFO("kafka", "topic %s: %d -> %d partitions", topic, have, total);
    return rc;
}

int pp_kafka_admin_watermarks(pp_kafka_admin *a, const char *topic, int timeout_ms, pp_kafka_watermark **out, size_t *n,
                              char *err, size_t errlen) {
    int partitions = 0;
    *out = NULL;
    *n = 0;
    int rc = pp_kafka_admin_partitions(a, topic, timeout_ms, &partitions, err, errlen);
    if (rc != PP_OK) return rc;
    pp_kafka_watermark *w = pp_xcalloc(partitions > 0 ? (size_t)partitions : 1, sizeof *w);
    for (int p = 0; p < partitions; p++) {
        int64_t lo = -1, hi = -1;
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(a->rk, topic, p, &lo, &hi, timeout_ms);
        if (e) {
            char what[320];
            snprintf(what, sizeof what, "kafka watermarks of %s[%d]", topic, p);
            rc = pp_kafka_fail(a->rk, e, what, err, errlen);
            free(w);
            return rc;
        }
        w[p].partition = p;
        w[p].low = lo;
        w[p].high = hi;
    }
    *out = w;
    *n = (size_t)partitions;
    return PP_OK;
}

int pp_kafka_admin_offsets_for_time(pp_kafka_admin *a, const char *topic, const int32_t *partitions, size_t n,
                                    int64_t ts_ms, int timeout_ms, int64_t *out, char *err, size_t errlen) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n > 0 ? (int)n : 1);
    for (size_t i = 0; i < n; i++) rd_kafka_topic_partition_list_add(l, topic, partitions[i])->offset = ts_ms;
    rd_kafka_resp_err_t e = n ? rd_kafka_offsets_for_times(a->rk, l, timeout_ms) : RD_KAFKA_RESP_ERR_NO_ERROR;
    int rc = PP_OK;
    if (e) rc = pp_kafka_fail(a->rk, e, "kafka offsets for a time", err, errlen);
    for (size_t i = 0; i < n && rc == PP_OK; i++) {
        const rd_kafka_topic_partition_t *p = &l->elems[i];
        if (p->err) {
            char what[320];
            snprintf(what, sizeof what, "kafka offset for a time of %s[%d]", topic, (int)p->partition);
            rc = pp_kafka_fail(a->rk, p->err, what, err, errlen);
        } else {
            out[i] = p->offset; /* -1 (RD_KAFKA_OFFSET_END): no message that late */
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    return rc;
}
