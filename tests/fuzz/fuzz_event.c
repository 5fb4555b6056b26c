/* fuzz_event — the raw-event parser (src/event/event.h).
 *
 * Properties, for every input:
 *   - pp_event_parse never crashes, leaks or reads out of bounds (ASan, UBSan);
 *   - the fast path and the reference path (jansson only) give the same result:
 *     return code, status, message, every field error, and for a valid event every
 *     field's presence, value, event time and schema version (the header's promise);
 *   - what the API answers with for that input is one valid JSON document: the echo
 *     of a valid event, the 422 body of an invalid one, the 400 body of non-JSON.
 */
#include <stdint.h>
#include <string.h>

#include "api/api_reply.h"
#include "common/error.h"
#include "common/log.h"
#include "event/event.h"
#include "fuzz_support.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    pp_log_set_level(PP_LOG_ERROR);
    return 0;
}

static int same_cstr(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

static void check_same(const pp_event *f, int frc, const char *ferr, const pp_event *r, int rrc, const char *rerr) {
    FUZZ_CHECK(frc == rrc, "return code: fast %d, reference %d", frc, rrc);
    FUZZ_CHECK(f->status == r->status, "status: fast %s, reference %s", pp_event_status_code(f->status),
               pp_event_status_code(r->status));
    FUZZ_CHECK(strcmp(ferr, rerr) == 0, "message: fast '%s', reference '%s'", ferr, rerr);
    FUZZ_CHECK(strcmp(f->parse_error, r->parse_error) == 0, "parse_error: fast '%s', reference '%s'", f->parse_error,
               r->parse_error);
    FUZZ_CHECK(f->n_errors == r->n_errors, "errors: fast %zu, reference %zu", f->n_errors, r->n_errors);
    for (size_t i = 0; i < f->n_errors; i++) {
        const pp_field_error *a = &f->errors[i], *b = &r->errors[i];
        FUZZ_CHECK(a->field == b->field && same_cstr(a->type, b->type) && same_cstr(a->msg, b->msg),
                   "error %zu: fast (%d %s %s), reference (%d %s %s)", i, (int)a->field, a->type, a->msg, (int)b->field,
                   b->type, b->msg);
    }
    if (frc != PP_OK) return;
    FUZZ_CHECK(f->schema_version == r->schema_version, "schema_version: fast %d, reference %d", f->schema_version,
               r->schema_version);
    for (int i = 0; i < PP_F_COUNT; i++) {
        FUZZ_CHECK(f->present[i] == r->present[i], "present[%s]: fast %d, reference %d", PP_FIELDS[i].name,
                   f->present[i], r->present[i]);
        if (!f->present[i] || PP_FIELDS[i].type != PP_FT_STR) continue;
        FUZZ_CHECK(f->len[i] == r->len[i] && memcmp(f->str[i], r->str[i], f->len[i]) == 0,
                   "%s: fast '%.*s', reference '%.*s'", PP_FIELDS[i].name, (int)f->len[i], f->str[i], (int)r->len[i],
                   r->str[i]);
    }
    if (f->present[PP_F_INDEX])
        FUZZ_CHECK(f->index == r->index, "index: fast %lld, reference %lld", (long long)f->index, (long long)r->index);
    if (f->present[PP_F_DOWNLOADED])
        FUZZ_CHECK(f->downloaded == r->downloaded, "downloaded: fast %lld, reference %lld", (long long)f->downloaded,
                   (long long)r->downloaded);
    if (f->present[PP_F_TIMESTAMP])
        FUZZ_CHECK(f->event_time_ms == r->event_time_ms, "event_time_ms: fast %lld, reference %lld",
                   (long long)f->event_time_ms, (long long)r->event_time_ms);
}

/* The API's answer for this input, as pp_api_validate (api_validate.c) builds it for a pin. */
static void check_reply(const pp_event *ev, int rc, const char *buf, size_t len) {
    pp_strbuf sb;
    pp_sb_init(&sb);
    if (rc == PP_OK)
        pp_api_reply_echo(&sb, ev);
    else if (ev->status == PP_EVENT_INVALID_JSON || ev->status == PP_EVENT_INVALID_UTF8)
        pp_api_reply_json_invalid(&sb, buf, len);
    else
        pp_api_reply_invalid(&sb, ev, len);
    json_t *root = fuzz_json_parse(sb.data, sb.len);
    FUZZ_CHECK(root && json_is_object(root), "the API's answer is not a JSON object");
    json_decref(root);
    pp_sb_free(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *buf = (const char *)data;
    pp_event fast, ref;
    char ferr[512] = "", rerr[512] = "";
    int frc = pp_event_parse(&fast, buf, size, ferr, sizeof ferr);
    int rrc = pp_event_parse_reference(&ref, buf, size, rerr, sizeof rerr);
    check_same(&fast, frc, ferr, &ref, rrc, rerr);
    check_reply(&fast, frc, buf, size);
    pp_event_clear(&fast);
    pp_event_clear(&ref);
    return 0;
}
