/* Specification of the pin column table (src/contract/pin_columns.h) and of the
 * statements generated from it: they are the statements pinpipe wrote by hand
 * before the table existed (the golden strings below, copied verbatim from
 * stream_schema.c, stream_sink.c, batch_schema.c and batch_store.c), up to
 * whitespace — so deployments made from those get the same tables, columns,
 * types, order, constraints and keys — and the getters read each column of a pin. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch/batch_schema.h"
#include "clean/pin.h"
#include "common/strbuf.h"
#include "contract/pin_columns.h"
#include "stream/stream_pins_sql.h"

/* Whitespace runs become one space; none after '(' nor before ')'. */
static void normalize(const char *in, char *out, size_t n) {
    size_t k = 0;
    int space = 0;
    for (const char *p = in; *p && k + 2 < n; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\t') {
            space = 1;
            continue;
        }
        if (space && k > 0 && out[k - 1] != '(' && *p != ')') out[k++] = ' ';
        space = 0;
        out[k++] = *p;
    }
    out[k] = '\0';
}

static void assert_same_sql(const char *generated, const char *golden) {
    char a[4096], b[4096];
    normalize(generated, a, sizeof a);
    normalize(golden, b, sizeof b);
    if (strcmp(a, b) != 0) fail_msg("generated:\n%s\nwas:\n%s", a, b);
}

/* ---- the stream (PostgreSQL) ----------------------------------------------------- */

static const char PG_PINS[] = "CREATE TABLE pins ("
                              "  event_day date NOT NULL,"
                              "  unique_id text NOT NULL,"
                              "  ind bigint NOT NULL,"
                              "  title text, description text, poster_name text,"
                              "  follower_count bigint,"
                              "  tag_list text[],"
                              "  is_image_or_video text CHECK (is_image_or_video IN ('image','video')),"
                              "  image_src text, downloaded boolean, save_location text, category text,"
                              "  event_time timestamptz NOT NULL,"
                              "  kafka_topic text NOT NULL, kafka_partition int NOT NULL, kafka_offset bigint NOT NULL,"
                              "  ingested_at timestamptz,"
                              "  stored_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                              "  PRIMARY KEY (event_day, unique_id))";

static const char PG_COPY[] = "COPY pins (event_day, unique_id, ind, title, description, poster_name,"
                              " follower_count, tag_list, is_image_or_video, image_src, downloaded, save_location,"
                              " category, event_time, kafka_topic, kafka_partition, kafka_offset, ingested_at)"
                              " FROM STDIN";

static const char PG_EXISTING[] = "SELECT k.i FROM unnest($1::date[], $2::text[]) WITH ORDINALITY"
                                  " AS k(event_day, unique_id, i)"
                                  " WHERE EXISTS (SELECT 1 FROM pins p"
                                  " WHERE p.event_day = k.event_day AND p.unique_id = k.unique_id)";

static void test_stream_statements_are_todays(void **state) {
    (void)state;
    struct {
        void (*gen)(pp_strbuf *);
        const char *golden;
    } cases[] = {
        {pp_stream_pins_create, PG_PINS},
        {pp_stream_pins_copy, PG_COPY},
        {pp_stream_pins_existing, PG_EXISTING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_strbuf sb;
        pp_sb_init(&sb);
        cases[i].gen(&sb);
        assert_same_sql(sb.data, cases[i].golden);
        pp_sb_free(&sb);
    }
}

static void test_no_later_columns_yet(void **state) {
    (void)state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    assert_int_equal(pp_pin_columns_version(), 1);
    assert_int_equal(pp_stream_pins_alter(&sb, 1), 0);
    assert_int_equal(pp_stream_pins_alter(&sb, 2), 0);
    assert_int_equal(sb.len, 0);
    pp_sb_free(&sb);
}

/* ---- the batch (Cassandra) ------------------------------------------------------- */

static const char CQL_PINS[] = "CREATE TABLE IF NOT EXISTS %s.pins (\n"
                               "  event_day text, bucket int, unique_id text,\n"
                               "  ind bigint, title text, description text, poster_name text,\n"
                               "  follower_count bigint, tag_list frozen<list<text>>, is_image_or_video text,\n"
                               "  image_src text, downloaded boolean, save_location text, category text,\n"
                               "  event_time timestamp,\n"
                               "  kafka_topic text, kafka_partition int, kafka_offset bigint, ingested_at timestamp,\n"
                               "  PRIMARY KEY ((event_day, bucket), unique_id))";

/* The columns batch_store.c named in its INSERT INTO pins, in order. */
static const char *const CQL_INSERT_COLS[] = {
    "event_day",   "unique_id",         "ind",          "title",      "description",   "poster_name", "follower_count",
    "tag_list",    "is_image_or_video", "image_src",    "downloaded", "save_location", "category",    "event_time",
    "kafka_topic", "kafka_partition",   "kafka_offset", "ingested_at"};

static void test_batch_statements_are_todays(void **state) {
    (void)state;
    char *text = NULL, golden[2048];
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    pp_batch_schema_print(f, "ks1", 1);
    fclose(f);
    /* the script's second statement is pins */
    const char *start = strstr(text, "CREATE TABLE IF NOT EXISTS ks1.pins ");
    assert_non_null(start);
    const char *end = strchr(start, ';');
    assert_non_null(end);
    char pins[2048];
    snprintf(pins, sizeof pins, "%.*s", (int)(end - start), start);
    snprintf(golden, sizeof golden, CQL_PINS, "ks1");
    assert_same_sql(pins, golden);
    assert_ptr_equal(strstr(text, "ALTER TABLE ks1.pins"), NULL); /* no later pin columns */
    free(text);

    const pp_pin_column *cols[PP_PIN_COLUMNS_MAX];
    size_t n = pp_batch_pin_columns(cols);
    assert_int_equal(n, sizeof CQL_INSERT_COLS / sizeof CQL_INSERT_COLS[0]);
    for (size_t i = 0; i < n; i++) assert_string_equal(cols[i]->name, CQL_INSERT_COLS[i]);
}

/* ---- the getters ----------------------------------------------------------------- */

static void test_getters_read_the_pin(void **state) {
    (void)state;
    char uid[] = "u-1", title[] = "T", tag0[] = "a", tag1[] = "b";
    char *tags[] = {tag0, tag1};
    pp_pin p;
    pp_pin_init(&p);
    p.text[PP_F_UNIQUE_ID] = uid;
    p.text[PP_F_TITLE] = title;
    p.ind = 42;
    p.has_follower_count = 1;
    p.follower_count = 6000;
    p.tags = tags;
    p.n_tags = 2;
    p.has_tags = 1;
    p.media = PP_MEDIA_VIDEO;
    p.downloaded = -1;
    p.event_time_ms = 1767312000000;
    memcpy(p.event_day, "2026-01-02", 11);
    pp_pin_row r = {&p, "pins", 3, 77, -1};
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++) {
        const pp_pin_column *c = &PP_PIN_COLUMNS[i];
        pp_col_value v;
        pp_pin_column_get(c, &r, &v);
        const char *n = c->name;
        if (!strcmp(n, "event_day"))
            assert_string_equal(v.text, "2026-01-02");
        else if (!strcmp(n, "unique_id"))
            assert_string_equal(v.text, "u-1");
        else if (!strcmp(n, "title"))
            assert_string_equal(v.text, "T");
        else if (!strcmp(n, "ind"))
            assert_int_equal(v.i, 42);
        else if (!strcmp(n, "follower_count"))
            assert_true(!v.null && v.i == 6000);
        else if (!strcmp(n, "tag_list"))
            assert_true(!v.null && v.n == 2 && !strcmp(v.list[1], "b"));
        else if (!strcmp(n, "is_image_or_video"))
            assert_string_equal(v.text, "video");
        else if (!strcmp(n, "event_time"))
            assert_int_equal(v.i, 1767312000000);
        else if (!strcmp(n, "kafka_topic"))
            assert_string_equal(v.text, "pins");
        else if (!strcmp(n, "kafka_partition"))
            assert_int_equal(v.i, 3);
        else if (!strcmp(n, "kafka_offset"))
            assert_int_equal(v.i, 77);
        else
            assert_true(v.null); /* description, poster_name, image_src, downloaded, ..., ingested_at, stored_at */
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_statements_are_todays),
        cmocka_unit_test(test_batch_statements_are_todays),
        cmocka_unit_test(test_no_later_columns_yet),
        cmocka_unit_test(test_getters_read_the_pin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
