/* kind_event: the geo and user models (docs/joins.md), pydantic v2 lax rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "event/kind_event.h"

static int parse(pp_kind k, const char *body, pp_kind_event *ev) {
    char err[512];
    return pp_kind_event_parse(ev, k, body, strlen(body), err, sizeof err);
}

static void test_geo_valid_and_lax(void **state) {
    (void)state;
    pp_kind_event ev;
    assert_int_equal(parse(PP_KIND_GEO,
                           "{\"ind\":\"7\",\"timestamp\":\"2026-01-02 03:04:05\",\"latitude\":\" 48.85 \","
                           "\"longitude\":2,\"country\":\"France\",\"extra\":[1]}",
                           &ev),
                     PP_OK);
    assert_int_equal(ev.i[PP_GEO_IND], 7);
    assert_true(ev.d[PP_GEO_LATITUDE] > 48.84 && ev.d[PP_GEO_LATITUDE] < 48.86);
    assert_true(ev.d[PP_GEO_LONGITUDE] == 2.0);
    assert_int_equal(ev.i[PP_GEO_TIMESTAMP], INT64_C(1767323045000));
    assert_int_equal((int)ev.len[PP_GEO_COUNTRY], 6);
    pp_kind_event_clear(&ev);
}

/* Every field error is reported, in field order, with pydantic's type. */
static void test_geo_errors(void **state) {
    (void)state;
    pp_kind_event ev;
    assert_int_equal(parse(PP_KIND_GEO, "{\"ind\":1.5,\"latitude\":\"north\",\"longitude\":[],\"country\":7}", &ev),
                     PP_EINVAL);
    assert_int_equal(ev.status, PP_EVENT_INVALID_FIELDS);
    static const char *const WANT[][2] = {{"ind", "int_from_float"},
                                          {"timestamp", "missing"},
                                          {"latitude", "float_parsing"},
                                          {"longitude", "float_type"},
                                          {"country", "string_type"}};
    assert_int_equal(ev.n_errors, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(pp_kind_field_name(PP_KIND_GEO, (int)ev.errors[i].field), WANT[i][0]);
        assert_string_equal(ev.errors[i].type, WANT[i][1]);
    }
    pp_kind_event_clear(&ev);
    assert_int_equal(parse(PP_KIND_GEO, "{\"latitude\":0x10", &ev), PP_EINVAL);
    assert_int_equal(ev.status, PP_EVENT_INVALID_JSON);
    pp_kind_event_clear(&ev);
    assert_int_equal(parse(PP_KIND_GEO, "[1]", &ev), PP_EINVAL);
    assert_int_equal(ev.status, PP_EVENT_NOT_OBJECT);
    assert_string_equal(pp_kind_field_name(PP_KIND_GEO, (int)ev.errors[0].field), "body");
    pp_kind_event_clear(&ev);
}

static void test_float_strings(void **state) {
    (void)state;
    static const struct {
        const char *lat;
        int ok;
    } CASES[] = {{"\"1e3\"", 1},  {"\"-0.5\"", 1}, {"\"inf\"", 1}, {"\"0x10\"", 0}, {"\"\"", 0},
                 {"\"1.5a\"", 0}, {"true", 1},     {"null", 0},    {"{}", 0}};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"ind\":1,\"timestamp\":\"2026-01-01T00:00:00Z\",\"latitude\":%s,\"longitude\":0,\"country\":\"x\"}",
                 CASES[i].lat);
        pp_kind_event ev;
        int rc = parse(PP_KIND_GEO, body, &ev);
        if ((rc == PP_OK) != CASES[i].ok) fail_msg("latitude %s: rc %d", CASES[i].lat, rc);
        pp_kind_event_clear(&ev);
    }
}

static void test_user(void **state) {
    (void)state;
    pp_kind_event ev;
    assert_int_equal(parse(PP_KIND_USER,
                           "{\"ind\":3,\"first_name\":\"Ada\",\"last_name\":\"\",\"age\":\"36\","
                           "\"date_joined\":\"2015-10-31 11:13:50\",\"timestamp\":null}",
                           &ev),
                     PP_OK);
    assert_int_equal(ev.i[PP_USER_AGE], 36);
    assert_false(ev.present[PP_USER_TIMESTAMP]);
    assert_true(ev.present[PP_USER_DATE_JOINED]);
    pp_kind_event_clear(&ev);
    assert_int_equal(parse(PP_KIND_USER,
                           "{\"ind\":3,\"first_name\":\"A\\u0000\",\"last_name\":\"B\",\"age\":12.5,"
                           "\"date_joined\":\"yesterday\"}",
                           &ev),
                     PP_EINVAL);
    assert_int_equal(ev.n_errors, 3);
    assert_string_equal(ev.errors[0].type, "string_nul");
    assert_string_equal(ev.errors[1].type, "int_from_float");
    assert_string_equal(ev.errors[2].type, "datetime_parsing");
    pp_kind_event_clear(&ev);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geo_valid_and_lax),
        cmocka_unit_test(test_geo_errors),
        cmocka_unit_test(test_float_strings),
        cmocka_unit_test(test_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
