/* Roll-ups and top-N of the serving layer (src/serve/serve_period.h): period labels
 * (ISO weeks across year ends), merges by the metric's kind (the engine's pp_agg:
 * counts add, maxima keep the larger), and ranking with ties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event/event_time.h"
#include "serve/serve_period.h"

static int64_t day_ms(const char *d) {
    int64_t ms;
    assert_int_equal(pp_day_parse(d, &ms), 0);
    return ms;
}

static void labels_of_each_group(void **state) {
    (void)state;
    static const struct {
        const char *day;
        pp_serve_group g;
        const char *label;
    } CASES[] = {
        {"2026-01-05", PP_GROUP_DAY, "2026-01-05"}, {"2026-01-05", PP_GROUP_MONTH, "2026-01"},
        {"2026-01-05", PP_GROUP_YEAR, "2026"},      {"2026-01-05", PP_GROUP_ALL, "all"},
        {"2026-01-05", PP_GROUP_WEEK, "2026-W02"}, /* a Monday */
        {"2026-01-04", PP_GROUP_WEEK, "2026-W01"}, /* Sunday: the week of Thursday 1 Jan */
        {"2025-12-29", PP_GROUP_WEEK, "2026-W01"}, /* Monday of 2026's first week */
        {"2027-01-01", PP_GROUP_WEEK, "2026-W53"}, /* Friday: 2026 has 53 ISO weeks */
        {"2024-12-30", PP_GROUP_WEEK, "2025-W01"},  {"2021-01-03", PP_GROUP_WEEK, "2020-W53"},
        {"1970-01-01", PP_GROUP_WEEK, "1970-W01"},  {"9999-12-31", PP_GROUP_DAY, "9999-12-31"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char out[PP_SERVE_PERIOD_MAX];
        pp_serve_period(CASES[i].g, day_ms(CASES[i].day), out);
        if (strcmp(out, CASES[i].label) != 0)
            fail_msg("%s as %s: %s, want %s", CASES[i].day, pp_serve_group_name(CASES[i].g), out, CASES[i].label);
    }
    pp_serve_group g;
    assert_int_equal(pp_serve_group_parse("month", &g), 0);
    assert_int_equal(g, PP_GROUP_MONTH);
    assert_int_equal(pp_serve_group_parse("Month", &g), -1);
    assert_int_equal(pp_serve_group_parse("", &g), -1);
}

/* Adds (day, key, value) rows of metric m rolled up by g, as the engine does. */
static void roll(pp_agg *a, pp_metric_id m, pp_serve_group g, const char *day, const char *key, int64_t v) {
    char period[PP_SERVE_PERIOD_MAX];
    pp_serve_period(g, day_ms(day), period);
    pp_agg_add(a, m, period, key, strlen(key), v);
}

static void counts_add_maxima_keep_the_larger(void **state) {
    (void)state;
    pp_agg *counts = pp_agg_create(), *maxima = pp_agg_create();
    roll(counts, PP_M_PINS_BY_CATEGORY, PP_GROUP_MONTH, "2026-01-01", "art", 5);
    roll(counts, PP_M_PINS_BY_CATEGORY, PP_GROUP_MONTH, "2026-01-31", "art", 7);
    roll(counts, PP_M_PINS_BY_CATEGORY, PP_GROUP_MONTH, "2026-02-01", "art", 1);
    roll(maxima, PP_M_MAX_FOLLOWERS_BY_POSTER, PP_GROUP_MONTH, "2026-01-01", "ann", 500);
    roll(maxima, PP_M_MAX_FOLLOWERS_BY_POSTER, PP_GROUP_MONTH, "2026-01-02", "ann", 300);
    size_t n;
    pp_serve_row *r = pp_serve_rank(counts, 0, &n);
    assert_int_equal(n, 2);
    assert_string_equal(r[0].period, "2026-01");
    assert_int_equal(r[0].value, 12);
    assert_string_equal(r[1].period, "2026-02");
    assert_int_equal(r[1].value, 1);
    free(r);
    r = pp_serve_rank(maxima, 0, &n);
    assert_int_equal(n, 1);
    assert_int_equal(r[0].value, 500);
    free(r);
    pp_agg_destroy(counts);
    pp_agg_destroy(maxima);
}

static void top_n_per_period_ranks_by_value_then_key(void **state) {
    (void)state;
    pp_agg *a = pp_agg_create();
    const char *keys[] = {"b", "a", "c", "d"};
    const int64_t vals[] = {3, 3, 9, 1};
    for (int i = 0; i < 4; i++) {
        roll(a, PP_M_PINS_BY_CATEGORY, PP_GROUP_YEAR, "2025-06-01", keys[i], vals[i]);
        roll(a, PP_M_PINS_BY_CATEGORY, PP_GROUP_YEAR, "2026-06-01", keys[i], vals[3 - i]);
    }
    size_t n;
    pp_serve_row *r = pp_serve_rank(a, 2, &n);
    assert_int_equal(n, 4);
    /* 2025: c 9, then a and b tie at 3: a first (bytewise) */
    assert_string_equal(r[0].period, "2025");
    assert_string_equal(r[0].key, "c");
    assert_string_equal(r[1].key, "a");
    /* 2026 (values reversed): a 9, then c and d tie at 3: c first; b 1 is cut */
    assert_string_equal(r[2].period, "2026");
    assert_string_equal(r[2].key, "a");
    assert_int_equal(r[2].value, 9);
    assert_string_equal(r[3].key, "c");
    free(r);
    r = pp_serve_rank(a, 0, &n);
    assert_int_equal(n, 8);
    free(r);
    pp_agg_destroy(a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(labels_of_each_group),
        cmocka_unit_test(counts_add_maxima_keep_the_larger),
        cmocka_unit_test(top_n_per_period_ranks_by_value_then_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
