/* rules — what each cleaning rule does to one field, and why events are rejected.
 *
 * Each row cleans a valid event whose one field is set to a raw value and states
 * the cleaned value, whether cleaning nulled it or found it invalid, and which
 * rule did it. The corpus test proves each rule fires on at least one line of
 * fixtures/raw/corpus.jsonl (run from the repository root, as tests/run-unit.sh does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "clean/clean.h"
#include "clean/rules.h"
#include "common/error.h"
#include "common/line_reader.h"
#include "contract/reject_record.h"
#include "json_test_support.h"

#define CORPUS "fixtures/raw/corpus.jsonl"

static const char *BASE =
    "{\"index\": 7, \"unique_id\": \"u-1\", \"title\": \"T\", \"description\": \"D\", \"poster_name\": \"P\","
    " \"follower_count\": \"940\", \"tag_list\": \"a,b\", \"is_image_or_video\": \"image\", \"image_src\": "
    "\"http://x\","
    " \"downloaded\": 1, \"save_location\": \"/x\", \"category\": \"art\", \"timestamp\": \"2026-01-01 09:00:00\"}";

/* BASE with one member set to the JSON text `value` (NULL: removed). Caller frees. */
static char *with_member(const char *name, const char *value) { return json_with_member(BASE, name, value); }

/* The cleaned member `name` of a pin, as compact JSON. Caller frees. */
static char *cleaned_member(const pp_pin *pin, const char *name) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_pin_to_json(pin, &sb);
    json_error_t jerr;
    json_t *root = json_loads(sb.data, 0, &jerr);
    if (!root) fail_msg("pp_pin_to_json wrote invalid JSON (%s): %s", jerr.text, sb.data);
    json_t *v = json_object_get(root, name);
    if (!v) fail_msg("no member %s in %s", name, sb.data);
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(root);
    pp_sb_free(&sb);
    return s;
}

static pp_clean_opts default_opts(void) {
    pp_clean_opts o;
    pp_clean_opts_default(&o);
    o.ingest_time_ms = -1;
    return o;
}

static int field_of(const char *name) {
    for (int f = 0; f < PP_F_COUNT; f++)
        if (strcmp(PP_FIELDS[f].name, name) == 0) return f;
    fail_msg("no field %s", name);
    return -1;
}

/* ---- one row per rule (and its edges) -------------------------------------- */

enum { KEPT = 0, NULLED = 1, INVALID = 3 }; /* INVALID implies nulled */

static const struct {
    const char *rule;  /* the rule that makes the change; NULL: no rule changes the field */
    const char *field; /* raw field name */
    const char *raw;   /* raw value, JSON */
    const char *out;   /* cleaned value, compact JSON */
    int dq;            /* KEPT, NULLED or INVALID */
} ROWS[] = {
    {"trim_text", "title", "\"  Mixed Media \"", "\"Mixed Media\"", KEPT},
    {"trim_text", "category", "\"\\tart\\r\\n\"", "\"art\"", KEPT},
    {"trim_text", "unique_id", "\" u-1 \"", "\"u-1\"", KEPT},
    {NULL, "title", "\"Mixed  Media\"", "\"Mixed  Media\"", KEPT}, /* inner spaces stay */
    {"empty_to_null", "title", "\"\"", "null", NULLED},
    {"empty_to_null", "image_src", "\"   \"", "null", NULLED}, /* trimmed, then empty */
    {"empty_to_null", "follower_count", "\"\"", "null", NULLED},
    {"empty_to_null", "is_image_or_video", "\"\"", "null", NULLED},
    {"title_placeholder", "title", "\"No Title Data Available\"", "null", NULLED},
    {NULL, "title", "\"No Title Data Available!\"", "\"No Title Data Available!\"", KEPT}, /* exact match only */
    {"description_placeholder", "description", "\"No description available Story format\"", "null", NULLED},
    {"description_placeholder", "description", "\"No description available\"", "null", NULLED},
    {"description_placeholder", "description", "\"  No description available \"", "null", NULLED},
    {NULL, "description", "\"no description available\"", "\"no description available\"", KEPT}, /* case */
    {"follower_count_placeholder", "follower_count", "\"User Info Error\"", "null", NULLED},     /* not invalid */
    {"poster_name_placeholder", "poster_name", "\"User Info Error\"", "null", NULLED},
    {"image_src_placeholder", "image_src", "\"Image src error.\"", "null", NULLED},
    {"tag_list_placeholder", "tag_list", "\"N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e\"", "null", NULLED},
    {"follower_count_to_int", "follower_count", "\"940\"", "940", KEPT},
    {"follower_count_to_int", "follower_count", "\"124k\"", "124000", KEPT},
    {"follower_count_to_int", "follower_count", "\"2.25M\"", "2250000", KEPT},
    {"follower_count_to_int", "follower_count", "\"12,345\"", "12345", KEPT},
    {"follower_count_to_int", "follower_count", "\" 7k \"", "7000", KEPT}, /* trimmed first */
    {"follower_count_to_int", "follower_count", "\"abc\"", "null", INVALID},
    {"follower_count_to_int", "follower_count", "\"-5\"", "null", INVALID},
    {"follower_count_to_int", "follower_count", "\"1.5\"", "null", INVALID},
    {"save_location_path", "save_location", "\"Local save in /data/art\"", "\"/data/art\"", KEPT},
    {"save_location_path", "save_location", "\"Local save in   /data/a b\"", "\"/data/a b\"", KEPT},
    {NULL, "save_location", "\"/data/art\"", "\"/data/art\"", KEPT},
    {"save_location_path", "save_location", "\"Local save in \"", "null", INVALID},
    {"save_location_path", "save_location", "\"Local save in data/art\"", "null", INVALID},
    {"save_location_path", "save_location", "\"C:\\\\data\"", "null", INVALID},
    {"downloaded_to_bool", "downloaded", "1", "true", KEPT},
    {"downloaded_to_bool", "downloaded", "0", "false", KEPT},
    {"downloaded_to_bool", "downloaded", "true", "true", KEPT},
    {"downloaded_to_bool", "downloaded", "\"0\"", "false", KEPT},
    {"downloaded_to_bool", "downloaded", "2", "null", INVALID},
    {"downloaded_to_bool", "downloaded", "-1", "null", INVALID},
    {"media_type", "is_image_or_video", "\"image\"", "\"image\"", KEPT},
    {"media_type", "is_image_or_video", "\"video\"", "\"video\"", KEPT},
    {"media_type", "is_image_or_video", "\"Video\"", "\"video\"", KEPT},
    {"media_type", "is_image_or_video", "\"multi-video(story page format)\"", "\"video\"", KEPT},
    {"media_type", "is_image_or_video", "\"gif\"", "null", INVALID},
    {"tag_list_split", "tag_list", "\"Mixed Media, Art Journaling,Collage\"",
     "[\"Mixed Media\",\"Art Journaling\",\"Collage\"]", KEPT},
    {"tag_list_split", "tag_list", "\"a,,a, b ,\"", "[\"a\",\"b\"]", KEPT},
    {"tag_list_split", "tag_list", "\"A,a\"", "[\"A\",\"a\"]", KEPT}, /* case-sensitive */
    {"tag_list_split", "tag_list", "\"水彩,🔥\"", "[\"水彩\",\"🔥\"]", KEPT},
    {"tag_list_split", "tag_list", "\" , ,\"", "null", INVALID},
    {NULL, "index", "7", "7", KEPT}, /* no rule: `index` is called `ind` in the output */
};

static void test_rule_rows(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof ROWS / sizeof ROWS[0]; i++) {
        char *text = with_member(ROWS[i].field, ROWS[i].raw);
        pp_clean_opts opts = default_opts();
        pp_pin pin;
        pp_reject rej;
        uint64_t fired;
        if (pp_clean(text, strlen(text), &opts, &pin, &rej, &fired) != PP_OK)
            fail_msg("%s = %s: rejected (%s)", ROWS[i].field, ROWS[i].raw, rej.detail);
        int f = field_of(ROWS[i].field);
        char *got = cleaned_member(&pin, f == PP_F_INDEX ? "ind" : ROWS[i].field);
        if (strcmp(got, ROWS[i].out) != 0)
            fail_msg("%s = %s: expected %s, got %s", ROWS[i].field, ROWS[i].raw, ROWS[i].out, got);
        int dq = (pin.nulled >> f & 1) | (pin.invalid >> f & 1) << 1;
        if (dq != ROWS[i].dq)
            fail_msg("%s = %s: expected nulled/invalid %d, got %d", ROWS[i].field, ROWS[i].raw, ROWS[i].dq, dq);
        if (ROWS[i].rule) {
            int r = pp_rule_find(ROWS[i].rule);
            assert_true(r >= 0);
            if (!(fired >> r & 1)) fail_msg("%s = %s: rule %s did not fire", ROWS[i].field, ROWS[i].raw, ROWS[i].rule);
            /* ... and it is that rule: without it, the field comes out differently. Not
             * for a valid downloaded (the engine already holds it as 0/1; the rule's own
             * work is marking other integers invalid). */
            int own = !(strcmp(ROWS[i].rule, "downloaded_to_bool") == 0 && ROWS[i].dq == KEPT);
            if (own) {
                pp_pin without;
                opts.disabled_rules = UINT64_C(1) << r;
                if (pp_clean(text, strlen(text), &opts, &without, &rej, NULL) == PP_OK) {
                    char *alt = cleaned_member(&without, ROWS[i].field);
                    int same = strcmp(alt, got) == 0 && without.nulled == pin.nulled && without.invalid == pin.invalid;
                    if (same)
                        fail_msg("%s = %s: same result without rule %s", ROWS[i].field, ROWS[i].raw, ROWS[i].rule);
                    free(alt);
                    pp_pin_clear(&without);
                }
            }
        }
        free(got);
        pp_pin_clear(&pin);
        free(text);
    }
}

/* Every rule's documented example (`pinpipe rules --examples`) holds. */
static void test_documented_examples(void **state) {
    (void)state;
    for (size_t r = 0; r < PP_N_RULES; r++) {
        const pp_rule *rule = &PP_RULES[r];
        if (rule->kind != PP_KIND_PIN) continue; /* test_side_rules.c */
        const char *field = strcmp(rule->field, "*") == 0 ? "title" : rule->field;
        char *text;
        json_t *in = json_loads(rule->example_in, JSON_DECODE_ANY, NULL);
        assert_non_null(in);
        if (json_is_object(in)) { /* {"index": 7} -> {"ind": 7}: members of the event */
            json_t *root = json_loads(BASE, 0, NULL);
            json_object_update(root, in);
            text = json_dumps(root, 0);
            json_decref(root);
        } else {
            text = with_member(field, rule->example_in);
        }
        pp_clean_opts opts = default_opts();
        pp_pin pin;
        pp_reject rej;
        int rc = pp_clean(text, strlen(text), &opts, &pin, &rej, NULL);
        if (strncmp(rule->example_out, "rejected: ", 10) == 0) {
            assert_int_equal(rc, PP_EINVAL);
            assert_string_equal(rej.reason, rule->example_out + 10);
        } else {
            assert_int_equal(rc, PP_OK);
            json_t *want = json_loads(rule->example_out, JSON_DECODE_ANY, NULL);
            assert_non_null(want);
            if (json_is_object(want)) {
                const char *k;
                json_t *v;
                json_object_foreach(want, k, v) {
                    char *got = cleaned_member(&pin, k), *w = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
                    if (strcmp(got, w)) fail_msg("rule %s example: %s is %s, not %s", rule->name, k, got, w);
                    free(got);
                    free(w);
                }
            } else {
                char *got = cleaned_member(&pin, field), *w = json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT);
                if (strcmp(got, w)) fail_msg("rule %s example: %s -> %s, not %s", rule->name, rule->example_in, got, w);
                free(got);
                free(w);
            }
            json_decref(want);
            pp_pin_clear(&pin);
        }
        json_decref(in);
        free(text);
    }
}

static void test_rule_table(void **state) {
    (void)state;
    assert_true(PP_N_RULES > 0 && PP_N_RULES <= 64); /* disabled_rules and fired are 64-bit masks */
    for (size_t r = 0; r < PP_N_RULES; r++) {
        const pp_rule *rule = &PP_RULES[r];
        assert_true(rule->name[0] && rule->field[0] && rule->description[0]);
        assert_true(rule->example_in[0] && rule->example_out[0]);
        assert_int_equal(pp_rule_find(rule->name), (int)r); /* names are unique */
        /* exactly the function of its kind */
        assert_int_equal(!!rule->apply + !!rule->apply_geo + !!rule->apply_user, 1);
        assert_true(rule->kind == PP_KIND_PIN       ? rule->apply != NULL
                        : rule->kind == PP_KIND_GEO ? rule->apply_geo != NULL
                                                    : rule->apply_user != NULL);
        if (rule->kind == PP_KIND_PIN && strcmp(rule->field, "*") != 0) (void)field_of(rule->field);
    }
    assert_int_equal(pp_rule_find("no_such_rule"), -1);
    assert_string_equal(PP_RULES[0].name, "trim_text"); /* trimming runs first */
}

/* ---- rejects ----------------------------------------------------------------- */

static const struct {
    const char *what;
    const char *line; /* NULL: BASE with member set to value */
    const char *member;
    const char *value;
    int64_t ingest_ms; /* -1: none */
    const char *reason;
    const char *day; /* "" when unknown */
} REJECTS[] = {
    {"not JSON", "not json", NULL, NULL, -1, "invalid_json", ""},
    {"not JSON, ingest time known: the ingest day", "not json", NULL, NULL, INT64_C(1767312000000), "invalid_json",
     "2026-01-02"},
    {"truncated", "{\"index\": 1, \"uni", NULL, NULL, -1, "invalid_json", ""},
    {"invalid UTF-8", "{\"title\": \"\xff\"}", NULL, NULL, -1, "invalid_utf8", ""},
    {"an array", "[1]", NULL, NULL, -1, "not_object", ""},
    {"empty object", "{}", NULL, NULL, -1, "missing_field", ""},
    {"a missing field: the event day", NULL, "category", NULL, -1, "missing_field", "2026-01-01"},
    {"a wrong type", NULL, "index", "\"12a\"", -1, "wrong_type", "2026-01-01"},
    {"a NUL in a string", NULL, "title", "\"a\\u0000b\"", -1, "wrong_type", "2026-01-01"},
    {"first error decides: index missing before title wrong", NULL, "index", NULL, -1, "missing_field", "2026-01-01"},
    {"a bad timestamp", NULL, "timestamp", "\"2026-02-30 10:00:00\"", -1, "invalid_timestamp", ""},
    {"a bad timestamp, ingest time known", NULL, "timestamp", "\"2026-02-30 10:00:00\"", INT64_C(1767312000000),
     "invalid_timestamp", "2026-01-02"},
    {"no timestamp, no ingest time", NULL, "timestamp", NULL, -1, "missing_event_time", ""},
    {"null timestamp, no ingest time", NULL, "timestamp", "null", -1, "missing_event_time", ""},
    {"whitespace unique_id", NULL, "unique_id", "\" \\t \"", -1, "missing_unique_id", "2026-01-01"},
    {"empty unique_id", NULL, "unique_id", "\"\"", -1, "missing_unique_id", "2026-01-01"},
};

static void test_rejects(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof REJECTS / sizeof REJECTS[0]; i++) {
        char *text = REJECTS[i].line ? strdup(REJECTS[i].line) : with_member(REJECTS[i].member, REJECTS[i].value);
        if (strcmp(REJECTS[i].what, "first error decides: index missing before title wrong") == 0) {
            char *t2 = text;
            json_t *root = json_loads(t2, 0, NULL);
            json_object_set_new(root, "title", json_integer(5));
            text = json_dumps(root, 0);
            json_decref(root);
            free(t2);
        }
        pp_clean_opts opts = default_opts();
        opts.ingest_time_ms = REJECTS[i].ingest_ms;
        pp_pin pin;
        pp_reject rej;
        uint64_t fired = 42;
        if (pp_clean(text, strlen(text), &opts, &pin, &rej, &fired) != PP_EINVAL)
            fail_msg("%s: not rejected", REJECTS[i].what);
        if (strcmp(rej.reason, REJECTS[i].reason) || strcmp(rej.day, REJECTS[i].day))
            fail_msg("%s: expected %s on '%s', got %s on '%s' (%s)", REJECTS[i].what, REJECTS[i].reason, REJECTS[i].day,
                     rej.reason, rej.day, rej.detail);
        assert_int_equal(fired, 0);
        assert_true(rej.detail[0]);
        free(text);
    }
}

/* Without a timestamp, the ingest time is the event time. */
static void test_ingest_time_is_event_time(void **state) {
    (void)state;
    char *text = with_member("timestamp", NULL);
    pp_clean_opts opts = default_opts();
    opts.ingest_time_ms = INT64_C(1767312000123);
    pp_pin pin;
    pp_reject rej;
    assert_int_equal(pp_clean(text, strlen(text), &opts, &pin, &rej, NULL), PP_OK);
    assert_int_equal(pin.event_time_ms, INT64_C(1767312000123));
    assert_string_equal(pin.event_day, "2026-01-02");
    pp_pin_clear(&pin);
    free(text);
    /* and a timestamp wins over the ingest time */
    assert_int_equal(pp_clean(BASE, strlen(BASE), &opts, &pin, &rej, NULL), PP_OK);
    assert_string_equal(pin.event_day, "2026-01-01");
    pp_pin_clear(&pin);
}

/* A reject as JSON: reason, detail, day, errors; raw bytes, base64 when not UTF-8. */
static void test_reject_json(void **state) {
    (void)state;
    static const char RAW[] = "{\"title\": \"\xff\xfe\"}";
    pp_clean_opts opts = default_opts();
    pp_pin pin;
    pp_reject rej;
    assert_int_equal(pp_clean(RAW, sizeof RAW - 1, &opts, &pin, &rej, NULL), PP_EINVAL);
    pp_strbuf sb;
    pp_sb_init(&sb);
    pp_reject_json_open(&rej, &sb);
    pp_reject_json_raw(RAW, sizeof RAW - 1, &sb);
    pp_sb_putc(&sb, '}');
    json_t *root = json_loads(sb.data, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "reason")), "invalid_utf8");
    assert_true(json_is_null(json_object_get(root, "day")));
    assert_null(json_object_get(root, "raw"));
    assert_string_equal(json_string_value(json_object_get(root, "raw_base64")), "eyJ0aXRsZSI6ICL//iJ9");
    json_decref(root);

    /* valid UTF-8 travels as a string; field errors are listed */
    char *text = with_member("index", "\"x\"");
    assert_int_equal(pp_clean(text, strlen(text), &opts, &pin, &rej, NULL), PP_EINVAL);
    pp_sb_reset(&sb);
    pp_reject_json_open(&rej, &sb);
    pp_reject_json_raw(text, strlen(text), &sb);
    pp_sb_putc(&sb, '}');
    root = json_loads(sb.data, 0, NULL);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "raw")), text);
    json_t *e = json_array_get(json_object_get(root, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "field")), "index");
    assert_string_equal(json_string_value(json_object_get(e, "type")), "int_parsing");
    assert_string_equal(json_string_value(json_object_get(root, "day")), "2026-01-01");
    json_decref(root);
    free(text);

    /* base64 padding for 1, 2 and 3 trailing bytes */
    static const struct {
        const char *in;
        const char *b64;
    } B64[] = {{"\xff", "/w=="}, {"\xff\xfe", "//4="}, {"\xff\xfe\xfd", "//79"}};
    for (size_t i = 0; i < 3; i++) {
        pp_sb_reset(&sb);
        pp_reject_json_raw(B64[i].in, strlen(B64[i].in), &sb);
        char want[64];
        snprintf(want, sizeof want, ",\"raw_base64\":\"%s\"", B64[i].b64);
        assert_string_equal(sb.data, want);
    }
    pp_sb_free(&sb);
}

/* ---- the corpus exercises every rule ----------------------------------------- */

static void test_every_rule_fires_on_the_corpus(void **state) {
    (void)state;
    FILE *in = fopen(CORPUS, "rb");
    if (!in) fail_msg("cannot open %s (run the tests from the repository root)", CORPUS);
    pp_line_reader *r = pp_line_reader_create(in, 1 << 20);
    const char *line;
    size_t len, lineno;
    uint64_t seen = 0;
    size_t first[64] = {0};
    pp_line_status st;
    while ((st = pp_line_reader_next(r, &line, &len, &lineno)) != PP_LINE_EOF) {
        assert_int_equal(st, PP_LINE_OK);
        if (len == 0) continue;
        pp_clean_opts opts = default_opts();
        pp_pin pin;
        pp_reject rej;
        uint64_t fired;
        if (pp_clean(line, len, &opts, &pin, &rej, &fired) == PP_OK) {
            pp_pin_clear(&pin);
        } else {
            /* a rejecting rule "fires" by rejecting: its detail names it */
            fired = 0;
            for (size_t i = 0; i < PP_N_RULES; i++) {
                char prefix[64];
                snprintf(prefix, sizeof prefix, "rule %s:", PP_RULES[i].name);
                if (strncmp(rej.detail, prefix, strlen(prefix)) == 0) fired |= UINT64_C(1) << i;
            }
        }
        for (size_t i = 0; i < PP_N_RULES; i++)
            if ((fired >> i & 1) && !first[i]) first[i] = lineno;
        seen |= fired;
    }
    pp_line_reader_destroy(r);
    fclose(in);
    for (size_t i = 0; i < PP_N_RULES; i++) {
        if (PP_RULES[i].kind != PP_KIND_PIN) continue; /* fixtures/raw/kinds.jsonl: test_side_rules.c */
        if (!(seen >> i & 1)) fail_msg("rule %s fires on no line of %s: add one", PP_RULES[i].name, CORPUS);
        print_message("  %-28s first fires on line %zu\n", PP_RULES[i].name, first[i]);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_rows),
        cmocka_unit_test(test_documented_examples),
        cmocka_unit_test(test_rule_table),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_ingest_time_is_event_time),
        cmocka_unit_test(test_reject_json),
        cmocka_unit_test(test_every_rule_fires_on_the_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
