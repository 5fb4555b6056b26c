/* Specification of the ingest API's optional bearer token (src/api/api_auth.c):
 * off unless a token is set; then only `Authorization: Bearer <token>` passes (scheme
 * in any case, spaces around the token ignored); the comparison works on SHA-256
 * digests, so tokens of any length compare (and take the same time) alike. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/api_auth.h"

static void test_off_without_a_token(void **state) {
    (void)state;
    pp_api_auth a;
    assert_int_equal(pp_api_auth_init(&a, NULL), 0);
    assert_false(a.enabled);
    assert_true(pp_api_auth_check(&a, NULL));
    assert_true(pp_api_auth_check(&a, "Bearer whatever"));
    assert_int_equal(pp_api_auth_init(&a, ""), 0);
    assert_false(a.enabled);
    assert_true(pp_api_auth_check(&a, NULL));
}

typedef struct {
    const char *header; /* NULL: no Authorization header */
    int pass;
} auth_case;

static const auth_case HEADERS[] = {
    {"Bearer s3cret-token", 1},
    {"bearer s3cret-token", 1},
    {"BEARER   s3cret-token  ", 1},
    {"\tBearer\ts3cret-token", 1},
    {NULL, 0},
    {"", 0},
    {"Bearer", 0},
    {"Bearer ", 0},
    {"Bearers3cret-token", 0},
    {"Basic s3cret-token", 0},
    {"s3cret-token", 0},
    {"Bearer s3cret-toke", 0},
    {"Bearer s3cret-token2", 0},
    {"Bearer S3CRET-TOKEN", 0},
    {"Bearer s3cret token", 0},
};

static void test_bearer_header_table(void **state) {
    (void)state;
    pp_api_auth a;
    assert_int_equal(pp_api_auth_init(&a, "s3cret-token"), 0);
    assert_true(a.enabled);
    for (size_t i = 0; i < sizeof HEADERS / sizeof HEADERS[0]; i++) {
        int got = pp_api_auth_check(&a, HEADERS[i].header);
        if (got != HEADERS[i].pass)
            fail_msg("Authorization '%s': got %d, want %d", HEADERS[i].header ? HEADERS[i].header : "(absent)", got,
                     HEADERS[i].pass);
    }
}

static void test_constant_time_equal_compares_bytes_of_any_length(void **state) {
    (void)state;
    assert_true(pp_api_ct_equal("abc", 3, "abc", 3));
    assert_true(pp_api_ct_equal("", 0, "", 0));
    assert_false(pp_api_ct_equal("abc", 3, "abd", 3));
    assert_false(pp_api_ct_equal("abc", 3, "abc", 2));
    assert_false(pp_api_ct_equal("abc", 3, "abcd", 4));
    assert_true(pp_api_ct_equal("a\0b", 3, "a\0b", 3));
    assert_false(pp_api_ct_equal("a\0b", 3, "a\0c", 3));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_off_without_a_token),
        cmocka_unit_test(test_bearer_header_table),
        cmocka_unit_test(test_constant_time_equal_compares_bytes_of_any_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
