/* batch_object — a lake object's bytes, plain or gzip, arriving in any pieces, cut
 * into the same numbered lines; a truncated or corrupt gzip object is an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

#include "batch/batch_object.h"
#include "common/error.h"
#include "common/strbuf.h"

/* What the callback saw: "lineno:bytes|" per line, "lineno:TOO_LONG(len)|" for long ones. */
typedef struct {
    pp_strbuf seen;
    int stop_at; /* return an error at this line number (0: never) */
} seen_lines;

static int on_line(void *ud, const char *line, size_t len, size_t lineno) {
    seen_lines *s = ud;
    if (line)
        pp_sb_printf(&s->seen, "%zu:%.*s|", lineno, (int)len, line);
    else
        pp_sb_printf(&s->seen, "%zu:TOO_LONG(%zu)|", lineno, len);
    return s->stop_at && (int)lineno == s->stop_at ? PP_EIO : 0;
}

/* gzip of data (one member). Caller frees. */
static unsigned char *gzip(const char *data, size_t n, size_t *out_len) {
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, (uLong)n) + 64;
    unsigned char *out = malloc(cap);
    z.next_in = (unsigned char *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

/* Feeds bytes in pieces of `step`; returns finish()'s code (or the first feed error). */
static int feed_all(int gz, size_t max_line, const void *bytes, size_t n, size_t step, seen_lines *s, char *err,
                    size_t errlen) {
    pp_batch_object *o;
    assert_int_equal(pp_batch_object_create(&o, gz, max_line, on_line, s), PP_OK);
    int rc = PP_OK;
    for (size_t at = 0; at < n && rc == PP_OK; at += step) {
        size_t k = n - at < step ? n - at : step;
        char *piece = malloc(k); /* exactly k bytes: ASan sees any read past them */
        memcpy(piece, (const char *)bytes + at, k);
        rc = pp_batch_object_feed(o, piece, k, err, errlen);
        free(piece);
    }
    if (rc == PP_OK) rc = pp_batch_object_finish(o, err, errlen);
    pp_batch_object_destroy(o);
    return rc;
}

typedef struct {
    const char *name;
    const char *input;
    size_t max_line;
    const char *want;
} split_case;

static const split_case SPLITS[] = {
    {"lines", "a\nbb\nccc\n", 100, "1:a|2:bb|3:ccc|"},
    {"last line without newline", "a\nbb", 100, "1:a|2:bb|"},
    {"empty lines are skipped but counted", "\na\n\n\nb\n", 100, "2:a|5:b|"},
    {"CRLF", "a\r\nb\r\n", 100, "1:a|2:b|"},
    {"empty object", "", 100, ""},
    {"a line over the limit", "abc\nabcdefgh\nxy\n", 4, "1:abc|2:TOO_LONG(8)|3:xy|"},
    {"the limit itself is fine", "abcd\n", 4, "1:abcd|"},
    {"a long last line without newline", "ab\nabcdefgh", 4, "1:ab|2:TOO_LONG(8)|"},
};

static void test_plain_and_gzip_in_any_pieces(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof SPLITS / sizeof SPLITS[0]; i++) {
        const split_case *c = &SPLITS[i];
        size_t n = strlen(c->input), gz_len;
        unsigned char *gz = gzip(c->input, n, &gz_len);
        for (int g = 0; g < 2; g++) {
            size_t total = g ? gz_len : n;
            for (size_t step = 1; step <= total + 1; step++) {
                seen_lines s = {0};
                pp_sb_init(&s.seen);
                char err[256] = "";
                int rc = feed_all(g, c->max_line, g ? (const void *)gz : c->input, total, step, &s, err, sizeof err);
                if (rc != PP_OK) fail_msg("%s (%s, pieces of %zu): %s", c->name, g ? "gzip" : "plain", step, err);
                const char *got = s.seen.data ? s.seen.data : "";
                if (strcmp(got, c->want))
                    fail_msg("%s (%s, pieces of %zu): got '%s', want '%s'", c->name, g ? "gzip" : "plain", step, got,
                             c->want);
                pp_sb_free(&s.seen);
            }
        }
        free(gz);
    }
}

static void test_concatenated_gzip_members(void **state) {
    (void)state;
    size_t a_len, b_len;
    unsigned char *a = gzip("one\ntw", 6, &a_len);
    unsigned char *b = gzip("o\nthree\n", 8, &b_len);
    unsigned char *ab = malloc(a_len + b_len);
    memcpy(ab, a, a_len);
    memcpy(ab + a_len, b, b_len);
    for (size_t step = 1; step <= a_len + b_len; step++) {
        seen_lines s = {0};
        pp_sb_init(&s.seen);
        char err[256];
        assert_int_equal(feed_all(1, 100, ab, a_len + b_len, step, &s, err, sizeof err), PP_OK);
        assert_string_equal(s.seen.data, "1:one|2:two|3:three|");
        pp_sb_free(&s.seen);
    }
    free(a);
    free(b);
    free(ab);
}

/* A gzip object cut anywhere is an error, never a silently shorter day. */
static void test_every_truncated_gzip_prefix_fails(void **state) {
    (void)state;
    const char *text = "{\"topic\":\"pins\",\"partition\":0,\"offset\":0,\"raw\":\"x\"}\nsecond line\n";
    size_t gz_len;
    unsigned char *gz = gzip(text, strlen(text), &gz_len);
    for (size_t n = 0; n < gz_len; n++) {
        seen_lines s = {0};
        pp_sb_init(&s.seen);
        char err[256] = "";
        int rc = feed_all(1, 1000, gz, n, 5, &s, err, sizeof err);
        if (rc != PP_EPROTO) fail_msg("gzip cut at %zu of %zu bytes: %d, not PP_EPROTO", n, gz_len, rc);
        assert_non_null(strstr(err, "gzip"));
        pp_sb_free(&s.seen);
    }
    free(gz);
}

static void test_corrupt_gzip_fails(void **state) {
    (void)state;
    static const char NOT_GZIP[] = "{\"topic\":\"pins\"}\n";
    seen_lines s = {0};
    pp_sb_init(&s.seen);
    char err[256] = "";
    assert_int_equal(feed_all(1, 100, NOT_GZIP, sizeof NOT_GZIP - 1, 4, &s, err, sizeof err), PP_EPROTO);
    assert_non_null(strstr(err, "gzip"));
    /* a flipped byte in the deflate data or the CRC */
    size_t gz_len;
    unsigned char *gz = gzip("hello\nworld\n", 12, &gz_len);
    for (size_t at = 10; at < gz_len; at++) {
        unsigned char *bad = malloc(gz_len);
        memcpy(bad, gz, gz_len);
        bad[at] ^= 0x55;
        pp_sb_reset(&s.seen);
        int rc = feed_all(1, 100, bad, gz_len, gz_len, &s, err, sizeof err);
        if (rc != PP_EPROTO) fail_msg("byte %zu flipped: accepted (%s)", at, s.seen.data ? s.seen.data : "");
        free(bad);
    }
    free(gz);
    pp_sb_free(&s.seen);
}

static void test_callback_error_stops(void **state) {
    (void)state;
    seen_lines s = {.stop_at = 2};
    pp_sb_init(&s.seen);
    assert_int_equal(feed_all(0, 100, "a\nb\nc\n", 6, 6, &s, NULL, 0), PP_EIO);
    assert_string_equal(s.seen.data, "1:a|2:b|");
    pp_sb_free(&s.seen);
}

static void test_counts_bytes_after_gunzip(void **state) {
    (void)state;
    size_t gz_len;
    unsigned char *gz = gzip("abc\ndef\n", 8, &gz_len);
    seen_lines s = {0};
    pp_sb_init(&s.seen);
    pp_batch_object *o;
    assert_int_equal(pp_batch_object_create(&o, 1, 100, on_line, &s), PP_OK);
    assert_int_equal(pp_batch_object_feed(o, gz, gz_len, NULL, 0), PP_OK);
    assert_int_equal(pp_batch_object_finish(o, NULL, 0), PP_OK);
    assert_int_equal(pp_batch_object_bytes(o), 8);
    pp_batch_object_destroy(o);
    free(gz);
    pp_sb_free(&s.seen);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_gzip_in_any_pieces),
        cmocka_unit_test(test_concatenated_gzip_members),
        cmocka_unit_test(test_every_truncated_gzip_prefix_fails),
        cmocka_unit_test(test_corrupt_gzip_fails),
        cmocka_unit_test(test_callback_error_stops),
        cmocka_unit_test(test_counts_bytes_after_gunzip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
