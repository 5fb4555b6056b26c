/* kafka_conf — the Kafka settings every pinpipe producer, consumer and admin handle
 * starts from, and their translation into a librdkafka configuration.
 *
 * Precedence (house rule): defaults < environment < command-line flags. init()
 * applies defaults and the environment; callers then apply their flags with the
 * setters. The variables:
 *   PINPIPE_KAFKA_BROKERS  bootstrap.servers          default 127.0.0.1:19092
 *   PINPIPE_KAFKA_TOPIC    the events topic            default pins
 *   PINPIPE_KAFKA_PROPS    extra librdkafka properties, "key=value" entries
 *                          separated by ';' or newlines ('#' starts a comment line)
 * A `-X key=value` flag maps to pp_kafka_conf_add_prop.
 *
 * Extra properties are applied after pinpipe's defaults for the handle's role (so a
 * user can tune anything) but before the settings a role relies on for its
 * guarantees (producer: enable.idempotence, acks; consumer: enable.auto.commit,
 * enable.auto.offset.store, group.id). Overriding one of those logs a warning and
 * has no effect.
 *
 * Ownership: a pp_kafka_conf owns copies of all its strings; pp_kafka_conf_free
 * releases them. The struct may be freed once the handles built from it exist.
 */
#ifndef PINPIPE_KAFKA_CONF_H
#define PINPIPE_KAFKA_CONF_H

#include <stddef.h>

#define PP_KAFKA_DEFAULT_BROKERS "127.0.0.1:19092"
#define PP_KAFKA_DEFAULT_TOPIC "pins"

typedef struct {
    char *brokers;   /* bootstrap.servers */
    char *topic;     /* default topic of producer records and consumer subscriptions */
    char *client_id; /* client.id; default "pinpipe" */
    char **props;    /* "key=value" strings, applied in order */
    size_t nprops;
} pp_kafka_conf;

/* Defaults, then the environment. Fails (PP_EINVAL) on a malformed
 * PINPIPE_KAFKA_PROPS, naming the bad entry; kc is then empty but safe to free. */
int pp_kafka_conf_init(pp_kafka_conf *kc, char *err, size_t errlen);
void pp_kafka_conf_free(pp_kafka_conf *kc);
/* pp_kafka_conf_init, then the brokers, topic and client id that are not NULL (a
 * component's own settings, which win over the environment). */
int pp_kafka_conf_for(pp_kafka_conf *kc, const char *brokers, const char *topic, const char *client_id, char *err,
                      size_t errlen);

int pp_kafka_conf_set_brokers(pp_kafka_conf *kc, const char *brokers, char *err, size_t errlen);
int pp_kafka_conf_set_topic(pp_kafka_conf *kc, const char *topic, char *err, size_t errlen);
int pp_kafka_conf_set_client_id(pp_kafka_conf *kc, const char *id, char *err, size_t errlen);
/* One "key=value" (spaces around key and value are trimmed; the value may be empty). */
int pp_kafka_conf_add_prop(pp_kafka_conf *kc, const char *kv, char *err, size_t errlen);
/* A list in the PINPIPE_KAFKA_PROPS format. */
int pp_kafka_conf_add_props(pp_kafka_conf *kc, const char *list, char *err, size_t errlen);

/* Splits "key=value" into trimmed parts written to key/val (NUL-terminated).
 * PP_EINVAL when there is no '=', the key is empty, or a part does not fit. */
int pp_kafka_prop_split(const char *kv, char *key, size_t keylen, char *val, size_t vallen);

#endif
