/* Specification of the ingest API's JSON answers (src/api/api_reply.c), built from
 * pp_event results without any HTTP server:
 *  - 200 echoes the item as pydantic serialises the Data model: every field in model
 *    order, ints coerced ("12" -> 12, 3.0 -> 3, true -> 1), absent optional fields as
 *    null, unknown fields dropped, strings re-escaped;
 *  - 422 lists every field error as FastAPI does:
 *    {"detail":[{"type","loc":["body",FIELD],"msg","input"}]}, where a missing
 *    field's input is the whole object (or {} for very large bodies) and a wrong
 *    value's input is that value; a body that is not an object has loc ["body"];
 *  - an empty body is 422 "missing" at ["body"] with input null;
 *  - a body that is not JSON is 400 json_invalid with the byte position;
 *  - {"detail":MSG} and the 503 {"detail","reason"} shapes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "api/api_reply.h"
#include "common/strbuf.h"
#include "event/event.h"

#define VALID_V2                                                                                  \
    "{\"index\": \"12\", \"unique_id\": \"u-1\", \"title\": \"T \\\"q\\\"\", \"description\": "   \
    "\"D\", \"poster_name\": \"P\", \"follower_count\": \"5k\", \"tag_list\": \"a,b\", "          \
    "\"is_image_or_video\": \"image\", \"image_src\": \"http://x/y.jpg\", \"downloaded\": true, " \
    "\"save_location\": \"Local save in /data/x\", \"category\": \"art\", \"extra\": [1,2]}"

/* Asserts that got (a JSON text) equals want (a JSON text), as values. */
static void assert_json_eq(const char *got, const char *want) {
    json_error_t e;
    json_t *g = json_loads(got, 0, &e);
    if (!g) fail_msg("not JSON (%s): %s", e.text, got);
    json_t *w = json_loads(want, 0, &e);
    if (!w) fail_msg("bad expectation (%s): %s", e.text, want);
    if (!json_equal(g, w)) fail_msg("got  %s\nwant %s", got, want);
    json_decref(g);
    json_decref(w);
}

static void test_echo_is_the_model_in_order_with_coerced_values(void **state) {
    (void)state;
    pp_event ev;
    assert_int_equal(pp_event_parse(&ev, VALID_V2, strlen(VALID_V2), NULL, 0), 0);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_reply_echo(&sb, &ev);
    /* byte for byte: the order is the model's, compact separators like FastAPI */
    assert_string_equal(sb.data,
                        "{\"index\":12,\"unique_id\":\"u-1\",\"title\":\"T \\\"q\\\"\",\"description\":\"D\","
                        "\"poster_name\":\"P\",\"follower_count\":\"5k\",\"tag_list\":\"a,b\","
                        "\"is_image_or_video\":\"image\",\"image_src\":\"http://x/y.jpg\",\"downloaded\":1,"
                        "\"save_location\":\"Local save in /data/x\",\"category\":\"art\",\"timestamp\":null}");
    pp_sb_free(&sb);
    pp_event_clear(&ev);
}

static void test_echo_v1_event_has_null_poster_name_and_keeps_timestamp(void **state) {
    (void)state;
    static const char body[] =
        "{\"category\":\"art\",\"index\":3.0,\"unique_id\":\"é\",\"title\":\"t\",\"description\":\"d\","
        "\"follower_count\":\"1\",\"tag_list\":\"\",\"is_image_or_video\":\"video\",\"image_src\":\"s\","
        "\"downloaded\":0,\"save_location\":\"l\",\"timestamp\":\"2026-01-01 10:08:42\"}";
    pp_event ev;
    assert_int_equal(pp_event_parse(&ev, body, strlen(body), NULL, 0), 0);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_reply_echo(&sb, &ev);
    assert_json_eq(sb.data,
                   "{\"index\":3,\"unique_id\":\"é\",\"title\":\"t\",\"description\":\"d\",\"poster_name\":null,"
                   "\"follower_count\":\"1\",\"tag_list\":\"\",\"is_image_or_video\":\"video\",\"image_src\":\"s\","
                   "\"downloaded\":0,\"save_location\":\"l\",\"category\":\"art\","
                   "\"timestamp\":\"2026-01-01 10:08:42\"}");
    pp_sb_free(&sb);
    pp_event_clear(&ev);
}

typedef struct {
    const char *name;
    const char *body;
    const char *want; /* the whole 422 answer */
} invalid_case;

static const invalid_case INVALID[] = {
    {"one wrong type: input is the value",
     "{\"index\":1,\"unique_id\":\"u\",\"title\":\"t\",\"description\":\"d\",\"follower_count\":940,"
     "\"tag_list\":\"x\",\"is_image_or_video\":\"image\",\"image_src\":\"s\",\"downloaded\":1,"
     "\"save_location\":\"l\",\"category\":\"c\"}",
     "{\"detail\":[{\"type\":\"string_type\",\"loc\":[\"body\",\"follower_count\"],"
     "\"msg\":\"Input should be a valid string\",\"input\":940}]}"},
    {"every error is listed, in model order; missing input is the object",
     "{\"index\":\"x\",\"unique_id\":\"u\",\"title\":\"t\",\"description\":\"d\",\"follower_count\":\"1\","
     "\"tag_list\":\"x\",\"is_image_or_video\":\"image\",\"image_src\":\"s\",\"downloaded\":1.5,"
     "\"save_location\":\"l\"}",
     "{\"detail\":["
     "{\"type\":\"int_parsing\",\"loc\":[\"body\",\"index\"],"
     "\"msg\":\"Input should be a valid integer, unable to parse string as an integer\",\"input\":\"x\"},"
     "{\"type\":\"int_from_float\",\"loc\":[\"body\",\"downloaded\"],"
     "\"msg\":\"Input should be a valid integer, got a number with a fractional part\",\"input\":1.5},"
     "{\"type\":\"missing\",\"loc\":[\"body\",\"category\"],\"msg\":\"Field required\","
     "\"input\":{\"index\":\"x\",\"unique_id\":\"u\",\"title\":\"t\",\"description\":\"d\","
     "\"follower_count\":\"1\",\"tag_list\":\"x\",\"is_image_or_video\":\"image\",\"image_src\":\"s\","
     "\"downloaded\":1.5,\"save_location\":\"l\"}}]}"},
    {"a null required field is a type error, not missing",
     "{\"index\":1,\"unique_id\":null,\"title\":\"t\",\"description\":\"d\",\"follower_count\":\"1\","
     "\"tag_list\":\"x\",\"is_image_or_video\":\"image\",\"image_src\":\"s\",\"downloaded\":1,"
     "\"save_location\":\"l\",\"category\":\"c\"}",
     "{\"detail\":[{\"type\":\"string_type\",\"loc\":[\"body\",\"unique_id\"],"
     "\"msg\":\"Input should be a valid string\",\"input\":null}]}"},
    {"not an object: loc is the body itself", "[1,2]",
     "{\"detail\":[{\"type\":\"model_attributes_type\",\"loc\":[\"body\"],"
     "\"msg\":\"Input should be a valid dictionary or object to extract fields from\",\"input\":[1,2]}]}"},
    {"a JSON string is not an object either", "\"hello\"",
     "{\"detail\":[{\"type\":\"model_attributes_type\",\"loc\":[\"body\"],"
     "\"msg\":\"Input should be a valid dictionary or object to extract fields from\",\"input\":\"hello\"}]}"},
};

static void test_invalid_events_give_fastapi_422_bodies(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof INVALID / sizeof INVALID[0]; i++) {
        const invalid_case *t = &INVALID[i];
        pp_event ev;
        print_message("case: %s\n", t->name);
        assert_int_not_equal(pp_event_parse(&ev, t->body, strlen(t->body), NULL, 0), 0);
        pp_strbuf sb;
        pp_sb_init(&sb);
        pp_api_reply_invalid(&sb, &ev, strlen(t->body));
        assert_json_eq(sb.data, t->want);
        pp_sb_free(&sb);
        pp_event_clear(&ev);
    }
}

static void test_missing_fields_of_a_huge_body_do_not_repeat_it(void **state) {
    (void)state;
    pp_strbuf body;
    pp_sb_init(&body);
    pp_sb_puts(&body, "{\"padding\":\"");
    for (int i = 0; i < PP_API_REPLY_MAX_ECHOED_INPUT; i++) pp_sb_putc(&body, 'x');
    pp_sb_puts(&body, "\"}");
    pp_event ev;
    assert_int_not_equal(pp_event_parse(&ev, body.data, body.len, NULL, 0), 0);
    assert_int_equal(ev.n_errors, 11); /* every required field */
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_reply_invalid(&sb, &ev, body.len);
    assert_true(sb.len < 2000);
    json_t *got = json_loads(sb.data, 0, NULL);
    assert_non_null(got);
    json_t *first = json_array_get(json_object_get(got, "detail"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "type")), "missing");
    assert_int_equal(json_object_size(json_object_get(first, "input")), 0);
    json_decref(got);
    pp_sb_free(&sb);
    pp_sb_free(&body);
    pp_event_clear(&ev);
}

static void test_empty_body_is_422_missing_body(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_reply_body_missing(&sb);
    assert_json_eq(sb.data,
                   "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\"],"
                   "\"msg\":\"Field required\",\"input\":null}]}");
    pp_sb_free(&sb);
}

typedef struct {
    const char *body;
    size_t len;
    long pos; /* the byte offset where the parser stopped (after the bad token) */
} bad_json_case;

static void test_malformed_json_is_json_invalid_with_its_position(void **state) {
    (void)state;
    static const bad_json_case CASES[] = {
        {"{\"index\": 1,", 12, 12},
        {"{\"index\" 1}", 11, 10},
        {"not json", 8, 3},
        {"{\"a\":\"\xff\"}", 9, 6}, /* not UTF-8 */
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        pp_strbuf sb;
        pp_sb_init(&sb);
        pp_api_reply_json_invalid(&sb, CASES[i].body, CASES[i].len);
        json_t *got = json_loads(sb.data, 0, NULL);
        if (!got) fail_msg("answer is not JSON: %s", sb.data);
        json_t *d = json_array_get(json_object_get(got, "detail"), 0);
        assert_string_equal(json_string_value(json_object_get(d, "type")), "json_invalid");
        assert_string_equal(json_string_value(json_object_get(d, "msg")), "JSON decode error");
        json_t *loc = json_object_get(d, "loc");
        assert_int_equal(json_array_size(loc), 2);
        assert_string_equal(json_string_value(json_array_get(loc, 0)), "body");
        assert_true(json_is_integer(json_array_get(loc, 1)));
        assert_int_equal(json_integer_value(json_array_get(loc, 1)), CASES[i].pos);
        assert_true(json_is_object(json_object_get(d, "input")));
        assert_true(json_string_length(json_object_get(json_object_get(d, "ctx"), "error")) > 0);
        json_decref(got);
        pp_sb_free(&sb);
    }
}

static void test_detail_and_unavailable_shapes(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_reply_detail(&sb, "Not Found");
    assert_string_equal(sb.data, "{\"detail\":\"Not Found\"}");
    pp_sb_reset(&sb);
    pp_api_reply_unavailable(&sb, "Kafka did not acknowledge the event in time", "timeout");
    assert_json_eq(sb.data, "{\"detail\":\"Kafka did not acknowledge the event in time\",\"reason\":\"timeout\"}");
    pp_sb_free(&sb);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_is_the_model_in_order_with_coerced_values),
        cmocka_unit_test(test_echo_v1_event_has_null_poster_name_and_keeps_timestamp),
        cmocka_unit_test(test_invalid_events_give_fastapi_422_bodies),
        cmocka_unit_test(test_missing_fields_of_a_huge_body_do_not_repeat_it),
        cmocka_unit_test(test_empty_body_is_422_missing_body),
        cmocka_unit_test(test_malformed_json_is_json_invalid_with_its_position),
        cmocka_unit_test(test_detail_and_unavailable_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
