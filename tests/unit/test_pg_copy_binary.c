/* Specification of PostgreSQL COPY binary-format fields (src/pg/pg_copy_binary.h):
 * the exact bytes of the header, a row, each type and the trailer, as the server's
 * *_recv functions read them (network byte order; length -1 for NULL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/error.h"
#include "pg/pg_copy_binary.h"

/* sb holds exactly the n bytes of want */
static void assert_bytes(const pp_strbuf *sb, const char *want, size_t n) {
    assert_int_equal(sb->len, n);
    assert_memory_equal(sb->data, want, n);
}

static void header_and_trailer(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_pg_bin_header(&sb);
    assert_bytes(&sb,
                 "PGCOPY\n\377\r\n\0"
                 "\0\0\0\0"
                 "\0\0\0\0",
                 19);
    pp_sb_reset(&sb);
    pp_pg_bin_trailer(&sb);
    assert_bytes(&sb, "\377\377", 2);
    pp_sb_free(&sb);
}

static void row_null_and_scalars(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_pg_bin_row(&sb, 18);
    assert_bytes(&sb, "\0\x12", 2);
    pp_sb_reset(&sb);
    pp_pg_bin_null(&sb);
    assert_bytes(&sb, "\377\377\377\377", 4);
    pp_sb_reset(&sb);
    pp_pg_bin_int8(&sb, -2);
    assert_bytes(&sb, "\0\0\0\x08\377\377\377\377\377\377\377\xfe", 12);
    pp_sb_reset(&sb);
    pp_pg_bin_int4(&sb, 0x01020304);
    assert_bytes(&sb, "\0\0\0\x04\x01\x02\x03\x04", 8);
    pp_sb_reset(&sb);
    pp_pg_bin_bool(&sb, 7);
    assert_bytes(&sb, "\0\0\0\x01\x01", 5);
    pp_sb_reset(&sb);
    pp_pg_bin_date(&sb, -1); /* 1999-12-31 */
    assert_bytes(&sb, "\0\0\0\x04\377\377\377\377", 8);
    pp_sb_reset(&sb);
    pp_pg_bin_timestamptz(&sb, 1000000); /* 2000-01-01T00:00:01Z */
    assert_bytes(&sb, "\0\0\0\x08\0\0\0\0\0\x0f\x42\x40", 12);
    pp_sb_free(&sb);
}

static void text_is_raw_bytes(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    assert_int_equal(pp_pg_bin_text(&sb, "a\tb\\", 4), PP_OK); /* nothing escaped */
    assert_bytes(&sb,
                 "\0\0\0\x04"
                 "a\tb\\",
                 8);
    pp_sb_reset(&sb);
    assert_int_equal(pp_pg_bin_text(&sb, "", 0), PP_OK); /* empty is not NULL */
    assert_bytes(&sb, "\0\0\0\0", 4);
    pp_sb_reset(&sb);
    assert_int_equal(pp_pg_bin_text(&sb, "a\0b", 3), PP_EINVAL);
    pp_sb_free(&sb);
}

static void text_arrays(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    const char *const tags[] = {"ab", ""};
    pp_pg_bin_text_array(&sb, tags, 2);
    /* length 30; 1 dimension, no NULL, element type text (25); 2 elements from 1 */
    assert_bytes(&sb,
                 "\0\0\0\x1e"
                 "\0\0\0\x01"
                 "\0\0\0\0"
                 "\0\0\0\x19"
                 "\0\0\0\x02"
                 "\0\0\0\x01"
                 "\0\0\0\x02"
                 "ab"
                 "\0\0\0\0",
                 34);
    pp_sb_reset(&sb);
    pp_pg_bin_text_array(&sb, NULL, 0); /* '{}': no dimension */
    assert_bytes(&sb,
                 "\0\0\0\x0c"
                 "\0\0\0\0"
                 "\0\0\0\0"
                 "\0\0\0\x19",
                 16);
    pp_sb_free(&sb);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_and_trailer),
        cmocka_unit_test(row_null_and_scalars),
        cmocka_unit_test(text_is_raw_bytes),
        cmocka_unit_test(text_arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
