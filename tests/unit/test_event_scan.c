/* event_scan — the fast path's scanner: it reads the usual event, declines what it
 * does not handle, and never accepts what jansson (the reference) refuses nor reads
 * a value jansson would read otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/strbuf.h"
#include "event/event_scan.h"

/* Scans text; when the scanner accepts it, jansson must too, and every known
 * member must have the same value. Returns the scanner's answer. */
static int scan_agrees(const char *text, size_t len) {
    char *arena = malloc(len + 1);
    pp_event_value vals[PP_F_COUNT];
    int rc = pp_utf8_valid(text, len) ? pp_event_scan(text, len, arena, vals) : -1;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (rc == 0) {
        if (!root) fail_msg("scanner accepted what jansson refuses (%s): %.*s", jerr.text, (int)len, text);
        if (!json_is_object(root)) fail_msg("scanner accepted a non-object: %.*s", (int)len, text);
        for (int f = 0; f < PP_F_COUNT; f++) {
            json_t *j = json_object_get(root, PP_FIELDS[f].name);
            const pp_event_value *v = &vals[f];
            switch (v->kind) {
            case PP_V_ABSENT: assert_null(j); break;
            case PP_V_NULL: assert_true(json_is_null(j)); break;
            case PP_V_BOOL: assert_true(json_is_boolean(j) && json_is_true(j) == (v->i == 1)); break;
            case PP_V_INT: assert_true(json_is_integer(j) && json_integer_value(j) == v->i); break;
            case PP_V_STRING:
                assert_true(json_is_string(j));
                assert_int_equal(json_string_length(j), v->n);
                assert_memory_equal(json_string_value(j), v->s, v->n);
                assert_int_equal(v->s[v->n], '\0');
                break;
            default: fail_msg("kind %d from the scanner", (int)v->kind);
            }
        }
    }
    json_decref(root);
    free(arena);
    return rc;
}

static int scan_text(const char *text) { return scan_agrees(text, strlen(text)); }

static void test_reads_the_usual_event(void **state) {
    (void)state;
    const char *ev = " {\"index\": 7, \"unique_id\": \"u-1\", \"title\": \"a \\\"b\\\" \\\\ \\/ \\n\\t\\r\\b\\f\","
                     " \"description\": \"Zoë 水彩 🔥\", \"poster_name\": null, \"downloaded\": -0,"
                     " \"follower_count\": \"\", \"category\": true, \"tag_list\": false,"
                     " \"save_location\": \"x\", \"save_location\": \"last wins\"}\r\n";
    assert_int_equal(scan_text(ev), 0);
    char arena[512];
    pp_event_value v[PP_F_COUNT];
    assert_int_equal(pp_event_scan(ev, strlen(ev), arena, v), 0);
    assert_int_equal(v[PP_F_INDEX].kind, PP_V_INT);
    assert_int_equal(v[PP_F_INDEX].i, 7);
    assert_string_equal(v[PP_F_TITLE].s, "a \"b\" \\ / \n\t\r\b\f");
    assert_string_equal(v[PP_F_SAVE_LOCATION].s, "last wins");
    assert_int_equal(v[PP_F_POSTER_NAME].kind, PP_V_NULL);
    assert_int_equal(v[PP_F_CATEGORY].kind, PP_V_BOOL);
    assert_int_equal(v[PP_F_IMAGE_SRC].kind, PP_V_ABSENT);
    assert_int_equal(scan_text("{}"), 0);
}

/* Unknown members of any JSON shape are read past (the emulator's extra fields). */
static void test_unknown_members_of_any_shape(void **state) {
    (void)state;
    static const char *const OK[] = {
        "{\"lat\": 51.5072, \"title\": \"t\"}",
        "{\"session\": {\"id\": 42, \"new\": true, \"x\": {}}, \"index\": 1}",
        "{\"tags_v2\": [\"a\", \"b\", [], [[null]], -1.5e-3, 0.0E+0], \"index\": 2}",
        "{\"big\": 1e-999, \"r\": 123456789012345678.5e282}",
        "{\"a\\\\b\": 1, \"tit\\/le\": 2}", /* escaped keys: no field name has such bytes */
    };
    for (size_t i = 0; i < sizeof OK / sizeof OK[0]; i++)
        if (scan_text(OK[i]) != 0) fail_msg("declined: %s", OK[i]);
    /* 32 levels are read, 33 go to the reference parser */
    char deep[200] = "{\"x\": ";
    for (int i = 0; i < 32; i++) strcat(deep, "[");
    for (int i = 0; i < 32; i++) strcat(deep, "]");
    strcat(deep, "}");
    assert_int_equal(scan_text(deep), 0);
    char deeper[200] = "{\"x\": ";
    for (int i = 0; i < 33; i++) strcat(deeper, "[");
    for (int i = 0; i < 33; i++) strcat(deeper, "]");
    strcat(deeper, "}");
    assert_int_equal(scan_text(deeper), -1);
}

/* Declined: not an object of that shape, or anything the scanner leaves to jansson. */
static void test_declines(void **state) {
    (void)state;
    static const char *const NO[] = {
        "",
        "   ",
        "[]",
        "\"x\"",
        "{",
        "{\"index\": 1",
        "{\"index\": 1,}",
        "{,}",
        "{\"index\" 1}",
        "{\"index\": 1}}",
        "{\"index\": 1} x",
        "{\"index\": 1}{}",
        "{index: 1}",
        "{'index': 1}",
        "\f{\"index\": 1}",
        "{\"index\":\v1}",
        "{\"index\": 01}",
        "{\"index\": -}",
        "{\"index\": +1}",
        "{\"index\": 1.}",
        "{\"index\": .5}",
        "{\"index\": 1e}",
        "{\"index\": 1.5}",                 /* a real in a known member */
        "{\"index\": 1e2}",                 /* also */
        "{\"index\": 1234567890123456789}", /* 19 digits */
        "{\"x\": 12345678901234567890}",    /* too big for jansson */
        "{\"x\": 1e400}",                   /* overflows a double */
        "{\"x\": 9.9e300}",                 /* might */
        "{\"x\": 1e1000}",                  /* exponent of 4 digits */
        "{\"index\": tru}",
        "{\"index\": truex}",
        "{\"index\": nul}",
        "{\"index\": 1x}",
        "{\"index\": \"a\\u0041\"}", /* \u escapes */
        "{\"x\": \"\\u0000\"}",
        "{\"t\\u0069tle\": \"x\"}",
        "{\"title\": \"a\\x\"}",        /* invalid escape */
        "{\"title\": \"a\\\"}",         /* unterminated */
        "{\"title\": \"tab\there\"}",   /* a raw control character */
        "{\"title\": {\"nested\": 1}}", /* a container in a known member */
        "{\"title\": [\"a\"]}",
        "{\"x\": [1,]}",
        "{\"x\": [1 2]}",
        "{\"x\": {\"a\" 1}}",
        "{\"x\": {1: 2}}",
        "{\"title\": \"\xff\"}", /* not UTF-8: the caller's check */
    };
    for (size_t i = 0; i < sizeof NO / sizeof NO[0]; i++)
        if (scan_text(NO[i]) != -1) fail_msg("accepted: %s", NO[i]);
    /* a NUL byte inside or after the object */
    assert_int_equal(scan_agrees("{\"a\": 1}\0", 9), -1);
    assert_int_equal(scan_agrees("{\"a\":\0 1}", 9), -1);
    assert_int_equal(scan_agrees("{\"a\": \"\0\"}", 10), -1);
}

/* Every prefix of an event, and every byte replaced by each of a set of
 * troublemakers: whatever the scanner accepts, jansson reads the same way. */
static void test_mutations_agree_with_jansson(void **state) {
    (void)state;
    static const char BASE[] = "{\"index\": 12, \"title\": \"a\\\"b\", \"x\": [1, {\"y\": -2.5e3}, null],"
                               " \"downloaded\": false, \"category\": \"art\"}";
    static const char SUBST[] = {'"', '\\', ',', ':', '{', '}', '[', ']', ' ', '\t', '\n', '0',  '1', '-',
                                 '.', 'e',  'E', '+', 't', 'n', 'u', '/', 'a', '\f', '\v', 0x01, 0x7f};
    size_t n = sizeof BASE - 1;
    char buf[sizeof BASE];
    for (size_t k = 0; k <= n; k++) scan_agrees(BASE, k);
    for (size_t at = 0; at < n; at++)
        for (size_t s = 0; s < sizeof SUBST; s++) {
            memcpy(buf, BASE, n);
            buf[at] = SUBST[s];
            scan_agrees(buf, n);
            scan_agrees(buf, at + 1); /* cut just after it */
        }
}

static void test_field_of(void **state) {
    (void)state;
    for (int f = 0; f < PP_F_COUNT; f++)
        assert_int_equal(pp_event_field_of(PP_FIELDS[f].name, strlen(PP_FIELDS[f].name)), f);
    static const char *const NOT[] = {
        "",         "Index",      "indey",       "titles",     "tag_lisT",         "categorx",
        "image_sr", "xownloaded", "posterxname", "timestamps", "is_image_or_vide0"};
    for (size_t i = 0; i < sizeof NOT / sizeof NOT[0]; i++)
        assert_int_equal(pp_event_field_of(NOT[i], strlen(NOT[i])), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_the_usual_event),
        cmocka_unit_test(test_unknown_members_of_any_shape),
        cmocka_unit_test(test_declines),
        cmocka_unit_test(test_mutations_agree_with_jansson),
        cmocka_unit_test(test_field_of),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
