/* metrics — what one pin or reject contributes, de-duplication per (event day,
 * unique_id), and the merge property: the tables of the parts of an input, merged,
 * equal the table of the whole input. docs/metrics.md is the prose version. */
#define _GNU_SOURCE /* open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clean/clean.h"
#include "common/error.h"
#include "common/hashmap.h"
#include "common/line_reader.h"
#include "metrics/aggregate.h"
#include "metrics/dedup.h"
#include "metrics/metrics.h"
#include "metrics/tally.h"

#define CORPUS "fixtures/raw/corpus.jsonl"

/* ---- helpers ------------------------------------------------------------------ */

/* The whole table as sorted JSON lines (how tables are compared here). Caller frees. */
static char *agg_text(const pp_agg *a) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    pp_agg_write_jsonl(a, f);
    fclose(f);
    return buf;
}

static void assert_same_table(const pp_agg *want, const pp_agg *got, const char *what) {
    char *w = agg_text(want), *g = agg_text(got);
    if (strcmp(w, g) != 0) {
        print_error("%s\n--- want\n%s--- got\n%s", what, w, g);
        fail_msg("%s: the tables differ", what);
    }
    free(w);
    free(g);
}

/* A pin built by hand; NULL strings are null values. */
static void make_pin(pp_pin *p, const char *day, const char *uid, const char *category, pp_media media,
                     const char *tags, const char *poster, int64_t followers /* -1: null */) {
    pp_pin_init(p);
    snprintf(p->event_day, sizeof p->event_day, "%s", day);
    p->text[PP_F_UNIQUE_ID] = pp_arena_strndup(&p->arena, uid, strlen(uid));
    if (category) p->text[PP_F_CATEGORY] = pp_arena_strndup(&p->arena, category, strlen(category));
    if (poster) p->text[PP_F_POSTER_NAME] = pp_arena_strndup(&p->arena, poster, strlen(poster));
    p->media = media;
    if (followers >= 0) {
        p->follower_count = followers;
        p->has_follower_count = 1;
    }
    if (tags) { /* comma-separated, already clean */
        p->has_tags = 1;
        p->tags = pp_arena_alloc(&p->arena, 16 * sizeof(char *));
        char *copy = pp_arena_strndup(&p->arena, tags, strlen(tags)), *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) p->tags[p->n_tags++] = t;
    }
}

/* Recorded contributions, as "metric day key value" lines in emission order. */
typedef struct {
    char text[4096];
    size_t len;
} record;

static void record_emit(void *ctx, pp_metric_id m, const char *day, const char *key, size_t keylen, int64_t value) {
    record *r = ctx;
    r->len += (size_t)snprintf(r->text + r->len, sizeof r->text - r->len, "%s %s %.*s %lld\n", PP_METRICS[m].name, day,
                               (int)keylen, key, (long long)value);
}

/* ---- definitions -------------------------------------------------------------- */

static void test_definitions(void **state) {
    (void)state;
    static const struct {
        const char *name;
        pp_agg_kind kind;
    } WANT[] = {
        {"pins_total", PP_AGG_COUNT},
        {"pins_by_category", PP_AGG_COUNT},
        {"pins_by_media_type", PP_AGG_COUNT},
        {"pins_by_tag", PP_AGG_COUNT},
        {"pins_by_poster", PP_AGG_COUNT},
        {"max_followers_by_poster", PP_AGG_MAX},
        {"followers_sum_by_category", PP_AGG_SUM},
        {"nulled_values", PP_AGG_COUNT},
        {"invalid_values", PP_AGG_COUNT},
        {"rejected_events", PP_AGG_COUNT},
        {"records_by_kind", PP_AGG_COUNT},
        {"users_by_join_year", PP_AGG_COUNT},
        {"posts_joined", PP_AGG_COUNT},
        {"posts_by_country_category", PP_AGG_COUNT},
        {"max_followers_by_country_user", PP_AGG_MAX},
        {"followers_by_age_group", PP_AGG_COUNT},
        {"followers_by_join_year", PP_AGG_COUNT},
        {"posts_by_age_group_category", PP_AGG_COUNT},
        {"join_unmatched", PP_AGG_SUM},
    };
    assert_int_equal(sizeof WANT / sizeof WANT[0], PP_M_COUNT);
    for (int m = 0; m < PP_M_COUNT; m++) {
        int i = pp_metric_find(WANT[m].name);
        if (i < 0) fail_msg("no metric %s", WANT[m].name);
        assert_int_equal(PP_METRICS[i].kind, WANT[m].kind);
        assert_true(PP_METRICS[i].key[0] && PP_METRICS[i].description[0]);
    }
    assert_int_equal(pp_metric_find("nope"), -1);
    assert_string_equal(pp_agg_kind_name(PP_AGG_COUNT), "count");
    assert_string_equal(pp_agg_kind_name(PP_AGG_SUM), "sum");
    assert_string_equal(pp_agg_kind_name(PP_AGG_MAX), "max");
    assert_int_equal(pp_agg_merge_values(PP_AGG_COUNT, 2, 3), 5);
    assert_int_equal(pp_agg_merge_values(PP_AGG_SUM, 2000, 3), 2003);
    assert_int_equal(pp_agg_merge_values(PP_AGG_MAX, 2, 3), 3);
    assert_int_equal(pp_agg_merge_values(PP_AGG_MAX, 3, 2), 3);
    assert_int_equal(pp_agg_merge_values(PP_AGG_MAX, 0, 0), 0);
}

/* ---- what one pin contributes -------------------------------------------------- */

static void test_pin_contribution(void **state) {
    (void)state;
    static const struct {
        const char *what;
        const char *category;
        pp_media media;
        const char *tags;
        const char *poster;
        int64_t followers;
        uint32_t nulled, invalid;
        const char *want;
    } CASES[] = {
        {"every field", "art", PP_MEDIA_IMAGE, "Watercolor,Sunset", "Ana", 940, 0, 0,
         "pins_total 2026-01-01 all 1\n"
         "pins_by_category 2026-01-01 art 1\n"
         "pins_by_media_type 2026-01-01 image 1\n"
         "pins_by_tag 2026-01-01 Watercolor 1\n"
         "pins_by_tag 2026-01-01 Sunset 1\n"
         "pins_by_poster 2026-01-01 Ana 1\n"
         "max_followers_by_poster 2026-01-01 Ana 940\n"
         "followers_sum_by_category 2026-01-01 art 940\n"},
        {"null keys are \"(null)\"; no poster, no follower metrics", NULL, PP_MEDIA_NULL, NULL, NULL, -1, 0, 0,
         "pins_total 2026-01-01 all 1\n"
         "pins_by_category 2026-01-01 (null) 1\n"
         "pins_by_media_type 2026-01-01 (null) 1\n"},
        {"poster without follower count", "art", PP_MEDIA_VIDEO, NULL, "Ana", -1, 0, 0,
         "pins_total 2026-01-01 all 1\n"
         "pins_by_category 2026-01-01 art 1\n"
         "pins_by_media_type 2026-01-01 video 1\n"
         "pins_by_poster 2026-01-01 Ana 1\n"},
        {"follower count without poster (v1): category sum only", NULL, PP_MEDIA_IMAGE, NULL, NULL, 6000, 0, 0,
         "pins_total 2026-01-01 all 1\n"
         "pins_by_category 2026-01-01 (null) 1\n"
         "pins_by_media_type 2026-01-01 image 1\n"
         "followers_sum_by_category 2026-01-01 (null) 6000\n"},
        {"zero followers is a value", "art", PP_MEDIA_IMAGE, "a", "Ana", 0, 0, 0,
         "pins_total 2026-01-01 all 1\n"
         "pins_by_category 2026-01-01 art 1\n"
         "pins_by_media_type 2026-01-01 image 1\n"
         "pins_by_tag 2026-01-01 a 1\n"
         "pins_by_poster 2026-01-01 Ana 1\n"
         "max_followers_by_poster 2026-01-01 Ana 0\n"
         "followers_sum_by_category 2026-01-01 art 0\n"},
        {"data quality: one count per nulled field, invalid ones again; index is `ind`", "art", PP_MEDIA_IMAGE, NULL,
         NULL, -1, 1u << PP_F_TITLE | 1u << PP_F_FOLLOWER_COUNT | 1u << PP_F_INDEX, 1u << PP_F_FOLLOWER_COUNT,
         "pins_total 2026-01-01 all 1\n"
         "pins_by_category 2026-01-01 art 1\n"
         "pins_by_media_type 2026-01-01 image 1\n"
         "nulled_values 2026-01-01 ind 1\n"
         "nulled_values 2026-01-01 title 1\n"
         "nulled_values 2026-01-01 follower_count 1\n"
         "invalid_values 2026-01-01 follower_count 1\n"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        pp_pin pin;
        make_pin(&pin, "2026-01-01", "u-1", CASES[i].category, CASES[i].media, CASES[i].tags, CASES[i].poster,
                 CASES[i].followers);
        pin.nulled = CASES[i].nulled;
        pin.invalid = CASES[i].invalid;
        record r = {.len = 0};
        r.text[0] = '\0';
        pp_metrics_of_pin(&pin, record_emit, &r);
        if (strcmp(r.text, CASES[i].want) != 0)
            fail_msg("%s:\n--- want\n%s--- got\n%s", CASES[i].what, CASES[i].want, r.text);
        pp_pin_clear(&pin);
    }
}

/* One count per distinct tag of a pin: tag_list_split already removed repeats. */
static void test_tag_counts_once_per_pin(void **state) {
    (void)state;
    const char *raw = "{\"index\": 1, \"unique_id\": \"u\", \"title\": \"t\", \"description\": \"d\","
                      " \"follower_count\": \"1k\", \"tag_list\": \"a,a, a ,b,a\", \"is_image_or_video\": \"image\","
                      " \"image_src\": \"i\", \"downloaded\": 1, \"save_location\": \"/s\", \"category\": \"c\","
                      " \"timestamp\": \"2026-01-01 00:00:00\"}";
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_tally t;
    pp_tally_init(&t, &opts);
    pp_pin pin;
    pp_reject rej;
    assert_int_equal(pp_tally_raw(&t, raw, strlen(raw), -1, &pin, &rej), PP_TALLY_NEW);
    pp_pin_clear(&pin);
    char *text = agg_text(t.agg);
    assert_non_null(strstr(
        text, "{\"metric\":\"pins_by_tag\",\"day\":\"2026-01-01\",\"key\":\"a\",\"kind\":\"count\",\"value\":1}"));
    assert_non_null(strstr(
        text, "{\"metric\":\"pins_by_tag\",\"day\":\"2026-01-01\",\"key\":\"b\",\"kind\":\"count\",\"value\":1}"));
    free(text);
    pp_tally_free(&t);
}

static void test_reject_contribution(void **state) {
    (void)state;
    static const struct {
        const char *reason;
        int64_t ingest_ms;
        const char *want;
    } CASES[] = {
        {"invalid_json", -1, "rejected_events unknown invalid_json 1\n"},
        {"too_large", INT64_C(1767312000000), "rejected_events 2026-01-02 too_large 1\n"},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        pp_reject rej;
        pp_reject_set(&rej, CASES[i].reason, "detail", CASES[i].ingest_ms);
        record r = {.len = 0};
        r.text[0] = '\0';
        pp_metrics_of_reject(&rej, record_emit, &r);
        assert_string_equal(r.text, CASES[i].want);
    }
    /* a rejected event with a valid timestamp counts on its event day */
    const char *bad = "{\"index\": \"x\", \"timestamp\": \"2026-01-03T01:00:00+02:00\"}";
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_pin pin;
    pp_reject rej;
    assert_int_equal(pp_clean(bad, strlen(bad), &opts, &pin, &rej, NULL), PP_EINVAL);
    record r = {.len = 0};
    r.text[0] = '\0';
    pp_metrics_of_reject(&rej, record_emit, &r);
    assert_string_equal(r.text, "rejected_events 2026-01-02 wrong_type 1\n");
}

/* ---- aggregate table ------------------------------------------------------------ */

static void test_aggregate_kinds(void **state) {
    (void)state;
    pp_agg *a = pp_agg_create();
    pp_agg_add(a, PP_M_PINS_TOTAL, "2026-01-01", "all", 3, 1);
    pp_agg_add(a, PP_M_PINS_TOTAL, "2026-01-01", "all", 3, 1);
    pp_agg_add(a, PP_M_PINS_TOTAL, "2026-01-02", "all", 3, 1); /* another day: another key */
    pp_agg_add(a, PP_M_MAX_FOLLOWERS_BY_POSTER, "2026-01-01", "Ana", 3, 5);
    pp_agg_add(a, PP_M_MAX_FOLLOWERS_BY_POSTER, "2026-01-01", "Ana", 3, 9);
    pp_agg_add(a, PP_M_MAX_FOLLOWERS_BY_POSTER, "2026-01-01", "Ana", 3, 7);
    pp_agg_add(a, PP_M_FOLLOWERS_SUM_BY_CATEGORY, "2026-01-01", "art", 3, 5);
    pp_agg_add(a, PP_M_FOLLOWERS_SUM_BY_CATEGORY, "2026-01-01", "art", 3, 9);
    pp_agg_add(a, PP_M_PINS_BY_TAG, "2026-01-01", "a\0b", 3, 1); /* keys are bytes, not C strings */
    pp_agg_add(a, PP_M_PINS_BY_TAG, "2026-01-01", "a", 1, 1);
    assert_int_equal(pp_agg_size(a), 6);
    char *text = agg_text(a);
    assert_string_equal(
        text,
        "{\"metric\":\"followers_sum_by_category\",\"day\":\"2026-01-01\",\"key\":\"art\",\"kind\":\"sum\",\"value\":"
        "14}\n"
        "{\"metric\":\"max_followers_by_poster\",\"day\":\"2026-01-01\",\"key\":\"Ana\",\"kind\":\"max\",\"value\":9}\n"
        "{\"metric\":\"pins_by_tag\",\"day\":\"2026-01-01\",\"key\":\"a\",\"kind\":\"count\",\"value\":1}\n"
        "{\"metric\":\"pins_by_tag\",\"day\":\"2026-01-01\",\"key\":\"a\\u0000b\",\"kind\":\"count\",\"value\":1}\n"
        "{\"metric\":\"pins_total\",\"day\":\"2026-01-01\",\"key\":\"all\",\"kind\":\"count\",\"value\":2}\n"
        "{\"metric\":\"pins_total\",\"day\":\"2026-01-02\",\"key\":\"all\",\"kind\":\"count\",\"value\":1}\n");
    free(text);
    pp_agg_destroy(a);
}

/* ---- de-duplication per (event day, unique_id) -------------------------------------- */

static char *event(const char *uid, const char *category, const char *ts) {
    char *s = malloc(1024);
    snprintf(s, 1024,
             "{\"index\": 1, \"unique_id\": \"%s\", \"title\": \"t\", \"description\": \"d\", \"poster_name\": \"P\","
             " \"follower_count\": \"1k\", \"tag_list\": \"x\", \"is_image_or_video\": \"image\", \"image_src\": \"i\","
             " \"downloaded\": 1, \"save_location\": \"/s\", \"category\": \"%s\", \"timestamp\": \"%s\"}",
             uid, category, ts);
    return s;
}

static void test_dedup_per_day_and_id(void **state) {
    (void)state;
    static const struct {
        const char *uid, *category, *ts;
        pp_tally_result want;
    } FEED[] = {
        {"u-1", "art", "2026-01-01 09:00:00", PP_TALLY_NEW},
        {"u-1", "food", "2026-01-01 23:00:00", PP_TALLY_DUPLICATE},  /* same day: once; the first wins */
        {" u-1", "food", "2026-01-01 10:00:00", PP_TALLY_DUPLICATE}, /* ids are compared after trimming */
        {"u-1", "food", "2026-01-02 00:00:00", PP_TALLY_NEW},        /* another day: again */
        {"u-2", "art", "2026-01-01 09:00:00", PP_TALLY_NEW},
        {"U-2", "art", "2026-01-01 09:00:00", PP_TALLY_NEW},             /* ids are case-sensitive */
        {"u-1", "art", "2026-01-01T23:30:00-01:00", PP_TALLY_DUPLICATE}, /* 2026-01-02 00:30 UTC: the UTC day counts */
    };
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_tally t;
    pp_tally_init(&t, &opts);
    for (size_t i = 0; i < sizeof FEED / sizeof FEED[0]; i++) {
        char *raw = event(FEED[i].uid, FEED[i].category, FEED[i].ts);
        pp_pin pin;
        pp_reject rej;
        pp_tally_result got = pp_tally_raw(&t, raw, strlen(raw), -1, &pin, &rej);
        pp_tally_result want = FEED[i].want;
        if (got != want) fail_msg("feed row %zu: expected %d, got %d", i, want, got);
        if (got != PP_TALLY_REJECTED) pp_pin_clear(&pin);
        free(raw);
    }
    assert_int_equal(t.cleaned, 7);
    assert_int_equal(t.duplicates, 3);
    assert_int_equal(pp_dedup_size(t.dedup), 4);
    char *text = agg_text(t.agg);
    assert_non_null(strstr(
        text,
        "\"metric\":\"pins_by_category\",\"day\":\"2026-01-01\",\"key\":\"art\",\"kind\":\"count\",\"value\":3}"));
    assert_null(strstr(text, "\"metric\":\"pins_by_category\",\"day\":\"2026-01-01\",\"key\":\"food\""));
    assert_non_null(strstr(
        text,
        "\"metric\":\"pins_by_category\",\"day\":\"2026-01-02\",\"key\":\"food\",\"kind\":\"count\",\"value\":1}"));
    assert_non_null(strstr(
        text, "\"metric\":\"pins_total\",\"day\":\"2026-01-01\",\"key\":\"all\",\"kind\":\"count\",\"value\":3}"));
    free(text);

    /* rejects are never de-duplicated: each record counts */
    pp_pin pin;
    pp_reject rej;
    for (int i = 0; i < 3; i++) assert_int_equal(pp_tally_raw(&t, "nope", 4, -1, &pin, &rej), PP_TALLY_REJECTED);
    text = agg_text(t.agg);
    assert_non_null(strstr(
        text,
        "\"metric\":\"rejected_events\",\"day\":\"unknown\",\"key\":\"invalid_json\",\"kind\":\"count\",\"value\":3}"));
    free(text);
    pp_tally_free(&t);
}

/* A counts-only tally (pinpipe clean) counts what the summary prints and keeps no
 * set of pins and no metrics: repeats are NEW, and nothing grows with the input. */
static void test_counts_only_tally(void **state) {
    (void)state;
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_tally t;
    pp_tally_init_counts(&t, &opts);
    assert_null(t.dedup);
    assert_null(t.agg);
    for (int i = 0; i < 3; i++) {
        char *raw = event("  u-1", "art", "2026-01-01 09:00:00");
        pp_pin pin;
        pp_reject rej;
        assert_int_equal(pp_tally_raw(&t, raw, strlen(raw), -1, &pin, &rej), PP_TALLY_NEW);
        pp_pin_clear(&pin);
        assert_int_equal(pp_tally_raw(&t, "nope", 4, -1, &pin, &rej), PP_TALLY_REJECTED);
        free(raw);
    }
    pp_reject rej;
    pp_reject_set(&rej, "too_large", "line longer than 1 bytes", -1);
    pp_tally_reject(&t, &rej);
    assert_int_equal(t.records, 6);
    assert_int_equal(t.cleaned, 3);
    assert_int_equal(t.rejected, 4);
    assert_int_equal(t.duplicates, 0);
    assert_int_equal(t.fired[pp_rule_find("trim_text")], 3);
    pp_tally_free(&t);
}

static void test_dedup_set(void **state) {
    (void)state;
    pp_dedup *d = pp_dedup_create();
    assert_int_equal(pp_dedup_add(d, "2026-01-01", "a"), 1);
    assert_int_equal(pp_dedup_add(d, "2026-01-01", "a"), 0);
    assert_int_equal(pp_dedup_add(d, "2026-01-02", "a"), 1);
    assert_int_equal(pp_dedup_add(d, "2026-01-01", "b"), 1);
    assert_int_equal(pp_dedup_add(d, "2026-01-01", ""), 1);
    assert_int_equal(pp_dedup_add(d, "", "2026-01-01"), 1); /* (day, id) pairs do not run together */
    assert_int_equal(pp_dedup_size(d), 5);
    for (int i = 0; i < 10000; i++) { /* grows */
        char id[32];
        snprintf(id, sizeof id, "id-%d", i);
        assert_int_equal(pp_dedup_add(d, "2026-01-03", id), 1);
    }
    assert_int_equal(pp_dedup_size(d), 10005);
    pp_dedup_destroy(d);
}

/* ---- the merge property ----------------------------------------------------------- */

/* splitmix64: a small deterministic PRNG (same sequence on every machine). */
static uint64_t rnd(uint64_t *s) {
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}
static size_t pick(uint64_t *s, size_t n) { return (size_t)(rnd(s) % n); }

typedef struct {
    char **items;
    size_t *lens;
    size_t n, cap;
} line_list;

static void push_line(line_list *l, const char *s, size_t n) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->items = realloc(l->items, l->cap * sizeof *l->items);
        l->lens = realloc(l->lens, l->cap * sizeof *l->lens);
    }
    l->items[l->n] = malloc(n + 1);
    memcpy(l->items[l->n], s, n);
    l->items[l->n][n] = '\0';
    l->lens[l->n++] = n;
}

static void free_lines(line_list *l) {
    for (size_t i = 0; i < l->n; i++) free(l->items[i]);
    free(l->items);
    free(l->lens);
}

static void read_corpus(line_list *l) {
    FILE *in = fopen(CORPUS, "rb");
    if (!in) fail_msg("cannot open %s (run the tests from the repository root)", CORPUS);
    pp_line_reader *r = pp_line_reader_create(in, 1 << 20);
    const char *line;
    size_t len, lineno;
    while (pp_line_reader_next(r, &line, &len, &lineno) == PP_LINE_OK)
        if (len) push_line(l, line, len);
    pp_line_reader_destroy(r);
    fclose(in);
}

/* Raw events like the public data's, with repeats (a pool of ids over a few days),
 * placeholders, every follower format, and some records that are not events. */
static void generate(line_list *l, uint64_t seed, size_t count) {
    static const char *const CATEGORIES[] = {"art", "diy-and-crafts", "travel", "food", "education", "christmas", ""};
    static const char *const MEDIA[] = {"image", "video", "multi-video(story page format)", "gif", ""};
    static const char *const FOLLOWERS[] = {"%d", "%dk", "%d.5k", "%dM", "%d,%03d", "User Info Error",
                                            "",   "-%d", "abc"};
    static const char *const TAGS[] = {"Art",  "Painting", "Sunset", "DIY",  "Crafts", "Travel",   "Beach",
                                       "Food", "Baking",   "Xmas",   "Noël", "水彩",   " Spaced ", ""};
    static const char *const POSTERS[] = {"Ana", "Ben", "Chen", "Dana", "Zoë", "User Info Error", "", NULL};
    uint64_t s = seed;
    char buf[2048], tags[256], followers[64];
    for (size_t i = 0; i < count; i++) {
        size_t kind = pick(&s, 100);
        if (kind < 2) {
            push_line(l, "{\"truncated\": ", 14);
            continue;
        }
        if (kind < 4) {
            push_line(l, "[\"not\", \"an\", \"object\"]", 24);
            continue;
        }
        int uid = (int)pick(&s, 600), day = 1 + (int)pick(&s, 4);
        size_t nt = pick(&s, 5), tl = 0;
        tags[0] = '\0';
        if (pick(&s, 20) == 0) {
            tl = (size_t)snprintf(tags, sizeof tags, "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e");
        } else {
            for (size_t k = 0; k < nt; k++)
                tl += (size_t)snprintf(tags + tl, sizeof tags - tl, "%s%s", k ? "," : "", TAGS[pick(&s, 14)]);
        }
        int n1 = 1 + (int)pick(&s, 999);
        snprintf(followers, sizeof followers, FOLLOWERS[pick(&s, 9)], n1, (int)pick(&s, 1000));
        const char *poster = POSTERS[pick(&s, 8)];
        char poster_member[64] = "";
        if (poster) snprintf(poster_member, sizeof poster_member, " \"poster_name\": \"%s\",", poster);
        const char *ts_fmt = kind < 6 ? ""
            : kind < 8                ? "\"timestamp\": \"2026-01-0%dT%02d:%02d:00+01:00\", "
                                      : "\"timestamp\": \"2026-01-0%d %02d:%02d:00\", ";
        char ts[96];
        snprintf(ts, sizeof ts, ts_fmt, day, (int)pick(&s, 24), (int)pick(&s, 60));
        const char *index = kind < 9 ? "\"%d\"" : "%d";
        char index_text[32];
        snprintf(index_text, sizeof index_text, kind == 99 ? "\"x%d\"" : index, (int)i);
        int n =
            snprintf(buf, sizeof buf,
                     "{\"index\": %s, \"unique_id\": \"g-%03d\", \"title\": \"%s\", \"description\": \"%s\",%s"
                     " \"follower_count\": \"%s\", \"tag_list\": \"%s\", \"is_image_or_video\": \"%s\","
                     " \"image_src\": \"%s\", \"downloaded\": %d, \"save_location\": \"%s\", %s\"category\": \"%s\"}",
                     index_text, uid, pick(&s, 10) ? "Title" : "No Title Data Available",
                     pick(&s, 10) ? "Desc" : "No description available Story format", poster_member, followers, tags,
                     MEDIA[pick(&s, 5)], pick(&s, 10) ? "https://i/x.jpg" : "Image src error.", (int)pick(&s, 3),
                     pick(&s, 10) ? "Local save in /data/x" : "Local save in ", ts, CATEGORIES[pick(&s, 7)]);
        push_line(l, buf, (size_t)n);
    }
}

/* Counts one raw event into agg, with the de-duplication set seen (shared or not). */
static void count_into(const char *line, size_t len, pp_dedup *seen, pp_agg *agg) {
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    opts.ingest_time_ms = -1;
    pp_pin pin;
    pp_reject rej;
    if (pp_clean(line, len, &opts, &pin, &rej, NULL) != PP_OK) {
        pp_metrics_of_reject(&rej, pp_agg_emit, agg);
        return;
    }
    if (pp_dedup_add(seen, pin.event_day, pin.text[PP_F_UNIQUE_ID])) pp_metrics_of_pin(&pin, pp_agg_emit, agg);
    pp_pin_clear(&pin);
}

/* The table of the whole input, through the tally (what `pinpipe metrics` does). */
static pp_agg *whole_table(const line_list *l, pp_tally *t) {
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_tally_init(t, &opts);
    for (size_t i = 0; i < l->n; i++) {
        pp_pin pin;
        pp_reject rej;
        if (pp_tally_raw(t, l->items[i], l->lens[i], -1, &pin, &rej) != PP_TALLY_REJECTED) pp_pin_clear(&pin);
    }
    return t->agg;
}

/* Shard of a line: by hash of its (event day, unique_id), so every repeat of a pair
 * goes to the same shard, in input order; a reject anywhere (by its bytes). */
static size_t shard_of(const char *line, size_t len, size_t k) {
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    opts.ingest_time_ms = -1;
    pp_pin pin;
    pp_reject rej;
    uint64_t h;
    if (pp_clean(line, len, &opts, &pin, &rej, NULL) == PP_OK) {
        char key[512];
        int n = snprintf(key, sizeof key, "%s|%s", pin.event_day, pin.text[PP_F_UNIQUE_ID]);
        h = pp_hash_bytes(key, (size_t)n);
        pp_pin_clear(&pin);
    } else {
        h = pp_hash_bytes(line, len);
    }
    return (size_t)(h % k);
}

static void check_merge_property(const line_list *l, const char *name, uint64_t seed) {
    pp_tally whole;
    pp_agg *want = whole_table(l, &whole);
    assert_true(whole.duplicates > 0 && whole.rejected > 0); /* the input has repeats and rejects */
    static const size_t KS[] = {1, 2, 3, 5, 8};
    uint64_t s = seed;
    for (size_t ki = 0; ki < sizeof KS / sizeof KS[0]; ki++) {
        size_t k = KS[ki];
        char what[128];

        /* 1. shards by (day, unique_id), each with its own de-duplication set,
         *    merged in a random order */
        pp_agg *part[8];
        pp_dedup *seen[8];
        for (size_t p = 0; p < k; p++) {
            part[p] = pp_agg_create();
            seen[p] = pp_dedup_create();
        }
        for (size_t i = 0; i < l->n; i++) {
            size_t p = shard_of(l->items[i], l->lens[i], k);
            count_into(l->items[i], l->lens[i], seen[p], part[p]);
        }
        pp_agg *merged = pp_agg_create();
        size_t start = pick(&s, k);
        for (size_t p = 0; p < k; p++) pp_agg_merge(merged, part[(start + p) % k]);
        snprintf(what, sizeof what, "%s: %zu shards by (day, unique_id)", name, k);
        assert_same_table(want, merged, what);
        pp_agg_destroy(merged);
        for (size_t p = 0; p < k; p++) {
            pp_agg_destroy(part[p]);
            pp_dedup_destroy(seen[p]);
        }

        /* 2. contiguous parts at random cut points, in order, sharing one
         *    de-duplication set (a batch over partitions, a stream over transactions) */
        pp_dedup *shared = pp_dedup_create();
        size_t cuts[9] = {0};
        for (size_t p = 1; p < k; p++) cuts[p] = pick(&s, l->n + 1);
        cuts[k] = l->n;
        for (size_t a = 1; a < k; a++) /* sort the cut points */
            for (size_t b = a; b > 0 && cuts[b] < cuts[b - 1]; b--) {
                size_t tmp = cuts[b];
                cuts[b] = cuts[b - 1];
                cuts[b - 1] = tmp;
            }
        merged = pp_agg_create();
        for (size_t p = 0; p < k; p++) {
            pp_agg *one = pp_agg_create();
            for (size_t i = cuts[p]; i < cuts[p + 1]; i++) count_into(l->items[i], l->lens[i], shared, one);
            pp_agg_merge(merged, one);
            pp_agg_destroy(one);
        }
        snprintf(what, sizeof what, "%s: %zu contiguous parts, shared de-duplication", name, k);
        assert_same_table(want, merged, what);
        pp_agg_destroy(merged);
        pp_dedup_destroy(shared);

        /* 3. interleaved: each line to a random part, in input order, sharing one
         *    de-duplication set (consumers of one group sharing the stream's table) */
        shared = pp_dedup_create();
        for (size_t p = 0; p < k; p++) part[p] = pp_agg_create();
        for (size_t i = 0; i < l->n; i++) count_into(l->items[i], l->lens[i], shared, part[pick(&s, k)]);
        merged = pp_agg_create();
        for (size_t p = k; p-- > 0;) pp_agg_merge(merged, part[p]);
        snprintf(what, sizeof what, "%s: %zu interleaved parts, shared de-duplication", name, k);
        assert_same_table(want, merged, what);
        pp_agg_destroy(merged);
        for (size_t p = 0; p < k; p++) pp_agg_destroy(part[p]);
        pp_dedup_destroy(shared);
    }
    print_message("  %s: %zu events, %llu repeats, %llu rejected, %zu table rows: merge property holds\n", name, l->n,
                  (unsigned long long)whole.duplicates, (unsigned long long)whole.rejected, pp_agg_size(want));
    pp_tally_free(&whole);
}

static void test_merge_property_corpus(void **state) {
    (void)state;
    line_list l = {0};
    read_corpus(&l);
    check_merge_property(&l, "corpus", 1);
    free_lines(&l);
}

static void test_merge_property_generated(void **state) {
    (void)state;
    static const uint64_t SEEDS[] = {1, 2, 42};
    for (size_t i = 0; i < sizeof SEEDS / sizeof SEEDS[0]; i++) {
        line_list l = {0};
        generate(&l, SEEDS[i], 3000);
        char name[32];
        snprintf(name, sizeof name, "generated seed %llu", (unsigned long long)SEEDS[i]);
        check_merge_property(&l, name, SEEDS[i] * 7919);
        free_lines(&l);
    }
}

/* Merging arbitrary tables (count, sum, max) is associative and commutative. */
static pp_agg *random_table(uint64_t *s) {
    static const char *const DAYS[] = {"2026-01-01", "2026-01-02", "unknown"};
    static const char *const KEYS[] = {"a", "b", "(null)", "Zoë", ""};
    pp_agg *a = pp_agg_create();
    size_t n = pick(s, 60);
    for (size_t i = 0; i < n; i++) {
        pp_metric_id m = (pp_metric_id)pick(s, PP_M_COUNT);
        const char *key = KEYS[pick(s, 5)];
        pp_agg_add(a, m, DAYS[pick(s, 3)], key, strlen(key), (int64_t)pick(s, 1000000));
    }
    return a;
}

static pp_agg *merged_of(const pp_agg *x, const pp_agg *y) {
    pp_agg *out = pp_agg_create();
    pp_agg_merge(out, x);
    pp_agg_merge(out, y);
    return out;
}

static void test_merge_is_associative_and_commutative(void **state) {
    (void)state;
    uint64_t s = 12345;
    for (int round = 0; round < 200; round++) {
        pp_agg *a = random_table(&s), *b = random_table(&s), *c = random_table(&s);
        pp_agg *ab = merged_of(a, b), *ba = merged_of(b, a);
        assert_same_table(ab, ba, "a+b == b+a");
        pp_agg *bc = merged_of(b, c);
        pp_agg *ab_c = merged_of(ab, c), *a_bc = merged_of(a, bc);
        assert_same_table(ab_c, a_bc, "(a+b)+c == a+(b+c)");
        pp_agg *empty = pp_agg_create(), *a0 = merged_of(a, empty);
        assert_same_table(a, a0, "a+0 == a");
        pp_agg *list[] = {a, b, c, ab, ba, bc, ab_c, a_bc, empty, a0};
        for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) pp_agg_destroy(list[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definitions),
        cmocka_unit_test(test_pin_contribution),
        cmocka_unit_test(test_tag_counts_once_per_pin),
        cmocka_unit_test(test_reject_contribution),
        cmocka_unit_test(test_aggregate_kinds),
        cmocka_unit_test(test_dedup_per_day_and_id),
        cmocka_unit_test(test_counts_only_tally),
        cmocka_unit_test(test_dedup_set),
        cmocka_unit_test(test_merge_property_corpus),
        cmocka_unit_test(test_merge_property_generated),
        cmocka_unit_test(test_merge_is_associative_and_commutative),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
