/* event — the raw event model and its validation (pydantic v2 semantics). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/error.h"
#include "event/event.h"
#include "json_test_support.h"

/* A valid v2 event with every field. */
static const char *BASE =
    "{\"index\": 7, \"unique_id\": \"u-1\", \"title\": \"T\", \"description\": \"D\", \"poster_name\": \"P\","
    " \"follower_count\": \"6k\", \"tag_list\": \"a,b\", \"is_image_or_video\": \"image\", \"image_src\": \"http://x\","
    " \"downloaded\": 1, \"save_location\": \"Local save in /x\", \"category\": \"art\","
    " \"timestamp\": \"2026-01-01 09:00:00\"}";

/* BASE with one member replaced by the JSON text `value`, or removed when value is NULL. */
static char *with_member(const char *name, const char *value) { return json_with_member(BASE, name, value); }

static int parse(pp_event *ev, const char *text) { return pp_event_parse(ev, text, strlen(text), NULL, 0); }

static void test_valid_v2(void **state) {
    (void)state;
    pp_event ev;
    char err[256] = "";
    assert_int_equal(pp_event_parse(&ev, BASE, strlen(BASE), err, sizeof err), PP_OK);
    assert_int_equal(ev.status, PP_EVENT_OK);
    assert_int_equal(ev.n_errors, 0);
    assert_int_equal(ev.schema_version, 2);
    assert_int_equal(ev.index, 7);
    assert_int_equal(ev.downloaded, 1);
    assert_int_equal(ev.event_time_ms, INT64_C(1767258000000)); /* 2026-01-01T09:00:00Z */
    for (int f = 0; f < PP_F_COUNT; f++) assert_true(ev.present[f]);
    assert_int_equal(ev.len[PP_F_TITLE], 1);
    assert_memory_equal(ev.str[PP_F_TAG_LIST], "a,b", 3);
    pp_event_clear(&ev);
}

static void test_schema_version(void **state) {
    (void)state;
    static const struct {
        const char *poster; /* JSON text, NULL = absent */
        int version;
        int present;
    } CASES[] = {{"\"P\"", 2, 1}, {NULL, 1, 0}, {"null", 1, 0}, {"\"\"", 2, 1}};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char *text = with_member("poster_name", CASES[i].poster);
        pp_event ev;
        assert_int_equal(parse(&ev, text), PP_OK);
        assert_int_equal(ev.schema_version, CASES[i].version);
        assert_int_equal(ev.present[PP_F_POSTER_NAME], CASES[i].present);
        pp_event_clear(&ev);
        free(text);
    }
}

/* Optional fields (poster_name, timestamp) may be absent or null; no other may. */
static void test_each_required_field_missing(void **state) {
    (void)state;
    for (int f = 0; f < PP_F_COUNT; f++) {
        char *text = with_member(PP_FIELDS[f].name, NULL);
        pp_event ev;
        char err[512];
        int rc = pp_event_parse(&ev, text, strlen(text), err, sizeof err);
        if (!PP_FIELDS[f].required) {
            assert_int_equal(rc, PP_OK);
            assert_false(ev.present[f]);
        } else {
            assert_int_equal(rc, PP_EINVAL);
            assert_int_equal(ev.status, PP_EVENT_INVALID_FIELDS);
            assert_int_equal(ev.n_errors, 1);
            assert_int_equal(ev.errors[0].field, f);
            assert_string_equal(ev.errors[0].type, "missing");
            assert_string_equal(ev.errors[0].msg, "Field required");
            assert_non_null(strstr(err, PP_FIELDS[f].name));
        }
        pp_event_clear(&ev);
        free(text);
    }
}

/* Wrong types, with pydantic's error type for each. */
static const struct {
    const char *field;
    const char *value; /* JSON text */
    const char *type;
} WRONG[] = {
    {"index", "\"12a\"", "int_parsing"},
    {"index", "\"\"", "int_parsing"},
    {"index", "\"1.5\"", "int_parsing"},
    {"index", "\"1_\"", "int_parsing"},
    {"index", "\"_1\"", "int_parsing"},
    {"index", "\"--1\"", "int_parsing"},
    {"index", "\"9223372036854775808\"", "int_parsing"}, /* beyond int64 */
    {"index", "12.5", "int_from_float"},
    {"index", "null", "int_type"},
    {"index", "[1]", "int_type"},
    {"index", "{}", "int_type"},
    {"downloaded", "\"yes\"", "int_parsing"},
    {"downloaded", "0.5", "int_from_float"},
    {"downloaded", "null", "int_type"},
    {"unique_id", "5", "string_type"},
    {"unique_id", "null", "string_type"},
    {"title", "null", "string_type"},
    {"title", "true", "string_type"},
    {"description", "[\"a\"]", "string_type"},
    {"follower_count", "940", "string_type"},
    {"tag_list", "[\"a\", \"b\"]", "string_type"},
    {"is_image_or_video", "{}", "string_type"},
    {"image_src", "1.5", "string_type"},
    {"save_location", "false", "string_type"},
    {"category", "7", "string_type"},
    {"poster_name", "42", "string_type"},
    {"timestamp", "1767225600", "string_type"},
    {"timestamp", "\"2026-02-30 10:00:00\"", "datetime_parsing"},
    {"timestamp", "\"yesterday\"", "datetime_parsing"},
    {"title", "\"a\\u0000b\"", "string_nul"},
    {"unique_id", "\"\\u0000\"", "string_nul"},
};

static void test_each_wrong_type(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof WRONG / sizeof WRONG[0]; i++) {
        char *text = with_member(WRONG[i].field, WRONG[i].value);
        pp_event ev;
        char err[512];
        assert_int_equal(pp_event_parse(&ev, text, strlen(text), err, sizeof err), PP_EINVAL);
        assert_int_equal(ev.status, PP_EVENT_INVALID_FIELDS);
        if (ev.n_errors != 1 || strcmp(PP_FIELDS[ev.errors[0].field].name, WRONG[i].field) ||
            strcmp(ev.errors[0].type, WRONG[i].type))
            fail_msg("%s = %s: expected one %s error, got: %s", WRONG[i].field, WRONG[i].value, WRONG[i].type, err);
        assert_false(ev.present[ev.errors[0].field]);
        assert_non_null(strstr(err, WRONG[i].type));
        pp_event_clear(&ev);
        free(text);
    }
}

static void test_several_errors_in_field_order(void **state) {
    (void)state;
    /* Written in a shuffled member order: errors still come in the model's field order. */
    const char *text = "{\"category\": 5, \"timestamp\": \"nope\", \"downloaded\": \"x\", \"title\": null,"
                       " \"index\": 1.5, \"description\": \"d\", \"follower_count\": \"1k\", \"tag_list\": \"a\","
                       " \"is_image_or_video\": \"image\", \"image_src\": \"i\"}";
    static const struct {
        pp_field field;
        const char *type;
    } WANT[] = {{PP_F_INDEX, "int_from_float"},      {PP_F_UNIQUE_ID, "missing"},     {PP_F_TITLE, "string_type"},
                {PP_F_DOWNLOADED, "int_parsing"},    {PP_F_SAVE_LOCATION, "missing"}, {PP_F_CATEGORY, "string_type"},
                {PP_F_TIMESTAMP, "datetime_parsing"}};
    pp_event ev;
    char err[1024];
    assert_int_equal(pp_event_parse(&ev, text, strlen(text), err, sizeof err), PP_EINVAL);
    assert_int_equal(ev.n_errors, sizeof WANT / sizeof WANT[0]);
    for (size_t i = 0; i < ev.n_errors; i++) {
        assert_int_equal(ev.errors[i].field, WANT[i].field);
        assert_string_equal(ev.errors[i].type, WANT[i].type);
    }
    /* The message names every problem, in the same order. */
    const char *p = err;
    for (size_t i = 0; i < ev.n_errors; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, " %s: ", PP_FIELDS[WANT[i].field].name);
        const char *q = strstr(p, needle);
        if (!q) fail_msg("'%s' not found in order in: %s", needle, err);
        p = q + 1;
    }
    assert_true(strncmp(err, "invalid_fields:", 15) == 0);
    pp_event_clear(&ev);
}

/* A short error buffer truncates the message, never overflows. */
static void test_short_error_buffer(void **state) {
    (void)state;
    char err[8];
    memset(err, 'x', sizeof err);
    pp_event ev;
    assert_int_equal(pp_event_parse(&ev, "{}", 2, err, sizeof err), PP_EINVAL);
    assert_int_equal(ev.n_errors, 11);
    assert_int_equal(strlen(err), sizeof err - 1);
    pp_event_clear(&ev);
    assert_int_equal(pp_event_parse(&ev, "{}", 2, NULL, 0), PP_EINVAL);
    pp_event_clear(&ev);
}

/* pydantic's lax int: JSON integers, integral floats, booleans, decimal strings. */
static void test_lax_int(void **state) {
    (void)state;
    static const struct {
        const char *value;
        int64_t want;
    } CASES[] = {
        {"12", 12},
        {"\"12\"", 12},
        {"12.0", 12},
        {"-3.0", -3},
        {"true", 1},
        {"false", 0},
        {"\" 12 \"", 12},
        {"\"\\t12\\n\"", 12},
        {"\"1_000\"", 1000},
        {"\"1_000_000\"", 1000000},
        {"\"-7\"", -7},
        {"\"+7\"", 7},
        {"\"007\"", 7},
        {"9223372036854775807", INT64_MAX},
        {"\"9223372036854775807\"", INT64_MAX},
        {"\"-9223372036854775808\"", INT64_MIN},
        {"-9223372036854775808", INT64_MIN},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char *text = with_member("index", CASES[i].value);
        pp_event ev;
        char err[512];
        if (pp_event_parse(&ev, text, strlen(text), err, sizeof err) != PP_OK)
            fail_msg("index %s: expected %lld, got: %s", CASES[i].value, (long long)CASES[i].want, err);
        assert_true(ev.present[PP_F_INDEX]);
        if (ev.index != CASES[i].want)
            fail_msg("index %s: expected %lld, got %lld", CASES[i].value, (long long)CASES[i].want,
                     (long long)ev.index);
        pp_event_clear(&ev);
        free(text);
    }
}

static void test_unknown_fields_ignored(void **state) {
    (void)state;
    char *text = with_member("extra", "{\"nested\": [1, null, \"x\"]}");
    pp_event ev;
    assert_int_equal(parse(&ev, text), PP_OK);
    assert_int_equal(ev.n_errors, 0);
    pp_event_clear(&ev);
    free(text);
    /* also an unknown field holding a NUL: not ours to judge */
    text = with_member("extra", "\"a\\u0000b\"");
    assert_int_equal(parse(&ev, text), PP_OK);
    pp_event_clear(&ev);
    free(text);
}

/* The body itself is not an event. */
static void test_not_an_event(void **state) {
    (void)state;
    static const struct {
        const char *text;
        size_t len; /* 0: strlen */
        pp_event_status status;
    } CASES[] = {
        {"this is not json", 0, PP_EVENT_INVALID_JSON},
        {"{\"index\": 1, \"unique_id\": \"u", 0, PP_EVENT_INVALID_JSON}, /* truncated */
        {"{", 0, PP_EVENT_INVALID_JSON},
        {"", 0, PP_EVENT_INVALID_JSON},
        {"{} {}", 0, PP_EVENT_INVALID_JSON}, /* two values */
        {"{\"a\": 1,}", 0, PP_EVENT_INVALID_JSON},
        {"{\"index\": 99999999999999999999}", 0, PP_EVENT_INVALID_JSON}, /* beyond int64 */
        {"{\"a\": \"\x01\"}", 0, PP_EVENT_INVALID_JSON},                 /* raw control byte */
        {"{\"a\":\0\"b\"}", 9, PP_EVENT_INVALID_JSON},                   /* raw NUL byte */
        {"\xef\xbb\xbf{}", 0, PP_EVENT_INVALID_JSON},                    /* byte order mark */
        {"{\"title\": \"\xff\"}", 0, PP_EVENT_INVALID_UTF8},
        {"{\"title\": \"\xc0\xaf\"}", 0, PP_EVENT_INVALID_UTF8},     /* overlong '/' */
        {"{\"title\": \"\xed\xa0\x80\"}", 0, PP_EVENT_INVALID_UTF8}, /* a surrogate */
        {"{\"title\": \"\xe6\xb0\"}", 0, PP_EVENT_INVALID_UTF8},     /* truncated sequence */
        {"{\"\xff\": 1}", 0, PP_EVENT_INVALID_UTF8},                 /* in a key */
        {"[1, 2, 3]", 0, PP_EVENT_NOT_OBJECT},
        {"42", 0, PP_EVENT_NOT_OBJECT},
        {"\"a string\"", 0, PP_EVENT_NOT_OBJECT},
        {"null", 0, PP_EVENT_NOT_OBJECT},
        {"true", 0, PP_EVENT_NOT_OBJECT},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        size_t len = CASES[i].len ? CASES[i].len : strlen(CASES[i].text);
        pp_event ev;
        char err[256] = "";
        assert_int_equal(pp_event_parse(&ev, CASES[i].text, len, err, sizeof err), PP_EINVAL);
        if (ev.status != CASES[i].status)
            fail_msg("case %zu: expected %s, got %s (%s)", i, pp_event_status_code(CASES[i].status),
                     pp_event_status_code(ev.status), err);
        assert_true(
            strncmp(err, pp_event_status_code(CASES[i].status), strlen(pp_event_status_code(CASES[i].status))) == 0);
        if (ev.status == PP_EVENT_NOT_OBJECT) {
            assert_int_equal(ev.n_errors, 1);
            assert_int_equal(ev.errors[0].field, PP_F_COUNT);
            assert_string_equal(ev.errors[0].type, "model_attributes_type");
        } else {
            assert_int_equal(ev.n_errors, 0);
            assert_non_null(strstr(ev.parse_error, "at byte"));
        }
        pp_event_clear(&ev);
    }
}

/* The parser reads exactly len bytes (the rest of the buffer is not looked at). */
static void test_reads_only_len_bytes(void **state) {
    (void)state;
    size_t n = strlen(BASE);
    char *buf = malloc(n + 5);
    memcpy(buf, BASE, n);
    memcpy(buf + n, "garb", 4); /* no NUL terminator at all */
    pp_event ev;
    assert_int_equal(pp_event_parse(&ev, buf, n, NULL, 0), PP_OK);
    pp_event_clear(&ev);
    /* every truncated prefix is rejected cleanly */
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(pp_event_parse(&ev, buf, k, NULL, 0), PP_EINVAL);
        assert_true(ev.status == PP_EVENT_INVALID_JSON || ev.status == PP_EVENT_NOT_OBJECT);
        pp_event_clear(&ev);
    }
    free(buf);
}

static void test_status_codes(void **state) {
    (void)state;
    assert_string_equal(pp_event_status_code(PP_EVENT_OK), "ok");
    assert_string_equal(pp_event_status_code(PP_EVENT_INVALID_JSON), "invalid_json");
    assert_string_equal(pp_event_status_code(PP_EVENT_INVALID_UTF8), "invalid_utf8");
    assert_string_equal(pp_event_status_code(PP_EVENT_NOT_OBJECT), "not_object");
    assert_string_equal(pp_event_status_code(PP_EVENT_INVALID_FIELDS), "invalid_fields");
}

/* Duplicate keys: the last one wins, as in Python's json module. */
static void test_duplicate_key_last_wins(void **state) {
    (void)state;
    char *text = with_member("title", "\"first\"");
    size_t n = strlen(text);
    text = realloc(text, n + 32);
    strcpy(text + n - 1, ", \"title\": \"second\"}");
    pp_event ev;
    assert_int_equal(parse(&ev, text), PP_OK);
    assert_int_equal(ev.len[PP_F_TITLE], 6);
    assert_memory_equal(ev.str[PP_F_TITLE], "second", 6);
    pp_event_clear(&ev);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_v2),
        cmocka_unit_test(test_schema_version),
        cmocka_unit_test(test_each_required_field_missing),
        cmocka_unit_test(test_each_wrong_type),
        cmocka_unit_test(test_several_errors_in_field_order),
        cmocka_unit_test(test_short_error_buffer),
        cmocka_unit_test(test_lax_int),
        cmocka_unit_test(test_unknown_fields_ignored),
        cmocka_unit_test(test_not_an_event),
        cmocka_unit_test(test_reads_only_len_bytes),
        cmocka_unit_test(test_status_codes),
        cmocka_unit_test(test_duplicate_key_last_wins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
