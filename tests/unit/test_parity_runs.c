/* Specification of which batch run of a day counts (src/parity/parity_runs.h):
 * runs are ordered by write_ts, which no host clock can turn back, never by run_at;
 * a 'running' row older than the run timeout (by Cassandra's clock) is abandoned;
 * shard runs and their finalize (batch_shard.h) are chosen by the same walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parity/parity_runs.h"
#include "run_rows_support.h"

#define COV "{\"source\":\"lake_group\",\"next_offsets\":{\"0\":10}}"
#define HOUR (3600LL * 1000)
#define NOW_MS 1767312000000LL /* 2026-01-02 */

static pp_parity_run_row row(const char *status, const char *metric, int64_t run_at_ms, int64_t write_ts,
                             int64_t age_ms) {
    pp_parity_run_row r = {.status = status, .metric = metric, .coverage = COV, .read = "{}", .host = "h"};
    r.write_ts = write_ts;
    r.run_at_ms = run_at_ms;
    r.age_ms = age_ms;
    r.day = "2026-01-02";
    r.written_ms = r.objects = r.bytes = r.records_read = -1;
    return r;
}

static void a_fast_clock_running_row_does_not_hide_later_runs(void **state) {
    (void)state;
    /* host A, 5 h ahead, began a run and died; host B ran the day afterwards: its
     * write_ts was claimed above A's, though its run_at is 5 h earlier */
    int64_t fast = NOW_MS + 5 * HOUR;
    pp_parity_run_row rows[] = {
        row("running", NULL, fast, fast * 1000, 60000),
        row("done", NULL, NOW_MS, fast * 1000 + 1, 1000),
    };
    long chosen;
    char note[160];
    assert_int_equal(pp_parity_pick_run(rows, 2, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note),
                     PP_DAY_RUN_DONE);
    assert_int_equal(chosen, 1);
}

static void the_newest_run_by_write_ts_decides(void **state) {
    (void)state;
    long chosen;
    char note[160];
    /* a run that began after the done one (larger write_ts) and is still going */
    pp_parity_run_row going[] = {row("done", NULL, NOW_MS, 100, 1000), row("running", NULL, NOW_MS - HOUR, 200, 1000)};
    assert_int_equal(pp_parity_pick_run(going, 2, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note),
                     PP_DAY_RUN_RUNNING);
    assert_int_equal(chosen, -1);
    assert_non_null(strstr(note, "on host h"));
    /* a failed newest run */
    pp_parity_run_row failed[] = {row("done", NULL, NOW_MS, 100, 1000), row("failed", NULL, NOW_MS, 101, 1000)};
    assert_int_equal(pp_parity_pick_run(failed, 2, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note),
                     PP_DAY_RUN_FAILED);
    /* an older running row (smaller write_ts) is history */
    pp_parity_run_row old[] = {row("running", NULL, NOW_MS + HOUR, 50, 1000), row("done", NULL, NOW_MS, 100, 1000)};
    assert_int_equal(pp_parity_pick_run(old, 2, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note), PP_DAY_RUN_DONE);
    assert_int_equal(chosen, 1);
}

static void a_running_row_past_the_timeout_is_abandoned(void **state) {
    (void)state;
    long chosen;
    char note[160];
    pp_parity_run_row rows[] = {row("done", NULL, NOW_MS, 100, 8 * HOUR), row("running", NULL, NOW_MS, 200, 7 * HOUR)};
    assert_int_equal(pp_parity_pick_run(rows, 2, 6 * HOUR, &chosen, note, sizeof note), PP_DAY_RUN_ABANDONED);
    assert_int_equal(chosen, -1);
    assert_int_equal(pp_parity_pick_run(rows, 2, 8 * HOUR, &chosen, note, sizeof note), PP_DAY_RUN_RUNNING);
}

static void a_metric_backfill_keeps_the_full_runs_coverage(void **state) {
    (void)state;
    long chosen;
    char note[160];
    pp_parity_run_row rows[] = {row("done", NULL, NOW_MS, 100, 1000), row("done", "pins_by_tag", NOW_MS, 200, 1000)};
    assert_int_equal(pp_parity_pick_run(rows, 2, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note),
                     PP_DAY_RUN_DONE);
    assert_int_equal(chosen, 0);
    rows[0].coverage = "{\"source\":\"none\"}";
    assert_int_equal(pp_parity_pick_run(rows, 2, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note),
                     PP_DAY_RUN_NO_COVERAGE);
    assert_int_equal(pp_parity_pick_run(rows, 0, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note),
                     PP_DAY_RUN_NONE);
}

static void rows_without_write_ts_are_the_oldest_and_tie_on_run_at(void **state) {
    (void)state;
    long chosen;
    char note[160];
    pp_parity_run_row rows[] = {row("failed", NULL, NOW_MS, -1, 1000), row("done", NULL, NOW_MS - HOUR, 5, 1000),
                                row("done", NULL, NOW_MS - 2 * HOUR, -1, 1000)};
    assert_int_equal(pp_parity_pick_run(rows, 3, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note),
                     PP_DAY_RUN_DONE);
    assert_int_equal(chosen, 1);
    rows[1].write_ts = -1; /* all null: run_at decides (rows of an older pinpipe) */
    assert_int_equal(pp_parity_pick_run(rows, 3, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note),
                     PP_DAY_RUN_FAILED);
}

/* Sharded days (batch_shard.h): one table of cases, rows oldest first. */
static void shard_runs_and_finalize_pick_like_a_single_run(void **state) {
    (void)state;
    static const struct {
        const char *name, *rows;
        pp_day_run want;
        long chosen;
        const char *note; /* in the note, or NULL */
    } cases[] = {
        {"shards then finalize: the finalize is the full run", "done:0/2 done:1/2 done:all/2", PP_DAY_RUN_DONE, 2,
         NULL},
        {"a shard re-run after the finalize", "done:0/2 done:1/2 done:all/2 done:1/2", PP_DAY_RUN_FINALIZE_PENDING, -1,
         "shard 1/2"},
        {"shards done, never finalized", "done:0/2 done:1/2", PP_DAY_RUN_FINALIZE_PENDING, -1, "shard 1/2"},
        {"shards after a single-process run, not finalized", "done:- done:0/3", PP_DAY_RUN_FINALIZE_PENDING, -1, "0/3"},
        {"a shard running after the finalize", "done:0/2 done:1/2 done:all/2 running:0/2", PP_DAY_RUN_RUNNING, -1,
         "shard 0/2"},
        {"a shard failed after a single-process run", "done:- failed:1/2", PP_DAY_RUN_FAILED, -1, "shard 1/2"},
        {"a single-process run after shards replaces them", "done:0/2 running:1/2 done:-", PP_DAY_RUN_DONE, 2, NULL},
        {"a finalize still running", "done:0/2 done:1/2 running:all/2", PP_DAY_RUN_RUNNING, -1, NULL},
        {"shards older than a single-process run are history", "done:0/2 failed:1/2 done:-", PP_DAY_RUN_DONE, 2, NULL},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        pp_parity_run_row rows[RUN_ROWS_MAX];
        size_t n = run_rows(cases[c].rows, rows, COV);
        long chosen;
        char note[160];
        pp_day_run got = pp_parity_pick_run(rows, n, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note);
        if (got != cases[c].want || chosen != cases[c].chosen || (cases[c].note && !strstr(note, cases[c].note)))
            fail_msg("%s: state %d chosen %ld note '%s'; want %d, %ld, '%s'", cases[c].name, (int)got, chosen, note,
                     (int)cases[c].want, cases[c].chosen, cases[c].note ? cases[c].note : "");
    }
    /* a --metric back-fill newer than the finalize is passed over as before */
    pp_parity_run_row rows[RUN_ROWS_MAX];
    size_t n = run_rows("done:0/2 done:1/2 done:all/2 done:-", rows, COV);
    rows[3].metric = "pins_by_tag";
    long chosen;
    char note[160];
    assert_int_equal(pp_parity_pick_run(rows, n, PP_PARITY_RUN_TIMEOUT_MS, &chosen, note, sizeof note),
                     PP_DAY_RUN_DONE);
    assert_int_equal(chosen, 2);
}

static void the_run_kind_is_read_from_the_shard_column(void **state) {
    (void)state;
    assert_int_equal(pp_parity_run_kind(NULL), PP_RUN_KIND_FULL);
    assert_int_equal(pp_parity_run_kind(""), PP_RUN_KIND_FULL);
    assert_int_equal(pp_parity_run_kind("0/2"), PP_RUN_KIND_SHARD);
    assert_int_equal(pp_parity_run_kind("all/2"), PP_RUN_KIND_FINALIZE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_fast_clock_running_row_does_not_hide_later_runs),
        cmocka_unit_test(the_newest_run_by_write_ts_decides),
        cmocka_unit_test(a_running_row_past_the_timeout_is_abandoned),
        cmocka_unit_test(a_metric_backfill_keeps_the_full_runs_coverage),
        cmocka_unit_test(rows_without_write_ts_are_the_oldest_and_tie_on_run_at),
        cmocka_unit_test(shard_runs_and_finalize_pick_like_a_single_run),
        cmocka_unit_test(the_run_kind_is_read_from_the_shard_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
