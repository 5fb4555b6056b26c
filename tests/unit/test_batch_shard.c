/* Specification of a day split by Kafka partition (src/batch/batch_shard.h): the
 * --shard text, which partitions a shard owns, which shard runs a finalize merges
 * (or why it refuses), and the finalize's coverage as the union of the shards'. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch/batch_shard.h"
#include "metrics/aggregate.h"
#include "run_rows_support.h"

static void the_shard_text_is_i_of_n(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int ok, index, count;
    } cases[] = {
        {"0/1", 1, 0, 1},  {"2/3", 1, 2, 3},     {"1023/1024", 1, 1023, 1024},
        {"3/3", 0, 0, 0},  {"0/0", 0, 0, 0},     {"0/1025", 0, 0, 0},
        {"-1/2", 0, 0, 0}, {"1/", 0, 0, 0},      {"/2", 0, 0, 0},
        {"1 /2", 0, 0, 0}, {"1/2x", 0, 0, 0},    {"12", 0, 0, 0},
        {"", 0, 0, 0},     {"00001/2", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pp_batch_shard sh = {-7, -7};
        int rc = pp_batch_shard_parse(cases[i].text, &sh);
        if ((rc == 0) != cases[i].ok) fail_msg("'%s': parse %d", cases[i].text, rc);
        if (cases[i].ok && (sh.index != cases[i].index || sh.count != cases[i].count)) fail_msg("'%s'", cases[i].text);
    }
    assert_int_equal(pp_batch_shard_parse(NULL, &(pp_batch_shard){0, 0}), -1);
    char buf[24];
    pp_batch_shard_format(&(pp_batch_shard){2, 3}, buf, sizeof buf);
    assert_string_equal(buf, "2/3");
    pp_batch_shard_format(&(pp_batch_shard){-1, 3}, buf, sizeof buf);
    assert_string_equal(buf, "all/3");
    pp_batch_shard_format(&(pp_batch_shard){0, 0}, buf, sizeof buf);
    assert_string_equal(buf, "");
}

static void every_partition_belongs_to_exactly_one_shard(void **state) {
    (void)state;
    for (int n = 1; n <= 7; n++)
        for (int32_t p = 0; p < 40; p++) {
            int owners = 0;
            for (int i = 0; i < n; i++) {
                pp_batch_shard sh = {i, n};
                if (pp_batch_shard_owns(&sh, p)) {
                    owners++;
                    assert_int_equal(p % n, i);
                }
            }
            assert_int_equal(owners, 1);
        }
    pp_batch_shard whole = {0, 0};
    assert_true(pp_batch_shard_owns(&whole, 5));
    pp_batch_shard one = {0, 2};
    assert_false(pp_batch_shard_owns(&one, -1)); /* no partition: nobody's share */
}

static void a_finalize_takes_each_shards_newest_done_run_or_refuses(void **state) {
    (void)state;
    static const struct {
        const char *name, *rows;
        int shards;
        long chosen[3];      /* when accepted */
        const char *refusal; /* in why, or NULL: accepted */
    } cases[] = {
        {"every shard done", "done:0/2 done:1/2", 2, {0, 1}, NULL},
        {"the newest run of a shard counts", "done:0/2 done:1/2 done:0/2", 2, {2, 1}, NULL},
        {"a re-run after a finalize", "done:0/2 done:1/2 done:all/2 done:1/2", 2, {0, 3}, NULL},
        {"one shard", "done:0/1", 1, {0}, NULL},
        {"another layout before: harmless", "done:0/3 done:0/2 done:1/2", 2, {1, 2}, NULL},
        {"a shard missing", "done:0/2", 2, {0}, "shard 1/2 has no run"},
        {"no runs at all", "", 3, {0}, "shard 0/3 has no run"},
        {"a shard running", "done:0/2 running:1/2", 2, {0}, "shard 1/2: its newest run is 'running'"},
        {"a shard's newest run failed",
         "done:0/2 done:1/2 failed:1/2",
         2,
         {0},
         "shard 1/2: its newest run is 'failed'"},
        {"a shard older than the single-process run",
         "done:0/2 done:- done:1/2",
         2,
         {0},
         "shard 0/2 has no run since the day's last single-process run"},
        {"another layout in between", "done:0/2 done:0/3 done:1/2", 2, {0}, "shard run 0/3 (of another layout)"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        pp_parity_run_row rows[RUN_ROWS_MAX];
        size_t n = run_rows(cases[c].rows, rows, NULL);
        long chosen[3];
        char why[512];
        int rc = pp_batch_finalize_pick(rows, n, cases[c].shards, chosen, why, sizeof why);
        if (cases[c].refusal) {
            if (rc == 0 || !strstr(why, cases[c].refusal)) fail_msg("%s: rc %d why '%s'", cases[c].name, rc, why);
            continue;
        }
        if (rc != 0) fail_msg("%s: refused: %s", cases[c].name, why);
        for (int s = 0; s < cases[c].shards; s++)
            if (chosen[s] != cases[c].chosen[s]) fail_msg("%s: shard %d chose %ld", cases[c].name, s, chosen[s]);
    }
}

static void the_finalize_coverage_takes_each_partition_from_its_owner(void **state) {
    (void)state;
    pp_parity_run_row rows[RUN_ROWS_MAX], a, b;
    run_rows("done:0/2 done:1/2", rows, NULL);
    a = rows[0];
    b = rows[1];
    a.coverage = "{\"source\":\"lake_group\",\"group\":\"g\",\"next_offsets\":{\"0\":10,\"1\":5,\"2\":7}}";
    b.coverage = "{\"source\":\"lake_group\",\"group\":\"g\",\"next_offsets\":{\"0\":99,\"1\":6,\"2\":99,\"3\":4}}";
    a.read = "{\"pins\":{\"0\":10,\"2\":7}}";
    b.read = "{\"pins\":{\"1\":6}}";
    const pp_parity_run_row *runs[] = {&a, &b};
    char *cov, *rd;
    pp_batch_shard_union(runs, 2, &cov, &rd);
    assert_string_equal(
        cov, "{\"group\":\"g\",\"next_offsets\":{\"0\":10,\"1\":6,\"2\":7,\"3\":4},\"source\":\"lake_group\"}");
    assert_string_equal(rd, "{\"pins\":{\"0\":10,\"1\":6,\"2\":7}}");
    free(cov);
    free(rd);
    b.coverage = "{\"source\":\"none\"}";
    pp_batch_shard_union(runs, 2, &cov, &rd);
    assert_string_equal(cov, "{\"source\":\"none\"}");
    free(cov);
    free(rd);
}

/* The finalize's merge is the engine's (aggregate.h): the shards' tables merged equal
 * the whole day's table, for counts, sums and maxima alike. */
static void merged_shard_tables_equal_the_whole_days(void **state) {
    (void)state;
    static const struct {
        int32_t partition;
        pp_metric_id metric;
        const char *key;
        int64_t value;
    } adds[] = {
        {0, PP_M_PINS_BY_CATEGORY, "art", 1},          {1, PP_M_PINS_BY_CATEGORY, "art", 1},
        {2, PP_M_PINS_BY_CATEGORY, "diy", 1},          {0, PP_M_MAX_FOLLOWERS_BY_POSTER, "ann", 40},
        {1, PP_M_MAX_FOLLOWERS_BY_POSTER, "ann", 900}, {2, PP_M_MAX_FOLLOWERS_BY_POSTER, "ann", 7},
    };
    for (int n = 1; n <= 3; n++) {
        pp_agg *whole = pp_agg_create(), *merged = pp_agg_create();
        for (int i = 0; i < n; i++) {
            pp_agg *shard = pp_agg_create();
            pp_batch_shard sh = {i, n};
            for (size_t k = 0; k < sizeof adds / sizeof adds[0]; k++)
                if (pp_batch_shard_owns(&sh, adds[k].partition))
                    pp_agg_add(shard, adds[k].metric, "2026-01-02", adds[k].key, strlen(adds[k].key), adds[k].value);
            pp_agg_merge(merged, shard);
            pp_agg_destroy(shard);
        }
        for (size_t k = 0; k < sizeof adds / sizeof adds[0]; k++)
            pp_agg_add(whole, adds[k].metric, "2026-01-02", adds[k].key, strlen(adds[k].key), adds[k].value);
        size_t nw, nm;
        pp_agg_entry *w = pp_agg_sorted(whole, &nw), *m = pp_agg_sorted(merged, &nm);
        assert_int_equal(nw, nm);
        for (size_t i = 0; i < nw; i++) {
            assert_int_equal(pp_agg_entry_cmp(&w[i], &m[i]), 0);
            assert_int_equal(w[i].value, m[i].value);
        }
        free(w);
        free(m);
        pp_agg_destroy(whole);
        pp_agg_destroy(merged);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_shard_text_is_i_of_n),
        cmocka_unit_test(every_partition_belongs_to_exactly_one_shard),
        cmocka_unit_test(a_finalize_takes_each_shards_newest_done_run_or_refuses),
        cmocka_unit_test(the_finalize_coverage_takes_each_partition_from_its_owner),
        cmocka_unit_test(merged_shard_tables_equal_the_whole_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
