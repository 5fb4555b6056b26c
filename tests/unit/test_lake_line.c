/* Specification of a lake record line (src/contract/lake_record.h): one JSON object per
 * line, members in a fixed order, the message value kept byte for byte ("raw" when
 * it is UTF-8, "raw_base64" when not), the key likewise, null for what is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "contract/lake_record.h"

static pp_kafka_message msg(const char *key, size_t key_len, const char *value, size_t value_len) {
    pp_kafka_message m = {.topic = "pins",
                          .partition = 3,
                          .offset = 12345,
                          .key = key,
                          .key_len = key_len,
                          .value = value,
                          .value_len = value_len,
                          .timestamp_ms = -1};
    return m;
}

static const struct {
    const char *what;
    pp_kafka_message m;
    int64_t ingest;
    const char *line;
} LINES[] = {
    {"an event",
     {.topic = "pins",
      .partition = 3,
      .offset = 12345,
      .key = "u1",
      .key_len = 2,
      .value = "{\"unique_id\": \"u1\"}",
      .value_len = 19},
     1767225600000LL,
     "{\"topic\":\"pins\",\"kind\":\"pin\",\"partition\":3,\"offset\":12345,\"ingest_time\":1767225600000,\"key\":"
     "\"u1\","
     "\"raw\":\"{\\\"unique_id\\\": \\\"u1\\\"}\"}\n"},
    {"no key, no ingest time",
     {.topic = "pins", .partition = 0, .offset = 0, .value = "not json", .value_len = 8},
     -1,
     "{\"topic\":\"pins\",\"kind\":\"pin\",\"partition\":0,\"offset\":0,\"ingest_time\":null,\"key\":null,\"raw\":"
     "\"not json\"}\n"},
    {"a value that is not UTF-8",
     {.topic = "pins", .partition = 1, .offset = 7, .key = "k", .key_len = 1, .value = "p\xff\xfe", .value_len = 3},
     5,
     "{\"topic\":\"pins\",\"kind\":\"pin\",\"partition\":1,\"offset\":7,\"ingest_time\":5,\"key\":\"k\",\"raw_base64\":"
     "\"cP/+\"}\n"},
    {"a key that is not UTF-8",
     {.topic = "pins", .partition = 1, .offset = 8, .key = "\xc0", .key_len = 1, .value = "{}", .value_len = 2},
     5,
     "{\"topic\":\"pins\",\"kind\":\"pin\",\"partition\":1,\"offset\":8,\"ingest_time\":5,\"key_base64\":\"wA==\","
     "\"raw\":\"{}\"}\n"},
    {"a tombstone (no value)",
     {.topic = "pins", .partition = 2, .offset = 9, .key = "k", .key_len = 1},
     5,
     "{\"topic\":\"pins\",\"kind\":\"pin\",\"partition\":2,\"offset\":9,\"ingest_time\":5,\"key\":\"k\",\"raw\":\"\"}"
     "\n"},
    {"control characters, newlines and unicode",
     {.topic = "pins",
      .partition = 0,
      .offset = 1,
      .key = "k",
      .key_len = 1,
      .value = "a\nb\t\"c\\ \x01 \xc3\xa9",
      .value_len = 12},
     5,
     "{\"topic\":\"pins\",\"kind\":\"pin\",\"partition\":0,\"offset\":1,\"ingest_time\":5,\"key\":\"k\","
     "\"raw\":\"a\\nb\\t\\\"c\\\\ \\u0001 \xc3\xa9\"}\n"},
};

static void lines_are_exactly_as_specified(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof LINES / sizeof LINES[0]; i++) {
        pp_strbuf sb;
        pp_sb_init(&sb);
        pp_lake_line_append(&sb, &LINES[i].m, LINES[i].ingest);
        if (strcmp(sb.data, LINES[i].line) != 0)
            fail_msg("%s:\n got  %s want %s", LINES[i].what, sb.data, LINES[i].line);
        pp_sb_free(&sb);
    }
}

/* Every value, parsed back as JSON, gives the exact bytes (embedded NULs too). */
static void raw_reads_back_byte_for_byte(void **state) {
    (void)state;
    static const char VALUE[] = "{\"title\": \"x\\u0000y\", \"t\": \"\xe2\x82\xac\"}\0tail";
    pp_kafka_message m = msg("u", 1, VALUE, sizeof VALUE - 1);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_lake_line_append(&sb, &m, 1);
    assert_int_equal(sb.data[sb.len - 1], '\n');
    assert_null(memchr(sb.data, '\n', sb.len - 1)); /* one line */
    json_error_t je;
    json_t *doc = json_loadb(sb.data, sb.len, JSON_ALLOW_NUL, &je);
    assert_non_null(doc);
    const char *keys[] = {"topic", "kind", "partition", "offset", "ingest_time", "key", "raw"};
    const char *k;
    json_t *v;
    size_t i = 0;
    json_object_foreach(doc, k, v) assert_string_equal(k, keys[i++]);
    assert_int_equal(i, 7);
    json_t *raw = json_object_get(doc, "raw");
    assert_int_equal(json_string_length(raw), sizeof VALUE - 1);
    assert_memory_equal(json_string_value(raw), VALUE, sizeof VALUE - 1);
    json_decref(doc);
    pp_sb_free(&sb);
}

static void lines_append_to_what_is_there(void **state) {
    (void)state;
    pp_kafka_message a = msg("a", 1, "1", 1), b = msg(NULL, 0, "2", 1);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_lake_line_append(&sb, &a, 1);
    size_t first = sb.len;
    pp_lake_line_append(&sb, &b, 2);
    assert_memory_equal(sb.data + first, "{\"topic\":\"pins\"", 15);
    assert_int_equal(sb.data[first - 1], '\n');
    pp_sb_free(&sb);
}

/* The kind comes from the pinpipe-kind header: none is a pin; a header naming no kind
 * is written as it is (null when not UTF-8), so the batch reports the line. */
static void kind_is_the_header_s(void **state) {
    (void)state;
    static const struct {
        const char *value;
        size_t len;
        const char *want;
    } K[] = {
        {"geo", 3, "\"kind\":\"geo\""},       {"user", 4, "\"kind\":\"user\""}, {"pin", 3, "\"kind\":\"pin\""},
        {"Geo", 3, "\"kind\":\"Geo\""},       {"\xff", 1, "\"kind\":null"},     {NULL, 0, "\"kind\":null"},
        {"ge\"o", 4, "\"kind\":\"ge\\\"o\""},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        pp_kafka_header h[2] = {{"pinpipe-ingest-time", "5", 1}, {"pinpipe-kind", K[i].value, K[i].len}};
        pp_kafka_message m = msg("7", 1, "{}", 2);
        m.headers = h;
        m.nheaders = 2;
        pp_strbuf sb;
        pp_sb_init(&sb);
        pp_lake_line_append(&sb, &m, 5);
        char want[64];
        snprintf(want, sizeof want, "{\"topic\":\"pins\",%s,\"partition\"", K[i].want);
        if (strncmp(sb.data, want, strlen(want)) != 0) fail_msg("kind %zu: got %s", i, sb.data);
        pp_sb_free(&sb);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lines_are_exactly_as_specified),
        cmocka_unit_test(raw_reads_back_byte_for_byte),
        cmocka_unit_test(lines_append_to_what_is_there),
        cmocka_unit_test(kind_is_the_header_s),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
