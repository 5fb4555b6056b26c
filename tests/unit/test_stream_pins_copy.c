/* Specification of the stream's binary COPY row of a pin (src/stream/stream_pins_copy.h):
 * every pin column has a binary form, each value is encoded by its column's type,
 * and what PostgreSQL would refuse is refused without touching the output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "clean/pin.h"
#include "common/error.h"
#include "contract/pin_columns.h"
#include "pg/pg_copy_binary.h"
#include "stream/stream_pins_copy.h"

static const pp_pin_column *column(const char *name) {
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++)
        if (!strcmp(PP_PIN_COLUMNS[i].name, name)) return &PP_PIN_COLUMNS[i];
    fail_msg("no column %s", name);
    return NULL;
}

static void every_column_has_a_binary_form(void **state) {
    (void)state;
    for (size_t i = 0; i < PP_N_PIN_COLUMNS; i++)
        if (PP_PIN_COLUMNS[i].get) assert_true(pp_stream_pin_column_binary(&PP_PIN_COLUMNS[i]));
    pp_pin_column odd = *column("title");
    odd.sql_type = "jsonb";
    assert_false(pp_stream_pin_column_binary(&odd));
}

typedef struct {
    pp_pin p;
    char uid[8], tag0[4];
    char *tags[1];
    pp_pin_row r;
} fixture;

static void fixture_init(fixture *f) {
    memset(f, 0, sizeof *f);
    pp_pin_init(&f->p);
    strcpy(f->uid, "u-1");
    strcpy(f->tag0, "ab");
    f->tags[0] = f->tag0;
    f->p.text[PP_F_UNIQUE_ID] = f->uid;
    f->p.ind = 42;
    f->p.tags = f->tags;
    f->p.n_tags = 1;
    f->p.has_tags = 1;
    f->p.downloaded = 1;
    f->p.event_time_ms = 946684801000; /* 2000-01-01T00:00:01Z */
    memcpy(f->p.event_day, "2000-01-02", 11);
    f->r = (pp_pin_row){&f->p, "pins", 3, 77, -1};
}

/* The row of the columns named, for the fixture. */
static int row_of(fixture *f, const char *const *names, size_t n, pp_strbuf *out, const char **why) {
    const pp_pin_column *cols[8];
    for (size_t i = 0; i < n; i++) cols[i] = column(names[i]);
    return pp_stream_pin_row(cols, n, &f->r, out, why);
}

static void values_by_type(void **state) {
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *names[] = {"event_day",  "unique_id",       "ind",        "tag_list", "downloaded",
                           "event_time", "kafka_partition", "ingested_at"};
    pp_strbuf sb;
    pp_sb_init(&sb);
    const char *why;
    assert_int_equal(row_of(&f, names, 8, &sb, &why), PP_OK);
    static const char want[] = "\0\x08"                                           /* 8 fields */
                               "\0\0\0\x04\0\0\0\x01"                             /* date: day 1 */
                               "\0\0\0\x03u-1"                                    /* text */
                               "\0\0\0\x08\0\0\0\0\0\0\0\x2a"                     /* bigint 42 */
                               "\0\0\0\x1a\0\0\0\x01\0\0\0\0\0\0\0\x19\0\0\0\x01" /* text[] of 1 */
                               "\0\0\0\x01\0\0\0\x02"
                               "ab"
                               "\0\0\0\x01\x01"                   /* true */
                               "\0\0\0\x08\0\0\0\0\0\x0f\x42\x40" /* 1 s after 2000 */
                               "\0\0\0\x04\0\0\0\x03"             /* int 3 */
                               "\377\377\377\377";                /* ingest time unknown: NULL */
    assert_int_equal(sb.len, sizeof want - 1);
    assert_memory_equal(sb.data, want, sizeof want - 1);
    pp_sb_free(&sb);
}

static void refused_values_leave_the_output_alone(void **state) {
    (void)state;
    fixture f;
    fixture_init(&f);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_puts(&sb, "x");
    const char *why;
    const char *day[] = {"unique_id", "event_day"};
    memcpy(f.p.event_day, "2026-02-30", 11);
    assert_int_equal(row_of(&f, day, 2, &sb, &why), PP_EREFUSED);
    assert_non_null(strstr(why, "not a date"));
    assert_int_equal(sb.len, 1);
    fixture_init(&f);
    f.p.event_time_ms = -1;
    const char *time[] = {"event_time"};
    assert_int_equal(row_of(&f, time, 1, &sb, &why), PP_EREFUSED);
    assert_non_null(strstr(why, "1970"));
    assert_int_equal(sb.len, 1);
    pp_sb_free(&sb);
}

static void times_are_clamped_as_their_text_was(void **state) {
    (void)state;
    fixture f;
    fixture_init(&f);
    f.p.event_time_ms = INT64_MAX;
    const char *time[] = {"event_time"};
    pp_strbuf sb, want;
    pp_sb_init(&sb);
    pp_sb_init(&want);
    const char *why;
    assert_int_equal(row_of(&f, time, 1, &sb, &why), PP_OK);
    pp_pg_bin_row(&want, 1);
    /* 9999-12-31T23:59:59.999Z */
    pp_pg_bin_timestamptz(&want, (INT64_C(253402300799999) - INT64_C(946684800000)) * 1000);
    assert_int_equal(sb.len, want.len);
    assert_memory_equal(sb.data, want.data, want.len);
    pp_sb_free(&sb);
    pp_sb_free(&want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_column_has_a_binary_form),
        cmocka_unit_test(values_by_type),
        cmocka_unit_test(refused_values_leave_the_output_alone),
        cmocka_unit_test(times_are_clamped_as_their_text_was),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
