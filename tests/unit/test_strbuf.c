/* strbuf — the byte buffer, JSON string escaping, and the UTF-8 check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/strbuf.h"

static void test_buffer_basics(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    assert_int_equal(sb.len, 0);
    pp_sb_puts(&sb, "ab");
    pp_sb_putc(&sb, 'c');
    pp_sb_append(&sb, "d\0e", 3);
    assert_int_equal(sb.len, 6);
    assert_memory_equal(sb.data, "abcd\0e", 7); /* always NUL-terminated */
    pp_sb_printf(&sb, "[%d:%s]", 42, "x");
    assert_string_equal(sb.data + 6, "[42:x]");
    pp_sb_reset(&sb);
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.data, "");
    for (int i = 0; i < 100000; i++) pp_sb_putc(&sb, 'z'); /* grows */
    assert_int_equal(sb.len, 100000);
    assert_int_equal(sb.data[100000], '\0');
    char *stolen = pp_sb_steal(&sb);
    assert_int_equal(strlen(stolen), 100000);
    assert_null(sb.data);
    free(stolen);
    stolen = pp_sb_steal(&sb); /* an empty buffer gives "" */
    assert_string_equal(stolen, "");
    free(stolen);
    pp_sb_free(&sb);
}

/* A whole file (bigger than one read chunk, with NULs) appended after what is there. */
static void test_append_file(void **state) {
    (void)state;
    char path[] = "/tmp/pinpipe-strbuf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    for (int i = 0; i < 100000; i++) fputc(i % 7 ? 'a' + i % 26 : '\0', f);
    fclose(f);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_puts(&sb, "head:");
    assert_int_equal(pp_sb_append_file(&sb, path), 0);
    assert_int_equal(sb.len, 5 + 100000);
    assert_memory_equal(sb.data, "head:", 5);
    for (int i = 0; i < 100000; i++)
        if (sb.data[5 + i] != (i % 7 ? 'a' + i % 26 : '\0')) fail_msg("byte %d differs", i);
    assert_int_equal(sb.data[sb.len], '\0');
    unlink(path);
    assert_int_equal(pp_sb_append_file(&sb, path), -1); /* gone: an error, sb unchanged */
    assert_int_equal(sb.len, 5 + 100000);
    pp_sb_free(&sb);
}

static void test_put_i64(void **state) {
    (void)state;
    static const struct {
        int64_t v;
        const char *s;
    } CASES[] = {{0, "0"},
                 {7, "7"},
                 {-7, "-7"},
                 {1000000, "1000000"},
                 {INT64_MAX, "9223372036854775807"},
                 {INT64_MIN, "-9223372036854775808"}};
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        pp_strbuf sb;
        pp_sb_init(&sb);
        pp_sb_put_i64(&sb, CASES[i].v);
        assert_string_equal(sb.data, CASES[i].s);
        pp_sb_free(&sb);
    }
}

#define IN(s) s, sizeof s - 1

static void test_json_escaping(void **state) {
    (void)state;
    static const struct {
        const char *in;
        size_t len;
        const char *out;
    } CASES[] = {
        /* IN(s): a literal and its length, NULs included */
        {IN(""), "\"\""},
        {IN("plain"), "\"plain\""},
        {IN("a\"b"), "\"a\\\"b\""},
        {IN("a\\b"), "\"a\\\\b\""},
        {IN("/"), "\"/\""}, /* not escaped */
        {IN("\n\r\t\b\f"), "\"\\n\\r\\t\\b\\f\""},
        {IN("\x01\x1f"), "\"\\u0001\\u001f\""},
        {IN("a\0b"), "\"a\\u0000b\""},
        {IN("\x7f"), "\"\x7f\""},             /* DEL is not a JSON control character */
        {IN("Zoë 水彩 🔥"), "\"Zoë 水彩 🔥\""}, /* UTF-8 passes through */
        {IN("\"\\\""), "\"\\\"\\\\\\\"\""},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        pp_strbuf sb;
        pp_sb_init(&sb);
        pp_sb_json_str(&sb, CASES[i].in, CASES[i].len);
        assert_string_equal(sb.data, CASES[i].out);
        /* and it reads back as the same bytes */
        json_t *v = json_loads(sb.data, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        assert_non_null(v);
        assert_int_equal(json_string_length(v), CASES[i].len);
        assert_memory_equal(json_string_value(v), CASES[i].in, CASES[i].len);
        json_decref(v);
        pp_sb_free(&sb);
    }
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_json_cstr(&sb, NULL);
    pp_sb_json_cstr(&sb, "x");
    assert_string_equal(sb.data, "null\"x\"");
    pp_sb_free(&sb);
}

/* Every byte 0..255 round-trips through the escaper when it is valid UTF-8. */
static void test_json_escaping_every_ascii_byte(void **state) {
    (void)state;
    char in[128];
    for (int i = 0; i < 128; i++) in[i] = (char)i;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_json_str(&sb, in, sizeof in);
    json_t *v = json_loads(sb.data, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    assert_non_null(v);
    assert_int_equal(json_string_length(v), sizeof in);
    assert_memory_equal(json_string_value(v), in, sizeof in);
    json_decref(v);
    pp_sb_free(&sb);
}

/* The escaper as it was before it scanned 8 bytes at a time: one byte at a time,
 * through a switch. The fast one must write the same bytes for every input. */
static void reference_json_str(pp_strbuf *sb, const char *s, size_t n) {
    static const char HEX[] = "0123456789abcdef";
    pp_sb_putc(sb, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': pp_sb_puts(sb, "\\\""); break;
        case '\\': pp_sb_puts(sb, "\\\\"); break;
        case '\n': pp_sb_puts(sb, "\\n"); break;
        case '\r': pp_sb_puts(sb, "\\r"); break;
        case '\t': pp_sb_puts(sb, "\\t"); break;
        case '\b': pp_sb_puts(sb, "\\b"); break;
        case '\f': pp_sb_puts(sb, "\\f"); break;
        default:
            if (c < 0x20) {
                char esc[7] = {'\\', 'u', '0', '0', HEX[c >> 4], HEX[c & 15], 0};
                pp_sb_puts(sb, esc);
            } else {
                pp_sb_putc(sb, (char)c);
            }
        }
    }
    pp_sb_putc(sb, '"');
}

static void assert_escapes_like_reference(const char *in, size_t n) {
    size_t plain = 0; /* the first byte that needs an escape, found bytewise */
    while (plain < n && (unsigned char)in[plain] >= 0x20 && in[plain] != '"' && in[plain] != '\\') plain++;
    assert_int_equal(pp_json_plain_run(in, n), plain);
    pp_strbuf got, want;
    pp_sb_init(&got);
    pp_sb_init(&want);
    pp_sb_puts(&got, "prefix"); /* appends after what the buffer holds */
    pp_sb_puts(&want, "prefix");
    pp_sb_json_str(&got, in, n);
    reference_json_str(&want, in, n);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    assert_int_equal(got.data[got.len], '\0');
    /* the checking escaper: the same bytes when the input is UTF-8, nothing when not */
    pp_sb_reset(&got);
    pp_sb_puts(&got, "prefix");
    int text = pp_utf8_valid(in, n);
    assert_int_equal(pp_sb_json_utf8(&got, in, n), text);
    if (!text) pp_sb_reset(&want), pp_sb_puts(&want, "prefix");
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.data, want.data, want.len);
    assert_int_equal(got.data[got.len], '\0');
    pp_sb_free(&got);
    pp_sb_free(&want);
}

/* Random strings of every length up to 70 (so every position in and across the
 * 8-byte words), from bytes that are often special: controls, quote, backslash, the
 * bytes next to them, DEL, UTF-8 lead and continuation bytes, and plain letters. */
static void test_json_escaping_matches_bytewise(void **state) {
    (void)state;
    static const unsigned char POOL[] = {0x00, 0x01, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x1f, 0x20, 0x21, 0x22,
                                         0x23, 0x2f, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xa0, 0xbf, 0xc3, 0xe2,
                                         0xf0, 0xff, 'a',  'b',  'Z',  ' ',  '0',  '9',  'x',  'y'};
    uint32_t seed = 12345;
    char buf[80];
    for (int round = 0; round < 4000; round++) {
        size_t n = (size_t)round % 71;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            /* mostly letters, so runs of safe bytes of every length occur too */
            buf[i] = (seed >> 16) % 4 ? 'm' : (char)POOL[(seed >> 8) % sizeof POOL];
        }
        assert_escapes_like_reference(buf, n);
    }
    for (int c = 0; c < 256; c++) /* each byte alone and at every offset of a word */
        for (size_t at = 0; at < 17; at++) {
            memset(buf, 'q', 17);
            buf[at] = (char)c;
            assert_escapes_like_reference(buf, 17);
            assert_escapes_like_reference(buf + at, 17 - at);
        }
}

/* Strings longer than the escaper's 4096-byte pieces: escapes on either side of
 * every piece boundary, and a raw event's density of quotes throughout. */
static void test_json_escaping_across_pieces(void **state) {
    (void)state;
    enum { N = 3 * 4096 + 100 };
    static char buf[N];
    for (size_t i = 0; i < N; i++) buf[i] = i % 9 == 0 ? '"' : (char)('a' + i % 26);
    assert_escapes_like_reference(buf, N);
    static const size_t AT[] = {4094, 4095, 4096, 4097, 8191, 8192, 12287, 12288, N - 1};
    for (size_t k = 0; k < sizeof AT / sizeof AT[0]; k++) {
        memset(buf, 'p', N);
        buf[AT[k]] = k % 2 ? '\\' : '\x01'; /* a 2-byte and a 6-byte escape */
        assert_escapes_like_reference(buf, N);
        assert_escapes_like_reference(buf, AT[k] + 1);
    }
}

/* Blocks of only quotes and backslashes among plain bytes, at every density (the
 * escaper's path for them stores each escape's tail again), with and without a
 * control or non-ASCII byte further on. */
static void test_json_escaping_quote_blocks(void **state) {
    (void)state;
    uint32_t seed = 4242;
    char buf[140];
    for (int round = 0; round < 20000; round++) {
        size_t n = 16 + (size_t)round % 120;
        unsigned density = (unsigned)round % 8; /* 0: none escaped ... 7: nearly all */
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (seed >> 16) % 8 < density ? ((seed >> 8) % 2 ? '"' : '\\') : (char)('a' + (seed >> 4) % 26);
        }
        if (round % 3 == 1) buf[(seed >> 12) % n] = '\n';
        if (round % 3 == 2) buf[(seed >> 12) % n] = (char)0xe9;
        assert_escapes_like_reference(buf, n);
    }
}

/* The checking escaper on UTF-8 sequences: random strings of well-formed and
 * broken sequences (truncated, overlong, surrogates, past U+10FFFF, stray
 * continuation bytes) among quotes and letters, at every position of the 16-byte
 * blocks, and sequences across the 4096-byte pieces. */
static void test_json_utf8_one_pass(void **state) {
    (void)state;
    static const char *const SEQ[] = {"\xc3\xa9",
                                      "\xe2\x82\xac",
                                      "\xf0\x9f\x98\x80",
                                      "\xf4\x8f\xbf\xbf",
                                      "\xc3",
                                      "\xe2\x82",
                                      "\xc0\xaf",
                                      "\xe0\x80\xaf",
                                      "\xed\xa0\x80",
                                      "\xf4\x90\x80\x80",
                                      "\x80",
                                      "\xff",
                                      "\xf0\x9f\x98",
                                      "\"",
                                      "\\",
                                      "\x01",
                                      "\x7f",
                                      "ab"};
    uint32_t seed = 777;
    char buf[200];
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        size_t want = (size_t)round % 60;
        while (n < want) {
            seed = seed * 1103515245u + 12345u;
            const char *piece = (seed >> 16) % 3 ? "xyz" : SEQ[(seed >> 8) % (sizeof SEQ / sizeof SEQ[0])];
            size_t k = strlen(piece);
            if (piece[0] == '\0') k = 1;
            memcpy(buf + n, piece, k);
            n += k;
        }
        assert_escapes_like_reference(buf, n);
    }
    for (int c = 0; c < 256; c++) /* every byte value alone, then before each sequence */
        for (size_t at = 0; at < 34; at++) {
            memset(buf, 'q', 40);
            buf[at] = (char)c;
            assert_escapes_like_reference(buf, 34);
            assert_escapes_like_reference(buf + at, 34 - at);
            for (size_t k = 0; k < 4; k++) {
                memcpy(buf + at + 1, SEQ[k], strlen(SEQ[k]));
                assert_escapes_like_reference(buf, at + 1 + strlen(SEQ[k]));
            }
        }
    enum { N = 2 * 4096 + 50 };
    static char big[N];
    for (size_t at = 4090; at < 4100; at++) {
        for (size_t i = 0; i < N; i++) big[i] = i % 7 == 0 ? '"' : 'k';
        memcpy(big + at, "\xf0\x9f\x98\x80", 4); /* a 4-byte sequence across the boundary */
        assert_escapes_like_reference(big, N);
        big[at + 3] = 'k'; /* now broken there */
        assert_escapes_like_reference(big, N);
    }
}

/* `,"name":"<text>"` for UTF-8, `,"name_base64":"<base64>"` for anything else. */
static void test_json_bytes_member(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_puts(&sb, "{\"a\":1");
    pp_sb_json_bytes_member(&sb, "raw", "caf\xc3\xa9 \"x\"", 9);
    pp_sb_json_bytes_member(&sb, "key",
                            "\xff\x00"
                            "a",
                            3);
    pp_sb_json_bytes_member(&sb, "e", "", 0);
    assert_string_equal(sb.data, "{\"a\":1,\"raw\":\"caf\xc3\xa9 \\\"x\\\"\",\"key_base64\":\"/wBh\",\"e\":\"\"");
    pp_sb_free(&sb);
}

static void test_utf8_valid(void **state) {
    (void)state;
    static const struct {
        const char *s;
        int valid;
    } CASES[] = {
        {"", 1},
        {"ascii", 1},
        {"\xc3\xa9", 1},         /* é */
        {"\xe6\xb0\xb4", 1},     /* 水 */
        {"\xf0\x9f\x94\xa5", 1}, /* 🔥 */
        {"\xc2\x80", 1},         /* U+0080, smallest 2-byte */
        {"\xdf\xbf", 1},         /* U+07FF */
        {"\xe0\xa0\x80", 1},     /* U+0800, smallest 3-byte */
        {"\xef\xbf\xbf", 1},     /* U+FFFF */
        {"\xed\x9f\xbf", 1},     /* U+D7FF, just below the surrogates */
        {"\xee\x80\x80", 1},     /* U+E000, just above */
        {"\xf0\x90\x80\x80", 1}, /* U+10000, smallest 4-byte */
        {"\xf4\x8f\xbf\xbf", 1}, /* U+10FFFF, the largest */
        /* overlongs */
        {"\xc0\xaf", 0},
        {"\xc1\xbf", 0},
        {"\xe0\x80\xaf", 0},
        {"\xe0\x9f\xbf", 0},
        {"\xf0\x80\x80\xaf", 0},
        {"\xf0\x8f\xbf\xbf", 0},
        /* surrogates */
        {"\xed\xa0\x80", 0},
        {"\xed\xbf\xbf", 0},
        /* beyond U+10FFFF */
        {"\xf4\x90\x80\x80", 0},
        {"\xf5\x80\x80\x80", 0},
        {"\xff", 0},
        {"\xfe", 0},
        /* truncated and broken sequences */
        {"\xc3", 0},
        {"\xe6\xb0", 0},
        {"\xf0\x9f\x94", 0},
        {"a\xc3", 0},
        {"\xc3x", 0},
        {"\xe6x\xb4", 0},
        {"\x80", 0}, /* a lone continuation byte */
        {"\xbf", 0},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++)
        if (pp_utf8_valid(CASES[i].s, strlen(CASES[i].s)) != CASES[i].valid)
            fail_msg("case %zu: expected %s", i, CASES[i].valid ? "valid" : "invalid");
    assert_true(pp_utf8_valid("a\0b", 3));          /* NUL is a valid code point */
    assert_true(pp_utf8_valid("\xc3\xa9", 1) == 0); /* only n bytes are read */
}

/* pp_utf8_valid agrees with jansson's decoder on every 1-, 2- and 3-byte string
 * from a set of interesting bytes. */
static void test_utf8_agrees_with_jansson(void **state) {
    (void)state;
    static const unsigned char B[] = {0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1,
                                      0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
    size_t nb = sizeof B;
    for (size_t len = 1; len <= 3; len++) {
        size_t total = 1;
        for (size_t k = 0; k < len; k++) total *= nb;
        for (size_t code = 0; code < total; code++) {
            char s[8] = "\"";
            size_t c = code;
            for (size_t k = 0; k < len; k++, c /= nb) s[1 + k] = (char)B[c % nb];
            s[1 + len] = '"';
            json_error_t jerr;
            json_t *v = json_loadb(s, len + 2, JSON_DECODE_ANY, &jerr);
            int jansson_ok = v != NULL;
            json_decref(v);
            if (pp_utf8_valid(s + 1, len) != jansson_ok) fail_msg("disagreement on %zu bytes, code %zu", len, code);
        }
    }
}

/* pp_json_escaped_len is the length pp_sb_json_str writes, quotes aside, for every byte. */
static void test_json_escaped_len(void **state) {
    (void)state;
    char s[300];
    for (int i = 0; i < 256; i++) s[i] = (char)(i ? i : 'x');
    memcpy(s + 256, "plain \"quoted\" text\\", 21);
    for (size_t n = 0; n <= 277; n += 7) {
        pp_strbuf sb;
        pp_sb_init(&sb);
        pp_sb_json_str(&sb, s, n);
        assert_int_equal(pp_json_escaped_len(s, n), sb.len - 2);
        pp_sb_free(&sb);
    }
    assert_int_equal(pp_json_escaped_len("\x01", 1), 6);
    assert_int_equal(pp_json_escaped_len("a\"b", 3), 4);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffer_basics),
        cmocka_unit_test(test_append_file),
        cmocka_unit_test(test_put_i64),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_json_escaping_every_ascii_byte),
        cmocka_unit_test(test_json_escaping_matches_bytewise),
        cmocka_unit_test(test_json_escaping_across_pieces),
        cmocka_unit_test(test_json_escaping_quote_blocks),
        cmocka_unit_test(test_json_utf8_one_pass),
        cmocka_unit_test(test_json_bytes_member),
        cmocka_unit_test(test_utf8_valid),
        cmocka_unit_test(test_utf8_agrees_with_jansson),
        cmocka_unit_test(test_json_escaped_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
