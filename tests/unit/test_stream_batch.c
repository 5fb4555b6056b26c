/* Specification of the stream's micro-batch preparation and the message contract:
 * every message is cleaned with the shared engine, its ingest time comes from the
 * pinpipe-ingest-time header (else the message timestamp), and events without a
 * timestamp take their day from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/message.h"
#include "stream/stream_batch.h"

#define EVENT_NO_TS                                                                                         \
    "{\"index\":1,\"unique_id\":\"u1\",\"title\":\"t\",\"description\":\"d\",\"follower_count\":\"6k\"," \
    "\"tag_list\":\"a,b\",\"is_image_or_video\":\"image\",\"image_src\":\"x\",\"downloaded\":1,"         \
    "\"save_location\":\"Local save in /data/x\",\"category\":\"art\"}"

static pp_kafka_message msg(const char *value, const pp_kafka_header *h, size_t nh, int64_t ts, int64_t offset) {
    pp_kafka_message m = {.topic = "pins", .partition = 0, .offset = offset, .value = value,
                          .value_len = strlen(value), .headers = h, .nheaders = nh, .timestamp_ms = ts};
    return m;
}

static void ingest_time_comes_from_the_header_then_the_timestamp(void **state) {
    (void)state;
    pp_kafka_header h[] = {{"other", "1", 1}, {PP_HDR_INGEST_TIME, "1767312000000", 13}};
    pp_kafka_message with_header = msg("{}", h, 2, 5, 0), without = msg("{}", NULL, 0, 42, 0),
                     bad_header = msg("{}", (pp_kafka_header[]){{PP_HDR_INGEST_TIME, "12x", 3}}, 1, 7, 0),
                     nothing = msg("{}", NULL, 0, -1, 0);
    assert_int_equal(pp_message_ingest_time(&with_header), 1767312000000LL);
    assert_int_equal(pp_message_ingest_time(&without), 42);
    assert_int_equal(pp_message_ingest_time(&bad_header), 7);
    assert_int_equal(pp_message_ingest_time(&nothing), -1);
}

static void a_batch_cleans_every_message_and_keeps_rejects(void **state) {
    (void)state;
    pp_kafka_header h[] = {{PP_HDR_INGEST_TIME, "1767312000000", 13}}; /* 2026-01-02 00:00:00Z */
    pp_kafka_message msgs[] = {msg(EVENT_NO_TS, h, 1, -1, 10), msg("not json", h, 1, -1, 11),
                               msg("{\"index\":1}", h, 1, -1, 12)};
    pp_kafka_batch kb = {.msgs = msgs, .count = 3};
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_stream_batch b;
    pp_stream_batch_init(&b);
    pp_stream_batch_prepare(&b, &kb, &opts);
    assert_int_equal(b.n, 3);
    assert_true(b.items[0].cleaned);
    assert_string_equal(b.items[0].pin.event_day, "2026-01-02");
    assert_int_equal(b.items[0].pin.follower_count, 6000);
    assert_false(b.items[1].cleaned);
    assert_string_equal(b.items[1].rej.reason, "invalid_json");
    assert_string_equal(b.items[1].rej.day, "2026-01-02");
    assert_false(b.items[2].cleaned);
    assert_string_equal(b.items[2].rej.reason, "missing_field");
    /* preparing again reuses the batch without leaking */
    pp_stream_batch_prepare(&b, &kb, &opts);
    assert_int_equal(b.n, 3);
    pp_stream_batch_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ingest_time_comes_from_the_header_then_the_timestamp),
        cmocka_unit_test(a_batch_cleans_every_message_and_keeps_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
