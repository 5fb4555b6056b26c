/* Specification of lake object names (src/contract/lake_name.h): made from Kafka
 * coordinates only, zero-padded so a listing sorts by partition then offset, read
 * back to the same coordinates, and nothing else is taken for a lake object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "contract/lake_name.h"

static const struct {
    const char *prefix, *day, *topic;
    int32_t partition;
    int64_t offset;
    int gzip;
    const char *key;
} NAMES[] = {
    {"raw/", "2026-01-02", "pins", 3, 12345, 0, "raw/dt=2026-01-02/pins-0003-00000000000000012345.jsonl"},
    {"raw/", "2026-01-02", "pins", 0, 0, 1, "raw/dt=2026-01-02/pins-0000-00000000000000000000.jsonl.gz"},
    {"raw", "1999-12-31", "pins", 12, 7, 0, "raw/dt=1999-12-31/pins-0012-00000000000000000007.jsonl"},
    {"", "2026-03-01", "pins", 1, 1, 0, "dt=2026-03-01/pins-0001-00000000000000000001.jsonl"},
    {NULL, "2026-03-01", "pins", 1, 1, 0, "dt=2026-03-01/pins-0001-00000000000000000001.jsonl"},
    {"it-17/raw/", "2026-01-01", "pinpipe-it-lake-17", 2, 9, 0,
     "it-17/raw/dt=2026-01-01/pinpipe-it-lake-17-0002-00000000000000000009.jsonl"},
    {"raw/", "2026-01-01", "pins", 123456, INT64_MAX, 0, "raw/dt=2026-01-01/pins-123456-09223372036854775807.jsonl"},
};

static pp_lake_key key_of(const char *day, const char *topic, int32_t partition, int64_t offset, int gzip) {
    pp_lake_key k;
    memset(&k, 0, sizeof k);
    snprintf(k.day, sizeof k.day, "%s", day);
    snprintf(k.topic, sizeof k.topic, "%s", topic);
    k.partition = partition;
    k.first_offset = offset;
    k.gzip = gzip;
    return k;
}

static void names_come_from_coordinates_and_read_back(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        char out[PP_LAKE_KEY_MAX], err[256];
        pp_lake_key k = key_of(NAMES[i].day, NAMES[i].topic, NAMES[i].partition, NAMES[i].offset, NAMES[i].gzip), back;
        assert_int_equal(pp_lake_key_format(out, sizeof out, NAMES[i].prefix, &k, err, sizeof err), PP_OK);
        assert_string_equal(out, NAMES[i].key);
        assert_int_equal(pp_lake_key_parse(out, &back), PP_OK);
        assert_string_equal(back.day, NAMES[i].day);
        assert_string_equal(back.topic, NAMES[i].topic);
        assert_int_equal(back.partition, NAMES[i].partition);
        assert_int_equal(back.first_offset, NAMES[i].offset);
        assert_int_equal(back.gzip, NAMES[i].gzip);
    }
}

static void names_sort_by_partition_then_offset(void **state) {
    (void)state;
    char a[PP_LAKE_KEY_MAX], b[PP_LAKE_KEY_MAX], c[PP_LAKE_KEY_MAX], err[256];
    pp_lake_key ka = key_of("2026-01-01", "pins", 2, 999, 0), kb = key_of("2026-01-01", "pins", 2, 1000, 0),
                kc = key_of("2026-01-01", "pins", 10, 5, 0);
    assert_int_equal(pp_lake_key_format(a, sizeof a, "raw/", &ka, err, sizeof err), PP_OK);
    assert_int_equal(pp_lake_key_format(b, sizeof b, "raw/", &kb, err, sizeof err), PP_OK);
    assert_int_equal(pp_lake_key_format(c, sizeof c, "raw/", &kc, err, sizeof err), PP_OK);
    assert_true(strcmp(a, b) < 0);
    assert_true(strcmp(b, c) < 0);
}

static void bad_coordinates_are_refused(void **state) {
    (void)state;
    const pp_lake_key bad[] = {
        key_of("2026-13-01", "pins", 0, 0, 0),  key_of("yesterday", "pins", 0, 0, 0),
        key_of("2026-01-01", "", 0, 0, 0),      key_of("2026-01-01", "a/b", 0, 0, 0),
        key_of("2026-01-01", "pins", -1, 0, 0), key_of("2026-01-01", "pins", 0, -5, 0),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[PP_LAKE_KEY_MAX], err[256] = "";
        assert_int_equal(pp_lake_key_format(out, sizeof out, "raw/", &bad[i], err, sizeof err), PP_EINVAL);
        assert_true(err[0] != '\0');
    }
    char tiny[20], err[256] = "";
    pp_lake_key k = key_of("2026-01-01", "pins", 0, 0, 0);
    assert_int_equal(pp_lake_key_format(tiny, sizeof tiny, "raw/", &k, err, sizeof err), PP_EINVAL);
}

static void other_keys_are_not_lake_objects(void **state) {
    (void)state;
    static const char *const NOT[] = {
        "",
        "pins-0001-00000000000000000001.jsonl",     /* no dt= directory */
        "raw/pins-0001-00000000000000000001.jsonl", /* no dt= directory */
        "raw/dt=2026-1-01/pins-0001-00000000000000000001.jsonl",
        "raw/dt=2026-02-30/pins-0001-00000000000000000001.jsonl",
        "raw/dt=2026-01-01/pins-0001-00000000000000000001.json",
        "raw/dt=2026-01-01/pins-0001-00000000000000000001.jsonl.gzip",
        "raw/dt=2026-01-01/pins-0001-.jsonl",
        "raw/dt=2026-01-01/pins--00000000000000000001.jsonl",
        "raw/dt=2026-01-01/-0001-00000000000000000001.jsonl",
        "raw/dt=2026-01-01/0001-00000000000000000001.jsonl",
        "raw/dt=2026-01-01/pins-0001-99999999999999999999.jsonl",  /* over int64 */
        "raw/dt=2026-01-01/pins-0001-000000000000000000001.jsonl", /* 21 digits */
        "raw/dt=2026-01-01/pins-99999999999-1.jsonl",              /* over int32 */
        "raw/dt=2026-01-01/x/pins-0001-00000000000000000001.jsonl",
        "raw/dt=2026-01-01/",
    };
    for (size_t i = 0; i < sizeof NOT / sizeof NOT[0]; i++) {
        pp_lake_key k;
        if (pp_lake_key_parse(NOT[i], &k) != PP_EINVAL) fail_msg("'%s' was taken for a lake object", NOT[i]);
    }
    pp_lake_key k;
    assert_int_equal(pp_lake_key_parse("x/dt=2026-01-01/pins-1-2.jsonl", &k), PP_OK); /* unpadded is fine */
    assert_int_equal(k.partition, 1);
    assert_int_equal(k.first_offset, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_come_from_coordinates_and_read_back),
        cmocka_unit_test(names_sort_by_partition_then_offset),
        cmocka_unit_test(bad_coordinates_are_refused),
        cmocka_unit_test(other_keys_are_not_lake_objects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
