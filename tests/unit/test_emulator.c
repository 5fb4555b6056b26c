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

static char g_emulate[4096];
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

/* Runs the emulator with args (NULL-terminated) and optional NAME=VALUE env;
 * returns its exit status (or -1). stdout/stderr go to files in the temp dir. */
static int run_emulator_env(const char *const *env, const char *const *args) {
    const char *argv[64];
    int n = 0;
    argv[n++] = g_emulate;
    for (; args[n - 1] && n < 63; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        FILE *o = freopen(tmp_path("stdout"), "w", stdout);
        FILE *e = freopen(tmp_path("stderr"), "w", stderr);
        if (!o || !e) _exit(126);
        for (; env && *env; env++) putenv((char *)*env);
        execv(g_emulate, (char *const *)argv);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
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
    static const char *const cases[][5] = {
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
    if (access(g_emulate, X_OK) != 0) {
        fprintf(stderr, "test_emulator: no emulator at %s (build it, or set PINPIPE_EMULATE)\n", g_emulate);
        return -1;
    }
    return mkdtemp(g_tmpdir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    static const char *const names[] = {"a.jsonl",  "a.json",   "b.jsonl",  "b.json", "s1.jsonl",
                                        "s2.jsonl", "s3.jsonl", "c.jsonl",  "c.json", "big.jsonl",
                                        "big.json", "v1.jsonl", "v1.json",  "d.json", "f.jsonl",
                                        "e.jsonl",  "g.jsonl",  "ok.jsonl", "stdout", "stderr"};
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
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
