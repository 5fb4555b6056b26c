/* Specification of the cleaner's cheap event day (src/clean/clean_day.h): for every
 * input and every ingest time it is exactly the day pp_clean gives the bytes —
 * pin.event_day when it cleans them, the reject's day when it rejects them, none
 * when neither has one — over the fixture corpus (every fixtures/raw JSONL file), the
 * emulator's output (valid, invalid, v1 and v2 events) and the edge cases of the
 * event-time range. */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clean/clean.h"
#include "clean/clean_day.h"
#include "common/line_reader.h"
#include "event/event_time.h"

/* ingest times: unknown, ordinary, the range's ends, just outside it */
static const int64_t INGEST[] = {
    -1, 0, INT64_C(1767614400000), PP_EVENT_TIME_MAX_MS, PP_EVENT_TIME_MAX_MS + 1, INT64_C(-86400000), INT64_MAX};
#define N_INGEST (sizeof INGEST / sizeof INGEST[0])

static size_t g_checked;

/* What pp_clean says: the pin's day, else the reject's day, else "". */
static void day_by_clean(const char *buf, size_t len, int64_t ingest, char day[11]) {
    pp_clean_opts o;
    pp_pin pin;
    pp_reject rej;
    pp_clean_opts_default(&o);
    o.ingest_time_ms = ingest;
    if (pp_clean(buf, len, &o, &pin, &rej, NULL) == 0) {
        memcpy(day, pin.event_day, 11);
        pp_pin_clear(&pin);
    } else {
        memcpy(day, rej.day, 11);
    }
}

static void check_bytes(const char *buf, size_t len) {
    for (size_t i = 0; i < N_INGEST; i++) {
        char want[11], got[11] = "garbage!!";
        day_by_clean(buf, len, INGEST[i], want);
        int known = pp_clean_event_day(buf, len, INGEST[i], got);
        if (strcmp(want, got) != 0 || known != (want[0] != '\0'))
            fail_msg("ingest %lld: pp_clean says '%s', pp_clean_event_day '%s' (%d) for: %.*s", (long long)INGEST[i],
                     want, got, known, (int)(len > 300 ? 300 : len), buf);
        g_checked++;
    }
}

static void check_stream(FILE *f) {
    pp_line_reader *lr = pp_line_reader_create(f, 1 << 20);
    const char *line;
    size_t len, lineno;
    pp_line_status st;
    while ((st = pp_line_reader_next(lr, &line, &len, &lineno)) != PP_LINE_EOF) {
        assert_int_not_equal(st, PP_LINE_ERROR);
        if (st == PP_LINE_OK) check_bytes(line, len);
    }
    pp_line_reader_destroy(lr);
}

static void test_fixture_corpus(void **state) {
    (void)state;
    glob_t g;
    assert_int_equal(glob("fixtures/raw/*.jsonl", 0, NULL, &g), 0);
    size_t before = g_checked;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        FILE *f = fopen(g.gl_pathv[i], "rb");
        assert_non_null(f);
        check_stream(f);
        fclose(f);
    }
    globfree(&g);
    assert_true(g_checked - before >= 300 * N_INGEST);
}

/* <build>/tests/unit/test_clean_day -> <build>/pinpipe-emulate (or $PINPIPE_EMULATE) */
static void emulator_path(char *out, size_t n) {
    const char *env = getenv("PINPIPE_EMULATE");
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return;
    }
    char self[2000];
    ssize_t k = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(k > 0);
    self[k] = '\0';
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(self, '/');
        assert_non_null(slash);
        *slash = '\0';
    }
    snprintf(out, n, "%s/pinpipe-emulate", self);
}

static void test_emulator_output(void **state) {
    (void)state;
    static const char *const RUNS[] = {
        "--seed 3 --count 2000 --days 5 --schema v2 --invalid-rate 20% --extra-field-rate 5%",
        "--seed 11 --count 1000 --start-date 9999-12-30 --days 2 --schema v1 --invalid-rate 30%",
    };
    char emu[2100], cmd[4200];
    emulator_path(emu, sizeof emu);
    assert_int_equal(access(emu, X_OK), 0);
    for (size_t i = 0; i < sizeof RUNS / sizeof RUNS[0]; i++) {
        size_t before = g_checked;
        snprintf(cmd, sizeof cmd, "'%s' %s", emu, RUNS[i]);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        check_stream(p);
        assert_int_equal(pclose(p), 0);
        assert_true(g_checked - before >= 1000 * N_INGEST);
    }
}

#define EV(ts)                                                                                         \
    "{\"index\":1,\"unique_id\":\"u\",\"title\":\"t\",\"description\":\"d\",\"follower_count\":\"1\"," \
    "\"tag_list\":\"a\",\"is_image_or_video\":\"image\",\"image_src\":\"x\",\"downloaded\":1,"         \
    "\"save_location\":\"s\",\"category\":\"c\"" ts "}"

static void test_edge_cases(void **state) {
    (void)state;
    static const char *const CASES[] = {
        EV(""),                                             /* no timestamp: the ingest day */
        EV(",\"timestamp\":\"2026-01-02 03:04:05\""),       /* its own day */
        EV(",\"timestamp\":\"2026-01-02T23:30:00-02:00\""), /* the UTC day, next day */
        EV(",\"timestamp\":\"1970-01-01 00:00:00\""),       /* the first day */
        EV(",\"timestamp\":\"9999-12-31 23:59:59\""),       /* the last day */
        EV(",\"timestamp\":\"9999-12-31T23:00:00-02:00\""), /* past the range after the offset */
        EV(",\"timestamp\":\"1969-12-31 23:59:59\""),       /* before the range */
        EV(",\"timestamp\":\"not a time\""),                /* invalid_timestamp */
        EV(",\"timestamp\":12"),                            /* wrong type */
        EV(",\"timestamp\":null"),
        "{\"unique_id\":\"u\",\"timestamp\":\"2026-03-04 00:00:00\"}",             /* missing fields, readable time */
        "{\"unique_id\":7,\"timestamp\":\"2026-03-04 00:00:00\",\"index\":\"x\"}", /* wrong types */
        "{\"index\":1,\"unique_id\":\"  \",\"title\":\"t\",\"description\":\"d\",\"follower_count\":\"1\","
        "\"tag_list\":\"a\",\"is_image_or_video\":\"image\",\"image_src\":\"x\",\"downloaded\":1,"
        "\"save_location\":\"s\",\"category\":\"c\",\"timestamp\":\"2026-05-06 07:08:09\"}", /* a rule rejects it */
        "{\"timestamp\":\"2026-03-04 00:00:00\"",                                            /* truncated JSON */
        "[\"2026-03-04 00:00:00\"]",                                                         /* not an object */
        "\"timestamp\"",
        "",
        "{\"timestamp\":\"2026-03-04 00:00:00\",\"timestamp\":\"2027-03-04 00:00:00\"}", /* repeated member */
        "{\"timestamp\":\"2026-03-04\\u0020 00:00:00\"}",                                /* an escape */
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) check_bytes(CASES[i], strlen(CASES[i]));
    static const char BAD_UTF8[] = "{\"timestamp\":\"2026-03-04 00:00:00\",\"title\":\"\xff\"}";
    check_bytes(BAD_UTF8, sizeof BAD_UTF8 - 1);
    static const char NUL[] = "{\"timestamp\":\"2026-03-04 00:00:00\"}\0junk";
    check_bytes(NUL, sizeof NUL - 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_corpus),
        cmocka_unit_test(test_emulator_output),
        cmocka_unit_test(test_edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
