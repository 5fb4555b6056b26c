/* batch_bucket: the bucket of a unique_id is part of the pins table's schema (rows
 * stay where they were written), so the function is pinned here to known values of
 * FNV-1a 32: changing it, or PP_PINS_BUCKETS, needs a new table (docs/batch.md
 * "Buckets"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "batch/batch_bucket.h"

static void test_known_hashes(void **state) {
    (void)state;
    static const struct {
        const char *uid;
        uint32_t fnv1a32;
    } C[] = {
        {"", 2166136261u},
        {"a", 3826002220u},
        {"u-1", 4281602306u},
        {"0a1b2c3d-0000-4000-8000-000000000001", 2864599718u},
        {"\303\274n\303\257code", 1173504043u}, /* "ünïcode": the bytes as stored (UTF-8) */
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++)
        assert_int_equal(pp_pins_bucket(C[i].uid), (int32_t)(C[i].fnv1a32 % PP_PINS_BUCKETS));
    assert_int_equal(pp_pins_bucket(NULL), pp_pins_bucket(""));
}

static void test_spread(void **state) {
    (void)state;
    int count[PP_PINS_BUCKETS] = {0};
    char uid[32];
    for (int i = 0; i < 16000; i++) {
        snprintf(uid, sizeof uid, "pin-%d", i);
        int32_t b = pp_pins_bucket(uid);
        assert_true(b >= 0 && b < PP_PINS_BUCKETS);
        count[b]++;
    }
    for (int b = 0; b < PP_PINS_BUCKETS; b++) /* each near 16000 / N */
        assert_true(count[b] > 16000 / PP_PINS_BUCKETS / 2 && count[b] < 16000 / PP_PINS_BUCKETS * 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_hashes),
        cmocka_unit_test(test_spread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
