/* The join's analyses (src/serve/serve_join.h): exact medians computed by hand (odd,
 * even, a single value, ties in the counts), argmax with ties, and each analysis over
 * the figures of fixtures/join/README.md (expected.jsonl), on two periods. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "serve/serve_join.h"

static int64_t median2(const int64_t *v, const int64_t *c, size_t n, int64_t *total) {
    int64_t vals[16], counts[16];
    for (size_t i = 0; i < n; i++) vals[i] = v[i], counts[i] = c[i];
    return pp_serve_median2(vals, counts, n, total);
}

static void medians_are_exact(void **state) {
    (void)state;
    int64_t total;
    /* odd: 10 500 2000 -> 500 */
    assert_int_equal(median2((int64_t[]){2000, 10, 500}, (int64_t[]){1, 1, 1}, 3, &total), 1000);
    assert_int_equal(total, 3);
    /* even: 500 2000 -> 1250 */
    assert_int_equal(median2((int64_t[]){2000, 500}, (int64_t[]){1, 1}, 2, &total), 2500);
    /* even, a half: 1 2 3 4 -> 2.5 */
    assert_int_equal(median2((int64_t[]){4, 3, 2, 1}, (int64_t[]){1, 1, 1, 1}, 4, &total), 5);
    /* a single value */
    assert_int_equal(median2((int64_t[]){1000}, (int64_t[]){1}, 1, &total), 2000);
    assert_int_equal(total, 1);
    /* ties: 10 10 20 30 -> positions 2 and 3: 10 and 20 -> 15 */
    assert_int_equal(median2((int64_t[]){30, 10, 20}, (int64_t[]){1, 2, 1}, 3, &total), 30);
    assert_int_equal(total, 4);
    /* ties across the middle: 5 5 5 9 -> 5 */
    assert_int_equal(median2((int64_t[]){9, 5}, (int64_t[]){1, 3}, 2, &total), 10);
    /* one value many times: 7 x 5 -> 7 */
    assert_int_equal(median2((int64_t[]){7}, (int64_t[]){5}, 1, &total), 14);
    /* nothing */
    assert_int_equal(median2(NULL, NULL, 0, &total), 0);
    assert_int_equal(total, 0);
}

static void add(pp_agg *a, pp_metric_id m, const char *period, const char *key, int64_t v) {
    pp_agg_add(a, m, period, key, strlen(key), v);
}

/* The rows of the fixture's 2026-03-01 under period p. */
static void fixture(pp_agg *a, const char *p) {
    add(a, PP_M_FOLLOWERS_BY_AGE_GROUP, p, "[\"18-24\",10]", 1);
    add(a, PP_M_FOLLOWERS_BY_AGE_GROUP, p, "[\"25-35\",1000]", 1);
    add(a, PP_M_FOLLOWERS_BY_AGE_GROUP, p, "[\"36-50\",2000]", 1);
    add(a, PP_M_FOLLOWERS_BY_AGE_GROUP, p, "[\"36-50\",500]", 1);
    add(a, PP_M_FOLLOWERS_BY_AGE_GROUP, p, "[\"50+\",6000]", 1);
    add(a, PP_M_FOLLOWERS_BY_JOIN_YEAR, p, "[2015,1000]", 1);
    add(a, PP_M_FOLLOWERS_BY_JOIN_YEAR, p, "[2016,2000]", 1);
    add(a, PP_M_FOLLOWERS_BY_JOIN_YEAR, p, "[2016,500]", 1);
    add(a, PP_M_FOLLOWERS_BY_JOIN_YEAR, p, "[2018,6000]", 1);
    add(a, PP_M_FOLLOWERS_BY_JOIN_YEAR, p, "[null,10]", 1);
    add(a, PP_M_JOIN_UNMATCHED, p, "geo", 2);
    add(a, PP_M_JOIN_UNMATCHED, p, "user", 2);
    add(a, PP_M_MAX_FOLLOWERS_BY_COUNTRY_USER, p, "[\"France\",\"Ada Lovelace\"]", 1000);
    add(a, PP_M_MAX_FOLLOWERS_BY_COUNTRY_USER, p, "[\"France\",\"Bob Ray\"]", 2000);
    add(a, PP_M_MAX_FOLLOWERS_BY_COUNTRY_USER, p, "[\"France\",\"Eve Ng\"]", 6000);
    add(a, PP_M_MAX_FOLLOWERS_BY_COUNTRY_USER, p, "[\"France\",\"Ivy Ho\"]", 10);
    add(a, PP_M_POSTS_BY_AGE_GROUP_CATEGORY, p, "[\"36-50\",\"art\"]", 1);
    add(a, PP_M_POSTS_BY_AGE_GROUP_CATEGORY, p, "[null,\"travel\"]", 1);
    add(a, PP_M_POSTS_BY_COUNTRY_CATEGORY, p, "[\"France\",\"art\"]", 3);
    add(a, PP_M_POSTS_BY_COUNTRY_CATEGORY, p, "[\"France\",\"food\"]", 2);
    add(a, PP_M_POSTS_BY_COUNTRY_CATEGORY, p, "[null,\"travel\"]", 1);
    add(a, PP_M_POSTS_JOINED, p, "all", 6);
    add(a, PP_M_PINS_TOTAL, p, "all", 7);
    add(a, PP_M_USERS_BY_JOIN_YEAR, p, "(null)", 1);
    add(a, PP_M_USERS_BY_JOIN_YEAR, p, "2014", 1);
    add(a, PP_M_USERS_BY_JOIN_YEAR, p, "2016", 1);
}

/* The table as JSON arrays, one per row: ["period",cell,...] joined by spaces. */
static void table_text(pp_serve_join_analysis an, const pp_agg *a, pp_strbuf *out) {
    pp_serve_join_table t;
    pp_serve_join_compute(an, a, &t);
    for (size_t r = 0; r < t.nrows; r++) {
        pp_sb_puts(out, r ? " [" : "[");
        for (size_t c = 0; c <= t.ncols; c++) {
            if (c) pp_sb_putc(out, ',');
            pp_serve_join_cell_json(&t, &t.cells[r * (t.ncols + 1) + c], out);
        }
        pp_sb_putc(out, ']');
    }
    pp_serve_join_table_free(&t);
}

static void expect(pp_serve_join_analysis an, const pp_agg *a, const char *want) {
    pp_strbuf got;
    pp_sb_init(&got);
    table_text(an, a, &got);
    if (strcmp(got.len ? got.data : "", want) != 0)
        fail_msg("%s:\n got  %s\n want %s", PP_SERVE_JOIN[an].name, got.len ? got.data : "", want);
    pp_sb_free(&got);
}

static void the_fixture_gives_the_hand_computed_answers(void **state) {
    (void)state;
    pp_agg *a = pp_agg_create();
    fixture(a, "2026-03-01");
    fixture(a, "2026-03-01"); /* the same day twice: counts double, medians and maxima stay */
    add(a, PP_M_PINS_TOTAL, "2026-03-02", "all", 1);
    fixture(a, "2026-W10");
    expect(PP_JA_TOP_CATEGORY_BY_COUNTRY, a,
           "[\"2026-03-01\",\"France\",\"art\",6] [\"2026-03-01\",null,\"travel\",2] "
           "[\"2026-W10\",\"France\",\"art\",3] [\"2026-W10\",null,\"travel\",1]");
    expect(PP_JA_TOP_USER_BY_COUNTRY, a,
           "[\"2026-03-01\",\"France\",\"Eve Ng\",6000] [\"2026-W10\",\"France\",\"Eve Ng\",6000]");
    expect(PP_JA_MEDIAN_FOLLOWERS_BY_AGE_GROUP, a,
           "[\"2026-03-01\",\"18-24\",10,2] [\"2026-03-01\",\"25-35\",1000,2] [\"2026-03-01\",\"36-50\",1250,4] "
           "[\"2026-03-01\",\"50+\",6000,2] [\"2026-W10\",\"18-24\",10,1] [\"2026-W10\",\"25-35\",1000,1] "
           "[\"2026-W10\",\"36-50\",1250,2] [\"2026-W10\",\"50+\",6000,1]");
    expect(PP_JA_MEDIAN_FOLLOWERS_BY_JOIN_YEAR, a,
           "[\"2026-03-01\",2015,1000,2] [\"2026-03-01\",2016,1250,4] [\"2026-03-01\",2018,6000,2] "
           "[\"2026-03-01\",null,10,2] [\"2026-W10\",2015,1000,1] [\"2026-W10\",2016,1250,2] "
           "[\"2026-W10\",2018,6000,1] [\"2026-W10\",null,10,1]");
    expect(PP_JA_USERS_BY_JOIN_YEAR, a,
           "[\"2026-03-01\",2014,2] [\"2026-03-01\",2016,2] [\"2026-03-01\",null,2] [\"2026-W10\",2014,1] "
           "[\"2026-W10\",2016,1] [\"2026-W10\",null,1]");
    expect(PP_JA_POSTS_BY_AGE_GROUP_CATEGORY, a,
           "[\"2026-03-01\",\"36-50\",\"art\",2] [\"2026-03-01\",null,\"travel\",2] "
           "[\"2026-W10\",\"36-50\",\"art\",1] [\"2026-W10\",null,\"travel\",1]");
    /* a period with pins and no join: every pin unmatched */
    expect(PP_JA_JOIN_QUALITY, a, "[\"2026-03-01\",14,12,2,4,4] [\"2026-03-02\",1,0,1,0,0] [\"2026-W10\",7,6,1,2,2]");
    pp_agg_destroy(a);
}

static void ties_and_odd_keys(void **state) {
    (void)state;
    pp_agg *a = pp_agg_create();
    /* ties: the smallest key bytewise */
    add(a, PP_M_POSTS_BY_COUNTRY_CATEGORY, "all", "[\"Spain\",\"b\"]", 2);
    add(a, PP_M_POSTS_BY_COUNTRY_CATEGORY, "all", "[\"Spain\",\"a\"]", 2);
    add(a, PP_M_POSTS_BY_COUNTRY_CATEGORY, "all", "[\"Spain\",null]", 2);
    /* a country with a comma, a quote and an escape stays one group */
    add(a, PP_M_POSTS_BY_COUNTRY_CATEGORY, "all", "[\"Korea, \\\"South\\\"\",\"x\"]", 1);
    add(a, PP_M_POSTS_BY_COUNTRY_CATEGORY, "all", "[\"Korea, \\\"South\\\"\",\"y\"]", 4);
    /* not a two-member array: skipped */
    add(a, PP_M_POSTS_BY_COUNTRY_CATEGORY, "all", "France", 9);
    add(a, PP_M_MAX_FOLLOWERS_BY_COUNTRY_USER, "all", "[\"Chile\",\"Zoe\"]", 50);
    add(a, PP_M_MAX_FOLLOWERS_BY_COUNTRY_USER, "all", "[\"Chile\",\"Ann\"]", 50);
    add(a, PP_M_FOLLOWERS_BY_AGE_GROUP, "all", "[\"0-17\",3]", 1);
    add(a, PP_M_FOLLOWERS_BY_AGE_GROUP, "all", "[\"0-17\",4]", 1);
    add(a, PP_M_FOLLOWERS_BY_AGE_GROUP, "all", "[\"0-17\",\"many\"]", 5); /* not a count: skipped */
    expect(PP_JA_TOP_CATEGORY_BY_COUNTRY, a, "[\"all\",\"Korea, \\\"South\\\"\",\"y\",4] [\"all\",\"Spain\",\"a\",2]");
    expect(PP_JA_TOP_USER_BY_COUNTRY, a, "[\"all\",\"Chile\",\"Ann\",50]");
    expect(PP_JA_MEDIAN_FOLLOWERS_BY_AGE_GROUP, a, "[\"all\",\"0-17\",3.5,2]");
    pp_agg_destroy(a);

    /* CSV cells: bare text, empty null */
    pp_serve_join_table t = {0};
    pp_sb_init(&t.text);
    pp_strbuf out;
    pp_sb_init(&out);
    pp_sb_puts(&t.text, "a,b");
    pp_serve_join_cell text = {PP_JC_TEXT, 0, 0, 3}, null = {PP_JC_NULL, 0, 0, 0}, half = {PP_JC_HALVES, 7, 0, 0};
    pp_serve_join_cell_csv(&t, &text, &out);
    pp_sb_putc(&out, '|');
    pp_serve_join_cell_csv(&t, &null, &out);
    pp_sb_putc(&out, '|');
    pp_serve_join_cell_csv(&t, &half, &out);
    assert_string_equal(out.data, "\"a,b\"||3.5");
    pp_sb_free(&out);
    pp_serve_join_table_free(&t);
}

static void names_are_found(void **state) {
    (void)state;
    for (int i = 0; i < PP_JA_COUNT; i++) assert_int_equal(pp_serve_join_find(PP_SERVE_JOIN[i].name), i);
    assert_int_equal(pp_serve_join_find("top_category"), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(medians_are_exact),
        cmocka_unit_test(the_fixture_gives_the_hand_computed_answers),
        cmocka_unit_test(ties_and_odd_keys),
        cmocka_unit_test(names_are_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
