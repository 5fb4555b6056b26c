/* Specification of when the lake writer closes an object (src/lake/lake_rotate.h):
 * at max_records records, at max_bytes bytes (before gzip), max_age_ms after its
 * first record (the idle flush of a quiet partition), never when empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lake/lake_rotate.h"

static void rotation_follows_the_limits(void **state) {
    (void)state;
    const pp_lake_limits l = {.max_records = 100, .max_bytes = 1000, .max_age_ms = 500};
    static const struct {
        const char *what;
        size_t records, bytes;
        int64_t age;
        pp_lake_reason want;
    } CASES[] = {
        {"empty, however old", 0, 0, 100000, PP_LAKE_KEEP},
        {"below every limit", 99, 999, 499, PP_LAKE_KEEP},
        {"max records reached", 100, 10, 0, PP_LAKE_DUE_RECORDS},
        {"records win over bytes and age", 100, 5000, 5000, PP_LAKE_DUE_RECORDS},
        {"max bytes reached", 1, 1000, 0, PP_LAKE_DUE_BYTES},
        {"one record larger than max bytes", 1, 50000, 0, PP_LAKE_DUE_BYTES},
        {"bytes win over age", 2, 1000, 900, PP_LAKE_DUE_BYTES},
        {"old enough: a quiet partition lands", 1, 10, 500, PP_LAKE_DUE_AGE},
        {"just too young", 1, 10, 499, PP_LAKE_KEEP},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        pp_lake_reason got = pp_lake_rotation_due(&l, CASES[i].records, CASES[i].bytes, CASES[i].age);
        if (got != CASES[i].want)
            fail_msg("%s: got %s, want %s", CASES[i].what, pp_lake_reason_name(got),
                     pp_lake_reason_name(CASES[i].want));
    }
}

static void defaults_and_names(void **state) {
    (void)state;
    pp_lake_limits l;
    pp_lake_limits_default(&l);
    assert_int_equal(l.max_records, 50000);
    assert_int_equal(l.max_bytes, 64L * 1024 * 1024);
    assert_int_equal(l.max_age_ms, 10000);
    assert_string_equal(pp_lake_reason_name(PP_LAKE_DUE_RECORDS), "records");
    assert_string_equal(pp_lake_reason_name(PP_LAKE_DUE_BYTES), "bytes");
    assert_string_equal(pp_lake_reason_name(PP_LAKE_DUE_AGE), "age");
    assert_string_equal(pp_lake_reason_name(PP_LAKE_DUE_DRAIN), "drain");
    assert_string_equal(pp_lake_reason_name(PP_LAKE_KEEP), "keep");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rotation_follows_the_limits),
        cmocka_unit_test(defaults_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
