/* lake_spares: stored objects' buffers are kept for the next objects, within a bound
 * in bytes; what does not fit is freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lake/lake_spares.h"

static void filled(pp_strbuf *b, size_t n) {
    pp_sb_init(b);
    for (size_t i = 0; i < n; i++) pp_sb_putc(b, 'x');
}

static void a_spare_comes_back_empty_with_its_memory(void **state) {
    (void)state;
    pp_lake_spares s;
    pp_lake_spares_init(&s, 1 << 20);
    pp_strbuf b, c;
    filled(&b, 1000);
    size_t cap = b.cap;
    pp_lake_spares_put(&s, &b);
    assert_null(b.data);
    assert_int_equal(b.cap, 0);
    assert_int_equal(s.bytes, cap);
    pp_sb_init(&c);
    assert_int_equal(pp_lake_spares_take(&s, &c), 1);
    assert_int_equal(c.len, 0);
    assert_int_equal(c.cap, cap);
    assert_string_equal(c.data, "");
    assert_int_equal(s.bytes, 0);
    assert_int_equal(pp_lake_spares_take(&s, &b), 0); /* none left */
    pp_sb_free(&c);
    pp_lake_spares_free(&s);
}

static void the_pool_stays_within_its_bytes(void **state) {
    (void)state;
    pp_lake_spares s;
    pp_lake_spares_init(&s, 3000);
    pp_strbuf b[4];
    for (int i = 0; i < 4; i++) filled(&b[i], 1000); /* 1024 bytes each */
    for (int i = 0; i < 4; i++) pp_lake_spares_put(&s, &b[i]);
    assert_int_equal(s.n, 2); /* a third would pass 3000 bytes: freed */
    assert_true(s.bytes <= 3000);
    for (int i = 0; i < 4; i++) assert_null(b[i].data);
    pp_strbuf empty;
    pp_sb_init(&empty);
    pp_lake_spares_put(&s, &empty); /* nothing to keep */
    assert_int_equal(s.n, 2);
    pp_lake_spares_free(&s);
    assert_int_equal(s.n, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_spare_comes_back_empty_with_its_memory),
        cmocka_unit_test(the_pool_stays_within_its_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
