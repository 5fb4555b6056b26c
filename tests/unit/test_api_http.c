/* Specification of the ingest API's header checks (src/api/api_http.c):
 *  - a JSON body is announced by no Content-Type at all (FastAPI parses it as JSON),
 *    application/json or application/<anything>+json, in any case, with parameters;
 *    a charset other than UTF-8 is refused (JSON is UTF-8), anything else too (415);
 *  - Content-Length is plain decimal digits (spaces around allowed), nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/api_http.h"

typedef struct {
    const char *value; /* NULL: no header */
    int json;
} ct_case;

static const ct_case CONTENT_TYPES[] = {
    {NULL, 1},
    {"application/json", 1},
    {"Application/JSON", 1},
    {"application/json; charset=utf-8", 1},
    {"application/json;charset=UTF-8", 1},
    {"application/json; charset=\"utf-8\"", 1},
    {"application/json ; charset=utf8", 1},
    {"application/json; foo=bar; charset=utf-8", 1},
    {"application/json;", 1},
    {"  application/json  ", 1},
    {"application/vnd.api+json", 1},
    {"application/problem+JSON; charset=utf-8", 1},
    {"application/json; charset=latin-1", 0},
    {"application/json; charset=\"utf-16\"", 0},
    {"text/plain", 0},
    {"text/json", 0},
    {"application/x-www-form-urlencoded", 0},
    {"multipart/form-data; boundary=x", 0},
    {"application/jsonx", 0},
    {"application/+json", 0},
    {"application", 0},
    {"application/", 0},
    {"/json", 0},
    {"", 0},
    {"application/json garbage", 0},
    {"application/json; charset", 0},
    {"application/json; charset=\"utf-8", 0},
};

static void test_content_type_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof CONTENT_TYPES / sizeof CONTENT_TYPES[0]; i++) {
        const ct_case *t = &CONTENT_TYPES[i];
        int got = pp_api_content_type_is_json(t->value);
        if (got != t->json)
            fail_msg("Content-Type %s%s%s: got %d, want %d", t->value ? "'" : "", t->value ? t->value : "(absent)",
                     t->value ? "'" : "", got, t->json);
    }
}

typedef struct {
    const char *value;
    int ok;
    uint64_t n;
} cl_case;

static const cl_case LENGTHS[] = {
    {"0", 1, 0},
    {"611", 1, 611},
    {" 1048576 ", 1, 1048576},
    {"9223372036854775807", 1, UINT64_C(9223372036854775807)},
    {"9223372036854775808", 0, 0},
    {"99999999999999999999999", 0, 0},
    {"", 0, 0},
    {"-1", 0, 0},
    {"+1", 0, 0},
    {"1e3", 0, 0},
    {"12 34", 0, 0},
    {"0x10", 0, 0},
    {NULL, 0, 0},
};

static void test_content_length_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof LENGTHS / sizeof LENGTHS[0]; i++) {
        const cl_case *t = &LENGTHS[i];
        uint64_t n = 12345;
        int rc = pp_api_parse_content_length(t->value, &n);
        if ((rc == 0) != t->ok) fail_msg("Content-Length '%s': rc %d", t->value ? t->value : "(null)", rc);
        if (t->ok)
            assert_true(n == t->n);
        else
            assert_true(n == 12345); /* untouched on error */
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_type_table),
        cmocka_unit_test(test_content_length_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
