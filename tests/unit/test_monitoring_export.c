/* Specification of what the jobs and daemons hand to Prometheus beyond their own
 * counters (docs/monitoring.md):
 *   - a prom_hist renders cumulative buckets in seconds, +Inf equal to _count;
 *   - a text file is replaced whole (no temporary left), readable by others, and a
 *     value is read back by its exact name;
 *   - the batch export says success, duration, records and finish time, and never lets
 *     the newest successful run or the newest done day go back (a failed run, a
 *     back-fill of an older day);
 *   - the parity export gives each day's verdict, bounded to the newest 31 days;
 *   - the lake's oldest unflushed age is 0 with nothing open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "text_test_support.h"

#include "batch/batch_export.h"
#include "common/prom_hist.h"
#include "common/prom_textfile.h"
#include "lake/lake_stats.h"
#include "parity/parity_export.h"

static void test_histogram_is_cumulative_in_seconds(void **state) {
    (void)state;
    static const int B[] = {10, 100, 1000};
    pp_prom_hist h;
    pp_prom_hist_init(&h, B, 3);
    static const int64_t MS[] = {-5, 10, 11, 999, 5000};
    for (size_t i = 0; i < 5; i++) pp_prom_hist_observe(&h, MS[i]);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_prom_hist_render(&h, "x_seconds", "help text", &sb);
    assert_has_line(sb.data, "# HELP x_seconds help text");
    assert_has_line(sb.data, "# TYPE x_seconds histogram");
    assert_has_line(sb.data, "x_seconds_bucket{le=\"0.01\"} 2"); /* -5 counts as 0; le inclusive */
    assert_has_line(sb.data, "x_seconds_bucket{le=\"0.1\"} 3");
    assert_has_line(sb.data, "x_seconds_bucket{le=\"1\"} 4");
    assert_has_line(sb.data, "x_seconds_bucket{le=\"+Inf\"} 5");
    assert_has_line(sb.data, "x_seconds_count 5");
    assert_has_line(sb.data, "x_seconds_sum 6.02");
    pp_sb_free(&sb);
}

static char *slurp(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    pp_strbuf sb;
    pp_sb_init(&sb);
    assert_int_equal(pp_sb_append_file(&sb, path), 0);
    return pp_sb_steal(&sb);
}

static int count_entries(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    assert_int_equal(fscanf(p, "%d", &n), 1);
    pclose(p);
    return n;
}

static int setup_dir(void **state) {
    char *d = strdup("/tmp/pp_textfile_XXXXXX");
    if (!mkdtemp(d)) return -1;
    *state = d;
    return 0;
}

static int teardown_dir(void **state) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
    int rc = system(cmd);
    free(*state);
    return rc;
}

static void test_textfile_is_replaced_whole_and_read_back(void **state) {
    const char *dir = *state;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_sb_puts(&sb, "a_total 1\na_total_more 7\na 2.5\n");
    char err[256];
    assert_int_equal(pp_prom_textfile_write(dir, "x.prom", &sb, err, sizeof err), 0);
    pp_sb_reset(&sb);
    pp_sb_puts(&sb, "a 3.5\n");
    assert_int_equal(pp_prom_textfile_write(dir, "x.prom", &sb, err, sizeof err), 0);
    pp_sb_free(&sb);
    assert_int_equal(count_entries(dir), 1); /* no temporary left behind */
    char path[512];
    snprintf(path, sizeof path, "%s/x.prom", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    double v = 0;
    assert_int_equal(pp_prom_textfile_read_value(dir, "x.prom", "a", &v), 0);
    assert_true(v == 3.5);
    assert_int_equal(pp_prom_textfile_read_value(dir, "x.prom", "a_total", &v), -7); /* PP_ENOTFOUND */
    assert_int_equal(pp_prom_textfile_read_value(dir, "missing.prom", "a", &v), -7);
    assert_int_not_equal(pp_prom_textfile_write("/nonexistent/dir", "x.prom", &sb, err, sizeof err), 0);
    assert_non_null(strstr(err, "/nonexistent/dir"));
}

static void test_batch_export_keeps_the_newest_success_and_day(void **state) {
    const char *dir = *state;
    char err[256];
    pp_batch_report r = {.days = 2, .days_done = 2, .records = 1234};
    snprintf(r.newest_done, sizeof r.newest_done, "2026-01-02");
    assert_int_equal(pp_batch_export_write(dir, &r, 1, 1000.0, 1012.5, err, sizeof err), 0);
    char *t = slurp(dir, PP_BATCH_TEXTFILE);
    assert_has_line(t, "pinpipe_batch_last_run_success 1.000");
    assert_has_line(t, "pinpipe_batch_last_run_duration_seconds 12.500");
    assert_has_line(t, "pinpipe_batch_last_run_finish_timestamp_seconds 1012.500");
    assert_has_line(t, "pinpipe_batch_last_run_records 1234.000");
    assert_has_line(t, "pinpipe_batch_last_run_days{result=\"done\"} 2");
    assert_has_line(t, "pinpipe_batch_last_run_days{result=\"not_done\"} 0");
    assert_has_line(t, "pinpipe_batch_last_success_timestamp_seconds 1012.500");
    assert_has_line(t, "pinpipe_batch_newest_done_day_timestamp_seconds 1767312000.000"); /* 2026-01-02 */
    free(t);
    /* a failed back-fill of an older day: the run fails, nothing goes back */
    pp_batch_report old = {.days = 3, .days_done = 1, .records = 10};
    snprintf(old.newest_done, sizeof old.newest_done, "2025-12-01");
    assert_int_equal(pp_batch_export_write(dir, &old, 0, 2000.0, 2001.0, err, sizeof err), 0);
    t = slurp(dir, PP_BATCH_TEXTFILE);
    assert_has_line(t, "pinpipe_batch_last_run_success 0.000");
    assert_has_line(t, "pinpipe_batch_last_run_days{result=\"not_done\"} 2");
    assert_has_line(t, "pinpipe_batch_last_success_timestamp_seconds 1012.500");
    assert_has_line(t, "pinpipe_batch_newest_done_day_timestamp_seconds 1767312000.000");
    free(t);
}

static void test_batch_export_without_any_success_has_no_success_series(void **state) {
    (void)state;
    pp_batch_report r = {.days = 1};
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_batch_export_render(&r, 0, 10, 11, -1, -1, &sb);
    assert_has_line(sb.data, "pinpipe_batch_last_run_success 0.000");
    assert_no_text(sb.data, "pinpipe_batch_last_success_timestamp_seconds");
    assert_no_text(sb.data, "pinpipe_batch_newest_done_day_timestamp_seconds");
    pp_sb_free(&sb);
}

static void test_parity_export_gives_each_day_bounded(void **state) {
    (void)state;
    pp_parity_day_verdict v[40];
    memset(v, 0, sizeof v);
    for (int i = 0; i < 40; i++) {
        /* unsigned and % 100: the compiler sees two digits fit */
        snprintf(v[i].day, sizeof v[i].day, "2026-01-%02u", (unsigned)(i < 31 ? i + 1 : 1) % 100u);
        if (i >= 31) snprintf(v[i].day, sizeof v[i].day, "2026-02-%02u", (unsigned)(i - 30) % 100u);
    }
    v[38].status = PP_PARITY_DAY_DIFFERENT;
    v[38].differences = 3;
    v[37].status = PP_PARITY_DAY_SKIPPED;
    v[36].status = PP_PARITY_DAY_INCOMPLETE;
    v[0].status = PP_PARITY_DAY_DIFFERENT; /* outside the newest 31: only in the totals */
    v[0].differences = 2;
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_parity_export_render(v, 40, 1, 99.0, &sb);
    assert_has_line(sb.data, "pinpipe_parity_last_run_success 0");
    assert_has_line(sb.data, "pinpipe_parity_last_run_differences 5");
    assert_has_line(sb.data, "pinpipe_parity_last_run_days{status=\"equal\"} 36");
    assert_has_line(sb.data, "pinpipe_parity_last_run_days{status=\"different\"} 2");
    assert_has_line(sb.data, "pinpipe_parity_last_run_days{status=\"incomplete\"} 1");
    assert_has_line(sb.data, "pinpipe_parity_last_run_days{status=\"skipped\"} 1");
    assert_has_line(sb.data, "pinpipe_parity_day_ok{day=\"2026-02-08\"} 0");
    assert_has_line(sb.data, "pinpipe_parity_day_differences{day=\"2026-02-08\"} 3");
    assert_has_line(sb.data, "pinpipe_parity_day_ok{day=\"2026-02-07\"} -1");
    assert_has_line(sb.data, "pinpipe_parity_day_ok{day=\"2026-02-06\"} 0");
    assert_has_line(sb.data, "pinpipe_parity_day_ok{day=\"2026-02-09\"} 1");
    assert_has_line(sb.data, "pinpipe_parity_day_ok{day=\"2026-01-10\"} 1");
    assert_no_text(sb.data, "day=\"2026-01-09\""); /* the 41st newest and older are left out */
    assert_no_text(sb.data, "day=\"2026-01-01\"");
    size_t lines = 0;
    for (const char *p = sb.data; (p = strstr(p, "pinpipe_parity_day_ok{")) != NULL; p++) lines++;
    assert_int_equal(lines, PP_PARITY_EXPORT_MAX_DAYS);
    pp_sb_free(&sb);
}

static void test_lake_oldest_unflushed_age(void **state) {
    (void)state;
    pp_lake_stats s;
    pp_lake_stats_init(&s);
    atomic_store(&s.max_age_ms, 10000);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_lake_stats_render(&s, &sb);
    assert_has_line(sb.data, "pinpipe_lake_oldest_unflushed_age_seconds 0");
    assert_has_line(sb.data, "pinpipe_lake_max_object_age_seconds 10");
    pp_sb_free(&sb);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_histogram_is_cumulative_in_seconds),
        cmocka_unit_test_setup_teardown(test_textfile_is_replaced_whole_and_read_back, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(test_batch_export_keeps_the_newest_success_and_day, setup_dir, teardown_dir),
        cmocka_unit_test(test_batch_export_without_any_success_has_no_success_series),
        cmocka_unit_test(test_parity_export_gives_each_day_bounded),
        cmocka_unit_test(test_lake_oldest_unflushed_age),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
