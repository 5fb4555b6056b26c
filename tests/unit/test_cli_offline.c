/* pinpipe clean / metrics on bad input: the right messages, exit codes, no crash.
 *
 * Runs the real binary: PINPIPE_BIN, else BUILD/pinpipe found from this test's
 * own path (BUILD/tests/unit/test_cli_offline). Exit codes (pinpipe clean --help):
 * 0 done, 1 rejects under --strict, 2 bad usage, 3 input/output error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/strbuf.h"
#include <jansson.h>

static char g_bin[4096];
static char g_dir[4096]; /* a temporary directory for inputs and outputs */

static const char *VALID =
    "{\"index\": 1, \"unique_id\": \"u-1\", \"title\": \"T\", \"description\": \"D\", \"poster_name\": \"P\","
    " \"follower_count\": \"6k\", \"tag_list\": \"a,b\", \"is_image_or_video\": \"image\", \"image_src\": \"i\","
    " \"downloaded\": 1, \"save_location\": \"Local save in /x\", \"category\": \"art\","
    " \"timestamp\": \"2026-01-01 09:00:00\"}";

/* ---- running the binary ----------------------------------------------------- */

static char *path_in_dir(const char *name) {
    char *p = malloc(strlen(g_dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", g_dir, name);
    return p;
}

/* Writes bytes to DIR/name; returns the path (caller frees). */
static char *write_file(const char *name, const char *bytes, size_t len) {
    char *p = path_in_dir(name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    if (len) assert_int_equal(fwrite(bytes, 1, len, f), len);
    fclose(f);
    return p;
}

/* The file's bytes, NUL-terminated ("" when it cannot be read). */
static char *read_all(const char *path, size_t *len_out) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    if (pp_sb_append_file(&sb, path)) pp_sb_reset(&sb);
    if (len_out) *len_out = sb.len;
    return pp_sb_steal(&sb);
}

typedef struct {
    int status; /* exit code; 128+signal when killed */
    char *out, *err;
    size_t out_len;
} result;

static void result_free(result *r) {
    free(r->out);
    free(r->err);
}

/* Runs pinpipe with args (NULL-terminated), standard input from stdin_path (NULL: /dev/null). */
static result run(const char *stdin_path, const char *const *args) {
    char *out_path = path_in_dir("stdout"), *err_path = path_in_dir("stderr");
    const char *argv[32] = {g_bin};
    size_t n = 1;
    for (; args[n - 1]; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || out < 0 || err < 0) _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        unsetenv("PINPIPE_DISABLE_RULES");
        unsetenv("PINPIPE_MAX_LINE");
        setenv("PINPIPE_LOG_LEVEL", "info", 1);
        execv(g_bin, (char *const *)argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    result r;
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r.out = read_all(out_path, &r.out_len);
    r.err = read_all(err_path, NULL);
    free(out_path);
    free(err_path);
    return r;
}

static void expect_status(const result *r, int want, const char *what) {
    if (r->status != want)
        fail_msg("%s: exit %d, expected %d\n--- stdout\n%s\n--- stderr\n%s", what, r->status, want, r->out, r->err);
}

static void expect_contains(const char *text, const char *needle, const char *what) {
    if (!strstr(text, needle)) fail_msg("%s: expected to find\n  %s\nin\n%s", what, needle, text);
}

static size_t count_lines(const char *s) {
    size_t n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Every line of a rejects file is a JSON object with a reason and the line number. */
static void expect_reject_lines(const char *rejects, size_t n, const char *const *reasons, const size_t *lines) {
    assert_int_equal(count_lines(rejects), n);
    const char *p = rejects;
    for (size_t i = 0; i < n; i++) {
        const char *nl = strchr(p, '\n');
        json_error_t jerr;
        json_t *o = json_loadb(p, (size_t)(nl - p), 0, &jerr);
        if (!o) fail_msg("reject %zu is not JSON (%s): %.*s", i + 1, jerr.text, (int)(nl - p), p);
        const char *reason = json_string_value(json_object_get(o, "reason"));
        json_int_t line = json_integer_value(json_object_get(o, "line"));
        if (!reason || strcmp(reason, reasons[i]) || (size_t)line != lines[i])
            fail_msg("reject %zu: expected %s on line %zu, got %s on line %lld", i + 1, reasons[i], lines[i],
                     reason ? reason : "(none)", (long long)line);
        assert_true(json_object_get(o, "raw") || json_object_get(o, "raw_base64"));
        json_decref(o);
        p = nl + 1;
    }
}

/* ---- pinpipe clean -------------------------------------------------------------- */

static void test_clean_not_json(void **state) {
    (void)state;
    char *in = write_file("notjson.jsonl", "not json\n", 9), *rej = path_in_dir("rejects.jsonl");
    result r = run(NULL, (const char *const[]){"clean", "--rejects", rej, in, NULL});
    expect_status(&r, 0, "clean, one bad line");
    assert_int_equal(r.out_len, 0);
    expect_contains(r.err, "1 lines, 0 cleaned, 1 rejected", "summary");
    char *rejects = read_all(rej, NULL);
    expect_reject_lines(rejects, 1, (const char *const[]){"invalid_json"}, (const size_t[]){1});
    expect_contains(rejects, "\"raw\":\"not json\"", "the raw line is kept");
    free(rejects);
    result_free(&r);

    /* --strict: any reject is a failure */
    r = run(NULL, (const char *const[]){"clean", "--strict", "--rejects", rej, in, NULL});
    expect_status(&r, 1, "clean --strict");
    result_free(&r);

    /* rejects go to standard error by default, naming the line */
    r = run(NULL, (const char *const[]){"clean", "--no-summary", in, NULL});
    expect_status(&r, 0, "clean, rejects on stderr");
    expect_contains(r.err, "\"reason\":\"invalid_json\"", "default rejects");
    expect_contains(r.err, "\"line\":1", "default rejects");
    result_free(&r);
    free(in);
    free(rej);
}

static void test_clean_truncated_last_line(void **state) {
    (void)state;
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "%s\n{\"index\": 2, \"unique_id\": \"u-2\", \"tit", VALID);
    char *in = write_file("truncated.jsonl", buf, (size_t)n), *rej = path_in_dir("rejects.jsonl");
    result r = run(NULL, (const char *const[]){"clean", "--rejects", rej, in, NULL});
    expect_status(&r, 0, "clean, truncated last line");
    assert_int_equal(count_lines(r.out), 1);
    expect_contains(r.err, "truncated.jsonl: line 2 has no final newline (truncated input?)", "truncation warning");
    char *rejects = read_all(rej, NULL);
    expect_reject_lines(rejects, 1, (const char *const[]){"invalid_json"}, (const size_t[]){2});
    free(rejects);
    result_free(&r);
    free(in);
    free(rej);
}

static void test_clean_binary_garbage(void **state) {
    (void)state;
    /* deterministic garbage: every byte value, NULs, invalid UTF-8, a few newlines */
    char buf[4096];
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < sizeof buf; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (char)(x & 0xff);
    }
    char *in = write_file("garbage.bin", buf, sizeof buf), *rej = path_in_dir("rejects.jsonl");
    result r = run(NULL, (const char *const[]){"clean", "--rejects", rej, in, NULL});
    expect_status(&r, 0, "clean, binary garbage");
    assert_int_equal(r.out_len, 0);
    char *rejects = read_all(rej, NULL);
    size_t lines = 0;
    for (size_t i = 0; i < sizeof buf; i++) lines += buf[i] == '\n';
    size_t nrej = count_lines(rejects);
    assert_true(nrej > 0 && nrej <= lines + 1);
    /* each reject is one JSON object; raw bytes that are not UTF-8 travel as base64 */
    for (const char *p = rejects; *p;) {
        const char *nl = strchr(p, '\n');
        json_t *o = json_loadb(p, (size_t)(nl - p), 0, NULL);
        if (!o) fail_msg("reject is not JSON: %.*s", (int)(nl - p), p);
        const char *reason = json_string_value(json_object_get(o, "reason"));
        assert_true(!strcmp(reason, "invalid_json") || !strcmp(reason, "invalid_utf8"));
        json_decref(o);
        p = nl + 1;
    }
    expect_contains(rejects, "\"raw_base64\":", "garbage kept as base64");
    free(rejects);
    result_free(&r);
    free(in);
    free(rej);
}

static void test_clean_huge_line(void **state) {
    (void)state;
    size_t vlen = strlen(VALID), big = 10u * 1000 * 1000;
    size_t n = vlen + 1 + big + 1 + vlen + 1;
    char *buf = malloc(n), *p = buf;
    memcpy(p, VALID, vlen);
    p += vlen;
    *p++ = '\n';
    memset(p, '{', big); /* 10 MB of one line */
    p += big;
    *p++ = '\n';
    memcpy(p, VALID, vlen);
    p += vlen;
    *p++ = '\n';
    char *in = write_file("huge.jsonl", buf, n), *rej = path_in_dir("rejects.jsonl");
    free(buf);
    result r = run(NULL, (const char *const[]){"clean", "--rejects", rej, in, NULL});
    expect_status(&r, 0, "clean, a 10 MB line");
    assert_int_equal(count_lines(r.out), 2); /* the lines around it are cleaned */
    expect_contains(r.err, "3 lines, 2 cleaned, 1 rejected", "summary");
    char *rejects = read_all(rej, NULL);
    expect_reject_lines(rejects, 1, (const char *const[]){"too_large"}, (const size_t[]){2});
    expect_contains(rejects, "line longer than 1048576 bytes", "the limit is named");
    assert_true(strlen(rejects) < 4096); /* the huge line is not copied into the reject */
    free(rejects);
    result_free(&r);

    /* --max-line sets the limit; metrics says which line it rejected */
    r = run(NULL, (const char *const[]){"clean", "--max-line", "100", "--rejects", rej, in, NULL});
    expect_status(&r, 0, "clean --max-line 100");
    assert_int_equal(r.out_len, 0); /* VALID is longer than 100 bytes */
    expect_contains(r.err, "3 lines, 0 cleaned, 3 rejected", "summary");
    result_free(&r);
    r = run(NULL, (const char *const[]){"metrics", in, NULL});
    expect_status(&r, 0, "metrics, a 10 MB line");
    expect_contains(r.err, "huge.jsonl:2: line longer than 1048576 bytes, rejected", "metrics names the line");
    expect_contains(
        r.out,
        "{\"metric\":\"rejected_events\",\"day\":\"unknown\",\"key\":\"too_large\",\"kind\":\"count\",\"value\":1}",
        "too_large counted");
    expect_contains(r.out,
                    "{\"metric\":\"pins_total\",\"day\":\"2026-01-01\",\"key\":\"all\",\"kind\":\"count\",\"value\":1}",
                    "the repeat around it counted once");
    result_free(&r);
    free(in);
    free(rej);
}

static void test_clean_empty_input(void **state) {
    (void)state;
    char *in = write_file("empty.jsonl", "", 0);
    result r = run(NULL, (const char *const[]){"clean", in, NULL});
    expect_status(&r, 0, "clean, empty file");
    assert_int_equal(r.out_len, 0);
    expect_contains(r.err, "empty.jsonl: empty input", "empty input message");
    result_free(&r);
    /* blank lines only: not events, nothing rejected */
    free(in);
    in = write_file("blank.jsonl", "\n\n\r\n", 4);
    r = run(NULL, (const char *const[]){"clean", "--strict", in, NULL});
    expect_status(&r, 0, "clean, blank lines");
    expect_contains(r.err, "3 lines, 0 cleaned, 0 rejected", "blank lines skipped");
    result_free(&r);
    free(in);
}

static void test_clean_missing_file(void **state) {
    (void)state;
    char *in = path_in_dir("no-such-file.jsonl");
    result r = run(NULL, (const char *const[]){"clean", in, NULL});
    expect_status(&r, 3, "clean, missing file");
    expect_contains(r.err, "pinpipe clean: ", "message");
    expect_contains(r.err, "no-such-file.jsonl: No such file or directory", "message names the file");
    result_free(&r);
    r = run(NULL, (const char *const[]){"metrics", in, NULL});
    expect_status(&r, 3, "metrics, missing file");
    expect_contains(r.err, "no-such-file.jsonl: No such file or directory", "message names the file");
    result_free(&r);
    /* an output that cannot be opened */
    char *valid = write_file("valid.jsonl", VALID, strlen(VALID));
    r = run(NULL, (const char *const[]){"clean", "--rejects", "/nonexistent-dir/rejects.jsonl", valid, NULL});
    expect_status(&r, 3, "clean, unwritable rejects file");
    expect_contains(r.err, "/nonexistent-dir/rejects.jsonl", "message names the file");
    result_free(&r);
    free(valid);
    free(in);
}

static void test_clean_stdin(void **state) {
    (void)state;
    char buf[2048];
    int n = snprintf(buf, sizeof buf, "%s\n", VALID);
    char *in = write_file("stdin.jsonl", buf, (size_t)n);
    result r = run(in, (const char *const[]){"clean", "-", NULL});
    expect_status(&r, 0, "clean from standard input");
    expect_contains(r.out, "\"unique_id\":\"u-1\",\"ind\":1,", "cleaned pin");
    expect_contains(r.out, "\"follower_count\":6000,", "cleaned pin");
    expect_contains(r.err, "<stdin>: 1 lines, 1 cleaned, 0 rejected", "summary names stdin");
    result_free(&r);
    r = run(in, (const char *const[]){"clean", NULL}); /* no argument: standard input too */
    expect_status(&r, 0, "clean with no argument");
    assert_int_equal(count_lines(r.out), 1);
    result_free(&r);
    free(in);
}

static void test_bad_usage(void **state) {
    (void)state;
    static const struct {
        const char *args[6];
        int status;
        const char *message;
    } CASES[] = {
        {{"clean", "--no-such-option", NULL}, 2, "usage: pinpipe clean"},
        {{"clean", "--max-line", "0", NULL}, 2, "--max-line"},
        {{"clean", "--max-line", "12x", NULL}, 2, "--max-line"},
        {{"clean", "--ingest-time", "yesterday", NULL}, 2, "--ingest-time: not a time: 'yesterday'"},
        {{"clean", "a.jsonl", "b.jsonl", NULL}, 2, "one input at most"},
        {{"metrics", "--format", "xml", NULL}, 2, "--format: jsonl or csv, not 'xml'"},
        {{"metrics", "--input", "cooked", NULL}, 2, "--input"},
        {{"rules", "--bogus", NULL}, 2, "unknown argument"},
        {{"no-such-command", NULL}, 2, "unknown command"},
        /* the daemons check their numbers before they connect to anything */
        {{"stream", "--metrics-port", "70000", NULL}, 2, "--metrics-port: a number in 0..65535, not '70000'"},
        {{"stream", "--batch-max", "0", NULL}, 2, "--batch-max: a number in 1..2147483647, not '0'"},
        {{"stream", "--session-timeout-ms", "soon", NULL}, 2, "--session-timeout-ms"},
        {{"lake", "--session-timeout-ms", "0", NULL}, 2, "--session-timeout-ms: a number in 1..2147483647"},
        {{"lake", "--max-records", "x", NULL}, 2, "--max-records"},
        {{"clean", "--help", NULL}, 0, NULL},
        {{"metrics", "--help", NULL}, 0, NULL},
        {{"rules", "--help", NULL}, 0, NULL},
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        result r = run(NULL, CASES[i].args);
        char what[128];
        snprintf(what, sizeof what, "pinpipe %s %s", CASES[i].args[0], CASES[i].args[1] ? CASES[i].args[1] : "");
        expect_status(&r, CASES[i].status, what);
        if (CASES[i].message)
            expect_contains(r.err, CASES[i].message, what);
        else
            expect_contains(r.out, "usage: pinpipe", what);
        result_free(&r);
    }
}

/* ---- pinpipe metrics ----------------------------------------------------------- */

static void test_metrics_csv_quoting(void **state) {
    (void)state;
    static const struct {
        const char *category; /* JSON string body */
        const char *csv_key;  /* the key as a CSV field */
    } CASES[] = {
        {"plain", "plain"},
        {"x, y", "\"x, y\""},
        {"say \\\"hi\\\"", "\"say \"\"hi\"\"\""},
        {"two\\nlines", "\"two\nlines\""},
        {"cr\\rhere", "\"cr\rhere\""},
        {"Zoë 水彩", "Zoë 水彩"},
    };
    char buf[16384];
    size_t len = 0;
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char ev[2048];
        snprintf(ev, sizeof ev, "%s", VALID);
        char *cat = strstr(ev, "\"category\": \"art\"");
        assert_non_null(cat);
        char tail[1024];
        snprintf(tail, sizeof tail, "%s", cat + strlen("\"category\": \"art\""));
        snprintf(cat, sizeof ev - (size_t)(cat - ev), "\"category\": \"%s\"%s", CASES[i].category, tail);
        char *uid = strstr(ev, "u-1");
        uid[2] = (char)('a' + i); /* distinct pins */
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s\n", ev);
    }
    char *in = write_file("csv.jsonl", buf, len);
    result r = run(NULL, (const char *const[]){"metrics", "--format", "csv", in, NULL});
    expect_status(&r, 0, "metrics --format csv");
    assert_true(strncmp(r.out, "metric,day,key,kind,value\n", 26) == 0);
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char want[256];
        snprintf(want, sizeof want, "\npins_by_category,2026-01-01,%s,count,1\n", CASES[i].csv_key);
        expect_contains(r.out, want, "quoted CSV key");
    }
    expect_contains(r.out, "\npins_total,2026-01-01,all,count,6\n", "csv totals");
    result_free(&r);

    /* the same table as JSON lines, and from the cleaned pins */
    r = run(NULL, (const char *const[]){"metrics", in, NULL});
    expect_status(&r, 0, "metrics jsonl");
    expect_contains(r.out,
                    "{\"metric\":\"pins_by_category\",\"day\":\"2026-01-01\",\"key\":\"say "
                    "\\\"hi\\\"\",\"kind\":\"count\",\"value\":1}",
                    "jsonl key");
    result_free(&r);
    free(in);
}

static void test_metrics_from_cleaned_equals_raw(void **state) {
    (void)state;
    const char *raw = "fixtures/raw/corpus.jsonl";
    if (access(raw, R_OK) != 0) fail_msg("%s not found: run from the repository root", raw);
    char *cleaned = path_in_dir("corpus.cleaned.jsonl");
    result r = run(NULL, (const char *const[]){"clean", "--no-summary", "--rejects", "/dev/null", raw, NULL});
    expect_status(&r, 0, "clean corpus");
    FILE *f = fopen(cleaned, "wb");
    fwrite(r.out, 1, r.out_len, f);
    fclose(f);
    result_free(&r);
    result from_raw = run(NULL, (const char *const[]){"metrics", "--input", "raw", raw, NULL});
    result from_cleaned = run(NULL, (const char *const[]){"metrics", cleaned, NULL}); /* auto: cleaned */
    expect_status(&from_raw, 0, "metrics raw");
    expect_status(&from_cleaned, 0, "metrics cleaned");
    /* the pin metrics agree; data quality and rejects exist only for raw input */
    char *a = from_raw.out, *b = from_cleaned.out;
    size_t kept = 0;
    for (char *line = strtok(a, "\n"); line; line = strtok(NULL, "\n")) {
        if (strstr(line, "\"nulled_values\"") || strstr(line, "\"invalid_values\"") ||
            strstr(line, "\"rejected_events\""))
            continue;
        if (!strstr(b, line)) fail_msg("metric from raw input missing from cleaned input: %s", line);
        kept++;
    }
    assert_int_equal(count_lines(b), kept);
    result_free(&from_raw);
    result_free(&from_cleaned);
    free(cleaned);
}

static void test_metrics_empty_input(void **state) {
    (void)state;
    char *in = write_file("empty.jsonl", "", 0);
    result r = run(NULL, (const char *const[]){"metrics", in, NULL});
    expect_status(&r, 0, "metrics, empty file");
    assert_int_equal(r.out_len, 0);
    expect_contains(r.err, "empty.jsonl: empty input", "message");
    expect_contains(r.err, "no metrics", "message");
    result_free(&r);
    r = run(NULL, (const char *const[]){"metrics", "--format", "csv", in, NULL});
    assert_string_equal(r.out, "metric,day,key,kind,value\n");
    result_free(&r);
    free(in);
}

/* ---- setup -------------------------------------------------------------------- */

static int setup(void **state) {
    (void)state;
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(g_dir, sizeof g_dir, "%s/pinpipe-cli-test-XXXXXX", tmp);
    if (!mkdtemp(g_dir)) return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    static const char *const FILES[] = {
        "stdout",      "stderr",     "rejects.jsonl",       "notjson.jsonl", "truncated.jsonl",
        "garbage.bin", "huge.jsonl", "empty.jsonl",         "blank.jsonl",   "valid.jsonl",
        "stdin.jsonl", "csv.jsonl",  "corpus.cleaned.jsonl"};
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        char *p = path_in_dir(FILES[i]);
        unlink(p);
        free(p);
    }
    rmdir(g_dir);
    return 0;
}

int main(int argc, char **argv) {
    (void)argc;
    const char *env = getenv("PINPIPE_BIN");
    if (env && *env) {
        snprintf(g_bin, sizeof g_bin, "%s", env);
    } else { /* BUILD/tests/unit/test_cli_offline -> BUILD/pinpipe */
        snprintf(g_bin, sizeof g_bin, "%s", argv[0]);
        for (int up = 0; up < 3; up++) {
            char *slash = strrchr(g_bin, '/');
            if (slash)
                *slash = '\0';
            else
                snprintf(g_bin, sizeof g_bin, ".");
        }
        strncat(g_bin, "/pinpipe", sizeof g_bin - strlen(g_bin) - 1);
    }
    if (access(g_bin, X_OK) != 0) {
        fprintf(stderr, "test_cli_offline: %s not found or not executable (build it, or set PINPIPE_BIN)\n", g_bin);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_not_json),       cmocka_unit_test(test_clean_truncated_last_line),
        cmocka_unit_test(test_clean_binary_garbage), cmocka_unit_test(test_clean_huge_line),
        cmocka_unit_test(test_clean_empty_input),    cmocka_unit_test(test_clean_missing_file),
        cmocka_unit_test(test_clean_stdin),          cmocka_unit_test(test_bad_usage),
        cmocka_unit_test(test_metrics_csv_quoting),  cmocka_unit_test(test_metrics_from_cleaned_equals_raw),
        cmocka_unit_test(test_metrics_empty_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
