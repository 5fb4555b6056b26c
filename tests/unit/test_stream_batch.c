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

#include "contract/message.h"
#include "stream/stream_batch.h"

#define EVENT_NO_TS                                                                                      \
    "{\"index\":1,\"unique_id\":\"u1\",\"title\":\"t\",\"description\":\"d\",\"follower_count\":\"6k\"," \
    "\"tag_list\":\"a,b\",\"is_image_or_video\":\"image\",\"image_src\":\"x\",\"downloaded\":1,"         \
    "\"save_location\":\"Local save in /data/x\",\"category\":\"art\"}"

static pp_kafka_message msg(const char *value, const pp_kafka_header *h, size_t nh, int64_t ts, int64_t offset) {
    pp_kafka_message m = {.topic = "pins",
                          .partition = 0,
                          .offset = offset,
                          .value = value,
                          .value_len = strlen(value),
                          .headers = h,
                          .nheaders = nh,
                          .timestamp_ms = ts};
    return m;
}

/* b prepared (with the default cleaning options) from the n messages msgs. */
static void prepare(pp_stream_batch *b, pp_kafka_message *msgs, size_t n) {
    pp_kafka_batch kb = {.msgs = msgs, .count = n};
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_stream_batch_init(b);
    pp_stream_batch_prepare(b, &kb, &opts);
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

/* A header or timestamp out of the event-time range is no ingest time: an event
 * without a timestamp is then rejected (missing_event_time), never filed under a
 * day no store can hold. */
static void an_ingest_time_out_of_range_is_unknown(void **state) {
    (void)state;
    pp_kafka_header far[] = {{PP_HDR_INGEST_TIME, "253402300800000", 15}}; /* 10000-01-01 */
    pp_kafka_header last[] = {{PP_HDR_INGEST_TIME, "253402300799999", 15}};
    pp_kafka_message over = msg("{}", far, 1, -1, 0), at_max = msg("{}", last, 1, -1, 0),
                     ts_over = msg("{}", NULL, 0, INT64_C(999999999999999999), 0);
    assert_int_equal(pp_message_ingest_time(&over), -1);
    assert_int_equal(pp_message_ingest_time(&at_max), INT64_C(253402300799999));
    assert_int_equal(pp_message_ingest_time(&ts_over), -1);

    pp_kafka_message m = msg(EVENT_NO_TS, far, 1, -1, 0);
    pp_stream_batch b;
    prepare(&b, &m, 1);
    assert_false(b.items[0].cleaned);
    assert_string_equal(b.items[0].rej.reason, "missing_event_time");
    pp_stream_batch_free(&b);
}

/* The poison pill of issue 10: a timestamp whose UTC time is in the year 10000. */
static void a_timestamp_past_the_range_is_rejected_with_its_reason(void **state) {
    (void)state;
    const char *ev = "{\"index\":1,\"unique_id\":\"u1\",\"title\":\"t\",\"description\":\"d\","
                     "\"follower_count\":\"6k\",\"tag_list\":\"a,b\",\"is_image_or_video\":\"image\","
                     "\"image_src\":\"x\",\"downloaded\":1,\"save_location\":\"Local save in /data/x\","
                     "\"category\":\"art\",\"timestamp\":\"9999-12-31T23:59:59-05:00\"}";
    pp_kafka_header h[] = {{PP_HDR_INGEST_TIME, "1767312000000", 13}}; /* 2026-01-02 */
    pp_kafka_message m = msg(ev, h, 1, -1, 0);
    pp_stream_batch b;
    prepare(&b, &m, 1);
    assert_false(b.items[0].cleaned);
    assert_string_equal(b.items[0].rej.reason, "invalid_timestamp");
    assert_string_equal(b.items[0].rej.day, "2026-01-02"); /* the ingest day: a day every store holds */
    pp_stream_batch_free(&b);
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
    assert_string_equal(b.items[0].rec.pin.event_day, "2026-01-02");
    assert_int_equal(b.items[0].rec.pin.follower_count, 6000);
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

/* A partition revoked and assigned again while a batch fills is fetched again from
 * the stored offset: the second copies must not count (the soak found a pin counted
 * twice in the metrics when that happened). */
static void a_record_fetched_twice_in_one_batch_counts_once(void **state) {
    (void)state;
    pp_kafka_header h[] = {{PP_HDR_INGEST_TIME, "1767312000000", 13}};
    pp_kafka_message msgs[] = {msg(EVENT_NO_TS, h, 1, -1, 5), msg(EVENT_NO_TS, h, 1, -1, 6),
                               msg(EVENT_NO_TS, h, 1, -1, 3), msg(EVENT_NO_TS, h, 1, -1, 5),
                               msg(EVENT_NO_TS, h, 1, -1, 6), msg(EVENT_NO_TS, h, 1, -1, 7)};
    msgs[2].partition = 1; /* another partition: its own order */
    pp_stream_batch b;
    prepare(&b, msgs, 6);
    static const int WANT[] = {0, 0, 0, 1, 1, 0};
    for (size_t i = 0; i < 6; i++) {
        if (b.items[i].refetched != WANT[i])
            fail_msg("item %zu: refetched %d, want %d", i, b.items[i].refetched, WANT[i]);
        assert_int_equal(b.items[i].cleaned, !WANT[i]);
    }
    pp_stream_batch_free(&b);
}

/* The pinpipe-kind header says how a message is cleaned; none: a pin. */
static void a_message_is_cleaned_as_its_kind(void **state) {
    (void)state;
    static const char GEO[] =
        "{\"ind\":7,\"timestamp\":\"2026-01-02 10:00:00\",\"latitude\":1.5,\"longitude\":2.5,\"country\":\" France \"}";
    static const char USER[] = "{\"ind\":7,\"first_name\":\"Ada\",\"last_name\":\"Lovelace\",\"age\":36,"
                               "\"date_joined\":\"2020-01-01 00:00:00\",\"timestamp\":\"2026-01-02 11:00:00\"}";
    pp_kafka_header geo = {.name = PP_HDR_KIND, .value = "geo", .value_len = 3};
    pp_kafka_header user = {.name = PP_HDR_KIND, .value = "user", .value_len = 4};
    pp_kafka_header odd = {.name = PP_HDR_KIND, .value = "poll", .value_len = 4};
    pp_kafka_message msgs[] = {msg(GEO, &geo, 1, -1, 0), msg(USER, &user, 1, -1, 1), msg(GEO, &odd, 1, 1000, 2),
                               msg(GEO, NULL, 0, -1, 3)};
    pp_stream_batch b;
    prepare(&b, msgs, 4);
    assert_true(b.items[0].cleaned);
    assert_int_equal(b.items[0].rec.kind, PP_KIND_GEO);
    assert_string_equal(b.items[0].rec.geo.country, "France");
    assert_string_equal(pp_stream_item_day(&b.items[0]), "2026-01-02");
    assert_int_equal(pp_stream_item_ind(&b.items[0]), 7);
    assert_true(b.items[1].cleaned);
    assert_int_equal(b.items[1].rec.kind, PP_KIND_USER);
    assert_string_equal(b.items[1].rec.user.user_name, "Ada Lovelace");
    assert_false(b.items[2].cleaned); /* a header naming no kind: a pin, as the lake writer takes it */
    assert_int_equal(b.items[2].rej.kind, PP_KIND_PIN);
    assert_false(b.items[3].cleaned); /* no header: a pin, and this is no pin */
    assert_int_equal(b.items[3].rej.kind, PP_KIND_PIN);
    assert_string_equal(b.items[3].rej.reason, "missing_field");
    pp_stream_item_refuse(&b.items[0], "value too long");
    assert_string_equal(b.items[0].rej.reason, "store_refused");
    assert_int_equal(b.items[0].rej.kind, PP_KIND_GEO);
    assert_string_equal(b.items[0].rej.day, "2026-01-02");
    pp_stream_batch_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ingest_time_comes_from_the_header_then_the_timestamp),
        cmocka_unit_test(a_record_fetched_twice_in_one_batch_counts_once),
        cmocka_unit_test(an_ingest_time_out_of_range_is_unknown),
        cmocka_unit_test(a_timestamp_past_the_range_is_rejected_with_its_reason),
        cmocka_unit_test(a_batch_cleans_every_message_and_keeps_rejects),
        cmocka_unit_test(a_message_is_cleaned_as_its_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
