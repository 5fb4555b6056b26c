/* Specification: a consumer sees partitions added to its topic promptly.
 *
 * librdkafka learns of new partitions of a subscribed topic only at its periodic
 * metadata refresh (topic.metadata.refresh.interval.ms, 5 minutes by default); every
 * pinpipe consumer (lake writer, stream) refreshes every 10 s instead, and a user
 * property still tunes it. The end-to-end check is tests/integration/parity_partitions_it.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "kafka/kafka_consumer.h"
#include "kafka/kafka_rd.h"

static void refresh_of(const char *user_prop, char *out, size_t n) {
    pp_kafka_conf kc;
    rd_kafka_conf_t *c = NULL;
    char err[256];
    unsetenv("PINPIPE_KAFKA_PROPS");
    assert_int_equal(pp_kafka_conf_init(&kc, err, sizeof err), PP_OK);
    if (user_prop) assert_int_equal(pp_kafka_conf_add_prop(&kc, user_prop, err, sizeof err), PP_OK);
    pp_consumer_opts o = {.group_id = "g"};
    assert_int_equal(pp_consumer_rdconf_new(&kc, &o, &c, err, sizeof err), PP_OK);
    assert_int_equal(rd_kafka_conf_get(c, "topic.metadata.refresh.interval.ms", out, &n), RD_KAFKA_CONF_OK);
    rd_kafka_conf_destroy(c);
    pp_kafka_conf_free(&kc);
}

static void consumers_refresh_metadata_every_ten_seconds(void **state) {
    (void)state;
    char v[32];
    refresh_of(NULL, v, sizeof v);
    assert_string_equal(v, "10000");
    assert_string_equal(v, PP_KAFKA_CONSUMER_METADATA_REFRESH_MS);
}

static void a_user_property_tunes_the_refresh(void **state) {
    (void)state;
    char v[32];
    refresh_of("topic.metadata.refresh.interval.ms=2000", v, sizeof v);
    assert_string_equal(v, "2000");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(consumers_refresh_metadata_every_ten_seconds),
        cmocka_unit_test(a_user_property_tunes_the_refresh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
