/* event_time — event timestamps: the two accepted forms, always UTC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "event/event_time.h"

#define INVALID INT64_MIN

static const struct {
    const char *in;
    int64_t want_ms; /* INVALID: rejected */
} PARSE_CASES[] = {
    /* the public data's form */
    {"1970-01-01 00:00:00", 0},
    {"2026-01-01 09:00:00", INT64_C(1767258000000)},
    {"2026-01-01 23:59:59", INT64_C(1767311999000)},
    /* ISO-8601: T, optional fraction, optional zone (none = UTC) */
    {"2026-01-01T09:00:00", INT64_C(1767258000000)},
    {"2026-01-01T09:00:00Z", INT64_C(1767258000000)},
    {"2026-01-01T09:00:00+00:00", INT64_C(1767258000000)},
    {"2026-01-01T09:00:00-00:00", INT64_C(1767258000000)},
    {"2026-01-01 09:00:00Z", INT64_C(1767258000000)},
    {"2026-01-01T10:00:00+01:00", INT64_C(1767258000000)},
    {"2026-01-01T04:00:00-05:00", INT64_C(1767258000000)},
    {"2026-01-01T14:45:00+05:45", INT64_C(1767258000000)},
    {"2026-01-02T08:59:00+23:59", INT64_C(1767258000000)},
    {"2026-01-01T09:00:00.5Z", INT64_C(1767258000500)},
    {"2026-01-01T09:00:00.123Z", INT64_C(1767258000123)},
    {"2026-01-01T09:00:00.123456789Z", INT64_C(1767258000123)}, /* beyond ms: truncated */
    {"2026-01-01T09:00:00.999999", INT64_C(1767258000999)},
    {"2026-01-01T09:00:00.1+01:00", INT64_C(1767254400100)},
    /* leap days */
    {"2024-02-29 12:00:00", INT64_C(1709208000000)},
    {"2000-02-29 00:00:00", INT64_C(951782400000)},
    {"2023-02-29 00:00:00", INVALID},
    {"2100-02-29 00:00:00", INVALID}, /* divisible by 100, not by 400 */
    {"2026-02-30 10:00:00", INVALID},
    {"2026-04-31 00:00:00", INVALID},
    {"2026-12-31 23:59:59", INT64_C(1798761599000)},
    {"9999-12-31 23:59:59", INT64_C(253402300799000)},
    /* the range ends at 9999-12-31T23:59:59.999Z in UTC, whatever the zone says */
    {"9999-12-31T23:59:59.999Z", PP_EVENT_TIME_MAX_MS},
    {"9999-12-31T23:59:59-05:00", INVALID}, /* 10000-01-01T04:59:59Z: was filed under day "0000-01-01" */
    {"9999-12-31T19:00:00-05:00", INVALID},
    {"9999-12-31T18:59:59.999-05:00", PP_EVENT_TIME_MAX_MS},
    {"9999-12-31T23:59:59+05:00", INT64_C(253402282799000)},
    /* invalid dates and times */
    {"2026-00-10 00:00:00", INVALID},
    {"2026-13-01 00:00:00", INVALID},
    {"2026-01-00 00:00:00", INVALID},
    {"2026-01-32 00:00:00", INVALID},
    {"2026-01-01 24:00:00", INVALID},
    {"2026-01-01 23:60:00", INVALID},
    {"2026-01-01 23:59:60", INVALID},       /* no leap seconds */
    {"1969-12-31 23:59:59", INVALID},       /* before 1970 */
    {"1970-01-01T00:30:00+01:00", INVALID}, /* 1969 in UTC */
    {"0000-01-01 00:00:00", INVALID},
    /* malformed */
    {"", INVALID},
    {"2026-01-01", INVALID},
    {"2026-01-01 ", INVALID},
    {"2026-01-01 09:00", INVALID},
    {"2026-1-01 09:00:00", INVALID},
    {"2026-01-01 9:00:00", INVALID},
    {"26-01-01 09:00:00", INVALID},
    {"2026/01/01 09:00:00", INVALID},
    {"2026-01-01_09:00:00", INVALID},
    {"2026-01-01t09:00:00", INVALID},
    {" 2026-01-01 09:00:00", INVALID},
    {"2026-01-01 09:00:00 ", INVALID},
    {"2026-01-01T09:00:00.", INVALID},
    {"2026-01-01T09:00:00.Z", INVALID},
    {"2026-01-01T09:00:00z", INVALID},
    {"2026-01-01T09:00:00+0100", INVALID},
    {"2026-01-01T09:00:00+01", INVALID},
    {"2026-01-01T09:00:00+24:00", INVALID},
    {"2026-01-01T09:00:00+01:60", INVALID},
    {"2026-01-01T09:00:00ZZ", INVALID},
    {"2026-01-01T09:00:00Z+01:00", INVALID},
    {"yesterday", INVALID},
    {"1767258000", INVALID},
};

static void test_parse_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof PARSE_CASES / sizeof PARSE_CASES[0]; i++) {
        int64_t got = -1;
        int rc = pp_event_time_parse(PARSE_CASES[i].in, strlen(PARSE_CASES[i].in), &got);
        if (PARSE_CASES[i].want_ms == INVALID) {
            if (rc != PP_EINVAL) fail_msg("\"%s\": expected invalid, got %lld", PARSE_CASES[i].in, (long long)got);
        } else if (rc != PP_OK || got != PARSE_CASES[i].want_ms) {
            fail_msg("\"%s\": expected %lld, got rc %d, %lld", PARSE_CASES[i].in, (long long)PARSE_CASES[i].want_ms, rc,
                     (long long)got);
        }
    }
}

/* Only n bytes are read; a prefix of a valid time is never read past its end. */
static void test_reads_only_n_bytes(void **state) {
    (void)state;
    const char *s = "2026-01-01T09:00:00.123+01:00";
    int64_t ms;
    assert_int_equal(pp_event_time_parse(s, 19, &ms), PP_OK); /* "2026-01-01T09:00:00" */
    assert_int_equal(ms, INT64_C(1767258000000));
    for (size_t n = 0; n < strlen(s); n++) {
        int rc = pp_event_time_parse(s, n, &ms);
        assert_true(rc == PP_OK || rc == PP_EINVAL);
        assert_true(n == 19 || n == 21 || n == 22 || n == 23 || rc == PP_EINVAL);
    }
}

static void test_day_and_iso(void **state) {
    (void)state;
    static const struct {
        int64_t ms;
        const char *day, *iso;
    } CASES[] = {
        {0, "1970-01-01", "1970-01-01T00:00:00.000Z"},
        {INT64_C(1767258000123), "2026-01-01", "2026-01-01T09:00:00.123Z"},
        {INT64_C(1767311999999), "2026-01-01", "2026-01-01T23:59:59.999Z"},
        {INT64_C(1767312000000), "2026-01-02", "2026-01-02T00:00:00.000Z"},
        {INT64_C(1709208000000), "2024-02-29", "2024-02-29T12:00:00.000Z"},
        {INT64_C(253402300799999), "9999-12-31", "9999-12-31T23:59:59.999Z"},
        {-5, "1970-01-01", "1970-01-01T00:00:00.000Z"}, /* negative clamps to the epoch */
        /* past the range clamps to its end: never a 5-digit year cut to "0000" */
        {INT64_C(253402300800000), "9999-12-31", "9999-12-31T23:59:59.999Z"},
        {INT64_MAX, "9999-12-31", "9999-12-31T23:59:59.999Z"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char day[11], iso[25];
        pp_event_day(CASES[i].ms, day);
        pp_event_time_iso(CASES[i].ms, iso);
        assert_string_equal(day, CASES[i].day);
        assert_string_equal(iso, CASES[i].iso);
    }
}

/* iso(parse(x)) parses back to the same time, and day(t) is the date of iso(t);
 * over every day from 1970 to 2100 at a few times of day. */
static void test_round_trip(void **state) {
    (void)state;
    static const int64_t TIMES[] = {0, 1, 999, 43200000, 86399999};
    for (int64_t d = 0; d <= 47482; d++) { /* 2100-01-01 */
        for (size_t k = 0; k < sizeof TIMES / sizeof TIMES[0]; k++) {
            int64_t ms = d * 86400000 + TIMES[k], back;
            char iso[25], day[11];
            pp_event_time_iso(ms, iso);
            pp_event_day(ms, day);
            assert_int_equal(pp_event_time_parse(iso, strlen(iso), &back), PP_OK);
            assert_int_equal(back, ms);
            assert_memory_equal(iso, day, 10);
            int64_t midnight;
            assert_int_equal(pp_day_parse(day, &midnight), PP_OK);
            assert_int_equal(midnight, d * 86400000);
        }
    }
}

static void test_day_parse(void **state) {
    (void)state;
    int64_t ms;
    assert_int_equal(pp_day_parse("2026-01-02", &ms), PP_OK);
    assert_int_equal(ms, INT64_C(1767312000000));
    assert_int_equal(pp_day_parse("2024-02-29", &ms), PP_OK);
    static const char *const BAD[] = {"",         "2026-01-02 ", "2026-01-02T00:00:00", "2023-02-29", "1969-12-31",
                                      "2026-1-2", "today"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++)
        if (pp_day_parse(BAD[i], &ms) != PP_EINVAL) fail_msg("\"%s\" should not be a day", BAD[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table), cmocka_unit_test(test_reads_only_n_bytes),
        cmocka_unit_test(test_day_and_iso), cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_day_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
