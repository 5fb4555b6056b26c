/* line_reader — JSONL framing in bounded memory. */
#define _GNU_SOURCE /* fmemopen */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/line_reader.h"

/* What the reader returns for one line: its status and bytes. */
typedef struct {
    pp_line_status st;
    const char *bytes;
    size_t len;
} want_line;

#define OK(s) \
    { PP_LINE_OK, s, sizeof s - 1 }
#define TOO_LONG \
    { PP_LINE_TOO_LONG, NULL, 0 }
#define INPUT(s) s, sizeof s - 1 /* a literal's bytes, NULs included */

static void expect_lines(const char *input, size_t input_len, size_t max_line, const want_line *want, size_t n,
                         int unterminated_last) {
    FILE *f = input_len ? fmemopen((void *)input, input_len, "rb") : fopen("/dev/null", "rb");
    assert_non_null(f);
    pp_line_reader *r = pp_line_reader_create(f, max_line);
    assert_non_null(r);
    for (size_t i = 0; i < n; i++) {
        const char *line = NULL;
        size_t len = 0, lineno = 0;
        pp_line_status st = pp_line_reader_next(r, &line, &len, &lineno);
        if (st != want[i].st) fail_msg("line %zu: status %d, expected %d", i + 1, st, want[i].st);
        assert_int_equal(lineno, i + 1);
        if (st == PP_LINE_OK) {
            assert_int_equal(len, want[i].len);
            assert_memory_equal(line, want[i].bytes, len);
            assert_int_equal(line[len], '\0'); /* NUL-terminated for convenience */
        }
        if (i + 1 == n) assert_int_equal(pp_line_reader_unterminated(r), unterminated_last);
    }
    const char *line;
    size_t len, lineno = 99;
    assert_int_equal(pp_line_reader_next(r, &line, &len, &lineno), PP_LINE_EOF);
    assert_int_equal(pp_line_reader_next(r, &line, &len, &lineno), PP_LINE_EOF); /* and stays there */
    /* still known after EOF: that is when `pinpipe clean` asks (truncated input?) */
    assert_int_equal(pp_line_reader_unterminated(r), unterminated_last);
    pp_line_reader_destroy(r);
    fclose(f);
}

static void test_final_newline_or_not(void **state) {
    (void)state;
    static const want_line W[] = {OK("a"), OK("bb"), OK("ccc")};
    expect_lines(INPUT("a\nbb\nccc\n"), 100, W, 3, 0);
    expect_lines(INPUT("a\nbb\nccc"), 100, W, 3, 1); /* last line without newline: reported */
}

static void test_crlf(void **state) {
    (void)state;
    static const want_line W[] = {OK("a"), OK("b\r\rc"), OK(""), OK("d")};
    /* CRLF: the \r before \n goes; other \r bytes are data */
    expect_lines(INPUT("a\r\nb\r\rc\r\n\r\nd\r"), 100, W, 4, 1);
}

static void test_empty_lines(void **state) {
    (void)state;
    static const want_line W[] = {OK(""), OK(""), OK("x"), OK("")};
    expect_lines(INPUT("\n\nx\n\n"), 100, W, 4, 0);
}

static void test_empty_input(void **state) {
    (void)state;
    expect_lines("", 0, 100, NULL, 0, 0);
}

static void test_nul_bytes_are_data(void **state) {
    (void)state;
    static const want_line W[] = {OK("a\0b"), OK("\0"), OK("c")};
    expect_lines(INPUT("a\0b\n\0\nc\n"), 100, W, 3, 0);
}

static void test_max_line_is_inclusive(void **state) {
    (void)state;
    static const want_line W[] = {OK("1234"), TOO_LONG, OK("12")};
    expect_lines(INPUT("1234\n12345\n12\n"), 4, W, 3, 0);
}

/* A 10 MB line with a 1 MiB limit: reported too long, not kept; the next line is fine. */
static void test_huge_line(void **state) {
    (void)state;
    size_t big = 10u * 1000 * 1000, n = 6 + big + 1 + 6;
    char *input = malloc(n);
    memcpy(input, "first\n", 6);
    memset(input + 6, 'x', big);
    input[6 + big] = '\n';
    memcpy(input + 7 + big, "after\n", 6);
    static const want_line W[] = {OK("first"), TOO_LONG, OK("after")};
    expect_lines(input, n, 1024 * 1024, W, 3, 0);
    /* and as the last line, without a newline */
    static const want_line W2[] = {OK("first"), TOO_LONG};
    expect_lines(input, 6 + big, 1024 * 1024, W2, 2, 1);
    free(input);
}

/* Lines across the reader's 64 KiB buffer boundaries come out whole. */
static void test_lines_across_buffer_boundaries(void **state) {
    (void)state;
    size_t lens[] = {65535, 1, 65536, 0, 70000, 3};
    size_t n = 0;
    for (size_t i = 0; i < 6; i++) n += lens[i] + 1;
    char *input = malloc(n), *p = input;
    for (size_t i = 0; i < 6; i++) {
        memset(p, 'a' + (int)i, lens[i]);
        p[lens[i]] = '\n';
        p += lens[i] + 1;
    }
    FILE *f = fmemopen(input, n, "rb");
    pp_line_reader *r = pp_line_reader_create(f, 1 << 20);
    for (size_t i = 0; i < 6; i++) {
        const char *line;
        size_t len, lineno;
        assert_int_equal(pp_line_reader_next(r, &line, &len, &lineno), PP_LINE_OK);
        assert_int_equal(len, lens[i]);
        for (size_t k = 0; k < len; k++)
            if (line[k] != 'a' + (int)i) fail_msg("line %zu byte %zu", i + 1, k);
    }
    const char *line;
    size_t len, lineno;
    assert_int_equal(pp_line_reader_next(r, &line, &len, &lineno), PP_LINE_EOF);
    pp_line_reader_destroy(r);
    fclose(f);
    free(input);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_final_newline_or_not),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_empty_lines),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_nul_bytes_are_data),
        cmocka_unit_test(test_max_line_is_inclusive),
        cmocka_unit_test(test_huge_line),
        cmocka_unit_test(test_lines_across_buffer_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
