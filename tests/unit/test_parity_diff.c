/* Specification of the parity comparison: equal tables have no difference; a value
 * that differs, or an entry only one side has, is reported with both values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parity/parity_diff.h"

static void add(pp_agg *a, pp_metric_id m, const char *day, const char *key, int64_t v) {
    pp_agg_add(a, m, day, key, strlen(key), v);
}

static void equal_tables_have_no_difference(void **state) {
    (void)state;
    pp_agg *b = pp_agg_create(), *s = pp_agg_create();
    add(b, PP_M_PINS_BY_CATEGORY, "2026-01-01", "art", 3);
    add(b, PP_M_MAX_FOLLOWERS_BY_POSTER, "2026-01-01", "ann", 900);
    add(s, PP_M_MAX_FOLLOWERS_BY_POSTER, "2026-01-01", "ann", 900); /* order does not matter */
    add(s, PP_M_PINS_BY_CATEGORY, "2026-01-01", "art", 3);
    pp_parity_diff d;
    pp_parity_compare(b, s, &d);
    assert_int_equal(d.n, 0);
    assert_int_equal(d.compared, 2);
    pp_parity_diff_free(&d);
    pp_agg_destroy(b);
    pp_agg_destroy(s);
}

static void every_difference_is_named_with_both_values(void **state) {
    (void)state;
    pp_agg *b = pp_agg_create(), *s = pp_agg_create();
    add(b, PP_M_PINS_BY_CATEGORY, "2026-01-01", "art", 3);
    add(s, PP_M_PINS_BY_CATEGORY, "2026-01-01", "art", 4);    /* value differs */
    add(b, PP_M_PINS_BY_TAG, "2026-01-02", "only-batch", 1);  /* batch only */
    add(s, PP_M_PINS_BY_TAG, "2026-01-02", "only-stream", 2); /* stream only */
    add(b, PP_M_PINS_TOTAL, "2026-01-01", "all", 10);
    add(s, PP_M_PINS_TOTAL, "2026-01-01", "all", 10); /* equal */
    pp_parity_diff d;
    pp_parity_compare(b, s, &d);
    assert_int_equal(d.n, 3);
    assert_string_equal(PP_METRICS[d.items[0].metric].name, "pins_by_category");
    assert_string_equal(d.items[0].key, "art");
    assert_true(d.items[0].has_batch && d.items[0].has_stream);
    assert_int_equal(d.items[0].batch, 3);
    assert_int_equal(d.items[0].stream, 4);
    assert_string_equal(d.items[1].key, "only-batch");
    assert_true(d.items[1].has_batch);
    assert_false(d.items[1].has_stream);
    assert_string_equal(d.items[2].key, "only-stream");
    assert_false(d.items[2].has_batch);
    assert_int_equal(d.items[2].stream, 2);
    pp_parity_diff_free(&d);
    pp_agg_destroy(b);
    pp_agg_destroy(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(equal_tables_have_no_difference),
        cmocka_unit_test(every_difference_is_named_with_both_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
