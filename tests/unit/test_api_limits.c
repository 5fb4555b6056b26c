/* Specification of the one decision on event sizes (src/kafka/kafka_limits.h):
 *  - the producer's default message.max.bytes holds the largest body the API accepts
 *    (PP_EVENT_MAX_BYTES) as value with a key as long (the unique_id is a part of the
 *    body) and pinpipe's headers: such a record is accepted by pp_producer_send;
 *  - a record over the producer's limit is refused at once as permanent (PP_EREFUSED,
 *    which the API answers 413), never as "busy, retry";
 *  - the local broker (ci/services/kafka.sh) is configured with the same topic limit
 *    as src/kafka/kafka_limits.h, and it is above the producer's limit.
 * No broker is needed: librdkafka checks sizes when a record is enqueued; the records
 * are purged when the producer is destroyed. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "kafka/kafka_limits.h"
#include "kafka/kafka_producer.h"

static pp_producer *new_producer(int message_max_bytes) {
    pp_kafka_conf kc;
    char err[512];
    assert_int_equal(pp_kafka_conf_init(&kc, err, sizeof err), PP_OK);
    /* nothing listens there: records stay queued until destroy purges them */
    assert_int_equal(pp_kafka_conf_set_brokers(&kc, "127.0.0.1:1", err, sizeof err), PP_OK);
    pp_producer_opts o;
    pp_producer_opts_init(&o);
    if (message_max_bytes > 0) o.message_max_bytes = message_max_bytes;
    pp_producer *p = NULL;
    assert_int_equal(pp_producer_create(&p, &kc, &o, err, sizeof err), PP_OK);
    pp_kafka_conf_free(&kc);
    return p;
}

static int send_sized(pp_producer *p, size_t value_len, size_t key_len, char *err, size_t errlen) {
    char *value = malloc(value_len ? value_len : 1);
    char *key = malloc(key_len ? key_len : 1);
    assert_non_null(value);
    assert_non_null(key);
    memset(value, 'v', value_len);
    memset(key, 'k', key_len);
    const pp_kafka_header h[2] = {{"pinpipe-ingest-time", "1767225600000", 13}, {"pinpipe-schema", "2", 1}};
    pp_kafka_record rec = {.topic = "pinpipe-unit-limits",
                           .partition = PP_KAFKA_PARTITION_ANY,
                           .key = key,
                           .key_len = key_len,
                           .value = value,
                           .value_len = value_len,
                           .headers = h,
                           .nheaders = 2};
    int rc = pp_producer_send(p, &rec, NULL, NULL, err, errlen);
    free(value);
    free(key);
    return rc;
}

static void test_largest_event_fits_the_default_producer(void **state) {
    (void)state;
    char err[512] = "";
    pp_producer *p = new_producer(0);
    assert_true(pp_producer_max_message_bytes(p) >= PP_KAFKA_RECORD_MAX_BYTES);
    /* just under 1 MiB (the size that failed before), then the largest body with a
     * key as long as it can be */
    if (send_sized(p, 1040000, 36, err, sizeof err) != PP_OK) fail_msg("1,040,000-byte event: %s", err);
    if (send_sized(p, PP_EVENT_MAX_BYTES, 36, err, sizeof err) != PP_OK) fail_msg("1 MiB event: %s", err);
    if (send_sized(p, PP_EVENT_MAX_BYTES, PP_EVENT_MAX_BYTES - 200, err, sizeof err) != PP_OK)
        fail_msg("1 MiB event with a 1 MiB key: %s", err);
    pp_producer_destroy(p);
}

static void test_over_the_limit_is_refused_for_good(void **state) {
    (void)state;
    char err[512] = "";
    pp_producer *p = new_producer(10000);
    assert_int_equal(pp_producer_max_message_bytes(p), 10000);
    assert_int_equal(send_sized(p, 9000, 10, err, sizeof err), PP_OK);
    int rc = send_sized(p, 20000, 10, err, sizeof err);
    assert_int_equal(rc, PP_EREFUSED);
    assert_false(pp_err_transient(rc));
    assert_non_null(strstr(err, "message.max.bytes"));
    pp_producer_destroy(p);
}

static void test_local_broker_uses_the_same_limit(void **state) {
    (void)state;
    FILE *f = fopen("ci/services/kafka.sh", "r");
    assert_non_null(f);
    char line[512];
    long broker = -1, replica = -1;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "message.max.bytes=", 18)) broker = atol(line + 18);
        if (!strncmp(line, "replica.fetch.max.bytes=", 24)) replica = atol(line + 24);
    }
    fclose(f);
    assert_int_equal(broker, PP_KAFKA_TOPIC_MAX_MESSAGE_BYTES);
    assert_int_equal(replica, PP_KAFKA_TOPIC_MAX_MESSAGE_BYTES);
    assert_true(PP_KAFKA_TOPIC_MAX_MESSAGE_BYTES > PP_KAFKA_RECORD_MAX_BYTES);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_largest_event_fits_the_default_producer),
        cmocka_unit_test(test_over_the_limit_is_refused_for_good),
        cmocka_unit_test(test_local_broker_uses_the_same_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
