/* kafka_rd — the glue between pinpipe and librdkafka shared by src/kafka/ (not for
 * other components): building an rd_kafka_conf_t from a pp_kafka_conf, routing
 * librdkafka's log and error callbacks into pinpipe's logger (component "kafka"),
 * and mapping librdkafka error codes to PP_E* codes.
 */
#ifndef PINPIPE_KAFKA_RD_H
#define PINPIPE_KAFKA_RD_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "kafka/kafka_conf.h"
#include "kafka/kafka_consumer.h"

/* Builds a configuration: bootstrap.servers and client.id from kc, the log and
 * error callbacks, then `defaults` (pinpipe's choices for the role), then kc's extra
 * properties, then `enforced` (the role's guarantees; a user property that tried to
 * change one is logged as a warning). defaults and enforced are NULL-terminated
 * flat lists {"key", "value", ..., NULL}; either may be NULL. On success *out is
 * owned by the caller (rd_kafka_new takes it over, else rd_kafka_conf_destroy). */
int pp_kafka_rdconf_new(const pp_kafka_conf *kc, const char *const *defaults, const char *const *enforced,
                        rd_kafka_conf_t **out, char *err, size_t errlen);

/* The consumer's configuration for o (kafka_consumer.c): its defaults
 * (auto.offset.reset, session.timeout.ms, max.poll.interval.ms, group.instance.id),
 * then kc's properties, then its guarantees (group.id, no automatic commits or
 * offset stores). PP_EINVAL without a group id. */
int pp_consumer_rdconf_new(const pp_kafka_conf *kc, const pp_consumer_opts *o, rd_kafka_conf_t **out, char *err,
                           size_t errlen);

/* The log callback (syslog levels 0-3 error, 4 warn, 5-6 info, 7 debug) and the
 * error callback (fatal errors at error level, the rest at warn). */
void pp_kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf);
void pp_kafka_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque);

/* PP_OK, PP_EBUSY (local queue full), PP_ETIMEOUT, PP_EINVAL (bad argument, message
 * too large, bad topic settings), PP_ENOTFOUND (unknown topic or partition), PP_EIO
 * (other local errors: transport, purge, fatal), PP_ESERVER (other broker errors). */
int pp_kafka_err_code(rd_kafka_resp_err_t e);

/* Fills err with "<what>: <librdkafka's message>" and returns pp_kafka_err_code(e).
 * For a fatal error, the message names the underlying fatal error. */
int pp_kafka_fail(rd_kafka_t *rk, rd_kafka_resp_err_t e, const char *what, char *err, size_t errlen);

#endif
