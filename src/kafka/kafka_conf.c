#include "kafka/kafka_conf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/error.h"
#include "common/mem.h"

static int set_str(char **dst, const char *src, const char *what, char *err, size_t errlen) {
    if (!src || !*src) {
        pp_errf(err, errlen, "kafka: %s must not be empty", what);
        return PP_EINVAL;
    }
    char *copy = pp_xstrdup(src);
    free(*dst);
    *dst = copy;
    return PP_OK;
}

/* Copies s[0..n) trimmed of surrounding spaces into out; PP_EINVAL if it does not fit. */
static int copy_trimmed(const char *s, size_t n, char *out, size_t outlen) {
    while (n > 0 && isspace((unsigned char)s[0])) s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    if (n >= outlen) return PP_EINVAL;
    memcpy(out, s, n);
    out[n] = '\0';
    return PP_OK;
}

int pp_kafka_prop_split(const char *kv, char *key, size_t keylen, char *val, size_t vallen) {
    if (!kv || !key || !val || keylen == 0 || vallen == 0) return PP_EINVAL;
    const char *eq = strchr(kv, '=');
    if (!eq) return PP_EINVAL;
    if (copy_trimmed(kv, (size_t)(eq - kv), key, keylen) != PP_OK || !key[0]) return PP_EINVAL;
    return copy_trimmed(eq + 1, strlen(eq + 1), val, vallen);
}

int pp_kafka_conf_add_prop(pp_kafka_conf *kc, const char *kv, char *err, size_t errlen) {
    char key[256], val[4096];
    if (pp_kafka_prop_split(kv, key, sizeof key, val, sizeof val) != PP_OK) {
        pp_errf(err, errlen, "kafka: bad property '%s': expected key=value", kv ? kv : "(null)");
        return PP_EINVAL;
    }
    size_t n = strlen(key) + 1 + strlen(val) + 1;
    char *norm = pp_xmalloc(n);
    kc->props = pp_xrealloc(kc->props, (kc->nprops + 1) * sizeof *kc->props);
    snprintf(norm, n, "%s=%s", key, val);
    kc->props[kc->nprops++] = norm;
    return PP_OK;
}

int pp_kafka_conf_add_props(pp_kafka_conf *kc, const char *list, char *err, size_t errlen) {
    if (!list) return PP_OK;
    char entry[4400];
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ";\n");
        if (copy_trimmed(p, n, entry, sizeof entry) != PP_OK) {
            pp_errf(err, errlen, "kafka: property entry too long: '%.40s...'", p);
            return PP_EINVAL;
        }
        if (entry[0] && entry[0] != '#') {
            int rc = pp_kafka_conf_add_prop(kc, entry, err, errlen);
            if (rc != PP_OK) return rc;
        }
        p += n;
        if (*p) p++;
    }
    return PP_OK;
}

void pp_kafka_conf_free(pp_kafka_conf *kc) {
    if (!kc) return;
    free(kc->brokers);
    free(kc->topic);
    free(kc->client_id);
    for (size_t i = 0; i < kc->nprops; i++) free(kc->props[i]);
    free(kc->props);
    memset(kc, 0, sizeof *kc);
}

int pp_kafka_conf_init(pp_kafka_conf *kc, char *err, size_t errlen) {
    memset(kc, 0, sizeof *kc);
    int rc =
        set_str(&kc->brokers, pp_env_str("PINPIPE_KAFKA_BROKERS", PP_KAFKA_DEFAULT_BROKERS), "brokers", err, errlen);
    if (rc == PP_OK)
        rc = set_str(&kc->topic, pp_env_str("PINPIPE_KAFKA_TOPIC", PP_KAFKA_DEFAULT_TOPIC), "topic", err, errlen);
    if (rc == PP_OK) rc = set_str(&kc->client_id, "pinpipe", "client id", err, errlen);
    if (rc == PP_OK) {
        rc = pp_kafka_conf_add_props(kc, pp_env_str("PINPIPE_KAFKA_PROPS", NULL), err, errlen);
        if (rc != PP_OK) {
            char inner[512];
            snprintf(inner, sizeof inner, "%s", err ? err : "");
            pp_errf(err, errlen, "PINPIPE_KAFKA_PROPS: %s", inner);
        }
    }
    if (rc != PP_OK) pp_kafka_conf_free(kc);
    return rc;
}

int pp_kafka_conf_for(pp_kafka_conf *kc, const char *brokers, const char *topic, const char *client_id, char *err,
                      size_t errlen) {
    int rc = pp_kafka_conf_init(kc, err, errlen);
    if (rc == PP_OK && brokers) rc = set_str(&kc->brokers, brokers, "brokers", err, errlen);
    if (rc == PP_OK && topic) rc = set_str(&kc->topic, topic, "topic", err, errlen);
    if (rc == PP_OK && client_id) rc = set_str(&kc->client_id, client_id, "client id", err, errlen);
    if (rc != PP_OK) pp_kafka_conf_free(kc);
    return rc;
}

int pp_kafka_conf_set_brokers(pp_kafka_conf *kc, const char *brokers, char *err, size_t errlen) {
    return set_str(&kc->brokers, brokers, "brokers", err, errlen);
}

int pp_kafka_conf_set_topic(pp_kafka_conf *kc, const char *topic, char *err, size_t errlen) {
    return set_str(&kc->topic, topic, "topic", err, errlen);
}

int pp_kafka_conf_set_client_id(pp_kafka_conf *kc, const char *id, char *err, size_t errlen) {
    return set_str(&kc->client_id, id, "client id", err, errlen);
}
