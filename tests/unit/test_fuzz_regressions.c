/* Regressions found by the fuzz targets (tests/fuzz/): one test per finding, named for
 * what must hold, with the input that broke it. Each failed before its fix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "clean/clean.h"
#include "common/error.h"
#include "common/strbuf.h"
#include "cql/cql_format.h"
#include "cql/cql_frame.h"
#include "cql/cql_result.h"
#include "event/event.h"

/* A valid event, in two halves (whitespace goes between them). */
static const char *EVENT_HEAD = "{\"index\": 1,";
static const char *EVENT_TAIL =
    "\"unique_id\": \"u-1\", \"title\": \"T\", \"description\": \"D\", \"follower_count\": \"6k\","
    " \"tag_list\": \"a,b\", \"is_image_or_video\": \"image\", \"image_src\": \"http://x\","
    " \"downloaded\": 1, \"save_location\": \"Local save in /x\", \"category\": \"art\","
    " \"timestamp\": \"2026-01-01 09:00:00\"}";

/* fuzz_event: a form feed (or vertical tab) between members was whitespace to the
 * fast path (then yajl) and an error to the reference (jansson, RFC 8259): the API took
 * 200 for a body that is not JSON. Both paths now refuse it, alike. */
static void test_event_form_feed_is_not_json_whitespace(void **state) {
    (void)state;
    static const char *const SPACES[] = {"\f", "\v"};
    for (size_t i = 0; i < 2; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%s%s", EVENT_HEAD, SPACES[i], EVENT_TAIL);
        pp_event fast, ref;
        assert_int_equal(pp_event_parse_reference(&ref, text, strlen(text), NULL, 0), PP_EINVAL);
        assert_int_equal(pp_event_parse(&fast, text, strlen(text), NULL, 0), PP_EINVAL);
        assert_int_equal(fast.status, PP_EVENT_INVALID_JSON);
        assert_string_equal(fast.parse_error, ref.parse_error);
        pp_event_clear(&fast);
        pp_event_clear(&ref);
    }
    char text[512]; /* and the same with a plain space is valid */
    snprintf(text, sizeof text, "%s %s", EVENT_HEAD, EVENT_TAIL);
    pp_event ev;
    assert_int_equal(pp_event_parse(&ev, text, strlen(text), NULL, 0), PP_OK);
    pp_event_clear(&ev);
}

/* fuzz_clean: jansson quotes the bytes near a bad escape and cut a character in two,
 * so the reject's detail (and the JSON line it is written into) was not UTF-8. */
static void test_reject_detail_is_utf8_when_json_error_cuts_a_character(void **state) {
    (void)state;
    static const char LINE[] = "{\"image_src\": \"ph/t:st/\\u0\xcb\x9a\xc6\x96.pinimg.com\"}";
    pp_clean_opts opts = {.disabled_rules = 0, .ingest_time_ms = -1};
    pp_pin pin;
    pp_reject rej;
    assert_true(pp_utf8_valid(LINE, strlen(LINE)));
    assert_int_equal(pp_clean(LINE, strlen(LINE), &opts, &pin, &rej, NULL), PP_EINVAL);
    assert_string_equal(rej.reason, "invalid_json");
    assert_true(pp_utf8_valid(rej.detail, strlen(rej.detail)));
}

/* fuzz_cql_frame: a timestamp near INT64_MIN overflowed (days * 86400000) while it
 * was formatted: undefined behaviour, caught by UBSan (make asan). */
static void test_cql_timestamp_extremes_format_without_overflow(void **state) {
    (void)state;
    char buf[64];
    pp_cql_format_timestamp(INT64_MIN, buf, sizeof buf);
    assert_non_null(strstr(buf, "16:47:04.192Z"));
    pp_cql_format_timestamp(INT64_MAX, buf, sizeof buf);
    assert_non_null(strstr(buf, "07:12:55.807Z"));
    pp_cql_format_timestamp(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31 23:59:59.999Z");
}

/* fuzz_cql_frame: a Rows result of no columns announcing 2^31-1 rows decoded, so
 * anything walking its rows (`pinpipe cql` printing them) spun 2^31 times for a
 * 21-byte body. Rows without columns take no bytes: none may be announced. */
static void test_cql_rows_without_columns_announce_no_rows(void **state) {
    (void)state;
    static const uint8_t FRAME[] = {
        0x84, 0x00, 0x00, 0x01, PP_CQL_OP_RESULT, 0x00, 0x00, 0x00, 0x10, /* header, 16-byte body */
        0x00, 0x00, 0x00, 0x02,                                           /* kind: Rows */
        0x00, 0x00, 0x00, 0x04,                                           /* flags: No_metadata */
        0x00, 0x00, 0x00, 0x00,                                           /* 0 columns */
        0x7f, 0xff, 0xff, 0xff,                                           /* 2^31-1 rows */
    };
    pp_cql_response r;
    char err[256];
    assert_int_equal(pp_cql_frame_decode(FRAME, sizeof FRAME, PP_CQL_MAX_FRAME_DEFAULT, &r, err, sizeof err),
                     PP_EPROTO);

    uint8_t empty[sizeof FRAME]; /* the same with 0 rows: a valid, empty result */
    memcpy(empty, FRAME, sizeof FRAME);
    memset(empty + sizeof FRAME - 4, 0, 4);
    assert_int_equal(pp_cql_frame_decode(empty, sizeof empty, PP_CQL_MAX_FRAME_DEFAULT, &r, err, sizeof err), PP_OK);
    assert_int_equal(pp_cql_result_nrows(r.result), 0);
    pp_cql_response_clear(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_form_feed_is_not_json_whitespace),
        cmocka_unit_test(test_reject_detail_is_utf8_when_json_error_cuts_a_character),
        cmocka_unit_test(test_cql_rows_without_columns_announce_no_rows),
        cmocka_unit_test(test_cql_timestamp_extremes_format_without_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
