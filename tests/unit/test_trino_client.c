/* Specification of the Trino client protocol decoder (src/sql/trino_client.h): the
 * pages of a query are gathered into columns and rows, a failed query gives Trino's
 * message with its error name, a nextUri is followed only on the server the client
 * was given, too many rows fail with a message, and every truncated prefix of a valid
 * page is refused without a crash. No server needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "sql/trino_client.h"

#define BASE "http://127.0.0.1:18080"

/* A query's pages as Trino 476 sends them for SELECT category, count(*) ... */
static const char *const PAGES[] = {
    "{\"id\":\"20260101_000000_00001_abcde\",\"infoUri\":\"" BASE "/ui/query.html?x\",\"nextUri\":\"" BASE
    "/v1/statement/queued/20260101_000000_00001_abcde/y/1\",\"stats\":{\"state\":\"QUEUED\"}}",
    "{\"id\":\"20260101_000000_00001_abcde\",\"nextUri\":\"" BASE
    "/v1/statement/executing/20260101_000000_00001_abcde/z/0\",\"columns\":[{\"name\":\"category\",\"type\":"
    "\"varchar\"},{\"name\":\"pins\",\"type\":\"bigint\"}],\"data\":[[\"art\",52],[null,3]],\"stats\":{\"state\":"
    "\"RUNNING\"}}",
    "{\"id\":\"20260101_000000_00001_abcde\",\"columns\":[{\"name\":\"category\",\"type\":\"varchar\"},{\"name\":"
    "\"pins\",\"type\":\"bigint\"}],\"data\":[[\"travel\",7]],\"stats\":{\"state\":\"FINISHED\"}}",
};

static int apply(pp_trino_result *r, const char *page, char **next, char *err, size_t errlen) {
    return pp_trino_apply_page(r, page, strlen(page), BASE, next, err, errlen);
}

static void pages_gather_columns_and_rows(void **state) {
    (void)state;
    pp_trino_result r;
    pp_trino_result_init(&r);
    char err[512] = "", *next = NULL;
    assert_int_equal(apply(&r, PAGES[0], &next, err, sizeof err), PP_OK);
    assert_string_equal(next, BASE "/v1/statement/queued/20260101_000000_00001_abcde/y/1");
    assert_null(r.names); /* no columns yet */
    free(next);
    assert_int_equal(apply(&r, PAGES[1], &next, err, sizeof err), PP_OK);
    assert_non_null(next);
    free(next);
    assert_int_equal(apply(&r, PAGES[2], &next, err, sizeof err), PP_OK);
    assert_null(next); /* finished */
    assert_string_equal(r.query_id, "20260101_000000_00001_abcde");
    assert_int_equal(r.ncols, 2);
    assert_string_equal(r.names[0], "category");
    assert_string_equal(r.types[1], "bigint");
    assert_int_equal(json_array_size(r.rows), 3);
    char *s = pp_trino_value_text(json_array_get(json_array_get(r.rows, 0), 0));
    assert_string_equal(s, "art");
    free(s);
    s = pp_trino_value_text(json_array_get(json_array_get(r.rows, 0), 1));
    assert_string_equal(s, "52");
    free(s);
    assert_null(pp_trino_value_text(json_array_get(json_array_get(r.rows, 1), 0))); /* null */
    pp_trino_result_free(&r);
}

static void values_have_a_text_form(void **state) {
    (void)state;
    static const struct {
        const char *json, *text;
    } V[] = {
        {"\"a b\"", "a b"}, {"\"\"", ""},     {"12", "12"},       {"-3", "-3"},
        {"1.5", "1.5"},     {"true", "true"}, {"[1,2]", "[1,2]"}, {"{\"k\":1}", "{\"k\":1}"},
        {"\"NaN\"", "NaN"},
    };
    for (size_t i = 0; i < sizeof V / sizeof V[0]; i++) {
        json_t *j = json_loads(V[i].json, JSON_DECODE_ANY, NULL);
        assert_non_null(j);
        char *s = pp_trino_value_text(j);
        assert_non_null(s);
        assert_string_equal(s, V[i].text);
        free(s);
        json_decref(j);
    }
}

static void a_failed_query_gives_trinos_message(void **state) {
    (void)state;
    static const char PAGE[] =
        "{\"id\":\"q1\",\"stats\":{\"state\":\"FAILED\"},\"error\":{\"message\":\"line 1:8: Column 'nosuch' cannot be "
        "resolved\",\"errorCode\":47,\"errorName\":\"COLUMN_NOT_FOUND\",\"errorType\":\"USER_ERROR\","
        "\"errorLocation\":{\"lineNumber\":1,\"columnNumber\":8}}}";
    pp_trino_result r;
    pp_trino_result_init(&r);
    char err[512] = "", *next = NULL;
    assert_int_equal(apply(&r, PAGE, &next, err, sizeof err), PP_ESERVER);
    assert_null(next);
    assert_string_equal(err, "Trino: line 1:8: Column 'nosuch' cannot be resolved (COLUMN_NOT_FOUND)");
    pp_trino_result_free(&r);
    /* a message without the location gets it from errorLocation */
    static const char PAGE2[] = "{\"id\":\"q2\",\"error\":{\"message\":\"Boom\",\"errorName\":\"GENERIC\","
                                "\"errorLocation\":{\"lineNumber\":3,\"columnNumber\":2}}}";
    pp_trino_result_init(&r);
    assert_int_equal(apply(&r, PAGE2, &next, err, sizeof err), PP_ESERVER);
    assert_string_equal(err, "Trino: line 3:2: Boom (GENERIC)");
    pp_trino_result_free(&r);
}

static void a_statement_without_rows_keeps_its_update_type(void **state) {
    (void)state;
    pp_trino_result r;
    pp_trino_result_init(&r);
    char err[512] = "", *next = NULL;
    assert_int_equal(apply(&r, "{\"id\":\"q\",\"updateType\":\"CREATE VIEW\",\"stats\":{}}", &next, err, sizeof err),
                     PP_OK);
    assert_null(next);
    assert_null(r.names);
    assert_string_equal(r.update_type, "CREATE VIEW");
    pp_trino_result_free(&r);
}

static void next_uri_stays_on_the_server(void **state) {
    (void)state;
    static const char *const BAD[] = {
        "{\"id\":\"q\",\"nextUri\":\"http://evil.example/v1/statement/x\"}",
        "{\"id\":\"q\",\"nextUri\":\"http://127.0.0.1:180800/v1/statement/x\"}", /* a prefix of the port */
        "{\"id\":\"q\",\"nextUri\":\"" BASE "@evil/v1\"}",
        "{\"id\":\"q\",\"nextUri\":17}",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        pp_trino_result r;
        pp_trino_result_init(&r);
        char err[512] = "", *next = NULL;
        assert_int_equal(apply(&r, BAD[i], &next, err, sizeof err), PP_EPROTO);
        assert_null(next);
        assert_non_null(strstr(err, "refusing to follow nextUri"));
        pp_trino_result_free(&r);
    }
    /* the base may be given with a trailing '/' */
    pp_trino_result r;
    pp_trino_result_init(&r);
    char err[512] = "", *next = NULL;
    assert_int_equal(pp_trino_apply_page(&r, PAGES[0], strlen(PAGES[0]), BASE "/", &next, err, sizeof err), PP_OK);
    assert_non_null(next);
    free(next);
    pp_trino_result_free(&r);
}

static void too_many_rows_fail_with_a_message(void **state) {
    (void)state;
    pp_trino_result r;
    pp_trino_result_init(&r);
    r.max_rows = 2;
    char err[512] = "", *next = NULL;
    assert_int_equal(apply(&r, PAGES[1], &next, err, sizeof err), PP_OK);
    free(next);
    assert_int_equal(apply(&r, PAGES[2], &next, err, sizeof err), PP_EINVAL);
    assert_non_null(strstr(err, "more than 2 rows"));
    pp_trino_result_free(&r);
}

static void malformed_pages_are_refused(void **state) {
    (void)state;
    static const char *const BAD[] = {
        "",
        "[]",
        "not json",
        "{\"id\":\"q\",\"data\":[[1]]}",                                         /* data before columns */
        "{\"columns\":[{\"name\":\"a\",\"type\":\"bigint\"}],\"data\":[[1,2]]}", /* row width */
        "{\"columns\":[{\"name\":\"a\"}]}",                                      /* no type */
        "{\"columns\":[{\"name\":\"a\",\"type\":\"bigint\"}],\"data\":{}}",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        pp_trino_result r;
        pp_trino_result_init(&r);
        char err[512] = "", *next = NULL;
        assert_int_not_equal(apply(&r, BAD[i], &next, err, sizeof err), PP_OK);
        assert_null(next);
        assert_true(err[0] != '\0');
        pp_trino_result_free(&r);
    }
    /* every truncated prefix of a valid page */
    for (size_t p = 0; p < sizeof PAGES / sizeof PAGES[0]; p++) {
        size_t n = strlen(PAGES[p]);
        for (size_t len = 0; len < n; len++) {
            pp_trino_result r;
            pp_trino_result_init(&r);
            char err[512] = "", *next = NULL;
            assert_int_not_equal(pp_trino_apply_page(&r, PAGES[p], len, BASE, &next, err, sizeof err), PP_OK);
            assert_null(next);
            pp_trino_result_free(&r);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pages_gather_columns_and_rows),
        cmocka_unit_test(values_have_a_text_form),
        cmocka_unit_test(a_failed_query_gives_trinos_message),
        cmocka_unit_test(a_statement_without_rows_keeps_its_update_type),
        cmocka_unit_test(next_uri_stays_on_the_server),
        cmocka_unit_test(too_many_rows_fail_with_a_message),
        cmocka_unit_test(malformed_pages_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
