#include "kafka/kafka_rd.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"

void pp_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    pp_log_level lvl = level <= 3 ? PP_LOG_ERROR : level == 4 ? PP_LOG_WARN : level <= 6 ? PP_LOG_INFO : PP_LOG_DEBUG;
    pp_log(lvl, "kafka", "%s %s: %s", rk ? rd_kafka_name(rk) : "rdkafka", fac ? fac : "-", buf ? buf : "");
}

void pp_kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[512] = "";
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof why);
        PP_ERROR("kafka", "%s: FATAL %s: %s (the handle is unusable; restart it)", rd_kafka_name(rk),
                 rd_kafka_err2name(orig), why);
        return;
    }
    PP_WARN("kafka", "%s: %s: %s", rd_kafka_name(rk), rd_kafka_err2name((rd_kafka_resp_err_t)err),
            reason ? reason : "");
}

int pp_kafka_err_code(rd_kafka_resp_err_t e) {
    switch (e) {
    case RD_KAFKA_RESP_ERR_NO_ERROR: return PP_OK;
    case RD_KAFKA_RESP_ERR__QUEUE_FULL: return PP_EBUSY;
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT: return PP_ETIMEOUT;
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICA_ASSIGNMENT:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION: return PP_EINVAL;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART: return PP_ENOTFOUND;
    default: return (int)e < 0 ? PP_EIO : PP_ESERVER;
    }
}

int pp_kafka_fail(rd_kafka_t *rk, rd_kafka_resp_err_t e, const char *what, char *err, size_t errlen) {
    if (e == RD_KAFKA_RESP_ERR__FATAL && rk) {
        char why[512] = "";
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, why, sizeof why);
        pp_errf(err, errlen, "%s: fatal %s: %s", what, rd_kafka_err2name(orig), why);
    } else {
        pp_errf(err, errlen, "%s: %s (%s)", what, rd_kafka_err2str(e), rd_kafka_err2name(e));
    }
    return pp_kafka_err_code(e);
}

static int set_one(rd_kafka_conf_t *conf, const char *key, const char *val, const char *origin, char *err,
                   size_t errlen) {
    char why[512];
    if (rd_kafka_conf_set(conf, key, val, why, sizeof why) != RD_KAFKA_CONF_OK) {
        pp_errf(err, errlen, "kafka: %s property %s=%s: %s", origin, key, val, why);
        return PP_EINVAL;
    }
    return PP_OK;
}

static int set_list(rd_kafka_conf_t *conf, const char *const *kv, const char *origin, char *err, size_t errlen) {
    for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2) {
        int rc = set_one(conf, kv[i], kv[i + 1], origin, err, errlen);
        if (rc != PP_OK) return rc;
    }
    return PP_OK;
}

/* Reads a property's current value into out ("" when unset or unreadable). */
static void get_prop(rd_kafka_conf_t *conf, const char *key, char *out, size_t outlen) {
    size_t n = outlen;
    if (rd_kafka_conf_get(conf, key, out, &n) != RD_KAFKA_CONF_OK) out[0] = '\0';
}

/* Did a user property name key? */
static int user_named(const pp_kafka_conf *kc, const char *key) {
    size_t n = strlen(key);
    for (size_t i = 0; i < kc->nprops; i++)
        if (!strncmp(kc->props[i], key, n) && kc->props[i][n] == '=') return 1;
    return 0;
}

/* Sets the enforced properties, warning about each one a user property changed
 * (by name, or through an alias: the value moved). */
static int set_enforced(const pp_kafka_conf *kc, rd_kafka_conf_t *conf, const char *const *enforced,
                        const char *const *before_user, char *err, size_t errlen) {
    for (size_t i = 0; enforced && enforced[i] && enforced[i + 1]; i += 2) {
        char user_val[512], final_val[512];
        get_prop(conf, enforced[i], user_val, sizeof user_val);
        int rc = set_one(conf, enforced[i], enforced[i + 1], "pinpipe", err, errlen);
        if (rc != PP_OK) return rc;
        get_prop(conf, enforced[i], final_val, sizeof final_val);
        int touched = user_named(kc, enforced[i]) || strcmp(before_user[i / 2], user_val) != 0;
        if (touched && strcmp(user_val, final_val) != 0)
            PP_WARN("kafka", "ignoring %s=%s: pinpipe requires %s=%s", enforced[i], user_val, enforced[i],
                    enforced[i + 1]);
    }
    return PP_OK;
}

int pp_kafka_rdconf_new(const pp_kafka_conf *kc, const char *const *defaults, const char *const *enforced,
                        rd_kafka_conf_t **out, char *err, size_t errlen) {
    enum { MAX_ENFORCED = 16 };
    char before[MAX_ENFORCED][512];
    const char *before_ptr[MAX_ENFORCED];
    int rc = PP_OK;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (!conf) {
        pp_errf(err, errlen, "kafka: out of memory");
        return PP_ENOMEM;
    }
    rd_kafka_conf_set_log_cb(conf, pp_kafka_log_cb);
    rd_kafka_conf_set_error_cb(conf, pp_kafka_error_cb);
    rc = set_one(conf, "bootstrap.servers", kc->brokers ? kc->brokers : PP_KAFKA_DEFAULT_BROKERS, "pinpipe", err,
                 errlen);
    if (rc == PP_OK) rc = set_one(conf, "client.id", kc->client_id ? kc->client_id : "pinpipe", "pinpipe", err, errlen);
    if (rc == PP_OK) rc = set_list(conf, defaults, "pinpipe", err, errlen);
    if (rc == PP_OK) {
        size_t n = 0;
        for (; enforced && enforced[2 * n] && enforced[2 * n + 1]; n++) {
            if (n >= MAX_ENFORCED) {
                pp_errf(err, errlen, "kafka: too many enforced properties");
                rc = PP_EINVAL;
                break;
            }
            get_prop(conf, enforced[2 * n], before[n], sizeof before[n]);
            before_ptr[n] = before[n];
        }
    }
    for (size_t i = 0; rc == PP_OK && i < kc->nprops; i++) {
        char key[256], val[4096];
        if (pp_kafka_prop_split(kc->props[i], key, sizeof key, val, sizeof val) != PP_OK) {
            pp_errf(err, errlen, "kafka: bad property '%s'", kc->props[i]);
            rc = PP_EINVAL;
        } else {
            rc = set_one(conf, key, val, "user", err, errlen);
        }
    }
    if (rc == PP_OK) rc = set_enforced(kc, conf, enforced, before_ptr, err, errlen);
    if (rc != PP_OK) {
        rd_kafka_conf_destroy(conf);
        return rc;
    }
    *out = conf;
    return PP_OK;
}
