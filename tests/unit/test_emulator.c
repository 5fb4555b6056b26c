/* Specification of pinpipe-emulate (emulator/, docs/emulator.md).
 *
 * The emulator is run as a program, the way users run it: the binary next to this
 * test's build folder (<build>/pinpipe-emulate, or $PINPIPE_EMULATE). Its output is
 * then read back with jansson and every number of its manifest is recomputed here,
 * from the bytes alone, by rules written independently of the emulator's code:
 *   - a line is valid when it parses, has every required member with its type;
 *   - invalid lines are classified by what is wrong with them;
 *   - a pin counts once per (event day, unique_id) among valid lines.
 * Events are laid out day by day: day d holds count/days lines, plus one for the
 * first count%days days (a truncated line has no timestamp, so its day comes from
 * its position).
 */
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
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>

static char g_emulate[4096];
static char g_pinpipe[4096]; /* the pinpipe command beside it (or $PINPIPE) */
static char g_tmpdir[] = "/tmp/pinpipe-test-emulator-XXXXXX";

static const char *const CATEGORIES[] = {
    "art",        "beauty",       "christmas", "diy-and-crafts", "education", "event-planning", "finance",
    "home-decor", "mens-fashion", "quotes",    "tattoos",        "travel",    "vehicles"};
#define N_CATEGORIES 13

static const char *const INVALID_KINDS[] = {
    "missing_unique_id", "index_not_int",  "downloaded_not_int", "follower_count_not_string",
    "missing_field",     "truncated_json", "invalid_utf8"};
#define N_KINDS 7

static const char *const PH_FIELDS[] = {"title",          "description", "poster_name",
                                        "follower_count", "tag_list",    "image_src"};
#define N_PH 6

static const char *const FC_KINDS[] = {"plain",  "k", "M", "placeholder", "empty", "decimal", "thousands_separator",
                                       "garbage"};
#define N_FC 8

/* ---- running the emulator ---- */

static char *tmp_path(const char *name) {
    static char paths[8][4200];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", g_tmpdir, name);
    return p;
}

/* Runs prog with args (NULL-terminated) and optional NAME=VALUE env;
 * returns its exit status (or -1). stdout/stderr go to files in the temp dir. */
static int run_program(const char *prog, const char *const *env, const char *const *args) {
    const char *argv[64];
    int n = 0;
    argv[n++] = prog;
    for (; args[n - 1] && n < 63; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        FILE *o = freopen(tmp_path("stdout"), "w", stdout);
        FILE *e = freopen(tmp_path("stderr"), "w", stderr);
        if (!o || !e) _exit(126);
        for (; env && *env; env++) putenv((char *)*env);
        execv(prog, (char *const *)argv);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

static int run_emulator_env(const char *const *env, const char *const *args) {
    return run_program(g_emulate, env, args);
}

static int run_emulator(const char *const *args) { return run_emulator_env(NULL, args); }

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (len) *len = n;
    return buf;
}

static int files_equal(const char *a, const char *b) {
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    int eq = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return eq;
}

static size_t count_lines(const char *path) {
    size_t len, lines = 0;
    char *buf = slurp(path, &len);
    assert_non_null(buf);
    for (size_t i = 0; i < len; i++) lines += buf[i] == '\n';
    if (len) assert_int_equal(buf[len - 1], '\n');
    free(buf);
    return lines;
}

static json_t *load_manifest(const char *path) {
    json_error_t e;
    json_t *m = json_load_file(path, 0, &e);
    if (!m) fail_msg("manifest %s: %s (line %d)", path, e.text, e.line);
    return m;
}

static json_int_t jint(const json_t *obj, const char *key) {
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v)) fail_msg("manifest: '%s' is not an integer", key);
    return json_integer_value(v);
}

/* ---- independent reading of the output ---- */

/* RFC 3629 UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
static int utf8_valid(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        if (i + len > n) return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            c = (c << 6) | (s[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
        i += len;
    }
    return 1;
}

static int all_digits(const char *s, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

static const char *follower_kind(const char *s) {
    size_t n = strlen(s);
    if (!strcmp(s, "User Info Error")) return "placeholder";
    if (n == 0) return "empty";
    if (all_digits(s, n)) return "plain";
    if (n >= 2 && (s[n - 1] == 'k' || s[n - 1] == 'M')) {
        if (all_digits(s, n - 1)) return s[n - 1] == 'k' ? "k" : "M";
        const char *dot = strchr(s, '.');
        if (dot && all_digits(s, (size_t)(dot - s)) && all_digits(dot + 1, (size_t)(s + n - 1 - dot - 1)))
            return "decimal";
    }
    const char *comma = strchr(s, ',');
    if (comma && comma - s >= 1 && comma - s <= 3 && all_digits(s, (size_t)(comma - s)) && strlen(comma + 1) == 3 &&
        all_digits(comma + 1, 3))
        return "thousands_separator";
    return "garbage";
}

static int is_placeholder(const char *field, const char *v) {
    if (!strcmp(field, "title")) return !strcmp(v, "No Title Data Available");
    if (!strcmp(field, "description"))
        return !strcmp(v, "No description available Story format") || !strcmp(v, "No description available");
    if (!strcmp(field, "poster_name") || !strcmp(field, "follower_count")) return !strcmp(v, "User Info Error");
    if (!strcmp(field, "tag_list")) return !strcmp(v, "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e");
    if (!strcmp(field, "image_src")) return !strcmp(v, "Image src error.");
    return 0;
}

static int has_non_ascii(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return 1;
    return 0;
}

static int is_category(const char *c) {
    for (int i = 0; i < N_CATEGORIES; i++)
        if (!strcmp(c, CATEGORIES[i])) return 1;
    return 0;
}

static const char *const REQUIRED_STR[] = {"title",         "description",       "follower_count",
                                           "tag_list",      "is_image_or_video", "image_src",
                                           "save_location", "category"};
#define N_REQUIRED_STR 8
static const char *const KNOWN[] = {"index",       "unique_id",      "title",         "description",
                                    "poster_name", "follower_count", "tag_list",      "is_image_or_video",
                                    "image_src",   "downloaded",     "save_location", "category",
                                    "timestamp"};
#define N_KNOWN 13

/* The kind of a parsed object that is not a valid event, or NULL if valid. */
static const char *classify(json_t *o) {
    if (!json_is_object(o)) return "not_an_object";
    if (!json_object_get(o, "unique_id")) return "missing_unique_id";
    json_t *idx = json_object_get(o, "index");
    if (json_is_string(idx)) return "index_not_int";
    if (json_is_string(json_object_get(o, "downloaded"))) return "downloaded_not_int";
    if (json_is_integer(json_object_get(o, "follower_count"))) return "follower_count_not_string";
    if (!idx || !json_object_get(o, "downloaded")) return "missing_field";
    for (int i = 0; i < N_REQUIRED_STR; i++)
        if (!json_object_get(o, REQUIRED_STR[i])) return "missing_field";
    /* present: now every type must be right, or it is an unexpected defect */
    if (!json_is_integer(idx) || !json_is_string(json_object_get(o, "unique_id")) ||
        !json_is_integer(json_object_get(o, "downloaded")))
        return "wrong_type";
    for (int i = 0; i < N_REQUIRED_STR; i++)
        if (!json_is_string(json_object_get(o, REQUIRED_STR[i]))) return "wrong_type";
    return NULL;
}

/* Per-day and total numbers recomputed from the output, in the manifest's shape. */
typedef struct {
    json_int_t events, valid, invalid, extra, distinct, story;
    json_int_t by_kind[N_KINDS], by_cat[N_CATEGORIES], image, video;
    json_int_t ph_events[N_PH], ph_pins[N_PH], fc[N_FC];
} stats;

static int index_of(const char *const *v, int n, const char *s) {
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i], s)) return i;
    fail_msg("unknown name '%s'", s);
    return -1;
}

static json_t *stats_json(json_t *o, const stats *s, int v1) {
    json_object_set_new(o, "events", json_integer(s->events));
    json_object_set_new(o, "valid_events", json_integer(s->valid));
    json_object_set_new(o, "invalid_events", json_integer(s->invalid));
    json_t *k = json_object();
    for (int i = 0; i < N_KINDS; i++) json_object_set_new(k, INVALID_KINDS[i], json_integer(s->by_kind[i]));
    json_object_set_new(o, "invalid_by_kind", k);
    json_object_set_new(o, "extra_field_events", json_integer(s->extra));
    json_object_set_new(o, "distinct_pins", json_integer(s->distinct));
    json_object_set_new(o, "repeat_events", json_integer(s->valid - s->distinct));
    json_t *c = json_object();
    for (int i = 0; i < N_CATEGORIES; i++) json_object_set_new(c, CATEGORIES[i], json_integer(s->by_cat[i]));
    json_object_set_new(o, "pins_by_category", c);
    json_t *m = json_object();
    json_object_set_new(m, "image", json_integer(s->image));
    json_object_set_new(m, "video", json_integer(s->video));
    json_object_set_new(o, "pins_by_media_type", m);
    json_object_set_new(o, "story_pins", json_integer(s->story));
    json_t *pe = json_object(), *pp = json_object();
    for (int i = 0; i < N_PH; i++) {
        if (v1 && !strcmp(PH_FIELDS[i], "poster_name")) continue;
        json_object_set_new(pe, PH_FIELDS[i], json_integer(s->ph_events[i]));
        json_object_set_new(pp, PH_FIELDS[i], json_integer(s->ph_pins[i]));
    }
    json_object_set_new(o, "placeholder_events", pe);
    json_object_set_new(o, "placeholder_pins", pp);
    json_t *f = json_object();
    for (int i = 0; i < N_FC; i++) json_object_set_new(f, FC_KINDS[i], json_integer(s->fc[i]));
    json_object_set_new(o, "follower_count_format_pins", f);
    return o;
}

static void add_stats(stats *t, const stats *d) {
    json_int_t *tp = (json_int_t *)t;
    const json_int_t *dp = (const json_int_t *)d;
    for (size_t i = 0; i < sizeof *t / sizeof(json_int_t); i++) tp[i] += dp[i];
}

typedef struct {
    long count, days;
    int v1;
    const char *start_date;
    stats total;
    stats *day;
    char (*dates)[11];
    long pins_on_several_days;
    long story_rows_checked;
    long unicode_lines, backslash_lines, quote_lines;
} readback;

/* Reads an events file, checks every line, and fills rb (count/days/v1 set). */
static void read_back(const char *path, readback *rb, json_t *manifest) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    rb->day = calloc((size_t)rb->days, sizeof *rb->day);
    rb->dates = calloc((size_t)rb->days, sizeof *rb->dates);
    json_t *days = json_object_get(manifest, "days");
    assert_int_equal(json_array_size(days), rb->days);
    for (long d = 0; d < rb->days; d++)
        snprintf(rb->dates[d], 11, "%s", json_string_value(json_object_get(json_array_get(days, (size_t)d), "day")));
    assert_string_equal(rb->dates[0], rb->start_date);

    json_t *seen = json_object();     /* "day|unique_id" -> true */
    json_t *pin_days = json_object(); /* unique_id -> number of days seen */
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0, day = 0, in_day = 0;
    char prev_ts[20] = "";
    while ((n = getline(&line, &cap, f)) > 0) {
        assert_int_equal(line[n - 1], '\n');
        size_t len = (size_t)n - 1;
        while (in_day >= rb->count / rb->days + (day < rb->count % rb->days)) day++, in_day = 0;
        in_day++;
        lineno++;
        assert_true(day < rb->days);
        stats *s = &rb->day[day];
        s->events++;

        const char *kind = NULL;
        json_t *o = NULL;
        json_error_t err;
        if (!utf8_valid((const unsigned char *)line, len)) {
            kind = "invalid_utf8";
            assert_null(json_loadb(line, len, 0, &err)); /* jansson refuses it too */
            /* apart from the bad bytes the line is complete */
            assert_int_equal(line[len - 1], '}');
        } else if (!(o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err))) {
            kind = "truncated_json";
            assert_true(line[len - 1] != '}');
        } else {
            kind = classify(o);
        }
        if (kind) {
            if (!strcmp(kind, "not_an_object") || !strcmp(kind, "wrong_type"))
                fail_msg("line %ld: unexpected defect %s: %.*s", lineno, kind, (int)len, line);
            s->invalid++;
            s->by_kind[index_of(INVALID_KINDS, N_KINDS, kind)]++;
            json_t *ts = o ? json_object_get(o, "timestamp") : NULL;
            if (ts) assert_memory_equal(json_string_value(ts), rb->dates[day], 10);
            json_decref(o);
            continue;
        }

        /* a valid event */
        s->valid++;
        const char *ts = json_string_value(json_object_get(o, "timestamp"));
        assert_non_null(ts);
        assert_int_equal(strlen(ts), 19);
        assert_memory_equal(ts, rb->dates[day], 10); /* its day, in the range, in order */
        assert_true(strcmp(ts, prev_ts) >= 0);
        snprintf(prev_ts, sizeof prev_ts, "%s", ts);
        assert_true(ts[10] == ' ' && ts[13] == ':' && ts[16] == ':');
        assert_true(strncmp(ts + 11, "24", 2) < 0);

        const char *uid = json_string_value(json_object_get(o, "unique_id"));
        const char *cat = json_string_value(json_object_get(o, "category"));
        const char *media = json_string_value(json_object_get(o, "is_image_or_video"));
        json_int_t downloaded = json_integer_value(json_object_get(o, "downloaded"));
        assert_int_equal(strlen(uid), 36);
        if (!is_category(cat)) fail_msg("line %ld: category '%s' is not one of the 13", lineno, cat);
        char want_save[64];
        snprintf(want_save, sizeof want_save, "Local save in /data/%s", cat);
        assert_string_equal(json_string_value(json_object_get(o, "save_location")), want_save);
        assert_true(downloaded == 0 || downloaded == 1);
        json_t *poster = json_object_get(o, "poster_name");
        if (rb->v1)
            assert_null(poster);
        else
            assert_true(json_is_string(poster));

        int story = !strcmp(media, "multi-video(story page format)");
        if (!story && strcmp(media, "image") && strcmp(media, "video"))
            fail_msg("line %ld: is_image_or_video '%s'", lineno, media);
        if (story) { /* every placeholder at once, never downloaded */
            assert_string_equal(json_string_value(json_object_get(o, "description")),
                                "No description available Story format");
            for (int i = 0; i < N_PH; i++) {
                json_t *v = json_object_get(o, PH_FIELDS[i]);
                if (v) assert_true(is_placeholder(PH_FIELDS[i], json_string_value(v)));
            }
            assert_int_equal(downloaded, 0);
            rb->story_rows_checked++;
        }

        const char *title = json_string_value(json_object_get(o, "title"));
        const char *desc = json_string_value(json_object_get(o, "description"));
        rb->unicode_lines += has_non_ascii(title) || has_non_ascii(desc);
        rb->backslash_lines += strchr(title, '\\') || strchr(desc, '\\');
        rb->quote_lines += strchr(title, '"') || strchr(desc, '"');

        int extra = 0;
        const char *key;
        json_t *val;
        json_object_foreach(o, key, val) {
            int known = 0;
            for (int i = 0; i < N_KNOWN; i++) known |= !strcmp(key, KNOWN[i]);
            extra |= !known;
        }
        s->extra += extra;

        int ph[N_PH];
        for (int i = 0; i < N_PH; i++) {
            json_t *v = json_object_get(o, PH_FIELDS[i]);
            ph[i] = v && is_placeholder(PH_FIELDS[i], json_string_value(v));
            s->ph_events[i] += ph[i];
        }

        char dayuid[64];
        snprintf(dayuid, sizeof dayuid, "%ld|%s", day, uid);
        if (!json_object_get(seen, dayuid)) { /* first time this (day, unique_id) */
            json_object_set_new(seen, dayuid, json_true());
            json_t *nd = json_object_get(pin_days, uid);
            json_object_set_new(pin_days, uid, json_integer(nd ? json_integer_value(nd) + 1 : 1));
            s->distinct++;
            s->by_cat[index_of(CATEGORIES, N_CATEGORIES, cat)]++;
            if (!strcmp(media, "image"))
                s->image++;
            else
                s->video++;
            s->story += story;
            for (int i = 0; i < N_PH; i++) s->ph_pins[i] += ph[i];
            s->fc[index_of(FC_KINDS, N_FC, follower_kind(json_string_value(json_object_get(o, "follower_count"))))]++;
        }
        json_decref(o);
    }
    free(line);
    fclose(f);
    assert_int_equal(lineno, rb->count);

    const char *k;
    json_t *v;
    json_object_foreach(pin_days, k, v) rb->pins_on_several_days += json_integer_value(v) > 1;
    json_decref(seen);
    json_decref(pin_days);
    for (long d = 0; d < rb->days; d++) add_stats(&rb->total, &rb->day[d]);
}

static void readback_free(readback *rb) {
    free(rb->day);
    free(rb->dates);
}

/* The manifest's totals and every day equal what was recomputed. */
static void assert_manifest_matches(json_t *manifest, const readback *rb) {
    json_t *want = stats_json(json_object(), &rb->total, rb->v1);
    json_t *got = json_object_get(manifest, "totals");
    if (!json_equal(want, got)) {
        char *a = json_dumps(want, JSON_INDENT(1) | JSON_SORT_KEYS);
        char *b = json_dumps(got, JSON_INDENT(1) | JSON_SORT_KEYS);
        fail_msg("totals differ\nrecomputed: %s\nmanifest: %s", a, b);
    }
    json_decref(want);
    json_t *days = json_object_get(manifest, "days");
    for (long d = 0; d < rb->days; d++) {
        json_t *wd = json_object();
        json_object_set_new(wd, "day", json_string(rb->dates[d]));
        stats_json(wd, &rb->day[d], rb->v1);
        json_t *gd = json_array_get(days, (size_t)d);
        if (!json_equal(wd, gd)) {
            char *a = json_dumps(wd, JSON_INDENT(1) | JSON_SORT_KEYS);
            char *b = json_dumps(gd, JSON_INDENT(1) | JSON_SORT_KEYS);
            fail_msg("day %ld differs\nrecomputed: %s\nmanifest: %s", d, a, b);
        }
        json_decref(wd);
    }
}

/* ---- the specification ---- */

static void same_seed_gives_identical_bytes(void **state) {
    (void)state;
    const char *a1[] = {
        "--seed", "7",     "--count",           "3000",       "--invalid-rate",   "0.05", "--extra-field-rate",
        "1%",     "--out", tmp_path("a.jsonl"), "--manifest", tmp_path("a.json"), NULL};
    const char *a2[] = {"--seed=7", "--count=3000",      "--invalid-rate=5%", "--extra-field-rate=0.01",
                        "--out",    tmp_path("b.jsonl"), "--manifest",        tmp_path("b.json"),
                        NULL};
    assert_int_equal(run_emulator(a1), 0);
    assert_int_equal(run_emulator(a2), 0);
    assert_true(files_equal(tmp_path("a.jsonl"), tmp_path("b.jsonl")));
    assert_true(files_equal(tmp_path("a.json"), tmp_path("b.json")));
    /* standard output carries the same bytes as --out */
    const char *a3[] = {"--seed", "7", "--count", "3000", "--invalid-rate", "0.05", "--extra-field-rate", "0.01", NULL};
    assert_int_equal(run_emulator(a3), 0);
    assert_true(files_equal(tmp_path("a.jsonl"), tmp_path("stdout")));
}

static void another_seed_gives_other_events(void **state) {
    (void)state;
    const char *a1[] = {"--seed", "1", "--count", "500", "--out", tmp_path("s1.jsonl"), NULL};
    const char *a2[] = {"--seed", "2", "--count", "500", "--out", tmp_path("s2.jsonl"), NULL};
    assert_int_equal(run_emulator(a1), 0);
    assert_int_equal(run_emulator(a2), 0);
    assert_false(files_equal(tmp_path("s1.jsonl"), tmp_path("s2.jsonl")));
    /* the catalog is another knob: same events, other pins */
    const char *a3[] = {"--seed", "1", "--catalog-seed", "2", "--count", "500", "--out", tmp_path("s3.jsonl"), NULL};
    assert_int_equal(run_emulator(a3), 0);
    assert_false(files_equal(tmp_path("s1.jsonl"), tmp_path("s3.jsonl")));
}

static void count_and_days_are_honoured(void **state) {
    (void)state;
    static const struct {
        const char *count, *days;
    } cases[] = {{"0", "3"}, {"1", "3"}, {"2", "1"}, {"7", "3"}, {"1000", "5"}, {"13", "13"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[] = {"--count",           cases[i].count, "--days",           cases[i].days, "--out",
                              tmp_path("c.jsonl"), "--manifest",   tmp_path("c.json"), NULL};
        assert_int_equal(run_emulator(args), 0);
        long count = atol(cases[i].count), days = atol(cases[i].days);
        assert_int_equal(count_lines(tmp_path("c.jsonl")), count);
        json_t *m = load_manifest(tmp_path("c.json"));
        assert_int_equal(jint(json_object_get(m, "totals"), "events"), count);
        json_t *ds = json_object_get(m, "days");
        assert_int_equal(json_array_size(ds), days);
        for (long d = 0; d < days; d++) /* the documented split over days */
            assert_int_equal(jint(json_array_get(ds, (size_t)d), "events"), count / days + (d < count % days));
        json_decref(m);
    }
}

/* The big one: every line read back, every manifest number recomputed. */
static void manifest_equals_what_the_output_shows(void **state) {
    (void)state;
    const char *args[] = {"--seed",
                          "42",
                          "--count",
                          "40000",
                          "--days",
                          "4",
                          "--start-date",
                          "2024-02-27",
                          "--invalid-rate",
                          "0.03",
                          "--extra-field-rate",
                          "0.01",
                          "--out",
                          tmp_path("big.jsonl"),
                          "--manifest",
                          tmp_path("big.json"),
                          NULL};
    assert_int_equal(run_emulator(args), 0);
    json_t *m = load_manifest(tmp_path("big.json"));
    readback rb = {.count = 40000, .days = 4, .v1 = 0, .start_date = "2024-02-27"};
    read_back(tmp_path("big.jsonl"), &rb, m);
    assert_manifest_matches(m, &rb);

    /* the days are consecutive calendar days, across the leap day */
    assert_string_equal(rb.dates[1], "2024-02-28");
    assert_string_equal(rb.dates[2], "2024-02-29");
    assert_string_equal(rb.dates[3], "2024-03-01");
    /* the manifest names its inputs */
    assert_int_equal(jint(m, "seed"), 42);
    json_t *o = json_object_get(m, "options");
    assert_int_equal(jint(o, "count"), 40000);
    assert_int_equal(jint(o, "invalid_rate_ppm"), 30000);
    assert_string_equal(json_string_value(json_object_get(o, "start_date")), "2024-02-27");

    /* realistic: everything the cleaner must meet shows up at a non-zero rate */
    const stats *t = &rb.total;
    for (int i = 0; i < N_KINDS; i++)
        if (t->by_kind[i] == 0) fail_msg("no %s event", INVALID_KINDS[i]);
    for (int i = 0; i < N_PH; i++)
        if (t->ph_pins[i] == 0) fail_msg("no %s placeholder", PH_FIELDS[i]);
    for (int i = 0; i < N_FC; i++)
        if (t->fc[i] == 0) fail_msg("no follower_count of kind %s", FC_KINDS[i]);
    for (int i = 0; i < N_CATEGORIES; i++)
        if (t->by_cat[i] == 0) fail_msg("no %s pin", CATEGORIES[i]);
    assert_true(t->story > 0 && rb.story_rows_checked > 0);
    assert_true(t->image > t->video && t->video > t->story);
    assert_true(t->extra > 0);
    assert_true(t->valid > t->distinct);      /* same pin again on the same day */
    assert_true(rb.pins_on_several_days > 0); /* and on other days */
    assert_true(rb.unicode_lines > 0 && rb.backslash_lines > 0 && rb.quote_lines > 0);
    /* categories are skewed, not uniform */
    json_int_t lo = t->by_cat[0], hi = t->by_cat[0];
    for (int i = 1; i < N_CATEGORIES; i++) {
        if (t->by_cat[i] < lo) lo = t->by_cat[i];
        if (t->by_cat[i] > hi) hi = t->by_cat[i];
    }
    assert_true(hi > 2 * lo);
    readback_free(&rb);
    json_decref(m);
}

static void schema_v1_omits_poster_name(void **state) {
    (void)state;
    const char *args[] = {"--schema",
                          "v1",
                          "--count",
                          "3000",
                          "--days",
                          "2",
                          "--invalid-rate",
                          "0.02",
                          "--out",
                          tmp_path("v1.jsonl"),
                          "--manifest",
                          tmp_path("v1.json"),
                          NULL};
    assert_int_equal(run_emulator(args), 0);
    json_t *m = load_manifest(tmp_path("v1.json"));
    readback rb = {.count = 3000, .days = 2, .v1 = 1, .start_date = "2026-01-01"};
    read_back(tmp_path("v1.jsonl"), &rb, m); /* asserts no poster_name anywhere */
    assert_manifest_matches(m, &rb);
    assert_null(json_object_get(json_object_get(json_object_get(m, "totals"), "placeholder_pins"), "poster_name"));
    readback_free(&rb);
    json_decref(m);
}

static void default_output_is_valid_and_clean(void **state) {
    (void)state;
    /* defaults: 1000 events, 3 days from 2026-01-01, no invalid events */
    const char *args[] = {"--manifest", tmp_path("d.json"), NULL};
    assert_int_equal(run_emulator(args), 0);
    json_t *m = load_manifest(tmp_path("d.json"));
    readback rb = {.count = 1000, .days = 3, .v1 = 0, .start_date = "2026-01-01"};
    read_back(tmp_path("stdout"), &rb, m);
    assert_manifest_matches(m, &rb);
    assert_int_equal(rb.total.invalid, 0);
    assert_int_equal(rb.total.extra, 0);
    readback_free(&rb);
    json_decref(m);
}

static void environment_sets_options_and_flags_win(void **state) {
    (void)state;
    const char *flags[] = {"--seed", "9", "--count", "200", "--out", tmp_path("f.jsonl"), NULL};
    assert_int_equal(run_emulator(flags), 0);
    const char *env[] = {"PINPIPE_EMULATE_SEED=9", "PINPIPE_EMULATE_COUNT=200", NULL};
    const char *none[] = {"--out", tmp_path("e.jsonl"), NULL};
    assert_int_equal(run_emulator_env(env, none), 0);
    assert_true(files_equal(tmp_path("f.jsonl"), tmp_path("e.jsonl")));
    const char *env2[] = {"PINPIPE_EMULATE_SEED=3", "PINPIPE_EMULATE_COUNT=200", NULL};
    const char *seed9[] = {"--seed", "9", "--out", tmp_path("g.jsonl"), NULL};
    assert_int_equal(run_emulator_env(env2, seed9), 0);
    assert_true(files_equal(tmp_path("f.jsonl"), tmp_path("g.jsonl")));
    const char *bad_env[] = {"PINPIPE_EMULATE_DAYS=zero", NULL};
    assert_int_equal(run_emulator_env(bad_env, none), 2);
}

static void bad_options_are_refused(void **state) {
    (void)state;
    /* each row: the arguments (NULL-terminated) of one refused command line */
    static const char *const cases[][8] = {
        {"--count", "-1", NULL},
        {"--count", "12x", NULL},
        {"--count", "1000000000001", NULL},
        {"--schema", "v3", NULL},
        {"--invalid-rate", "1.5", NULL},
        {"--invalid-rate", "0.0000001", NULL},
        {"--invalid-rate", "abc", NULL},
        {"--extra-field-rate", "101%", NULL},
        {"--start-date", "2026-02-30", NULL},
        {"--start-date", "2026-1-1", NULL},
        {"--start-date", "9999-12-31", "--days", "2", NULL},
        {"--days", "0", NULL},
        {"--catalog-size", "0", NULL},
        {"--bogus", "1", NULL},
        {"--seed", NULL},
        {"--out=", NULL},
        {"stray", NULL},
        {"--kinds", "some", NULL},
        {"--max-delay", "100001", NULL},
        /* a pins topic of its own: the geo and user topics must be named (pp_kind_topic) */
        {"--kinds", "all", "--kafka", "127.0.0.1:1", "--topic", "mine", "--geo-topic=mine-geo", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run_emulator(cases[i]);
        if (rc != 2) fail_msg("case %zu (%s %s): exit %d, want 2", i, cases[i][0], cases[i][1] ? cases[i][1] : "", rc);
        size_t len;
        char *err = slurp(tmp_path("stderr"), &len);
        assert_true(err && len > 0); /* a message saying what is wrong */
        free(err);
    }
    const char *help[] = {"--help", NULL};
    assert_int_equal(run_emulator(help), 0);
    size_t len;
    char *out = slurp(tmp_path("stdout"), &len);
    assert_non_null(out);
    assert_non_null(strstr(out, "--invalid-rate"));
    free(out);
}

static void unwritable_output_fails_cleanly(void **state) {
    (void)state;
    const char *args[] = {"--count", "10", "--out", "/nonexistent-dir/x.jsonl", NULL};
    assert_int_equal(run_emulator(args), 1);
    const char *args2[] = {"--count", "10", "--out", tmp_path("ok.jsonl"), "--manifest", "/nonexistent-dir/m.json",
                           NULL};
    assert_int_equal(run_emulator(args2), 1);
}

/* ---- --kinds all: the three kinds of a post (docs/emulator.md, docs/joins.md) ----
 *
 * The mixed file is read back line by line. The join is recomputed from the bytes
 * alone, by the rules of docs/joins.md written here again: a geo or user event is
 * valid when its required members have their types (floats may be numeric strings,
 * the age a decimal string); a post is (event day, ind); the first valid geo and
 * user of a post count; a joined record is a post with a valid pin, geo and user. */

#define CATALOG 11000 /* the default --catalog-size: inds at or above it are ghost posts */

typedef struct {
    char kind[8];
    json_t *event; /* NULL for a "raw" line or one that is not JSON */
    char day[11];  /* the event's timestamp day, "" when unknown */
    json_int_t ind;
    int valid;
} mixed_line;

typedef struct {
    mixed_line *v;
    size_t n;
} mixed_file;

static int number_text(const char *s, int allow_dot) {
    if (*s == '-') s++;
    int digits = 0, dots = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (*s == '.' && allow_dot && !dots)
            dots++;
        else
            return 0;
    }
    return digits > 0;
}

static int is_float(json_t *v) {
    return json_is_number(v) || (json_is_string(v) && number_text(json_string_value(v), 1));
}
static int is_int(json_t *v) {
    return json_is_integer(v) || (json_is_string(v) && number_text(json_string_value(v), 0));
}
static int is_str(json_t *o, const char *k) { return json_is_string(json_object_get(o, k)); }

static int side_valid(const char *kind, json_t *e) {
    if (!json_is_integer(json_object_get(e, "ind")) || !is_str(e, "timestamp")) return 0;
    if (!strcmp(kind, "geo"))
        return is_float(json_object_get(e, "latitude")) && is_float(json_object_get(e, "longitude")) &&
            is_str(e, "country");
    return is_str(e, "first_name") && is_str(e, "last_name") && is_int(json_object_get(e, "age")) &&
        is_str(e, "date_joined");
}

static void read_mixed(const char *path, mixed_file *mf) {
    size_t len;
    char *buf = slurp(path, &len);
    assert_non_null(buf);
    size_t cap = 1024;
    mf->v = calloc(cap, sizeof *mf->v);
    mf->n = 0;
    for (size_t at = 0; at < len;) {
        char *nl = memchr(buf + at, '\n', len - at);
        assert_non_null(nl);
        if (mf->n == cap) mf->v = realloc(mf->v, (cap *= 2) * sizeof *mf->v);
        mixed_line *l = &mf->v[mf->n++];
        memset(l, 0, sizeof *l);
        json_t *o = json_loadb(buf + at, (size_t)(nl - buf - at), 0, NULL);
        assert_non_null(o); /* every line is JSON: invalid UTF-8 goes as raw_base64 */
        snprintf(l->kind, sizeof l->kind, "%s", json_string_value(json_object_get(o, "kind")));
        l->event = json_incref(json_object_get(o, "event"));
        if (!l->event)
            assert_true(json_is_string(json_object_get(o, "raw")) || json_is_string(json_object_get(o, "raw_base64")));
        json_decref(o);
        assert_true(!strcmp(l->kind, "pin") || !strcmp(l->kind, "geo") || !strcmp(l->kind, "user"));
        json_t *e = l->event;
        if (e) {
            const char *ts = json_string_value(json_object_get(e, "timestamp"));
            if (ts && strlen(ts) >= 10) memcpy(l->day, ts, 10);
            int pin = !strcmp(l->kind, "pin");
            l->valid = pin ? classify(e) == NULL : side_valid(l->kind, e);
            l->ind = json_integer_value(json_object_get(e, pin ? "index" : "ind"));
        }
        at = (size_t)(nl - buf) + 1;
    }
    free(buf);
}

static void mixed_free(mixed_file *mf) {
    for (size_t i = 0; i < mf->n; i++) json_decref(mf->v[i].event);
    free(mf->v);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The lines of path that start with prefix, without it (and without the closing
 * brace of the mixed wrapper when prefix is not empty); at most max. */
static size_t pin_lines(const char *path, const char *prefix, char **out, size_t max) {
    size_t len, n = 0, plen = strlen(prefix);
    char *buf = slurp(path, &len);
    assert_non_null(buf);
    for (size_t at = 0; at < len;) {
        char *nl = memchr(buf + at, '\n', len - at);
        assert_non_null(nl);
        size_t end = (size_t)(nl - buf) - (plen ? 1 : 0);
        if (!strncmp(buf + at, prefix, plen) && n < max) {
            out[n] = strndup(buf + at + plen, end - at - plen);
            n++;
        }
        at = (size_t)(nl - buf) + 1;
    }
    free(buf);
    return n;
}

static void kinds_all_is_deterministic_and_keeps_the_pins(void **state) {
    (void)state;
    const char *a[] = {
        "--kinds", "all", "--seed", "5", "--count", "3000", "--invalid-rate", "0.02", "--out", tmp_path("k1.jsonl"),
        NULL};
    const char *b[] = {
        "--kinds", "all", "--seed", "5", "--count", "3000", "--invalid-rate", "0.02", "--out", tmp_path("k2.jsonl"),
        NULL};
    assert_int_equal(run_emulator(a), 0);
    assert_int_equal(run_emulator(b), 0);
    assert_true(files_equal(tmp_path("k1.jsonl"), tmp_path("k2.jsonl")));
    const char *other[] = {"--kinds", "all", "--seed", "6", "--count", "3000", "--out", tmp_path("k2.jsonl"), NULL};
    assert_int_equal(run_emulator(other), 0);
    assert_false(files_equal(tmp_path("k1.jsonl"), tmp_path("k2.jsonl")));
    /* --kinds pin is the default and the same bytes as before kinds existed */
    const char *pin[] = {"--kinds", "pin", "--seed", "5", "--count", "300", "--out", tmp_path("k3.jsonl"), NULL};
    const char *dflt[] = {"--seed", "5", "--count", "300", "--out", tmp_path("k4.jsonl"), NULL};
    assert_int_equal(run_emulator(pin), 0);
    assert_int_equal(run_emulator(dflt), 0);
    assert_true(files_equal(tmp_path("k3.jsonl"), tmp_path("k4.jsonl")));
    /* the pins of --kinds all are the pins of --kinds pin, byte for byte (in another order) */
    const char *all[] = {"--kinds", "all", "--seed", "5", "--count", "300", "--out", tmp_path("k5.jsonl"), NULL};
    assert_int_equal(run_emulator(all), 0);
    char *from_pin[300], *from_all[300];
    size_t n_pin = pin_lines(tmp_path("k3.jsonl"), "", from_pin, 300);
    size_t n_all = pin_lines(tmp_path("k5.jsonl"), "{\"kind\":\"pin\",\"event\":", from_all, 300);
    assert_int_equal(n_pin, 300);
    assert_int_equal(n_all, 300);
    qsort(from_pin, 300, sizeof *from_pin, cmp_str);
    qsort(from_all, 300, sizeof *from_all, cmp_str);
    for (size_t i = 0; i < 300; i++) {
        assert_string_equal(from_pin[i], from_all[i]);
        free(from_pin[i]);
        free(from_all[i]);
    }
}

static void posts_share_ind_and_day_and_arrive_out_of_order(void **state) {
    (void)state;
    const char *args[] = {"--kinds", "all", "--seed",      "11", "--count", "3000",
                          "--days",  "3",   "--max-delay", "8",  "--out",   tmp_path("k1.jsonl"),
                          NULL};
    assert_int_equal(run_emulator(args), 0);
    mixed_file mf;
    read_mixed(tmp_path("k1.jsonl"), &mf);
    size_t pins = 0, sides = 0, ghosts = 0, before_pin = 0, far = 0, lonely = 0;
    for (size_t i = 0; i < mf.n; i++) {
        mixed_line *s = &mf.v[i];
        assert_true(s->valid); /* no --invalid-rate */
        if (!strcmp(s->kind, "pin")) {
            pins++;
            continue;
        }
        sides++;
        if (s->ind >= CATALOG) {
            ghosts++; /* a ghost post has no pin anywhere */
            for (size_t k = 0; k < mf.n; k++) assert_false(!strcmp(mf.v[k].kind, "pin") && mf.v[k].ind == s->ind);
            continue;
        }
        /* its pin: the nearest pin with the same ind on the same day */
        size_t best = SIZE_MAX, dist = SIZE_MAX;
        for (size_t k = 0; k < mf.n; k++) {
            mixed_line *p = &mf.v[k];
            if (strcmp(p->kind, "pin") || p->ind != s->ind || strcmp(p->day, s->day)) continue;
            size_t d = k > i ? k - i : i - k;
            if (d < dist) best = k, dist = d;
        }
        if (best == SIZE_MAX) {
            lonely++;
            continue;
        }
        before_pin += i < best;
        far += dist > 6;
    }
    assert_int_equal(pins, 3000);
    assert_int_equal(lonely, 0);            /* every side of a catalog ind has its pin on its day */
    assert_true(sides > 2 * pins * 9 / 10); /* most posts have both sides */
    assert_true(ghosts > 0);
    assert_true(before_pin > sides / 5); /* out of order: many sides come before their pin */
    assert_true(far > sides / 10);       /* and late: spread over more than a post's width */
    mixed_free(&mf);

    /* --max-delay 0: a post's events are together (still in a random order) */
    const char *tight[] = {
        "--kinds", "all", "--seed", "11", "--count", "500", "--max-delay", "0", "--out", tmp_path("k2.jsonl"), NULL};
    assert_int_equal(run_emulator(tight), 0);
    read_mixed(tmp_path("k2.jsonl"), &mf);
    size_t first_not_pin = 0;
    for (size_t i = 0; i < mf.n; i++) {
        if (strcmp(mf.v[i].kind, "pin") || mf.v[i].ind >= CATALOG) continue;
        int j = (int)i - 1;
        while (j >= 0 && mf.v[j].ind == mf.v[i].ind && strcmp(mf.v[j].kind, "pin")) j--, first_not_pin++;
    }
    assert_true(first_not_pin > 0);
    mixed_free(&mf);
}

/* ---- the join recomputed from the bytes ---- */

typedef struct {
    int used;
    char day[11];
    json_int_t ind;
    int has_pin, has_geo, has_user;
    const char *category;
    int has_fc;
    json_int_t fc;
    char *country, *name; /* NULL = null */
    int has_age;
    json_int_t age;
    int year; /* -1 = null */
} jpost;

static char *trim_dup(const char *s) {
    while (*s == ' ') s++;
    size_t n = strlen(s);
    while (n && s[n - 1] == ' ') n--;
    char *r = malloc(n + 1);
    memcpy(r, s, n);
    r[n] = '\0';
    return r;
}

/* follower_count as the pin's cleaning gives it (docs/cleaning-rules.md) for the forms the emulator writes. */
static int follower_value(const char *s, json_int_t *v) {
    const char *k = follower_kind(s);
    size_t n = strlen(s);
    if (n == 0) return 0; /* empty: null */
    if (!strcmp(k, "plain")) return *v = atoll(s), 1;
    if (!strcmp(k, "thousands_separator")) {
        const char *c = strchr(s, ',');
        return *v = atoll(s) * 1000 + atoll(c + 1), 1;
    }
    json_int_t mult = s[n - 1] == 'k' ? 1000 : 1000000;
    if (!strcmp(k, "k") || !strcmp(k, "M")) return *v = atoll(s) * mult, 1;
    if (!strcmp(k, "decimal")) { /* one decimal */
        const char *dot = strchr(s, '.');
        return *v = atoll(s) * mult + (dot[1] - '0') * mult / 10, 1;
    }
    return 0;
}

static const char *age_group(json_int_t a) {
    return a <= 17 ? "0-17" : a <= 24 ? "18-24" : a <= 35 ? "25-35" : a <= 50 ? "36-50" : "50+";
}

static jpost *post_of(jpost *tab, size_t cap, const char *day, json_int_t ind) {
    size_t k = ((size_t)ind * 2654435761u + (size_t)day[9] * 97 + (size_t)day[8]) % cap;
    while (tab[k].used && (tab[k].ind != ind || strcmp(tab[k].day, day))) k = (k + 1) % cap;
    if (!tab[k].used) {
        tab[k].used = 1;
        snprintf(tab[k].day, sizeof tab[k].day, "%s", day);
        tab[k].ind = ind;
        tab[k].year = -1;
    }
    return &tab[k];
}

static void pair_add(json_t *obj, const char *a, const char *b, json_int_t add) {
    json_t *arr = json_pack("[s?s?]", a, b);
    char *key = json_dumps(arr, JSON_COMPACT);
    json_t *old = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer((old ? json_integer_value(old) : 0) + add));
    free(key);
    json_decref(arr);
}

static void count_add(json_t *obj, const char *key) {
    json_t *old = json_object_get(obj, key);
    json_object_set_new(obj, key, json_integer((old ? json_integer_value(old) : 0) + 1));
}

/* key -> JSON array of follower values; turned into medians at the end */
static void value_add(json_t *obj, const char *key, json_int_t v) {
    json_t *arr = json_object_get(obj, key);
    if (!arr) json_object_set_new(obj, key, arr = json_array());
    json_array_append_new(arr, json_integer(v));
}

static int cmp_json_int(const void *a, const void *b) {
    json_int_t x = json_integer_value(*(json_t *const *)a), y = json_integer_value(*(json_t *const *)b);
    return (x > y) - (x < y);
}

static json_t *medians(json_t *lists) {
    json_t *out = json_object(), *arr;
    const char *key;
    json_object_foreach(lists, key, arr) {
        size_t n = json_array_size(arr);
        json_t **v = malloc(n * sizeof *v);
        for (size_t i = 0; i < n; i++) v[i] = json_array_get(arr, i);
        qsort(v, n, sizeof *v, cmp_json_int);
        json_object_set_new(out, key,
                            json_pack("{sIsIsI}", "records", (json_int_t)n, "median_low",
                                      json_integer_value(v[(n - 1) / 2]), "median_high", json_integer_value(v[n / 2])));
        free(v);
    }
    return out;
}

/* The expected "join" member of day `day`. */
static json_t *expected_join(jpost *tab, size_t cap, const char *day) {
    json_int_t geo = 0, user = 0, joined = 0, un_pin = 0, un_geo = 0, un_user = 0;
    json_t *years = json_object(), *cc = json_object(), *gc = json_object(), *by_group = json_object(),
           *by_year = json_object(), *best = json_object(); /* country -> [fc, name] */
    for (size_t i = 0; i < cap; i++) {
        jpost *p = &tab[i];
        if (!p->used || strcmp(p->day, day)) continue;
        geo += p->has_geo, user += p->has_user;
        char year[16];
        snprintf(year, sizeof year, "%d", p->year);
        const char *ykey = p->year < 0 ? "(null)" : year;
        if (p->has_user) count_add(years, ykey);
        if (!(p->has_pin && p->has_geo && p->has_user)) {
            un_pin += p->has_pin, un_geo += p->has_geo, un_user += p->has_user;
            continue;
        }
        joined++;
        const char *group = p->has_age ? age_group(p->age) : NULL;
        pair_add(cc, p->country, p->category, 1);
        pair_add(gc, group, p->category, 1);
        if (!p->has_fc) continue;
        value_add(by_group, group ? group : "(null)", p->fc);
        value_add(by_year, ykey, p->fc);
        const char *ck = p->country ? p->country : "\x01null";
        json_t *b = json_object_get(best, ck);
        json_int_t bfc = b ? json_integer_value(json_array_get(b, 0)) : -1;
        const char *bname = b ? json_string_value(json_array_get(b, 1)) : NULL;
        int better = !b || p->fc > bfc ||
            (p->fc == bfc && (!p->name || (bname && strcmp(p->name, bname) < 0)) &&
             !(bname == NULL && p->name == NULL));
        if (better) json_object_set_new(best, ck, json_pack("[Is?]", p->fc, p->name));
    }
    json_t *maxes = json_object(), *b;
    const char *ck;
    json_object_foreach(best, ck, b) {
        pair_add(maxes, strcmp(ck, "\x01null") ? ck : NULL, json_string_value(json_array_get(b, 1)),
                 json_integer_value(json_array_get(b, 0)));
    }
    json_t *j = json_pack("{s{sIsI}sosIs{sIsIsI}sososososo}", "records_by_kind", "geo", geo, "user", user,
                          "users_by_join_year", years, "posts_joined", joined, "join_unmatched", "pin", un_pin, "geo",
                          un_geo, "user", un_user, "posts_by_country_category", cc, "max_followers_by_country_user",
                          maxes, "median_followers_by_age_group", medians(by_group), "median_followers_by_join_year",
                          medians(by_year), "posts_by_age_group_category", gc);
    json_decref(by_group);
    json_decref(by_year);
    json_decref(best);
    return j;
}

static void recompute_join(const char *out, const char *manifest, json_int_t *joined_total) {
    mixed_file mf;
    read_mixed(out, &mf);
    size_t cap = 4 * mf.n + 16;
    jpost *tab = calloc(cap, sizeof *tab);
    for (size_t i = 0; i < mf.n; i++) {
        mixed_line *l = &mf.v[i];
        if (!l->valid) continue;
        jpost *p = post_of(tab, cap, l->day, l->ind);
        json_t *e = l->event;
        if (!strcmp(l->kind, "pin")) {
            if (p->has_pin) continue;
            p->has_pin = 1;
            p->category = json_string_value(json_object_get(e, "category"));
            p->has_fc = follower_value(json_string_value(json_object_get(e, "follower_count")), &p->fc);
        } else if (!strcmp(l->kind, "geo")) {
            if (p->has_geo) continue; /* first occurrence wins */
            p->has_geo = 1;
            char *c = trim_dup(json_string_value(json_object_get(e, "country")));
            if (!*c || !strcmp(c, "Unknown") || !strcmp(c, "N/A")) free(c), c = NULL;
            p->country = c;
        } else {
            if (p->has_user) continue;
            p->has_user = 1;
            char *f = trim_dup(json_string_value(json_object_get(e, "first_name")));
            char *la = trim_dup(json_string_value(json_object_get(e, "last_name")));
            if (*f || *la) {
                p->name = malloc(strlen(f) + strlen(la) + 2);
                sprintf(p->name, "%s%s%s", f, *f && *la ? " " : "", la);
            }
            free(f);
            free(la);
            json_t *age = json_object_get(e, "age");
            json_int_t a = json_is_integer(age) ? json_integer_value(age) : atoll(json_string_value(age));
            p->has_age = a >= 0 && a <= 120;
            p->age = a;
            const char *joined = json_string_value(json_object_get(e, "date_joined"));
            /* same fixed-width format: text order is time order */
            if (strcmp(joined, json_string_value(json_object_get(e, "timestamp"))) <= 0) p->year = atoi(joined);
        }
    }
    json_t *m = load_manifest(manifest);
    assert_int_equal(jint(m, "manifest_version"), 2);
    json_t *day;
    size_t di;
    *joined_total = 0;
    json_array_foreach(json_object_get(m, "days"), di, day) {
        json_t *want = expected_join(tab, cap, json_string_value(json_object_get(day, "day")));
        json_t *got = json_object_get(day, "join");
        if (!json_equal(want, got)) {
            char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS),
                 *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
            fail_msg("day %zu join:\nrecomputed %s\nmanifest   %s", di, w, g);
        }
        *joined_total += jint(got, "posts_joined");
        json_decref(want);
    }
    for (size_t i = 0; i < cap; i++) free(tab[i].country), free(tab[i].name);
    free(tab);
    json_decref(m);
    mixed_free(&mf);
}

static void join_manifest_equals_the_bytes(void **state) {
    (void)state;
    /* tiny: a handful of posts on one day, readable by hand in k1.jsonl */
    const char *tiny[] = {"--kinds",    "all",
                          "--seed",     "3",
                          "--count",    "6",
                          "--days",     "1",
                          "--out",      tmp_path("k1.jsonl"),
                          "--manifest", tmp_path("k1.json"),
                          NULL};
    assert_int_equal(run_emulator(tiny), 0);
    json_int_t joined;
    recompute_join(tmp_path("k1.jsonl"), tmp_path("k1.json"), &joined);
    assert_true(joined > 0 && joined <= 6);
    /* bigger, messy, long delays across day boundaries, days without events */
    const char *big[] = {"--kinds",
                         "all",
                         "--seed",
                         "17",
                         "--count",
                         "6000",
                         "--days",
                         "4",
                         "--invalid-rate",
                         "0.03",
                         "--catalog-size",
                         "800",
                         "--max-delay",
                         "40",
                         "--out",
                         tmp_path("k2.jsonl"),
                         "--manifest",
                         tmp_path("k2.json"),
                         NULL};
    assert_int_equal(run_emulator(big), 0);
    recompute_join(tmp_path("k2.jsonl"), tmp_path("k2.json"), &joined);
    assert_true(joined > 1000); /* 800 rows: many posts repeat an ind on its day */
    const char *sparse[] = {"--kinds",     "all",
                            "--seed",      "4",
                            "--count",     "7",
                            "--days",      "12",
                            "--max-delay", "30",
                            "--out",       tmp_path("k3.jsonl"),
                            "--manifest",  tmp_path("k3.json"),
                            NULL};
    assert_int_equal(run_emulator(sparse), 0);
    recompute_join(tmp_path("k3.jsonl"), tmp_path("k3.json"), &joined);
}

/* A manifest counter of the "sides" totals. */
static json_int_t side_total(json_t *m, const char *group, const char *key) {
    json_t *s = json_object_get(json_object_get(m, "totals"), "sides");
    return jint(group ? json_object_get(s, group) : s, key);
}

static void messiness_is_at_the_documented_rates(void **state) {
    (void)state;
    const char *args[] = {"--kinds",
                          "all",
                          "--seed",
                          "23",
                          "--count",
                          "40000",
                          "--invalid-rate",
                          "0.02",
                          "--out",
                          tmp_path("k1.jsonl"),
                          "--manifest",
                          tmp_path("k1.json"),
                          NULL};
    assert_int_equal(run_emulator(args), 0);
    mixed_file mf;
    read_mixed(tmp_path("k1.jsonl"), &mf);
    json_int_t geo = 0, user = 0, bad_geo = 0, bad_user = 0, country_ph = 0, zero = 0, out_of_range = 0, strings = 0,
               empty_first = 0, age_out = 0, age_str = 0, after = 0;
    for (size_t i = 0; i < mf.n; i++) {
        mixed_line *l = &mf.v[i];
        int is_geo = !strcmp(l->kind, "geo");
        if (!strcmp(l->kind, "pin")) continue;
        is_geo ? geo++ : user++;
        if (!l->valid) {
            is_geo ? bad_geo++ : bad_user++;
            continue;
        }
        json_t *e = l->event;
        if (is_geo) {
            char *c = trim_dup(json_string_value(json_object_get(e, "country")));
            country_ph += !*c || !strcmp(c, "Unknown") || !strcmp(c, "N/A");
            free(c);
            json_t *la = json_object_get(e, "latitude"), *lo = json_object_get(e, "longitude");
            strings += json_is_string(la);
            double lat = json_is_string(la) ? atof(json_string_value(la)) : json_number_value(la);
            double lon = json_is_string(lo) ? atof(json_string_value(lo)) : json_number_value(lo);
            zero += lat == 0.0 && lon == 0.0;
            out_of_range += lat < -90 || lat > 90 || lon < -180 || lon > 180;
        } else {
            char *f = trim_dup(json_string_value(json_object_get(e, "first_name")));
            empty_first += !*f;
            free(f);
            json_t *age = json_object_get(e, "age");
            age_str += json_is_string(age);
            json_int_t a = json_is_integer(age) ? json_integer_value(age) : atoll(json_string_value(age));
            age_out += a < 0 || a > 120;
            after += strcmp(json_string_value(json_object_get(e, "date_joined")),
                            json_string_value(json_object_get(e, "timestamp"))) > 0;
        }
    }
    json_t *m = load_manifest(tmp_path("k1.json"));
    /* the manifest counts what the bytes show */
    assert_int_equal(side_total(m, NULL, "geo_events"), geo);
    assert_int_equal(side_total(m, NULL, "user_events"), user);
    assert_int_equal(side_total(m, "messiness", "country_placeholder"), country_ph);
    assert_int_equal(side_total(m, "messiness", "coordinates_placeholder"), zero);
    assert_int_equal(side_total(m, "messiness", "coordinates_out_of_range"), out_of_range);
    assert_int_equal(side_total(m, "messiness", "numbers_as_strings"), strings);
    assert_int_equal(side_total(m, "messiness", "age_out_of_range"), age_out);
    assert_int_equal(side_total(m, "messiness", "age_as_string"), age_str);
    assert_int_equal(side_total(m, "messiness", "date_joined_after_event"), after);
    json_int_t inv = 0;
    json_t *v;
    const char *k;
    json_object_foreach(json_object_get(json_object_get(json_object_get(m, "totals"), "sides"), "invalid_geo_by_kind"),
                        k, v) inv += json_integer_value(v);
    assert_int_equal(inv, bad_geo);
    /* and the rates are those of docs/emulator.md, within sampling noise (n ~ 40000) */
#define NEAR(count, n, ppm) assert_true(llabs((count)*1000000 / (n) - (ppm)) <= (ppm) / 4 + 1500)
    NEAR(bad_geo, geo, 20000);
    NEAR(bad_user, user, 20000);
    NEAR(country_ph, geo - bad_geo, 30000);
    NEAR(zero, geo - bad_geo, 20000);
    NEAR(out_of_range, geo - bad_geo, 10000);
    NEAR(strings, geo - bad_geo, 30000);
    NEAR(empty_first, user - bad_user, 13000);
    NEAR(age_out, user - bad_user, 10000);
    NEAR(age_str, user - bad_user, 20000);
    NEAR(after, user - bad_user, 20000);
    NEAR(side_total(m, NULL, "posts_missing_geo"), 40000, 30000);
    NEAR(side_total(m, NULL, "ghost_posts"), 40000, 20000);
    NEAR(side_total(m, NULL, "repeated_sides"), 40000, 20000);
#undef NEAR
    json_decref(m);
    mixed_free(&mf);
}

/* ---- the pipeline's offline join metrics equal the manifest ----
 *
 * `pinpipe metrics --input mixed` (the same cleaning and join code as the batch and
 * the stream) on an emulator run must give the manifest's join figures. The mixed
 * format cannot carry invalid UTF-8 (it is read with jansson), so those lines (events
 * the pipeline rejects anyway: no side of any post) are left out of its input. */

/* metric -> day -> key -> value, from `pinpipe metrics` JSON lines. */
static json_t *read_metrics(const char *path) {
    size_t len;
    char *buf = slurp(path, &len);
    assert_non_null(buf);
    json_t *all = json_object();
    for (size_t at = 0; at < len;) {
        char *nl = memchr(buf + at, '\n', len - at);
        assert_non_null(nl);
        json_t *row = json_loadb(buf + at, (size_t)(nl - buf - at), 0, NULL);
        assert_non_null(row);
        const char *metric = json_string_value(json_object_get(row, "metric"));
        const char *day = json_string_value(json_object_get(row, "day"));
        json_t *m = json_object_get(all, metric), *d;
        if (!m) json_object_set_new(all, metric, m = json_object());
        if (!(d = json_object_get(m, day))) json_object_set_new(m, day, d = json_object());
        json_object_set(d, json_string_value(json_object_get(row, "key")), json_object_get(row, "value"));
        json_decref(row);
        at = (size_t)(nl - buf) + 1;
    }
    free(buf);
    return all;
}

/* The rows of one metric and day (an empty object when there are none; borrowed). */
static json_t *rows_of(json_t *all, const char *metric, const char *day) {
    static json_t *empty;
    if (!empty) empty = json_object();
    json_t *d = json_object_get(json_object_get(all, metric), day);
    return d ? d : empty;
}

static json_int_t row_value(json_t *rows, const char *key) { return json_integer_value(json_object_get(rows, key)); }

/* followers_by_* rows ([group, follower_count] -> records) as medians by group. */
static json_t *medians_of_rows(json_t *rows) {
    json_t *lists = json_object(), *v;
    const char *key;
    json_object_foreach(rows, key, v) {
        json_t *k = json_loads(key, 0, NULL);
        json_t *g = json_array_get(k, 0), *fc = json_array_get(k, 1);
        if (json_is_integer(fc)) { /* a null follower_count has no place in a median */
            char group[32];
            if (json_is_null(g))
                snprintf(group, sizeof group, "(null)");
            else if (json_is_integer(g))
                snprintf(group, sizeof group, "%" JSON_INTEGER_FORMAT, json_integer_value(g));
            else
                snprintf(group, sizeof group, "%s", json_string_value(g));
            for (json_int_t i = 0; i < json_integer_value(v); i++) value_add(lists, group, json_integer_value(fc));
        }
        json_decref(k);
    }
    json_t *out = medians(lists);
    json_decref(lists);
    return out;
}

static void assert_json_equal(const char *what, const char *day, json_t *got, json_t *want) {
    if (json_equal(got, want)) return;
    char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS), *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
    fail_msg("%s on %s:\npinpipe  %.2000s\nmanifest %.2000s", what, day, g, w);
}

static void metrics_equal_the_manifest(const char *const *emulate_args) {
    assert_int_equal(run_emulator(emulate_args), 0);
    const char *args[] = {"metrics", "--input", "mixed", tmp_path("k1.jsonl"), NULL};
    int rc = run_program(g_pinpipe, NULL, args);
    if (rc != 0) {
        char *err = slurp(tmp_path("stderr"), NULL);
        fail_msg("pinpipe metrics: exit %d: %.500s", rc, err ? err : "");
    }
    json_t *got = read_metrics(tmp_path("stdout")), *m = load_manifest(tmp_path("k1.json")), *d;
    size_t i;
    json_array_foreach(json_object_get(m, "days"), i, d) {
        const char *day = json_string_value(json_object_get(d, "day"));
        json_t *j = json_object_get(d, "join"), *un = json_object_get(j, "join_unmatched");
        json_int_t joined = row_value(rows_of(got, "posts_joined", day), "all");
        assert_int_equal(joined, jint(j, "posts_joined"));
        json_t *unmatched = rows_of(got, "join_unmatched", day);
        assert_int_equal(row_value(unmatched, "geo"), jint(un, "geo"));
        assert_int_equal(row_value(unmatched, "user"), jint(un, "user"));
        /* an unmatched pin is pins_total - posts_joined (docs/joins.md) */
        assert_int_equal(row_value(rows_of(got, "pins_total", day), "all") - joined, jint(un, "pin"));
        json_t *kinds = json_pack("{sIsI}", "geo", row_value(rows_of(got, "records_by_kind", day), "geo"), "user",
                                  row_value(rows_of(got, "records_by_kind", day), "user"));
        assert_json_equal("records_by_kind", day, kinds, json_object_get(j, "records_by_kind"));
        json_decref(kinds);
        static const char *const same[] = {"users_by_join_year", "posts_by_country_category",
                                           "posts_by_age_group_category"};
        for (size_t k = 0; k < 3; k++)
            assert_json_equal(same[k], day, rows_of(got, same[k], day), json_object_get(j, same[k]));
        /* the most-followed user of each country: the largest value, and the manifest's user holds it */
        json_t *maxes = rows_of(got, "max_followers_by_country_user", day), *v,
               *want = json_object_get(j, "max_followers_by_country_user");
        json_t *best = json_object();
        const char *key;
        json_object_foreach(maxes, key, v) {
            json_t *k = json_loads(key, 0, NULL);
            json_t *c = json_array_get(k, 0);
            const char *ck = json_is_null(c) ? "(null)" : json_string_value(c);
            json_t *old = json_object_get(best, ck);
            if (!old || json_integer_value(v) > json_integer_value(old)) json_object_set(best, ck, v);
            json_decref(k);
        }
        assert_int_equal(json_object_size(best), json_object_size(want));
        json_object_foreach(want, key, v) {
            assert_int_equal(row_value(maxes, key), json_integer_value(v));
            json_t *k = json_loads(key, 0, NULL);
            json_t *c = json_array_get(k, 0);
            assert_int_equal(
                json_integer_value(json_object_get(best, json_is_null(c) ? "(null)" : json_string_value(c))),
                json_integer_value(v));
            json_decref(k);
        }
        json_decref(best);
        json_t *med = medians_of_rows(rows_of(got, "followers_by_age_group", day));
        assert_json_equal("median_followers_by_age_group", day, med,
                          json_object_get(j, "median_followers_by_age_group"));
        json_decref(med);
        med = medians_of_rows(rows_of(got, "followers_by_join_year", day));
        assert_json_equal("median_followers_by_join_year", day, med,
                          json_object_get(j, "median_followers_by_join_year"));
        json_decref(med);
    }
    json_decref(got);
    json_decref(m);
}

static void pinpipe_metrics_equal_the_join_manifest(void **state) {
    (void)state;
    if (access(g_pinpipe, X_OK) != 0) fail_msg("no pinpipe at %s (build it, or set PINPIPE)", g_pinpipe);
    const char *messy[] = {"--kinds",
                           "all",
                           "--seed",
                           "29",
                           "--count",
                           "8000",
                           "--days",
                           "3",
                           "--invalid-rate",
                           "0.03",
                           "--extra-field-rate",
                           "0.01",
                           "--max-delay",
                           "30",
                           "--out",
                           tmp_path("k1.jsonl"),
                           "--manifest",
                           tmp_path("k1.json"),
                           NULL};
    metrics_equal_the_manifest(messy);
    /* a small catalog: many posts of one ind a day, so repeated sides and pins */
    const char *dense[] = {"--kinds",
                           "all",
                           "--seed",
                           "30",
                           "--count",
                           "5000",
                           "--days",
                           "2",
                           "--catalog-size",
                           "300",
                           "--out",
                           tmp_path("k1.jsonl"),
                           "--manifest",
                           tmp_path("k1.json"),
                           NULL};
    metrics_equal_the_manifest(dense);
}

/* ---- target mode with the three kinds: a fake API ----
 *
 * An in-process HTTP server (libmicrohttpd, a thread per connection) stands for the
 * API: it records every POST's path and body in the order the bodies complete, and
 * holds each answer 1 ms so that requests overlap. */

typedef struct {
    pthread_mutex_t mu;
    size_t n, cap;
    char **paths, **bodies;
    int in_flight[3][2048]; /* per kind path and ind (ind < 2048 in these runs) */
    int overlaps;           /* a geo or user arrived while one of its ind was in flight */
    int other;              /* a request that is not a POST to /pin/, /geo/ or /user/ */
} fake_api;

typedef struct {
    char *buf;
    size_t len;
} upload;

static int kind_index(const char *url) {
    return !strcmp(url, "/pin/") ? 0 : !strcmp(url, "/geo/") ? 1 : !strcmp(url, "/user/") ? 2 : -1;
}

static enum MHD_Result fake_handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                    const char *version, const char *data, size_t *size, void **con_cls) {
    (void)version;
    fake_api *api = cls;
    upload *up = *con_cls;
    if (!up) {
        *con_cls = up = calloc(1, sizeof *up);
        return MHD_YES;
    }
    if (*size) {
        up->buf = realloc(up->buf, up->len + *size + 1);
        memcpy(up->buf + up->len, data, *size);
        up->len += *size;
        *size = 0;
        return MHD_YES;
    }
    int k = kind_index(url);
    long ind = -1;
    if (k > 0 && up->buf) {
        up->buf[up->len] = '\0';
        const char *p = strstr(up->buf, "{\"ind\": ");
        if (p) ind = strtol(p + 8, NULL, 10);
        if (ind < 0 || ind >= 2048 || p[8 + strspn(p + 8, "0123456789")] != ',') ind = -1; /* "12a", ghosts */
    }
    pthread_mutex_lock(&api->mu);
    if (strcmp(method, "POST") || k < 0) api->other++;
    if (api->n == api->cap) {
        api->cap = api->cap ? api->cap * 2 : 1024;
        api->paths = realloc(api->paths, api->cap * sizeof *api->paths);
        api->bodies = realloc(api->bodies, api->cap * sizeof *api->bodies);
    }
    api->paths[api->n] = strdup(url);
    api->bodies[api->n] = strndup(up->buf ? up->buf : "", up->len);
    api->n++;
    if (ind >= 0 && api->in_flight[k][ind]++) api->overlaps++;
    pthread_mutex_unlock(&api->mu);
    usleep(1000);
    pthread_mutex_lock(&api->mu);
    if (ind >= 0) api->in_flight[k][ind]--;
    pthread_mutex_unlock(&api->mu);
    struct MHD_Response *r = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static void fake_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t) {
    (void)cls, (void)c, (void)t;
    upload *up = *con_cls;
    if (up) free(up->buf);
    free(up);
    *con_cls = NULL;
}

static void fake_api_reset(fake_api *api) {
    for (size_t i = 0; i < api->n; i++) free(api->paths[i]), free(api->bodies[i]);
    free(api->paths);
    free(api->bodies);
    api->paths = api->bodies = NULL;
    api->n = api->cap = 0;
    memset(api->in_flight, 0, sizeof api->in_flight);
    api->overlaps = api->other = 0;
}

/* The body of an event line of the mixed file ("event" or "raw" as bytes). */
static char *body_of(const mixed_line *l, const char *line, size_t len) {
    (void)l;
    const char *p = strstr(line, "\"event\":");
    if (p) return strndup(p + 8, (size_t)(line + len - 1 - (p + 8)));
    json_t *o = json_loadb(line, len, 0, NULL);
    char *s = strdup(json_string_value(json_object_get(o, "raw")));
    json_decref(o);
    return s;
}

static void target_mode_posts_each_kind_to_its_path_in_order(void **state) {
    (void)state;
    fake_api api;
    memset(&api, 0, sizeof api);
    pthread_mutex_init(&api.mu, NULL);
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, fake_handler,
                         &api, MHD_OPTION_NOTIFY_COMPLETED, fake_done, NULL, MHD_OPTION_END);
    assert_non_null(d);
    unsigned port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
    char base[64], pin_url[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%u", port);
    snprintf(pin_url, sizeof pin_url, "http://127.0.0.1:%u/pin/", port);
    /* a small catalog: the same ind posted again on a day, so repeated sides to keep in order.
     * No invalid events here: their bytes (invalid UTF-8) would not survive the file. */
    const char *file[] = {"--kinds", "all", "--seed",         "8",   "--count", "300",
                          "--days",  "1",   "--catalog-size", "150", "--out",   tmp_path("k1.jsonl"),
                          NULL};
    assert_int_equal(run_emulator(file), 0);
    mixed_file mf;
    read_mixed(tmp_path("k1.jsonl"), &mf);
    size_t len;
    char *text = slurp(tmp_path("k1.jsonl"), &len);
    char **lines = calloc(mf.n, sizeof *lines);
    size_t at = 0;
    for (size_t i = 0; i < mf.n; i++) {
        char *nl = memchr(text + at, '\n', len - at);
        lines[i] = body_of(&mf.v[i], text + at, (size_t)(nl - text - at));
        at = (size_t)(nl - text) + 1;
    }
    const char *targets[] = {base, pin_url};
    for (int t = 0; t < 2; t++) {
        const char *args[] = {"--kinds",        "all", "--seed",   "8",        "--count",       "300", "--days", "1",
                              "--catalog-size", "150", "--target", targets[t], "--concurrency", "8",   NULL};
        int rc = run_emulator(args);
        if (rc) fail_msg("target %s: exit %d", targets[t], rc);
        /* every handler has answered (the emulator got every answer); the lock tells TSan */
        pthread_mutex_lock(&api.mu);
        assert_int_equal(api.other, 0);
        assert_int_equal(api.overlaps, 0); /* never two of one (kind, ind) in flight */
        assert_int_equal(api.n, mf.n);     /* every event once */
        size_t by_kind[3] = {0, 0, 0}, want[3] = {0, 0, 0};
        for (size_t i = 0; i < mf.n; i++) {
            by_kind[kind_index(api.paths[i])]++;
            want[!strcmp(mf.v[i].kind, "pin") ? 0 : !strcmp(mf.v[i].kind, "geo") ? 1 : 2]++;
        }
        for (int k = 0; k < 3; k++) assert_int_equal(by_kind[k], want[k]);
        /* for each (kind, ind), the API got that kind's events of the ind in the order sent */
        for (size_t i = 0; i < mf.n; i++) {
            if (!strcmp(mf.v[i].kind, "pin")) continue;
            int k = !strcmp(mf.v[i].kind, "geo") ? 1 : 2;
            size_t rank = 0, seen = 0;
            for (size_t j = 0; j < i; j++) rank += !strcmp(mf.v[j].kind, mf.v[i].kind) && mf.v[j].ind == mf.v[i].ind;
            for (size_t j = 0; j < api.n; j++) {
                if (kind_index(api.paths[j]) != k) continue;
                json_t *o = json_loads(api.bodies[j], 0, NULL);
                json_int_t ind = json_integer_value(json_object_get(o, "ind"));
                json_decref(o);
                if (ind != mf.v[i].ind) continue;
                if (seen++ == rank) {
                    assert_string_equal(api.bodies[j], lines[i]);
                    break;
                }
            }
            assert_true(seen > rank);
        }
        fake_api_reset(&api);
        pthread_mutex_unlock(&api.mu);
    }
    for (size_t i = 0; i < mf.n; i++) free(lines[i]);
    free(lines);
    free(text);
    mixed_free(&mf);
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&api.mu);
}

static int setup(void **state) {
    (void)state;
    const char *env = getenv("PINPIPE_EMULATE");
    if (env && *env) {
        snprintf(g_emulate, sizeof g_emulate, "%s", env);
    } else {
        /* <build>/tests/unit/test_emulator -> <build>/pinpipe-emulate */
        char self[2048];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) return -1;
        self[n] = '\0';
        for (int up = 0; up < 3; up++) {
            char *slash = strrchr(self, '/');
            if (!slash) return -1;
            *slash = '\0';
        }
        snprintf(g_emulate, sizeof g_emulate, "%s/pinpipe-emulate", self);
    }
    const char *pp = getenv("PINPIPE");
    snprintf(g_pinpipe, sizeof g_pinpipe, "%s", pp && *pp ? pp : g_emulate);
    if (!(pp && *pp)) { /* <dir>/pinpipe-emulate -> <dir>/pinpipe */
        char *dash = strrchr(g_pinpipe, '-');
        if (dash) *dash = '\0';
    }
    if (access(g_emulate, X_OK) != 0) {
        fprintf(stderr, "test_emulator: no emulator at %s (build it, or set PINPIPE_EMULATE)\n", g_emulate);
        return -1;
    }
    return mkdtemp(g_tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    static const char *const names[] = {"a.jsonl",  "a.json",  "b.jsonl",  "b.json",    "s1.jsonl", "s2.jsonl",
                                        "s3.jsonl", "c.jsonl", "c.json",   "big.jsonl", "big.json", "v1.jsonl",
                                        "v1.json",  "d.json",  "f.jsonl",  "e.jsonl",   "g.jsonl",  "ok.jsonl",
                                        "stdout",   "stderr",  "k1.jsonl", "k1.json",   "k2.jsonl", "k2.json",
                                        "k3.jsonl", "k3.json", "k4.jsonl", "k5.jsonl"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) unlink(tmp_path(names[i]));
    rmdir(g_tmpdir);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_gives_identical_bytes),
        cmocka_unit_test(another_seed_gives_other_events),
        cmocka_unit_test(count_and_days_are_honoured),
        cmocka_unit_test(manifest_equals_what_the_output_shows),
        cmocka_unit_test(schema_v1_omits_poster_name),
        cmocka_unit_test(default_output_is_valid_and_clean),
        cmocka_unit_test(environment_sets_options_and_flags_win),
        cmocka_unit_test(bad_options_are_refused),
        cmocka_unit_test(unwritable_output_fails_cleanly),
        cmocka_unit_test(kinds_all_is_deterministic_and_keeps_the_pins),
        cmocka_unit_test(posts_share_ind_and_day_and_arrive_out_of_order),
        cmocka_unit_test(join_manifest_equals_the_bytes),
        cmocka_unit_test(messiness_is_at_the_documented_rates),
        cmocka_unit_test(pinpipe_metrics_equal_the_join_manifest),
        cmocka_unit_test(target_mode_posts_each_kind_to_its_path_in_order),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
