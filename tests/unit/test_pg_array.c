/* Specification of PostgreSQL array literals (src/pg/pg_array.h): how text and
 * integer elements become one '{...}' literal, and what cannot be in one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/error.h"
#include "pg/pg_array.h"

typedef struct {
    const char *why;
    const char *elems[4]; /* NULL ends */
    const char *out;
} text_case;

static const text_case TEXTS[] = {
    {"no element: the empty array", {NULL}, "{}"},
    {"one element, always quoted", {"a", NULL}, "{\"a\"}"},
    {"elements separated by commas", {"a", "b c", NULL}, "{\"a\",\"b c\"}"},
    {"the string NULL stays a string", {"NULL", NULL}, "{\"NULL\"}"},
    {"an empty string stays an element", {"", "x", NULL}, "{\"\",\"x\"}"},
    {"double quote and backslash escaped", {"say \"hi\"", "C:\\d", NULL}, "{\"say \\\"hi\\\"\",\"C:\\\\d\"}"},
    {"braces and commas need only the quotes", {"{a,b}", NULL}, "{\"{a,b}\"}"},
    {"UTF-8 byte for byte", {"h\xc3\xa9", NULL}, "{\"h\xc3\xa9\"}"},
};

static void text_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof TEXTS / sizeof TEXTS[0]; i++) {
        const text_case *c = &TEXTS[i];
        pp_strbuf sb;
        pp_sb_init(&sb);
        pp_pg_array_open(&sb);
        for (const char *const *e = c->elems; *e; e++) assert_int_equal(pp_pg_array_text(&sb, *e, strlen(*e)), PP_OK);
        pp_pg_array_close(&sb);
        if (strcmp(sb.data, c->out) != 0) fail_msg("%s: got %s, want %s", c->why, sb.data, c->out);
        pp_sb_free(&sb);
    }
}

static void integers_are_bare(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_pg_array_open(&sb);
    pp_pg_array_int(&sb, 0);
    pp_pg_array_int(&sb, -42);
    pp_pg_array_int(&sb, INT64_MAX);
    pp_pg_array_close(&sb);
    assert_string_equal(sb.data, "{0,-42,9223372036854775807}");
    pp_sb_free(&sb);
}

static void a_nul_byte_is_refused(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_pg_array_open(&sb);
    assert_int_equal(pp_pg_array_text(&sb, "a\0b", 3), PP_EINVAL);
    pp_sb_free(&sb);
}

static void the_length_is_honoured(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_pg_array_open(&sb);
    assert_int_equal(pp_pg_array_text(&sb, "abc,def", 3), PP_OK);
    pp_pg_array_close(&sb);
    assert_string_equal(sb.data, "{\"abc\"}");
    pp_sb_free(&sb);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_table),
        cmocka_unit_test(integers_are_bare),
        cmocka_unit_test(a_nul_byte_is_refused),
        cmocka_unit_test(the_length_is_honoured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
