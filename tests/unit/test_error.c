/* error: the codes, messages and classes generated from the one list PP_ERRORS. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"

static void test_messages_and_classes(void **state) {
    (void)state;
    static const struct {
        int code;
        const char *message;
        int transient;
    } CASES[] = {
        {PP_OK, "ok", 0},
        {PP_EINVAL, "invalid input", 0},
        {PP_ENOMEM, "out of memory", 0},
        {PP_EIO, "I/O error", 1},
        {PP_EPROTO, "protocol error", 0},
        {PP_ETIMEOUT, "timed out", 1},
        {PP_ESERVER, "server error", 0},
        {PP_ENOTFOUND, "not found", 0},
        {PP_EBUSY, "busy, retry later", 1},
        {PP_EREFUSED, "refused for good", 0},
        {-10, "unknown error", 0},
        {1, "unknown error", 0},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        assert_string_equal(pp_strerror(CASES[i].code), CASES[i].message);
        assert_int_equal(pp_err_transient(CASES[i].code), CASES[i].transient);
    }
    /* the values are the ones callers have always seen */
    assert_int_equal(PP_OK, 0);
    assert_int_equal(PP_EINVAL, -1);
    assert_int_equal(PP_EREFUSED, -9);
}

static void test_errf(void **state) {
    (void)state;
    char buf[8];
    pp_errf(buf, sizeof buf, "%s-%d", "abcdef", 12); /* truncated, terminated */
    assert_string_equal(buf, "abcdef-");
    pp_errf(NULL, 10, "x"); /* no buffer: nothing */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_messages_and_classes),
        cmocka_unit_test(test_errf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
