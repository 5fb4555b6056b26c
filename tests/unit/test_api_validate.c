/* Specification of the ingest API's verdict on one body of a kind
 * (src/api/api_validate.c, docs/joins.md), without any HTTP server:
 *  - geo and user events are validated as their models (pydantic v2 lax): 200 with the
 *    model echoed in model order (floats as Python writes them, "48.5" -> 48.5,
 *    2 -> 2.0; ints coerced; the optional user timestamp null when absent; unknown
 *    members dropped);
 *  - hostile bodies get a 4xx with a JSON reason: not JSON / not UTF-8 400
 *    json_invalid; JSON failing the model 422 listing every field error with loc
 *    ["body", FIELD] (the kind's field names) and the input; an empty body 422
 *    missing; a body that is not an object 422 model_attributes_type at ["body"];
 *  - an accepted event's Kafka message: the kind's topic, key = ind in decimal,
 *    value = the body as received, headers pinpipe-kind, pinpipe-schema 1,
 *    pinpipe-ingest-time; a pin is keyed by its trimmed unique_id as before;
 *  - pp_api_reply_float writes Python's repr(float). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "api/api_reply.h"
#include "api/api_validate.h"
#include "common/strbuf.h"

#define GEO_OK                                                                                                     \
    "{\"ind\": 7, \"timestamp\": \"2020-01-01 10:00:00\", \"latitude\": \"48.5\", \"longitude\": 2, \"country\": " \
    "\"France\", \"extra\": {\"nested\": [1, 2]}}"
#define USER_OK                                                                                        \
    "{\"ind\": \"7\", \"first_name\": \"Ada \\\"A\\\"\", \"last_name\": \"Lovelace\", \"age\": 36.0, " \
    "\"date_joined\": "                                                                                \
    "\"2019-01-01T00:00:00Z\"}"

static json_t *parse(const char *text) {
    json_error_t e;
    json_t *v = json_loads(text, JSON_ALLOW_NUL, &e);
    if (!v) fail_msg("not JSON (%s): %s", e.text, text);
    return v;
}

/* Judges body as kind k; returns the status and the answer (caller frees). */
static unsigned judge(pp_kind k, const char *body, size_t len, char **answer) {
    pp_api_body b;
    pp_strbuf sb;
    pp_sb_init(&sb);
    unsigned code = pp_api_validate(&b, k, body, len, &sb);
    pp_api_body_clear(&b);
    *answer = strdup(sb.len ? sb.data : "");
    pp_sb_free(&sb);
    return code;
}

static void test_valid_geo_and_user_echo_their_models(void **state) {
    (void)state;
    char *a;
    assert_int_equal(judge(PP_KIND_GEO, GEO_OK, strlen(GEO_OK), &a), 200);
    /* byte for byte: model order, compact, the string latitude as a float, 2 -> 2.0 */
    assert_string_equal(a,
                        "{\"ind\":7,\"timestamp\":\"2020-01-01 10:00:00\",\"latitude\":48.5,\"longitude\":2.0,"
                        "\"country\":\"France\"}");
    free(a);
    assert_int_equal(judge(PP_KIND_USER, USER_OK, strlen(USER_OK), &a), 200);
    assert_string_equal(a,
                        "{\"ind\":7,\"first_name\":\"Ada \\\"A\\\"\",\"last_name\":\"Lovelace\",\"age\":36,"
                        "\"date_joined\":\"2019-01-01T00:00:00Z\",\"timestamp\":null}");
    free(a);
    const char *with_ts = "{\"ind\": 1, \"first_name\": \"\", \"last_name\": \"\\u00e9\\u4e2d\", \"age\": true, "
                          "\"date_joined\": \"2019-01-01 00:00:00\", \"timestamp\": \"2020-01-01 10:00:00\"}";
    assert_int_equal(judge(PP_KIND_USER, with_ts, strlen(with_ts), &a), 200);
    assert_string_equal(a,
                        "{\"ind\":1,\"first_name\":\"\",\"last_name\":\"\xc3\xa9\xe4\xb8\xad\",\"age\":1,"
                        "\"date_joined\":\"2019-01-01 00:00:00\",\"timestamp\":\"2020-01-01 10:00:00\"}");
    free(a);
}

/* One hostile body, its status and the (type, field) of its first error. */
typedef struct {
    pp_kind kind;
    const char *body;
    unsigned status;
    const char *type;  /* detail[0].type */
    const char *field; /* detail[0].loc[1]; NULL: loc is ["body"] or a position */
} hostile;

static const hostile HOSTILE[] = {
    {PP_KIND_GEO, "{\"ind\": 7,", 400, "json_invalid", NULL},
    {PP_KIND_GEO, "{\"country\": \"\xff\xfe\"}", 400, "json_invalid", NULL},
    {PP_KIND_GEO, "{\"ind\": 1} trailing", 400, "json_invalid", NULL},
    {PP_KIND_USER, "nul", 400, "json_invalid", NULL},
    {PP_KIND_USER, "{\"ind\": 1, \"ind\": 2,", 400, "json_invalid", NULL},
    {PP_KIND_GEO, "[1, 2]", 422, "model_attributes_type", NULL},
    {PP_KIND_USER, "\"a string\"", 422, "model_attributes_type", NULL},
    {PP_KIND_USER, "null", 422, "model_attributes_type", NULL},
    {PP_KIND_GEO, "{}", 422, "missing", "ind"},
    {PP_KIND_GEO,
     "{\"ind\": 7, \"timestamp\": \"2020-01-01 10:00:00\", \"latitude\": \"north\", \"longitude\": 2, "
     "\"country\": \"F\"}",
     422, "float_parsing", "latitude"},
    {PP_KIND_GEO,
     "{\"ind\": 7, \"timestamp\": \"2020-01-01 10:00:00\", \"latitude\": [1], \"longitude\": 2, \"country\": \"F\"}",
     422, "float_type", "latitude"},
    {PP_KIND_GEO,
     "{\"ind\": 7, \"timestamp\": \"2020-01-01 10:00:00\", \"latitude\": {\"v\": 1}, \"longitude\": 2, "
     "\"country\": \"F\"}",
     422, "float_type", "latitude"},
    {PP_KIND_GEO,
     "{\"ind\": 7, \"timestamp\": \"2020-01-01 10:00:00\", \"latitude\": 1, \"longitude\": 2, \"country\": 5}", 422,
     "string_type", "country"},
    {PP_KIND_GEO,
     "{\"ind\": 7, \"timestamp\": \"2020-01-01 10:00:00\", \"latitude\": 1, \"longitude\": 2, \"country\": "
     "\"a\\u0000b\"}",
     422, "string_nul", "country"},
    {PP_KIND_GEO, "{\"ind\": 7, \"timestamp\": \"yesterday\", \"latitude\": 1, \"longitude\": 2, \"country\": \"F\"}",
     422, "datetime_parsing", "timestamp"},
    {PP_KIND_GEO,
     "{\"ind\": \"7x\", \"timestamp\": \"2020-01-01\", \"latitude\": 1, \"longitude\": 2, \"country\": \"F\"}", 422,
     "int_parsing", "ind"},
    {PP_KIND_USER,
     "{\"ind\": 7, \"first_name\": \"a\", \"last_name\": \"b\", \"age\": \"12a\", \"date_joined\": \"2019-01-01 "
     "00:00:00\"}",
     422, "int_parsing", "age"},
    {PP_KIND_USER,
     "{\"ind\": 7, \"first_name\": \"a\", \"last_name\": \"b\", \"age\": 12.5, \"date_joined\": \"2019-01-01 "
     "00:00:00\"}",
     422, "int_from_float", "age"},
    {PP_KIND_USER,
     "{\"ind\": 7, \"first_name\": [\"a\"], \"last_name\": \"b\", \"age\": 1, \"date_joined\": \"2019-01-01 "
     "00:00:00\"}",
     422, "string_type", "first_name"},
    {PP_KIND_USER,
     "{\"ind\": 7, \"first_name\": \"a\", \"last_name\": \"b\", \"age\": 1, \"date_joined\": \"2019-01-01 00:00:00\", "
     "\"timestamp\": 5}",
     422, "string_type", "timestamp"},
    {PP_KIND_USER, "{\"ind\": 7, \"first_name\": \"a\", \"last_name\": \"b\", \"age\": 1}", 422, "missing",
     "date_joined"},
};

static void test_hostile_bodies_get_a_4xx_with_a_json_reason(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof HOSTILE / sizeof HOSTILE[0]; i++) {
        const hostile *h = &HOSTILE[i];
        char *a;
        unsigned code = judge(h->kind, h->body, strlen(h->body), &a);
        if (code != h->status) fail_msg("case %zu (%s): status %u, want %u: %s", i, h->body, code, h->status, a);
        json_t *ans = parse(a);
        json_t *d0 = json_array_get(json_object_get(ans, "detail"), 0);
        if (!d0) fail_msg("case %zu: no detail list: %s", i, a);
        assert_string_equal(json_string_value(json_object_get(d0, "type")), h->type);
        json_t *loc = json_object_get(d0, "loc");
        assert_string_equal(json_string_value(json_array_get(loc, 0)), "body");
        if (h->field)
            assert_string_equal(json_string_value(json_array_get(loc, 1)), h->field);
        else if (h->status == 422)
            assert_int_equal(json_array_size(loc), 1);
        assert_non_null(json_object_get(d0, "msg"));
        json_decref(ans);
        free(a);
    }
}

static void test_every_field_error_is_listed_in_model_order(void **state) {
    (void)state;
    const char *body = "{\"ind\": 7.5, \"first_name\": 1, \"age\": \"12a\", \"date_joined\": \"nope\"}";
    char *a;
    assert_int_equal(judge(PP_KIND_USER, body, strlen(body), &a), 422);
    json_t *want = parse(
        "{\"detail\":["
        "{\"type\":\"int_from_float\",\"loc\":[\"body\",\"ind\"],\"msg\":\"Input should be a valid integer, got a "
        "number with a fractional part\",\"input\":7.5},"
        "{\"type\":\"string_type\",\"loc\":[\"body\",\"first_name\"],\"msg\":\"Input should be a valid string\","
        "\"input\":1},"
        "{\"type\":\"missing\",\"loc\":[\"body\",\"last_name\"],\"msg\":\"Field required\",\"input\":{\"ind\":7.5,"
        "\"first_name\":1,\"age\":\"12a\",\"date_joined\":\"nope\"}},"
        "{\"type\":\"int_parsing\",\"loc\":[\"body\",\"age\"],\"msg\":\"Input should be a valid integer, unable to "
        "parse string as an integer\",\"input\":\"12a\"}]}");
    json_t *got = parse(a);
    /* the datetime error's message is kind_event's; compare the rest exactly */
    json_t *det = json_object_get(got, "detail");
    assert_int_equal(json_array_size(det), 5);
    json_t *last = json_array_get(det, 4);
    assert_string_equal(json_string_value(json_object_get(last, "type")), "datetime_parsing");
    assert_string_equal(json_string_value(json_array_get(json_object_get(last, "loc"), 1)), "date_joined");
    assert_string_equal(json_string_value(json_object_get(last, "input")), "nope");
    json_array_remove(det, 4);
    if (!json_equal(got, want)) fail_msg("got %s", a);
    json_decref(got);
    json_decref(want);
    free(a);
}

static void test_empty_body_is_422_missing_for_every_kind(void **state) {
    (void)state;
    for (int k = 0; k < PP_KIND_COUNT; k++) {
        char *a;
        assert_int_equal(judge((pp_kind)k, "", 0, &a), 422);
        assert_string_equal(a,
                            "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\"],\"msg\":\"Field required\","
                            "\"input\":null}]}");
        free(a);
    }
}

static const char *header(const pp_message *m, const char *name) {
    static char v[64];
    for (size_t i = 0; i < m->rec.nheaders; i++)
        if (!strcmp(m->rec.headers[i].name, name)) {
            snprintf(v, sizeof v, "%.*s", (int)m->rec.headers[i].value_len, (const char *)m->rec.headers[i].value);
            return v;
        }
    return NULL;
}

static void test_accepted_events_are_keyed_and_labelled_by_kind(void **state) {
    (void)state;
    static const struct {
        pp_kind kind;
        const char *body, *topic, *key, *schema;
    } CASES[] = {
        {PP_KIND_GEO, GEO_OK, "geo-t", "7", "1"},
        {PP_KIND_USER, USER_OK, "users-t", "7", "1"},
        {PP_KIND_PIN,
         "{\"index\": 1, \"unique_id\": \"  u-1 \", \"title\": \"t\", \"description\": \"d\", \"poster_name\": \"p\", "
         "\"follower_count\": \"1\", \"tag_list\": \"a\", \"is_image_or_video\": \"image\", \"image_src\": \"s\", "
         "\"downloaded\": 1, \"save_location\": \"l\", \"category\": \"c\"}",
         "pins-t", "u-1", "2"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        pp_api_body b;
        pp_strbuf sb;
        pp_sb_init(&sb);
        size_t len = strlen(CASES[i].body);
        assert_int_equal(pp_api_validate(&b, CASES[i].kind, CASES[i].body, len, &sb), 200);
        pp_message m;
        pp_api_body_message(&b, &m, CASES[i].topic, CASES[i].body, len, 1700000000123);
        assert_string_equal(m.rec.topic, CASES[i].topic);
        assert_true(m.rec.value == CASES[i].body && m.rec.value_len == len); /* the body as received */
        assert_int_equal(m.rec.key_len, strlen(CASES[i].key));
        assert_memory_equal(m.rec.key, CASES[i].key, m.rec.key_len);
        assert_string_equal(header(&m, PP_HDR_KIND), pp_kind_name(CASES[i].kind));
        assert_string_equal(header(&m, PP_HDR_SCHEMA), CASES[i].schema);
        assert_string_equal(header(&m, PP_HDR_INGEST_TIME), "1700000000123");
        pp_api_body_clear(&b);
        pp_sb_free(&sb);
    }
}

static void test_floats_are_written_as_python_repr(void **state) {
    (void)state;
    static const struct {
        double d;
        const char *want;
    } CASES[] = {
        {48.5, "48.5"},
        {2.0, "2.0"},
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {0.1, "0.1"},
        {-90.0, "-90.0"},
        {48.858093, "48.858093"},
        {1.0 / 3.0, "0.3333333333333333"},
        {1e16, "1e+16"},
        {1e15, "1000000000000000.0"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {0.0001, "0.0001"},
        {0.00001, "1e-05"},
        {1.5e-7, "1.5e-07"},
        {1e300, "1e+300"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"}, /* the smallest normal */
        {1e-310, "1e-310"},                                   /* subnormals: fewer digits */
        {4.9406564584124654e-320, "4.9407e-320"},
        {0.1 + 0.2, "0.30000000000000004"},
        {100.0, "100.0"},
        {123.456, "123.456"},
        {9007199254740993.0, "9007199254740992.0"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        pp_strbuf sb;
        pp_sb_init(&sb);
        pp_api_reply_float(&sb, CASES[i].d);
        if (strcmp(sb.data, CASES[i].want)) fail_msg("%.17g: got %s, want %s", CASES[i].d, sb.data, CASES[i].want);
        pp_sb_free(&sb);
    }
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_api_reply_float(&sb, strtod("inf", NULL));
    pp_api_reply_float(&sb, strtod("nan", NULL));
    assert_string_equal(sb.data, "nullnull"); /* pydantic's default for non-finite floats */
    pp_sb_free(&sb);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_geo_and_user_echo_their_models),
        cmocka_unit_test(test_hostile_bodies_get_a_4xx_with_a_json_reason),
        cmocka_unit_test(test_every_field_error_is_listed_in_model_order),
        cmocka_unit_test(test_empty_body_is_422_missing_for_every_kind),
        cmocka_unit_test(test_accepted_events_are_keyed_and_labelled_by_kind),
        cmocka_unit_test(test_floats_are_written_as_python_repr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
