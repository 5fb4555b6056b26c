/* arena — blocks are aligned, strings copied and terminated, a reservation keeps the
 * blocks that follow in one chunk, and sizes past a chunk still work (ASan checks
 * every byte handed out is in bounds and that pp_arena_free frees everything). */
#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/arena.h"

static void test_strings_and_blocks(void **state) {
    (void)state;
    pp_arena a;
    pp_arena_init(&a);
    char *s = pp_arena_strndup(&a, "hello, world", 5);
    assert_string_equal(s, "hello");
    char *e = pp_arena_strndup(&a, "", 0);
    assert_string_equal(e, "");
    for (int i = 0; i < 50; i++) {
        char *odd = pp_arena_strndup(&a, "abc", (size_t)(i % 4)); /* unaligned ends */
        assert_int_equal(strlen(odd), (size_t)(i % 4));
        void **block = pp_arena_alloc(&a, sizeof(void *) * 3);
        assert_int_equal((uintptr_t)block % alignof(max_align_t), 0);
        block[0] = block[1] = block[2] = odd; /* writable to its end */
    }
    assert_non_null(pp_arena_alloc(&a, 0));
    assert_string_equal(s, "hello"); /* earlier blocks never move */
    pp_arena_free(&a);
    assert_null(a.head);
    pp_arena_free(&a); /* freeing an empty arena is fine */
}

static void test_reserve_keeps_one_chunk(void **state) {
    (void)state;
    pp_arena a;
    pp_arena_init(&a);
    pp_arena_reserve(&a, 10000);
    const void *chunk = a.head;
    char *prev = NULL;
    for (int i = 0; i < 100; i++) { /* 100 x 100 bytes: exactly the reservation */
        char buf[100];
        memset(buf, 'a' + i % 26, sizeof buf);
        char *s = pp_arena_strndup(&a, buf, sizeof buf - 1);
        if (prev) assert_ptr_equal(s, prev + 100); /* packed, no padding */
        prev = s;
    }
    assert_ptr_equal(a.head, chunk);
    pp_arena_strndup(&a, "x", 1); /* past the reservation: a new chunk */
    assert_ptr_not_equal(a.head, chunk);
    pp_arena_reserve(&a, 1); /* room left: no new chunk */
    const void *second = a.head;
    pp_arena_reserve(&a, 1);
    assert_ptr_equal(a.head, second);
    pp_arena_free(&a);
}

static void test_large_blocks(void **state) {
    (void)state;
    pp_arena a;
    pp_arena_init(&a);
    for (size_t n = 1; n <= (size_t)1 << 20; n *= 4) {
        char *p = pp_arena_alloc(&a, n);
        memset(p, 'z', n);
        assert_int_equal(p[n - 1], 'z');
    }
    pp_arena_free(&a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_and_blocks),
        cmocka_unit_test(test_reserve_keeps_one_chunk),
        cmocka_unit_test(test_large_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
