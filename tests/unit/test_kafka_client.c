/* Specification of pinpipe's Kafka client parts that need no broker: settings and
 * their precedence, librdkafka properties, error mapping, and the producer's
 * local behaviour (queue full is PP_EBUSY; every accepted record gets exactly one
 * delivery report, even when the producer is destroyed before delivery).
 * The "broker" is 127.0.0.1:1, where nothing listens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/log.h"
#include "kafka/kafka_conf.h"
#include "kafka/kafka_consumer.h"
#include "kafka/kafka_producer.h"
#include "kafka/kafka_rd.h"

#define NOWHERE "127.0.0.1:1"

typedef struct {
    const char *in;
    int rc;
    const char *key, *val;
} split_case;

static const split_case SPLITS[] = {
    {"linger.ms=5", PP_OK, "linger.ms", "5"},
    {"  linger.ms  =  5  ", PP_OK, "linger.ms", "5"},
    {"debug=", PP_OK, "debug", ""},
    {"bootstrap.servers=a:1,b:2", PP_OK, "bootstrap.servers", "a:1,b:2"},
    {"sasl.password=x=y", PP_OK, "sasl.password", "x=y"}, /* split at the first '=' */
    {"no-equals-sign", PP_EINVAL, NULL, NULL},
    {"=value", PP_EINVAL, NULL, NULL},
    {"  =value", PP_EINVAL, NULL, NULL},
    {"", PP_EINVAL, NULL, NULL},
};

static void property_split_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof SPLITS / sizeof SPLITS[0]; i++) {
        char k[64], v[64];
        int rc = pp_kafka_prop_split(SPLITS[i].in, k, sizeof k, v, sizeof v);
        if (rc != SPLITS[i].rc) fail_msg("'%s': rc %d, want %d", SPLITS[i].in, rc, SPLITS[i].rc);
        if (rc == PP_OK) {
            assert_string_equal(k, SPLITS[i].key);
            assert_string_equal(v, SPLITS[i].val);
        }
    }
}

static void defaults_then_environment(void **state) {
    (void)state;
    pp_kafka_conf kc;
    char err[256];
    unsetenv("PINPIPE_KAFKA_BROKERS");
    unsetenv("PINPIPE_KAFKA_TOPIC");
    unsetenv("PINPIPE_KAFKA_PROPS");
    assert_int_equal(pp_kafka_conf_init(&kc, err, sizeof err), PP_OK);
    assert_string_equal(kc.brokers, "127.0.0.1:19092");
    assert_string_equal(kc.topic, "pins");
    assert_int_equal(kc.nprops, 0);
    pp_kafka_conf_free(&kc);

    setenv("PINPIPE_KAFKA_BROKERS", "k1:9092,k2:9092", 1);
    setenv("PINPIPE_KAFKA_TOPIC", "pins-test", 1);
    setenv("PINPIPE_KAFKA_PROPS", "# tuning\nlinger.ms = 20; compression.type=zstd;;\n", 1);
    assert_int_equal(pp_kafka_conf_init(&kc, err, sizeof err), PP_OK);
    assert_string_equal(kc.brokers, "k1:9092,k2:9092");
    assert_string_equal(kc.topic, "pins-test");
    assert_int_equal(kc.nprops, 2);
    assert_string_equal(kc.props[0], "linger.ms=20");
    assert_string_equal(kc.props[1], "compression.type=zstd");
    /* flags come last and win */
    assert_int_equal(pp_kafka_conf_set_topic(&kc, "pins-flag", err, sizeof err), PP_OK);
    assert_string_equal(kc.topic, "pins-flag");
    assert_int_equal(pp_kafka_conf_set_brokers(&kc, "", err, sizeof err), PP_EINVAL);
    pp_kafka_conf_free(&kc);
    /* a component's own settings (pp_kafka_conf_for): given ones win, NULL keeps the environment's */
    assert_int_equal(pp_kafka_conf_for(&kc, NULL, "pins-own", "pinpipe-test", err, sizeof err), PP_OK);
    assert_string_equal(kc.brokers, "k1:9092,k2:9092");
    assert_string_equal(kc.topic, "pins-own");
    assert_string_equal(kc.client_id, "pinpipe-test");
    assert_int_equal(kc.nprops, 2);
    pp_kafka_conf_free(&kc);
    assert_int_equal(pp_kafka_conf_for(&kc, "", NULL, NULL, err, sizeof err), PP_EINVAL);
    pp_kafka_conf_free(&kc); /* safe after a failure */

    setenv("PINPIPE_KAFKA_PROPS", "linger.ms=1;oops", 1);
    assert_int_equal(pp_kafka_conf_init(&kc, err, sizeof err), PP_EINVAL);
    assert_non_null(strstr(err, "PINPIPE_KAFKA_PROPS"));
    assert_non_null(strstr(err, "oops"));
    pp_kafka_conf_free(&kc);
    unsetenv("PINPIPE_KAFKA_BROKERS");
    unsetenv("PINPIPE_KAFKA_TOPIC");
    unsetenv("PINPIPE_KAFKA_PROPS");
}

static void conf_for_tests(pp_kafka_conf *kc) {
    char err[256];
    unsetenv("PINPIPE_KAFKA_PROPS");
    assert_int_equal(pp_kafka_conf_init(kc, err, sizeof err), PP_OK);
    assert_int_equal(pp_kafka_conf_set_brokers(kc, NOWHERE, err, sizeof err), PP_OK);
}

static void get(rd_kafka_conf_t *c, const char *key, char *out, size_t n) {
    assert_int_equal(rd_kafka_conf_get(c, key, out, &n), RD_KAFKA_CONF_OK);
}

static void user_properties_tune_but_cannot_break_guarantees(void **state) {
    (void)state;
    pp_kafka_conf kc;
    rd_kafka_conf_t *c = NULL;
    char err[256], v[64];
    static const char *const defaults[] = {"linger.ms", "5", "batch.num.messages", "1000", NULL};
    static const char *const enforced[] = {"enable.idempotence", "true", NULL};
    conf_for_tests(&kc);
    assert_int_equal(pp_kafka_conf_add_prop(&kc, "linger.ms=50", err, sizeof err), PP_OK);
    assert_int_equal(pp_kafka_conf_add_prop(&kc, "enable.idempotence=false", err, sizeof err), PP_OK);
    assert_int_equal(pp_kafka_rdconf_new(&kc, defaults, enforced, &c, err, sizeof err), PP_OK);
    get(c, "linger.ms", v, sizeof v);
    assert_string_equal(v, "50"); /* user beats pinpipe's default */
    get(c, "batch.num.messages", v, sizeof v);
    assert_string_equal(v, "1000"); /* default kept */
    get(c, "enable.idempotence", v, sizeof v);
    assert_string_equal(v, "true"); /* guarantee kept (a warning is logged) */
    get(c, "bootstrap.servers", v, sizeof v);
    assert_string_equal(v, NOWHERE);
    rd_kafka_conf_destroy(c);
    pp_kafka_conf_free(&kc);
}

static void consumer_options_become_librdkafka_properties(void **state) {
    (void)state;
    pp_kafka_conf kc;
    rd_kafka_conf_t *c = NULL;
    char err[256], v[128];
    conf_for_tests(&kc);
    assert_int_equal(pp_kafka_conf_add_prop(&kc, "enable.auto.commit=true", err, sizeof err), PP_OK);
    pp_consumer_opts o;
    memset(&o, 0, sizeof o);
    o.group_id = "g1";
    o.session_timeout_ms = 6000;
    o.instance_id = "lake-1";
    assert_int_equal(pp_consumer_rdconf_new(&kc, &o, &c, err, sizeof err), PP_OK);
    get(c, "group.id", v, sizeof v);
    assert_string_equal(v, "g1");
    get(c, "group.instance.id", v, sizeof v);
    assert_string_equal(v, "lake-1"); /* static membership */
    get(c, "session.timeout.ms", v, sizeof v);
    assert_string_equal(v, "6000");
    get(c, "auto.offset.reset", v, sizeof v);
    assert_string_equal(v, "smallest"); /* librdkafka's name for earliest */
    get(c, "enable.auto.commit", v, sizeof v);
    assert_string_equal(v, "false"); /* commits stay manual whatever the user sets */
    rd_kafka_conf_destroy(c);
    /* without an instance id: dynamic membership */
    o.instance_id = NULL;
    assert_int_equal(pp_consumer_rdconf_new(&kc, &o, &c, err, sizeof err), PP_OK);
    size_t n = sizeof v;
    v[0] = '\0';
    rd_kafka_conf_get(c, "group.instance.id", v, &n); /* unset: an empty value */
    assert_string_equal(v, "");
    rd_kafka_conf_destroy(c);
    pp_kafka_conf_free(&kc);
}

static void unknown_property_is_an_error_naming_it(void **state) {
    (void)state;
    pp_kafka_conf kc;
    rd_kafka_conf_t *c = NULL;
    char err[256];
    conf_for_tests(&kc);
    assert_int_equal(pp_kafka_conf_add_prop(&kc, "no.such.property=1", err, sizeof err), PP_OK);
    assert_int_equal(pp_kafka_rdconf_new(&kc, NULL, NULL, &c, err, sizeof err), PP_EINVAL);
    assert_null(c);
    assert_non_null(strstr(err, "no.such.property"));
    pp_kafka_conf_free(&kc);
}

typedef struct {
    rd_kafka_resp_err_t e;
    int code;
} map_case;

static void error_mapping_table(void **state) {
    (void)state;
    static const map_case MAP[] = {
        {RD_KAFKA_RESP_ERR_NO_ERROR, PP_OK},
        {RD_KAFKA_RESP_ERR__QUEUE_FULL, PP_EBUSY}, /* the API answers 503 */
        {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, PP_ETIMEOUT},
        {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, PP_EINVAL},
        {RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, PP_ENOTFOUND},
        {RD_KAFKA_RESP_ERR__TRANSPORT, PP_EIO},
        {RD_KAFKA_RESP_ERR__FATAL, PP_EIO},
        {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, PP_ESERVER},
    };
    for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++)
        if (pp_kafka_err_code(MAP[i].e) != MAP[i].code)
            fail_msg("%s maps to %d, want %d", rd_kafka_err2name(MAP[i].e), pp_kafka_err_code(MAP[i].e), MAP[i].code);
}

typedef struct {
    int calls;
    int status[8];
} reports;

static void count_report(const pp_delivery_report *r, void *opaque) {
    reports *rp = opaque;
    if (rp->calls < 8) rp->status[rp->calls] = r->status;
    rp->calls++;
}

static void queue_full_is_busy_and_every_accepted_record_gets_one_report(void **state) {
    (void)state;
    pp_kafka_conf kc;
    pp_producer_opts o;
    pp_producer *p = NULL;
    reports rep = {0};
    char err[256];
    const pp_kafka_header h[] = {{"ingest-ts", "1700000000000", 13}, {"null-header", NULL, 0}};
    pp_kafka_record rec = {.topic = "pins",
                           .partition = PP_KAFKA_PARTITION_ANY,
                           .key = "k",
                           .key_len = 1,
                           .value = "{}",
                           .value_len = 2,
                           .headers = h,
                           .nheaders = 2};
    conf_for_tests(&kc);
    pp_producer_opts_init(&o);
    o.queue_max_messages = 2;
    assert_int_equal(pp_producer_create(&p, &kc, &o, err, sizeof err), PP_OK);
    assert_int_equal(pp_producer_send(p, &rec, count_report, &rep, err, sizeof err), PP_OK);
    assert_int_equal(pp_producer_send(p, &rec, count_report, &rep, err, sizeof err), PP_OK);
    assert_int_equal(pp_producer_send(p, &rec, count_report, &rep, err, sizeof err), PP_EBUSY);
    assert_int_equal(pp_producer_pending(p), 2);
    assert_int_equal(pp_producer_check(p, err, sizeof err), PP_OK);
    pp_producer_destroy(p); /* purges: both callers hear about their record */
    assert_int_equal(rep.calls, 2);
    assert_int_equal(rep.status[0], PP_EIO);
    assert_int_equal(rep.status[1], PP_EIO);
    pp_kafka_conf_free(&kc);
}

static void bad_header_is_rejected_without_a_report(void **state) {
    (void)state;
    pp_kafka_conf kc;
    pp_producer *p = NULL;
    reports rep = {0};
    char err[256];
    const pp_kafka_header h[] = {{NULL, "v", 1}};
    pp_kafka_record rec = {.partition = PP_KAFKA_PARTITION_ANY,
                           .value = "x",
                           .value_len = 1,
                           .headers = h,
                           .nheaders = 1};
    conf_for_tests(&kc);
    assert_int_equal(pp_producer_create(&p, &kc, NULL, err, sizeof err), PP_OK);
    assert_int_equal(pp_producer_send(p, &rec, count_report, &rep, err, sizeof err), PP_EINVAL);
    assert_int_equal(pp_producer_pending(p), 0);
    pp_producer_destroy(p);
    assert_int_equal(rep.calls, 0);
    pp_kafka_conf_free(&kc);
}

/* With no broker, a record times out after message_timeout_ms: the synchronous
 * helper returns that report, with or without the poll thread. */
static void sync_send_returns_the_delivery_failure(void **state) {
    (void)state;
    for (int thread = 0; thread <= 1; thread++) {
        pp_kafka_conf kc;
        pp_producer_opts o;
        pp_producer *p = NULL;
        char err[256] = "";
        pp_kafka_record rec = {.partition = PP_KAFKA_PARTITION_ANY, .value = "x", .value_len = 1};
        int64_t off = 0;
        conf_for_tests(&kc);
        pp_producer_opts_init(&o);
        o.message_timeout_ms = 200;
        o.poll_thread = thread;
        assert_int_equal(pp_producer_create(&p, &kc, &o, err, sizeof err), PP_OK);
        assert_int_equal(pp_producer_send_sync(p, &rec, NULL, &off, err, sizeof err), PP_ETIMEOUT);
        assert_int_equal(off, -1);
        assert_non_null(strstr(err, "delivery failed"));
        assert_int_equal(pp_producer_flush(p, 10000, err, sizeof err), PP_OK);
        assert_int_equal(pp_producer_pending(p), 0);
        pp_producer_destroy(p);
        pp_kafka_conf_free(&kc);
    }
}

static void consumer_needs_a_group(void **state) {
    (void)state;
    pp_kafka_conf kc;
    pp_consumer *c = NULL;
    pp_consumer_opts o;
    char err[256];
    conf_for_tests(&kc);
    memset(&o, 0, sizeof o);
    assert_int_equal(pp_consumer_create(&c, &kc, &o, err, sizeof err), PP_EINVAL);
    assert_null(c);
    pp_kafka_conf_free(&kc);
}

static void consumer_without_broker_polls_empty_and_closes(void **state) {
    (void)state;
    pp_kafka_conf kc;
    pp_consumer *c = NULL;
    pp_consumer_opts o;
    pp_kafka_batch b;
    pp_kafka_lag *lag = NULL;
    size_t nlag = 99;
    char err[256];
    conf_for_tests(&kc);
    memset(&o, 0, sizeof o);
    o.group_id = "pinpipe-unit";
    assert_int_equal(pp_consumer_create(&c, &kc, &o, err, sizeof err), PP_OK);
    pp_kafka_batch_init(&b);
    assert_int_equal(pp_consumer_poll_batch(c, &b, 10, 50, err, sizeof err), PP_OK);
    assert_int_equal(b.count, 0);
    assert_int_equal(pp_consumer_lag(c, &lag, &nlag, 0, err, sizeof err), PP_OK);
    assert_int_equal(nlag, 0); /* nothing assigned */
    free(lag);
    pp_kafka_partition bad = {"pins", 0, -5};
    assert_int_equal(pp_consumer_commit(c, &bad, 1, err, sizeof err), PP_EINVAL);
    pp_kafka_batch_free(&b);
    pp_consumer_destroy(c);
    pp_kafka_conf_free(&kc);
}

int main(void) {
    pp_log_init_from_env();
    if (!getenv("PINPIPE_LOG_LEVEL")) pp_log_set_level(PP_LOG_ERROR); /* no broker: noisy */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(property_split_table),
        cmocka_unit_test(defaults_then_environment),
        cmocka_unit_test(user_properties_tune_but_cannot_break_guarantees),
        cmocka_unit_test(unknown_property_is_an_error_naming_it),
        cmocka_unit_test(error_mapping_table),
        cmocka_unit_test(queue_full_is_busy_and_every_accepted_record_gets_one_report),
        cmocka_unit_test(bad_header_is_rejected_without_a_report),
        cmocka_unit_test(sync_send_returns_the_delivery_failure),
        cmocka_unit_test(consumer_options_become_librdkafka_properties),
        cmocka_unit_test(consumer_needs_a_group),
        cmocka_unit_test(consumer_without_broker_polls_empty_and_closes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
