/* fuzz_clean — the cleaning engine (src/clean/clean.h) and what it writes.
 *
 * Input: one option byte, then the raw line. The option byte gives
 *   bit 0      an ingest time is known (a time within the event-time range), else -1;
 *   bit 7      one rule is disabled: PP_RULES[(byte >> 1) % PP_N_RULES].
 * Properties, for every input:
 *   - pp_clean never crashes, leaks or reads out of bounds, and is a pure function
 *     (a second call gives the same bytes out);
 *   - a cleaned pin written with pp_pin_to_json is one JSON object, reads back with
 *     pp_pin_from_json and writes again to the same bytes; its event_day is the day
 *     of its event_time, inside the documented range;
 *   - a reject written as the CLI and the lake write it (pp_reject_json_open, a
 *     "line" member, pp_reject_json_raw, "}") is one JSON object with a reason, and
 *     its raw / raw_base64 member gives back the input bytes exactly.
 */
#include <stdint.h>
#include <string.h>

#include "clean/clean.h"
#include "contract/lake_record.h"
#include "clean/rules.h"
#include "common/error.h"
#include "common/log.h"
#include "contract/reject_record.h"
#include "event/event_time.h"
#include "fuzz_support.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    pp_log_set_level(PP_LOG_ERROR);
    return 0;
}

static void clean_once(const char *line, size_t len, const pp_clean_opts *opts, int *rc, pp_strbuf *out) {
    pp_pin pin;
    pp_reject rej;
    *rc = pp_clean(line, len, opts, &pin, &rej, NULL);
    if (*rc == PP_OK) {
        pp_pin_to_json(&pin, out);
        pp_pin_clear(&pin);
    } else {
        pp_reject_json_open(&rej, out);
        pp_sb_puts(out, ",\"line\":1");
        pp_reject_json_raw(line, len, out);
        pp_sb_putc(out, '}');
    }
}

static void check_pin(const pp_strbuf *out) {
    json_t *root = fuzz_json_parse(out->data, out->len);
    FUZZ_CHECK(root && json_is_object(root), "a cleaned pin is not a JSON object");
    const char *day = json_string_value(json_object_get(root, "event_day"));
    const char *iso = json_string_value(json_object_get(root, "event_time"));
    FUZZ_CHECK(day && iso && strlen(day) == 10 && strncmp(day, iso, 10) == 0,
               "event_day '%s' is not the day of event_time '%s'", day ? day : "(null)", iso ? iso : "(null)");
    int64_t ms;
    FUZZ_CHECK(pp_event_time_parse(iso, strlen(iso), &ms) == PP_OK && pp_event_time_in_range(ms),
               "event_time '%s' does not parse back or is out of range", iso);
    json_decref(root);

    pp_pin back;
    char err[256] = "";
    FUZZ_CHECK(pp_pin_from_json(&back, out->data, out->len, err, sizeof err) == PP_OK,
               "a cleaned pin does not read back: %s: %s", err, out->data);
    pp_strbuf again;
    pp_sb_init(&again);
    pp_pin_to_json(&back, &again);
    FUZZ_CHECK(again.len == out->len && memcmp(again.data, out->data, out->len) == 0,
               "a cleaned pin reads back differently:\n  %s\n  %s", out->data, again.data);
    pp_sb_free(&again);
    pp_pin_clear(&back);
}

static void check_reject(const pp_strbuf *out, const char *line, size_t len) {
    json_t *root = fuzz_json_parse(out->data, out->len);
    FUZZ_CHECK(root && json_is_object(root), "a reject is not a JSON object");
    const char *reason = json_string_value(json_object_get(root, "reason"));
    FUZZ_CHECK(reason && *reason, "a reject has no reason: %s", out->data);
    json_t *raw = json_object_get(root, "raw"), *b64 = json_object_get(root, "raw_base64");
    FUZZ_CHECK(!raw != !b64, "a reject needs exactly one of raw, raw_base64: %s", out->data);
    if (raw) {
        FUZZ_CHECK(json_is_string(raw) && json_string_length(raw) == len &&
                       memcmp(json_string_value(raw), line, len) == 0,
                   "a reject's raw is not the input");
    } else {
        pp_strbuf bytes; /* decoded by the lake's reader, which reads these fields back */
        pp_sb_init(&bytes);
        int drc = pp_batch_base64_decode(json_string_value(b64), json_string_length(b64), &bytes);
        FUZZ_CHECK(drc == PP_OK && bytes.len == len && memcmp(bytes.data, line, len) == 0,
                   "a reject's raw_base64 is not the input");
        pp_sb_free(&bytes);
    }
    json_decref(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    unsigned char flags = data[0];
    const char *line = (const char *)data + 1;
    size_t len = size - 1;
    pp_clean_opts opts = {.disabled_rules = 0, .ingest_time_ms = -1};
    if (flags & 0x01) opts.ingest_time_ms = INT64_C(1767225600000) + (int64_t)(flags >> 1) * 37 * 3600 * 1000;
    if (flags & 0x80) opts.disabled_rules = UINT64_C(1) << ((flags >> 1) % PP_N_RULES);

    pp_strbuf first, second;
    pp_sb_init(&first);
    pp_sb_init(&second);
    int rc1, rc2;
    clean_once(line, len, &opts, &rc1, &first);
    clean_once(line, len, &opts, &rc2, &second);
    FUZZ_CHECK(rc1 == rc2 && first.len == second.len && memcmp(first.data, second.data, first.len) == 0,
               "pp_clean is not a pure function:\n  %s\n  %s", first.data, second.data);
    if (rc1 == PP_OK)
        check_pin(&first);
    else
        check_reject(&first, line, len);
    pp_sb_free(&first);
    pp_sb_free(&second);
    return 0;
}
