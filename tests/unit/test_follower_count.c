/* follower_count — which strings are follower counts, and their values.
 * The parser sees the value after trim_text; " 7k " is therefore invalid here
 * (and 7000 in the pipeline: see test_rules.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clean/follower_count.h"
#include "common/error.h"

#define INVALID (-1)

static const struct {
    const char *in;
    int64_t want; /* INVALID: not a follower count */
} CASES[] = {
    /* plain digits */
    {"940", 940},
    {"0", 0},
    {"007", 7},
    {"1000000000000", INT64_C(1000000000000)}, /* PP_FOLLOWER_COUNT_MAX itself */
    /* thousands separators, in groups of three */
    {"12,345", 12345},
    {"1,000,000", 1000000},
    {"999,999", 999999},
    {"12,34", INVALID},
    {"1234,567", INVALID},
    {"1,2345", INVALID},
    {",123", INVALID},
    {"123,", INVALID},
    {"1,,000", INVALID},
    /* suffixes: k/K thousand, m/M million, b/B billion */
    {"6k", 6000},
    {"124k", 124000},
    {"6K", 6000},
    {"1M", 1000000},
    {"3M", 3000000},
    {"1m", 1000000},
    {"2b", INT64_C(2000000000)},
    {"2B", INT64_C(2000000000)},
    {"1,000k", 1000000},
    {"1000B", INT64_C(1000000000000)},
    /* decimals: only with a suffix, at most three digits, whole result */
    {"1.5k", 1500},
    {"2.25M", 2250000},
    {"1.001k", 1001},
    {"0.5k", 500},
    {"1.5", INVALID},
    {"1.2345k", INVALID},
    {"1.k", INVALID},
    {".5k", INVALID},
    {"1,000.5k", INVALID},
    /* nothing, signs, spaces, garbage */
    {"", INVALID},
    {"k", INVALID},
    {"-5", INVALID},
    {"+5", INVALID},
    {" 7k ", INVALID},
    {"7 k", INVALID},
    {"abc", INVALID},
    {"12a", INVALID},
    {"1e3", INVALID},
    {"0x10", INVALID},
    {"5kk", INVALID},
    {"User Info Error", INVALID},
    /* too large: above 10^12, and far beyond int64 */
    {"1000000000001", INVALID},
    {"1001B", INVALID},
    {"99999999999999999999", INVALID},
    {"99999999999999999999k", INVALID},
    {"9,999,999,999,999,999,999", INVALID},
};

static void test_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        int64_t got = -42;
        int rc = pp_follower_count_parse(CASES[i].in, strlen(CASES[i].in), &got);
        if (CASES[i].want == INVALID) {
            if (rc != PP_EINVAL) fail_msg("\"%s\": expected invalid, got %lld", CASES[i].in, (long long)got);
            assert_int_equal(got, -42); /* *out untouched */
        } else {
            if (rc != PP_OK) fail_msg("\"%s\": expected %lld, got invalid", CASES[i].in, (long long)CASES[i].want);
            if (got != CASES[i].want)
                fail_msg("\"%s\": expected %lld, got %lld", CASES[i].in, (long long)CASES[i].want, (long long)got);
        }
    }
}

/* The parser reads exactly n bytes: no NUL terminator needed, none looked at. */
static void test_reads_only_n_bytes(void **state) {
    (void)state;
    int64_t v = 0;
    assert_int_equal(pp_follower_count_parse("6kXYZ", 2, &v), PP_OK);
    assert_int_equal(v, 6000);
    assert_int_equal(pp_follower_count_parse("940", 2, &v), PP_OK);
    assert_int_equal(v, 94);
    assert_int_equal(pp_follower_count_parse("940", 0, &v), PP_EINVAL);
}

/* Every prefix of a valid value is either valid or cleanly invalid (no overread). */
static void test_every_prefix(void **state) {
    (void)state;
    static const char *const S[] = {"1,234,567", "2.25M", "1.5k", "999,999,999,999"};
    for (size_t i = 0; i < sizeof S / sizeof S[0]; i++) {
        for (size_t n = 0; n <= strlen(S[i]); n++) {
            int64_t v;
            int rc = pp_follower_count_parse(S[i], n, &v);
            assert_true(rc == PP_OK || rc == PP_EINVAL);
            if (rc == PP_OK) assert_true(v >= 0 && v <= PP_FOLLOWER_COUNT_MAX);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_reads_only_n_bytes),
        cmocka_unit_test(test_every_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
