/* side_rules — the geo and user rules (docs/joins.md): each documented example
 * (`pinpipe rules --examples`) holds, and each rule fires on at least one line of
 * fixtures/raw/kinds.jsonl (run from the repository root, as tests/run-unit.sh does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clean/clean.h"
#include "clean/rules.h"
#include "common/error.h"
#include "common/line_reader.h"
#include "common/strbuf.h"
#include "contract/mixed_line.h"
#include "json_test_support.h"

#define KINDS_FIXTURE "fixtures/raw/kinds.jsonl"

static const char GEO_BASE[] =
    "{\"ind\":1,\"timestamp\":\"2026-01-01 09:00:00\",\"latitude\":48.85,\"longitude\":2.35,\"country\":\"France\"}";
static const char USER_BASE[] = "{\"ind\":1,\"first_name\":\"Ana\",\"last_name\":\"Silva\",\"age\":30,"
                                "\"date_joined\":\"2015-10-31 11:13:50\",\"timestamp\":\"2026-01-01 09:00:00\"}";

/* The cleaned record of kind k as a jansson object, or NULL with *reason on a reject. */
static json_t *clean_to_json(pp_kind k, const char *text, const char **reason) {
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_record rec;
    static pp_reject rej;
    if (pp_clean_record(k, text, strlen(text), &opts, &rec, &rej, NULL) != PP_OK) {
        *reason = rej.reason;
        return NULL;
    }
    pp_strbuf sb;
    pp_sb_init(&sb);
    if (k == PP_KIND_GEO)
        pp_geo_to_json(&rec.geo, &sb);
    else
        pp_user_to_json(&rec.user, &sb);
    json_t *out = json_loadb(sb.data, sb.len, 0, NULL);
    pp_sb_free(&sb);
    pp_record_clear(&rec);
    return out;
}

static void test_documented_examples(void **state) {
    (void)state;
    for (size_t r = 0; r < PP_N_RULES; r++) {
        const pp_rule *rule = &PP_RULES[r];
        if (rule->kind == PP_KIND_PIN) continue; /* test_rules.c */
        const char *base = rule->kind == PP_KIND_GEO ? GEO_BASE : USER_BASE;
        json_t *in = json_loads(rule->example_in, JSON_DECODE_ANY, NULL);
        assert_non_null(in);
        char *text;
        if (json_is_object(in)) { /* several members of the event */
            json_t *root = json_loads(base, 0, NULL);
            json_object_update(root, in);
            text = json_dumps(root, 0);
            json_decref(root);
        } else {
            text = json_with_member(base, rule->field, rule->example_in);
        }
        const char *reason = NULL;
        json_t *got = clean_to_json(rule->kind, text, &reason);
        if (strncmp(rule->example_out, "rejected: ", 10) == 0) {
            if (got || strcmp(reason, rule->example_out + 10) != 0)
                fail_msg("rule %s example: not rejected as %s", rule->name, rule->example_out + 10);
        } else {
            if (!got) fail_msg("rule %s example: rejected (%s)", rule->name, reason);
            json_t *want = json_loads(rule->example_out, JSON_DECODE_ANY, NULL);
            assert_non_null(want);
            const char *member = rule->field;
            json_t *want_obj = json_is_object(want) ? json_incref(want) : json_pack("{sO}", member, want);
            const char *k;
            json_t *v;
            json_object_foreach(want_obj, k, v) {
                if (!json_equal(json_object_get(got, k), v)) {
                    char *g = json_dumps(json_object_get(got, k), JSON_ENCODE_ANY);
                    fail_msg("rule %s example: %s is %s", rule->name, k, g ? g : "(absent)");
                }
            }
            json_decref(want_obj);
            json_decref(want);
            json_decref(got);
        }
        json_decref(in);
        free(text);
    }
}

static void test_every_side_rule_fires_on_the_fixture(void **state) {
    (void)state;
    FILE *in = fopen(KINDS_FIXTURE, "rb");
    if (!in) fail_msg("cannot open %s (run the tests from the repository root)", KINDS_FIXTURE);
    pp_line_reader *r = pp_line_reader_create(in, 1 << 20);
    const char *line;
    size_t len, lineno;
    uint64_t seen = 0;
    pp_line_status st;
    while ((st = pp_line_reader_next(r, &line, &len, &lineno)) != PP_LINE_EOF) {
        assert_int_equal(st, PP_LINE_OK);
        pp_strbuf raw;
        pp_sb_init(&raw);
        pp_kind kind;
        int64_t ingest = -1;
        const char *why;
        assert_int_equal(pp_mixed_line_parse(line, len, &kind, &ingest, &raw, &why), 0);
        pp_clean_opts opts;
        pp_clean_opts_default(&opts);
        pp_record rec;
        pp_reject rej;
        uint64_t fired = 0;
        if (pp_clean_record(kind, raw.data, raw.len, &opts, &rec, &rej, &fired) == PP_OK) {
            pp_record_clear(&rec);
        } else { /* a rejecting rule fires by rejecting: its detail names it */
            for (size_t i = 0; i < PP_N_RULES; i++) {
                char prefix[64];
                snprintf(prefix, sizeof prefix, "rule %s:", PP_RULES[i].name);
                if (strncmp(rej.detail, prefix, strlen(prefix)) == 0) fired |= UINT64_C(1) << i;
            }
        }
        seen |= fired;
        pp_sb_free(&raw);
    }
    pp_line_reader_destroy(r);
    fclose(in);
    for (size_t i = 0; i < PP_N_RULES; i++)
        if (PP_RULES[i].kind != PP_KIND_PIN && !(seen >> i & 1))
            fail_msg("rule %s fires on no line of %s: add one", PP_RULES[i].name, KINDS_FIXTURE);
}

/* Keys are bounded as JSON text: 100 control characters are 600 bytes inside the
 * join's ["country","category"] key, over the bound although only 100 raw bytes. */
static void test_key_bound_counts_json_bytes(void **state) {
    (void)state;
    char ctl[101];
    memset(ctl, 1, 100);
    ctl[100] = '\0';
    json_t *v = json_string(ctl);
    char *country = json_dumps(v, JSON_ENCODE_ANY), *plain = NULL;
    json_decref(v);
    char *geo = json_with_member(GEO_BASE, "country", country);
    const char *reason = NULL;
    assert_null(clean_to_json(PP_KIND_GEO, geo, &reason));
    assert_string_equal(reason, "key_too_long");
    char *user = json_with_member(USER_BASE, "first_name", country);
    assert_null(clean_to_json(PP_KIND_USER, user, &reason));
    assert_string_equal(reason, "key_too_long");
    /* a pin's category enters the join's keys too */
    static const char PIN[] = "{\"index\":1,\"unique_id\":\"u\",\"title\":\"t\",\"description\":\"d\","
                              "\"follower_count\":\"1\",\"tag_list\":\"a\",\"is_image_or_video\":\"image\","
                              "\"image_src\":\"i\",\"downloaded\":1,\"save_location\":\"/x\",\"category\":\"c\","
                              "\"timestamp\":\"2026-01-01 09:00:00\"}";
    char *pin = json_with_member(PIN, "category", country);
    pp_clean_opts opts;
    pp_clean_opts_default(&opts);
    pp_pin p;
    pp_reject rej;
    assert_int_equal(pp_clean(pin, strlen(pin), &opts, &p, &rej, NULL), PP_EINVAL);
    assert_string_equal(rej.reason, "key_too_long");
    /* 512 plain bytes are within the bound */
    char a512[515];
    a512[0] = '"';
    memset(a512 + 1, 'a', 512);
    strcpy(a512 + 513, "\"");
    plain = json_with_member(GEO_BASE, "country", a512);
    json_t *ok = clean_to_json(PP_KIND_GEO, plain, &reason);
    assert_non_null(ok);
    json_decref(ok);
    free(plain);
    free(pin);
    free(user);
    free(geo);
    free(country);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_documented_examples),
        cmocka_unit_test(test_every_side_rule_fires_on_the_fixture),
        cmocka_unit_test(test_key_bound_counts_json_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
