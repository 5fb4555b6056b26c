/* The serving layer's two caches: a day's rows per store version (serve_cache.h) and
 * rendered answers per view fingerprint (serve_answers.h): what is put is what is got,
 * keys are exact (another version or fingerprint is another entry), and the byte cap
 * empties the cache instead of growing past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "serve/serve_answers.h"
#include "serve/serve_cache.h"

static void rows_are_kept_per_key_and_capped(void **state) {
    (void)state;
    pp_serve_cache *c = pp_serve_cache_create(4096);
    pp_agg *a = pp_agg_create();
    pp_agg_add(a, PP_M_PINS_BY_CATEGORY, "2026-01-01", "art", 3, 5);
    pp_agg_add(a, PP_M_PINS_BY_CATEGORY, "2026-01-01", "a,\"b\"", 6, 7);
    assert_null(pp_serve_cache_get(c, "b|2026-01-01|1|10"));
    const pp_serve_rows *r = pp_serve_cache_put(c, "b|2026-01-01|1|10", a);
    assert_int_equal(r->n, 2);
    r = pp_serve_cache_get(c, "b|2026-01-01|1|10");
    assert_non_null(r);
    assert_string_equal(r->keys[0], "a,\"b\"");
    assert_int_equal(r->values[0], 7);
    assert_int_equal(r->keylens[1], 3);
    assert_null(pp_serve_cache_get(c, "b|2026-01-01|1|11")); /* a newer run: another entry */
    for (int i = 0; i < 100; i++) {
        char key[32];
        snprintf(key, sizeof key, "s|%d", i);
        pp_serve_cache_put(c, key, a);
    }
    pp_serve_cache_stats st;
    pp_serve_cache_stats_get(c, &st);
    assert_true(st.bytes <= 4096);
    assert_true(st.flushes > 0);
    assert_int_equal(st.misses, 2);
    pp_agg_destroy(a);
    pp_serve_cache_destroy(c);
}

static void answers_are_kept_per_fingerprint_and_capped(void **state) {
    (void)state;
    pp_serve_answers *c = pp_serve_answers_create(64);
    pp_strbuf out;
    pp_sb_init(&out);
    assert_int_equal(pp_serve_answers_get(c, "q", 1, &out), 0);
    pp_serve_answers_put(c, "q", 1, "{\"rows\":[]", 10);
    assert_int_equal(pp_serve_answers_get(c, "q", 1, &out), 1);
    assert_int_equal(out.len, 10);
    assert_memory_equal(out.data, "{\"rows\":[]", 10);
    assert_int_equal(pp_serve_answers_get(c, "q", 2, &out), 0); /* another view */
    assert_int_equal(pp_serve_answers_get(c, "q2", 1, &out), 0);
    char big[60];
    memset(big, 'x', sizeof big);
    pp_serve_answers_put(c, "big", 1, big, sizeof big); /* over the cap with "q": all dropped */
    assert_int_equal(pp_serve_answers_get(c, "q", 1, &out), 0);
    assert_int_equal(pp_serve_answers_get(c, "big", 1, &out), 1);
    pp_sb_free(&out);
    pp_serve_answers_destroy(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_are_kept_per_key_and_capped),
        cmocka_unit_test(answers_are_kept_per_fingerprint_and_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
