/* Parity over several topics (pins, geo, users: docs/joins.md): a day is decided per
 * topic from the run's coverage of that topic (next_offsets for its first topic,
 * more_topics for the others), and the decisions are merged: comparable and
 * complete only when they are on every topic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parity/parity_load.h"

static pp_parity_run_row done_run(const char *coverage, const char *read) {
    pp_parity_run_row r = {.status = "done", .coverage = coverage, .read = read, .host = "h", .day = "2026-03-01"};
    r.write_ts = 100;
    r.run_at_ms = 1;
    r.age_ms = 1000;
    r.written_ms = r.objects = r.bytes = r.records_read = -1;
    return r;
}

static const char COV[] = "{\"source\":\"lake_group\",\"topic\":\"pins\",\"next_offsets\":{\"0\":10},"
                          "\"more_topics\":{\"geo\":{\"0\":5}}}";
static const char READ[] = "{\"pins\":{\"0\":10},\"geo\":{\"0\":5}}";

static void decide(const pp_parity_run_row *run, int64_t geo_stream, int64_t geo_high, pp_day_decision *d) {
    pp_kafka_watermark pins_wm[] = {{.partition = 0, .low = 0, .high = 10}};
    pp_kafka_watermark geo_wm[] = {{.partition = 0, .low = 0, .high = geo_high}};
    pp_parity_offset pins_off[] = {{0, 10}}, geo_off[] = {{0, geo_stream}};
    pp_parity_topic topics[] = {{"pins", pins_wm, 1, pins_off, 1}, {"geo", geo_wm, 1, geo_off, 1}};
    long chosen;
    pp_parity_decide_topics(run, 1, topics, 2, 3600 * 1000, d, &chosen);
}

static void every_topic_equal_is_comparable_and_complete(void **state) {
    (void)state;
    pp_parity_run_row run = done_run(COV, READ);
    pp_day_decision d;
    decide(&run, 5, 5, &d);
    assert_true(d.comparable);
    assert_true(d.complete);
    assert_int_equal(d.authority, PP_DAY_FROM_BATCH);
}

static void a_stream_behind_on_geo_is_not_comparable(void **state) {
    (void)state;
    pp_parity_run_row run = done_run(COV, READ);
    pp_day_decision d;
    decide(&run, 3, 5, &d);
    assert_false(d.comparable);
    assert_non_null(strstr(d.why_not_comparable, "topic geo"));
    assert_int_equal(d.authority, PP_DAY_FROM_BATCH); /* the batch covers the stream */
}

static void a_run_without_geo_coverage_cannot_answer_for_geo(void **state) {
    (void)state;
    pp_parity_run_row run =
        done_run("{\"source\":\"lake_group\",\"topic\":\"pins\",\"next_offsets\":{\"0\":10}}", "{\"pins\":{\"0\":10}}");
    pp_day_decision d;
    decide(&run, 5, 5, &d);
    assert_false(d.comparable);
    assert_false(d.batch_complete);
    assert_int_equal(d.authority, PP_DAY_FROM_STREAM);
    assert_true(d.complete); /* the stream read every topic to the end */
}

static void geo_records_neither_store_read_make_the_day_incomplete(void **state) {
    (void)state;
    pp_parity_run_row run = done_run(COV, READ);
    pp_day_decision d;
    decide(&run, 5, 8, &d); /* Kafka has 3 geo records past both */
    assert_true(d.comparable);
    assert_false(d.complete);
    assert_non_null(strstr(d.why_incomplete, "topic geo"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_topic_equal_is_comparable_and_complete),
        cmocka_unit_test(a_stream_behind_on_geo_is_not_comparable),
        cmocka_unit_test(a_run_without_geo_coverage_cannot_answer_for_geo),
        cmocka_unit_test(geo_records_neither_store_read_make_the_day_incomplete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
