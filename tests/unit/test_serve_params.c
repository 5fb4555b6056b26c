/* The serving API's parameter checks (src/serve/serve_params.h): every bad value is a
 * 400 whose JSON body names the parameter and what it allows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "event/event_time.h"
#include "serve/serve_params.h"

#define QUERY (PP_SP_METRIC | PP_SP_FROM | PP_SP_TO | PP_SP_KEY | PP_SP_GROUP | PP_SP_TOP | PP_SP_FORMAT)

static pp_serve_request defaults(void) {
    pp_serve_request r = {.metric = -1, .group = PP_GROUP_DAY, .minutes = 15};
    pp_day_parse("2026-01-01", &r.from_ms);
    pp_day_parse("2026-01-30", &r.to_ms);
    return r;
}

static void a_good_query_parses(void **state) {
    (void)state;
    pp_serve_param p[] = {{"metric", "pins_by_category"},
                          {"from", "2026-01-01"},
                          {"to", "2026-12-31"},
                          {"group", "month"},
                          {"top", "3"},
                          {"format", "csv"},
                          {"key", "art \"quoted\""}};
    pp_serve_request r = defaults();
    pp_strbuf err;
    pp_sb_init(&err);
    assert_int_equal(pp_serve_params_parse(p, 7, QUERY, PP_SP_METRIC, &r, &err), 0);
    assert_int_equal(r.metric, PP_M_PINS_BY_CATEGORY);
    assert_int_equal(r.group, PP_GROUP_MONTH);
    assert_int_equal(r.top, 3);
    assert_true(r.csv);
    assert_string_equal(r.key, "art \"quoted\"");
    assert_int_equal((r.to_ms - r.from_ms) / 86400000, 364);
    pp_sb_free(&err);
}

static void each_bad_value_names_its_parameter(void **state) {
    (void)state;
    static const struct {
        pp_serve_param p;
        const char *parameter, *allowed_has;
    } CASES[] = {
        {{"metric", "no_such_metric"}, "metric", "pins_by_category"},
        {{"from", "2026-13-01"}, "from", "YYYY-MM-DD"},
        {{"from", "yesterday"}, "from", "YYYY-MM-DD"},
        {{"to", "2026-02-30"}, "to", "YYYY-MM-DD"},
        {{"from", "2026-02-01"}, "from", "on or before to"}, /* after the default to */
        {{"from", "2015-01-01"}, "to", "ten years"},
        {{"top", "1001"}, "top", "1 to 1000"},
        {{"top", "0"}, "top", "1 to 1000"},
        {{"top", "5x"}, "top", "1 to 1000"},
        {{"top", "-1"}, "top", "1 to 1000"},
        {{"group", "fortnight"}, "group", "day, week, month, year, all"},
        {{"format", "xml"}, "format", "json, csv"},
        {{"minutes", "5"}, "minutes", "metric, from"}, /* not a parameter of this endpoint */
        {{"metric;DROP TABLE metrics", "x"}, "metric;DROP TABLE metrics", "metric, from"},
        {{"metric", NULL}, "metric", "name=value"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        pp_serve_request r = defaults();
        pp_strbuf err;
        pp_sb_init(&err);
        pp_serve_param p[2] = {CASES[i].p, {"metric", "pins_total"}};
        size_t n = strcmp(CASES[i].p.name, "metric") == 0 ? 1 : 2;
        int rc = pp_serve_params_parse(p, n, QUERY, PP_SP_METRIC, &r, &err);
        json_t *body = json_loads(err.data ? err.data : "", 0, NULL);
        if (rc != 400 || !body)
            fail_msg("case %zu (%s=%s): rc %d, body %s", i, CASES[i].p.name, CASES[i].p.value, rc, err.data);
        const char *param = json_string_value(json_object_get(body, "parameter"));
        const char *allowed = json_string_value(json_object_get(body, "allowed"));
        if (!param || strcmp(param, CASES[i].parameter) != 0 || !allowed || !strstr(allowed, CASES[i].allowed_has))
            fail_msg("case %zu: body %s", i, err.data);
        json_decref(body);
        pp_sb_free(&err);
    }
}

static void missing_and_repeated_parameters_are_refused(void **state) {
    (void)state;
    pp_serve_request r = defaults();
    pp_strbuf err;
    pp_sb_init(&err);
    assert_int_equal(pp_serve_params_parse(NULL, 0, QUERY, PP_SP_METRIC, &r, &err), 400);
    assert_non_null(strstr(err.data, "\"parameter\":\"metric\""));
    pp_sb_reset(&err);
    pp_serve_param twice[] = {{"metric", "pins_total"}, {"metric", "pins_by_tag"}};
    assert_int_equal(pp_serve_params_parse(twice, 2, QUERY, PP_SP_METRIC, &r, &err), 400);
    assert_non_null(strstr(err.data, "given twice"));
    pp_sb_free(&err);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_query_parses),
        cmocka_unit_test(each_bad_value_names_its_parameter),
        cmocka_unit_test(missing_and_repeated_parameters_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
