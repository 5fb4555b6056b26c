/* join — the join corpus (fixtures/join) gives the metrics written by hand, and the
 * stream's way (a post's change as each side arrives: pp_join_post_delta) adds up
 * to the batch's (pp_join_post_metrics of the complete post) in every arrival order.
 * Run from the repository root (tests/run-unit.sh does). */
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
#include "common/strbuf.h"
#include "contract/mixed_line.h"
#include "join/join.h"
#include "join/join_set.h"
#include "metrics/aggregate.h"
#include "metrics/clean_run.h"
#include "metrics/dedup.h"
#include "metrics/tally.h"

#define CORPUS "fixtures/join/corpus.jsonl"
#define EXPECTED "fixtures/join/expected.jsonl"

/* The metrics fixtures/join/expected.jsonl covers: the join's and the sides'. */
static int covered(pp_metric_id m, const char *key) {
    if (m >= PP_M_RECORDS_BY_KIND) return 1;
    return m == PP_M_REJECTED_EVENTS && (strncmp(key, "geo.", 4) == 0 || strncmp(key, "user.", 5) == 0);
}

/* The covered rows of a table, as expected.jsonl spells them (zero sums left out). */
static char *covered_rows(const pp_agg *a) {
    size_t n;
    pp_agg_entry *e = pp_agg_sorted(a, &n);
    pp_strbuf sb;
    pp_sb_init(&sb);
    for (size_t i = 0; i < n; i++) {
        char key[512];
        snprintf(key, sizeof key, "%.*s", (int)e[i].keylen, e[i].key);
        if (!covered(e[i].metric, key) || e[i].value == 0) continue;
        pp_sb_puts(&sb, "{\"metric\":");
        pp_sb_json_cstr(&sb, PP_METRICS[e[i].metric].name);
        pp_sb_puts(&sb, ",\"day\":");
        pp_sb_json_cstr(&sb, e[i].day);
        pp_sb_puts(&sb, ",\"key\":");
        pp_sb_json_str(&sb, e[i].key, e[i].keylen);
        pp_sb_printf(&sb, ",\"value\":%lld}\n", (long long)e[i].value);
    }
    free(e);
    pp_sb_putc(&sb, '\0');
    return pp_sb_steal(&sb);
}

/* Prints the first line where two texts differ (fail_msg cuts long messages). */
static void fail_diff(const char *what, const char *got, const char *want) {
    size_t line = 1, i = 0;
    for (; got[i] && got[i] == want[i]; i++)
        if (got[i] == '\n') line++;
    fail_msg("%s: line %zu differs:\n got: %.200s\nwant: %.200s", what, line, got + i, want + i);
}

static char *read_all(const char *path) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    if (pp_sb_append_file(&sb, path)) fail_msg("cannot read %s (run from the repository root)", path);
    pp_sb_putc(&sb, '\0');
    return pp_sb_steal(&sb);
}

static void test_corpus_gives_the_hand_written_metrics(void **state) {
    (void)state;
    FILE *in = fopen(CORPUS, "rb");
    if (!in) fail_msg("cannot open %s (run from the repository root)", CORPUS);
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_tally t;
    pp_tally_init(&t, &opts);
    pp_tally_enable_join(&t);
    pp_clean_run_opts ro = {.name = CORPUS, .input = PP_INPUT_AUTO, .max_line = 1 << 20, .ingest_time_ms = -1};
    size_t lines;
    assert_int_equal(pp_clean_run(in, &ro, &t, &lines), 0);
    fclose(in);
    pp_tally_finish_join(&t);
    char *got = covered_rows(t.agg), *want = read_all(EXPECTED);
    if (strcmp(got, want) != 0) fail_diff(EXPECTED, got, want);
    free(got);
    free(want);
    pp_tally_free(&t);
}

/* ---- the stream's way, in any order ---------------------------------------- */

typedef struct {
    pp_kind kind;
    char *raw;
} event;

static size_t load_corpus(event *ev, size_t cap) {
    char *text = read_all(CORPUS), *save = NULL;
    size_t n = 0;
    for (char *line = strtok_r(text, "\n", &save); line && n < cap; line = strtok_r(NULL, "\n", &save)) {
        pp_strbuf raw;
        pp_sb_init(&raw);
        int64_t ingest = -1;
        const char *why;
        assert_int_equal(pp_mixed_line_parse(line, strlen(line), &ev[n].kind, &ingest, &raw, &why), 0);
        pp_sb_putc(&raw, '\0');
        ev[n++].raw = pp_sb_steal(&raw);
    }
    free(text);
    return n;
}

/* What the stream does with events in this order: each new side changes its post,
 * and the change (after - before) is what it adds to the metrics. */
static char *stream_way(event *ev, const size_t *order, size_t n) {
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_agg *agg = pp_agg_create();
    pp_dedup *seen = pp_dedup_create();
    pp_join_set *posts = pp_join_set_create();
    for (size_t i = 0; i < n; i++) {
        const event *e = &ev[order[i]];
        pp_record rec;
        pp_reject rej;
        if (pp_clean_record(e->kind, e->raw, strlen(e->raw), &opts, &rec, &rej, NULL) != PP_OK) {
            pp_metrics_of_reject(&rej, pp_agg_emit, agg);
            continue;
        }
        int64_t ind = e->kind == PP_KIND_GEO ? rec.geo.ind : e->kind == PP_KIND_USER ? rec.user.ind : rec.pin.ind;
        char id[64];
        snprintf(id, sizeof id, "%s/%s", pp_kind_name(e->kind),
                 e->kind == PP_KIND_PIN ? rec.pin.text[PP_F_UNIQUE_ID] : "");
        if (e->kind != PP_KIND_PIN) snprintf(id, sizeof id, "%s/%lld", pp_kind_name(e->kind), (long long)ind);
        if (pp_dedup_add(seen, pp_record_day(&rec), id)) {
            pp_join_post *post = pp_join_set_post(posts, pp_record_day(&rec), ind), before;
            pp_join_post_copy(&before, post);
            if (e->kind == PP_KIND_GEO) {
                pp_metrics_of_geo(&rec.geo, pp_agg_emit, agg);
                pp_join_post_add_geo_side(post, &rec.geo);
            } else if (e->kind == PP_KIND_USER) {
                pp_metrics_of_user(&rec.user, pp_agg_emit, agg);
                pp_join_post_add_user_side(post, &rec.user);
            } else {
                pp_join_post_add_pin_side(post, &rec.pin);
            }
            pp_join_post_delta(&before, post, pp_agg_emit, agg);
            pp_join_post_free(&before);
        }
        pp_record_clear(&rec);
    }
    char *rows = covered_rows(agg);
    pp_join_set_destroy(posts);
    pp_dedup_destroy(seen);
    pp_agg_destroy(agg);
    return rows;
}

/* Orders that keep each (kind, ind)'s repeats in file order (they share a Kafka
 * partition, so no path sees them swapped): a seeded shuffle, then repeats put back. */
static void shuffled(event *ev, size_t n, unsigned seed, size_t *order) {
    for (size_t i = 0; i < n; i++) order[i] = i;
    srand(seed);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rand() % i, t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    /* stable fix-up: among events of one kind whose bytes name the same ind/id, keep file order */
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            const event *x = &ev[order[a]], *y = &ev[order[b]];
            if (x->kind == y->kind && order[a] > order[b] && strstr(x->raw, "\"ind\":") && strstr(y->raw, "\"ind\":")) {
                int ix = atoi(strstr(x->raw, "\"ind\":") + 6), iy = atoi(strstr(y->raw, "\"ind\":") + 6);
                if (ix == iy) {
                    size_t t = order[a];
                    order[a] = order[b];
                    order[b] = t;
                }
            }
            if (x->kind == PP_KIND_PIN && y->kind == PP_KIND_PIN && order[a] > order[b]) {
                const char *ux = strstr(x->raw, "\"unique_id\":"), *uy = strstr(y->raw, "\"unique_id\":");
                if (ux && uy && strncmp(ux, uy, 18) == 0) {
                    size_t t = order[a];
                    order[a] = order[b];
                    order[b] = t;
                }
            }
        }
}

static void test_every_arrival_order_adds_up(void **state) {
    (void)state;
    event ev[64];
    size_t n = load_corpus(ev, 64), order[64];
    char *want = read_all(EXPECTED);
    for (unsigned seed = 0; seed < 200; seed++) {
        shuffled(ev, n, seed, order);
        char *got = stream_way(ev, order, n);
        if (strcmp(got, want) != 0) {
            char what[64];
            snprintf(what, sizeof what, "arrival order %u", seed);
            fail_diff(what, got, want);
        }
        free(got);
    }
    free(want);
    for (size_t i = 0; i < n; i++) free(ev[i].raw);
}

static void test_age_groups(void **state) {
    (void)state;
    static const struct {
        int64_t age;
        const char *group;
    } G[] = {{0, "0-17"},   {17, "0-17"},  {18, "18-24"}, {24, "18-24"}, {25, "25-35"},
             {35, "25-35"}, {36, "36-50"}, {50, "36-50"}, {51, "50+"},   {120, "50+"}};
    for (size_t i = 0; i < sizeof G / sizeof G[0]; i++) assert_string_equal(pp_join_age_group(G[i].age), G[i].group);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_gives_the_hand_written_metrics),
        cmocka_unit_test(test_every_arrival_order_adds_up),
        cmocka_unit_test(test_age_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
