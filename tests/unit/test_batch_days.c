/* batch_days — the days of `--date D` and `--from D1 --to D2`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "batch/batch_days.h"
#include "common/error.h"

typedef struct {
    const char *from, *to;
    size_t n;
    const char *second, *last; /* the second day (NULL when n < 2) and the last */
} range_case;

static void test_ranges(void **state) {
    (void)state;
    static const range_case C[] = {
        {"2026-01-01", "2026-01-01", 1, NULL, "2026-01-01"},         /* --date D */
        {"2026-01-01", "2026-01-03", 3, "2026-01-02", "2026-01-03"}, /* both ends included */
        {"2026-01-31", "2026-02-01", 2, "2026-02-01", "2026-02-01"}, /* month end */
        {"2025-12-31", "2026-01-01", 2, "2026-01-01", "2026-01-01"}, /* year end */
        {"2024-02-28", "2024-03-01", 3, "2024-02-29", "2024-03-01"}, /* leap year */
        {"2025-02-28", "2025-03-01", 2, "2025-03-01", "2025-03-01"}, /* not a leap year */
        {"2000-02-28", "2000-03-01", 3, "2000-02-29", "2000-03-01"}, /* 400-year leap */
        {"1970-01-01", "1970-01-02", 2, "1970-01-02", "1970-01-02"}, /* the lake's no-time day */
        {"2026-01-01", "2026-12-31", 365, "2026-01-02", "2026-12-31"},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
        pp_batch_days d;
        char err[256];
        assert_int_equal(pp_batch_days_range(C[i].from, C[i].to, &d, err, sizeof err), PP_OK);
        if (d.n != C[i].n) fail_msg("%s..%s: %zu days, expected %zu", C[i].from, C[i].to, d.n, C[i].n);
        assert_string_equal(d.day[0], C[i].from);
        if (C[i].second) assert_string_equal(d.day[1], C[i].second);
        assert_string_equal(d.day[d.n - 1], C[i].last);
        for (size_t k = 1; k < d.n; k++) assert_true(strcmp(d.day[k - 1], d.day[k]) < 0); /* calendar order */
        pp_batch_days_free(&d);
        assert_null(d.day);
    }
}

typedef struct {
    const char *from, *to;
    const char *message_has;
} bad_case;

static void test_bad_ranges_say_why(void **state) {
    (void)state;
    static const bad_case C[] = {
        {"2026-01-03", "2026-01-01", "before it starts"},
        {"2026-02-30", "2026-03-01", "'2026-02-30'"},
        {"2026-01-01", "2026-13-01", "'2026-13-01'"},
        {"2026-1-01", "2026-01-02", "'2026-1-01'"},
        {"20260101", "2026-01-02", "not a day"},
        {"2026-01-01 ", "2026-01-02", "not a day"},
        {"", "2026-01-02", "not a day"},
        {NULL, "2026-01-02", "not a day"},
        {"1969-12-31", "1970-01-01", "not a day"},
        {"2000-01-01", "2026-01-01", "at most 3660"},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
        pp_batch_days d;
        char err[256] = "";
        assert_int_equal(pp_batch_days_range(C[i].from, C[i].to, &d, err, sizeof err), PP_EINVAL);
        if (!strstr(err, C[i].message_has)) fail_msg("case %zu: '%s' lacks '%s'", i, err, C[i].message_has);
        assert_null(d.day);
        assert_int_equal(d.n, 0);
    }
}

static void test_the_longest_range(void **state) {
    (void)state;
    pp_batch_days d;
    /* 2026-01-01 + 3659 days = 2036-01-08: exactly the limit, one more is too many */
    assert_int_equal(pp_batch_days_range("2026-01-01", "2036-01-08", &d, NULL, 0), PP_OK);
    assert_int_equal(d.n, PP_BATCH_MAX_DAYS);
    pp_batch_days_free(&d);
    assert_int_equal(pp_batch_days_range("2026-01-01", "2036-01-09", &d, NULL, 0), PP_EINVAL);
}

static void test_day_valid(void **state) {
    (void)state;
    assert_true(pp_batch_day_valid("2026-01-01"));
    assert_true(pp_batch_day_valid("2024-02-29"));
    assert_false(pp_batch_day_valid("2025-02-29"));
    assert_false(pp_batch_day_valid("2026-04-31"));
    assert_false(pp_batch_day_valid("2026-00-10"));
    assert_false(pp_batch_day_valid("2026-01-00"));
    assert_false(pp_batch_day_valid("2026-01-01T00:00:00"));
    assert_false(pp_batch_day_valid("dt=2026-01-01"));
    assert_false(pp_batch_day_valid(NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_bad_ranges_say_why),
        cmocka_unit_test(test_the_longest_range),
        cmocka_unit_test(test_day_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
