/* fixtures — cleaning the fixture corpus gives exactly the reviewed expectations.
 *
 * For every fixtures/raw/NAME.jsonl (fixtures/raw/corpus.jsonl at least), cleaning
 * in-process with the offline loop of `pinpipe clean` must give byte for byte
 * fixtures/expected/NAME.{cleaned,rejects,metrics}.jsonl. When a rule change
 * makes this fail, run `make fixtures`, review the diff, commit it with the rule
 * (fixtures/README.md). Run from the repository root (tests/run-unit.sh does).
 */
#define _GNU_SOURCE /* open_memstream */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clean/clean.h"
#include "common/strbuf.h"
#include "metrics/aggregate.h"
#include "metrics/tally.h"

/* The loop `pinpipe clean` and `pinpipe rules check` run. */
#include "metrics/clean_run.h"

static char *slurp(const char *path, size_t *len) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    if (pp_sb_append_file(&sb, path)) {
        pp_sb_free(&sb);
        return NULL;
    }
    *len = sb.len;
    return pp_sb_steal(&sb);
}

/* Fails with the first differing line, numbered as in the expected file. */
static void assert_same_lines(const char *expected_path, const char *got, size_t got_len) {
    size_t exp_len = 0;
    char *exp = slurp(expected_path, &exp_len);
    if (!exp) fail_msg("%s is missing: run `make fixtures` and review the diff", expected_path);
    if (exp_len != got_len || memcmp(exp, got, got_len) != 0) {
        size_t line = 1, i = 0;
        while (i < exp_len && i < got_len && exp[i] == got[i])
            if (exp[i++] == '\n') line++;
        size_t ls = i;
        while (ls > 0 && exp[ls - 1] != '\n') ls--;
        const char *e_end = memchr(exp + ls, '\n', exp_len - ls), *g_end = memchr(got + ls, '\n', got_len - ls);
        int e_n = (int)(e_end ? (size_t)(e_end - exp) - ls : exp_len - ls);
        int g_n = (int)(g_end ? (size_t)(g_end - got) - ls : got_len - ls);
        print_error("%s: line %zu differs\n  expected: %.*s\n  got:      %.*s\n", expected_path, line,
                    ls < exp_len ? e_n : 0, exp + (ls < exp_len ? ls : 0), ls < got_len ? g_n : 0,
                    got + (ls < got_len ? ls : 0));
        free(exp);
        fail_msg("%s differs from what cleaning produces now: if the change is intended, run `make fixtures` "
                 "and review the diff",
                 expected_path);
    }
    free(exp);
}

static void check_fixture(const char *raw_path) {
    const char *base = strrchr(raw_path, '/') ? strrchr(raw_path, '/') + 1 : raw_path;
    char name[256], path[512];
    snprintf(name, sizeof name, "%.*s", (int)(strlen(base) - strlen(".jsonl")), base);

    FILE *in = fopen(raw_path, "rb");
    assert_non_null(in);
    char *cleaned = NULL, *rejects = NULL, *metrics = NULL;
    size_t cleaned_len = 0, rejects_len = 0, metrics_len = 0, lines = 0;
    FILE *c = open_memstream(&cleaned, &cleaned_len), *r = open_memstream(&rejects, &rejects_len);
    FILE *m = open_memstream(&metrics, &metrics_len);
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    assert_int_equal(opts.disabled_rules, 0); /* PINPIPE_DISABLE_RULES must not be set */
    pp_tally t;
    pp_tally_init(&t, &opts);
    pp_tally_enable_join(&t);
    pp_clean_run_opts ro = {.name = raw_path,
                            .input = PP_INPUT_EVENTS,
                            .max_line = 1024 * 1024,
                            .ingest_time_ms = -1,
                            .cleaned_out = c,
                            .rejects_out = r};
    assert_int_equal(pp_clean_run(in, &ro, &t, &lines), 0);
    pp_tally_finish_join(&t);
    pp_agg_write_jsonl(t.agg, m);
    fclose(c);
    fclose(r);
    fclose(m);
    fclose(in);
    print_message("  %-16s %zu lines: %llu cleaned, %llu rejected, %llu repeats\n", name, lines,
                  (unsigned long long)t.cleaned, (unsigned long long)t.rejected, (unsigned long long)t.duplicates);
    assert_true(lines > 0);

    snprintf(path, sizeof path, "fixtures/expected/%s.cleaned.jsonl", name);
    assert_same_lines(path, cleaned, cleaned_len);
    snprintf(path, sizeof path, "fixtures/expected/%s.rejects.jsonl", name);
    assert_same_lines(path, rejects, rejects_len);
    snprintf(path, sizeof path, "fixtures/expected/%s.metrics.jsonl", name);
    assert_same_lines(path, metrics, metrics_len);

    pp_tally_free(&t);
    free(cleaned);
    free(rejects);
    free(metrics);
}

static void test_corpus_is_there(void **state) {
    (void)state;
    FILE *f = fopen("fixtures/raw/corpus.jsonl", "rb");
    if (!f) fail_msg("fixtures/raw/corpus.jsonl not found: run the tests from the repository root");
    fclose(f);
}

static void test_every_fixture(void **state) {
    (void)state;
    glob_t g;
    assert_int_equal(glob("fixtures/raw/*.jsonl", 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++) check_fixture(g.gl_pathv[i]);
    globfree(&g);
}

int main(void) {
    unsetenv("PINPIPE_DISABLE_RULES");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_is_there),
        cmocka_unit_test(test_every_fixture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
