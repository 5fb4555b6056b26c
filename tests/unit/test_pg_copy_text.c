/* Specification of PostgreSQL COPY text-format encoding (src/pg/pg_copy_text.h):
 * how one value is escaped and how a row of values becomes one line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "pg/pg_copy_text.h"

typedef struct {
    const char *why;
    const char *in;
    size_t in_len; /* 0: strlen(in) */
    const char *out;
} escape_case;

static const escape_case ESCAPES[] = {
    {"plain text passes through", "hello", 0, "hello"},
    {"empty string stays empty (not NULL)", "", 0, ""},
    {"tab is the column delimiter", "a\tb", 0, "a\\tb"},
    {"newline ends a row", "line1\nline2", 0, "line1\\nline2"},
    {"carriage return too", "a\r\nb", 0, "a\\r\\nb"},
    {"backslash is the escape character", "C:\\path\\x", 0, "C:\\\\path\\\\x"},
    {"a literal \\N string is not NULL", "\\N", 0, "\\\\N"},
    {"the end-of-data marker \\. is escaped", "\\.", 0, "\\\\."},
    {"quotes need nothing", "O'Reilly \"quoted\"", 0, "O'Reilly \"quoted\""},
    {"UTF-8 passes through byte for byte", "h\xc3\xa9llo \xf0\x9f\x8c\x8d", 0, "h\xc3\xa9llo \xf0\x9f\x8c\x8d"},
    {"everything at once", "\\\t\n\r", 0, "\\\\\\t\\n\\r"},
    {"a length shorter than the string is honoured", "abc\tdef", 3, "abc"},
};

static void escape_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof ESCAPES / sizeof ESCAPES[0]; i++) {
        const escape_case *c = &ESCAPES[i];
        size_t len = c->in_len ? c->in_len : strlen(c->in);
        size_t want = strlen(c->out);
        char out[128];
        memset(out, '#', sizeof out);
        assert_int_equal(pp_pg_copy_escaped_len(c->in, len), want);
        assert_int_equal(pp_pg_copy_escape(c->in, len, out), PP_OK);
        if (memcmp(out, c->out, want) != 0) fail_msg("%s: got '%.*s'", c->why, (int)want, out);
        assert_int_equal(out[want], '#'); /* nothing written past the escaped length */
    }
}

static void nul_byte_is_rejected(void **state) {
    (void)state;
    char out[16];
    assert_int_equal(pp_pg_copy_escape("a\0b", 3, out), PP_EINVAL);
}

typedef struct {
    const char *why;
    size_t ncols;
    const char *values[4]; /* NULL = SQL NULL */
    const char *line;
} row_case;

static const row_case ROWS[] = {
    {"one column", 1, {"x"}, "x\n"},
    {"columns are tab separated", 3, {"a", "b", "c"}, "a\tb\tc\n"},
    {"SQL NULL is \\N", 3, {"a", NULL, "c"}, "a\t\\N\tc\n"},
    {"all NULL", 2, {NULL, NULL}, "\\N\t\\N\n"},
    {"empty strings are empty fields", 3, {"", "", ""}, "\t\t\n"},
    {"escapes inside fields", 2, {"a\tb", "c\nd\\"}, "a\\tb\tc\\nd\\\\\n"},
};

static void row_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
        const row_case *c = &ROWS[i];
        size_t want = strlen(c->line);
        char out[128], err[128] = "";
        memset(out, '#', sizeof out);
        assert_int_equal(pp_pg_copy_row_len(c->values, NULL, c->ncols), want);
        assert_int_equal(pp_pg_copy_encode_row(c->values, NULL, c->ncols, out, err, sizeof err), PP_OK);
        if (memcmp(out, c->line, want) != 0) fail_msg("%s: got '%.*s'", c->why, (int)want, out);
        assert_int_equal(out[want], '#');
    }
}

static void explicit_lengths_allow_binary_safe_slices(void **state) {
    (void)state;
    const char *values[] = {"abcdef", "xyz"};
    const size_t lens[] = {2, 0};
    char out[32], err[64];
    size_t n = pp_pg_copy_row_len(values, lens, 2);
    assert_int_equal(n, 4);
    assert_int_equal(pp_pg_copy_encode_row(values, lens, 2, out, err, sizeof err), PP_OK);
    assert_memory_equal(out, "ab\t\n", 4);
}

static void row_with_nul_names_the_column(void **state) {
    (void)state;
    const char *values[] = {"ok", "bad\0x"};
    const size_t lens[] = {2, 5};
    char out[32], err[64] = "";
    assert_int_equal(pp_pg_copy_encode_row(values, lens, 2, out, err, sizeof err), PP_EINVAL);
    assert_non_null(strstr(err, "column 2"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escape_table),
        cmocka_unit_test(nul_byte_is_rejected),
        cmocka_unit_test(row_table),
        cmocka_unit_test(explicit_lengths_allow_binary_safe_slices),
        cmocka_unit_test(row_with_nul_names_the_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
