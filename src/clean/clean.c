#include "clean/clean.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean/clean_reject.h"
#include "clean/rules.h"
#include "common/error.h"
#include "common/log.h"
#include "common/mem.h"
#include "event/event_time.h"

void pp_clean_opts_default(pp_clean_opts *opts) {
    opts->disabled_rules = 0;
    opts->ingest_time_ms = -1;
    const char *off = getenv("PINPIPE_DISABLE_RULES");
    if (!off || !*off) return;
    char *list = pp_xstrdup(off), *save = NULL;
    for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        int i = pp_rule_find(name);
        if (i < 0) {
            PP_WARN("clean", "PINPIPE_DISABLE_RULES: no rule called '%s'", name);
            continue;
        }
        opts->disabled_rules |= UINT64_C(1) << i;
        PP_WARN("clean", "TEST SWITCH: cleaning rule '%s' is disabled in this process", name);
    }
    free(list);
}

void pp_reject_set(pp_reject *rej, const char *reason, const char *detail, int64_t ingest_time_ms) {
    memset(rej, 0, sizeof *rej);
    rej->reason = reason;
    snprintf(rej->detail, sizeof rej->detail, "%s", detail);
    if (pp_event_time_in_range(ingest_time_ms)) pp_event_day(ingest_time_ms, rej->day);
}

void pp_reject_model(pp_reject *rej, pp_kind kind, pp_event_status status, const pp_field_error *errors, size_t n,
                     uint32_t time_fields, const char *detail, int64_t ingest_time_ms, int has_time,
                     int64_t event_time_ms) {
    const char *reason = pp_event_status_code(status);
    if (status == PP_EVENT_INVALID_FIELDS) /* the kind of the first field error */
        reason = strcmp(errors[0].type, "missing") == 0                            ? "missing_field"
            : (unsigned)errors[0].field < 32 && time_fields >> errors[0].field & 1 ? "invalid_timestamp"
                                                                                   : "wrong_type";
    pp_reject_set(rej, reason, detail, ingest_time_ms);
    rej->kind = kind;
    if (has_time) pp_event_day(event_time_ms, rej->day);
    if (n > PP_F_COUNT) n = PP_F_COUNT;
    memcpy(rej->errors, errors, n * sizeof *errors);
    rej->n_errors = n;
}

static void reject_event(const pp_event *ev, const char *detail, const pp_clean_opts *opts, pp_reject *rej) {
    pp_reject_model(rej, PP_KIND_PIN, ev->status, ev->errors, ev->n_errors, 1u << PP_F_TIMESTAMP, detail,
                    opts->ingest_time_ms, ev->present[PP_F_TIMESTAMP], ev->event_time_ms);
}

/* Room for the tag array of a usual tag list (32 tags) in the pin's one chunk; a
 * longer list takes a second chunk. */
#define TAG_ARRAY_ROOM (32 * sizeof(char *) + 16)

/* The event's str fields into the pin's arena, reserved once for all of them. */
static void copy_texts(const pp_event *ev, pp_pin *pin) {
    size_t total = TAG_ARRAY_ROOM;
    for (int f = 0; f < PP_F_COUNT; f++)
        if (ev->present[f] && PP_FIELDS[f].type == PP_FT_STR) total += ev->len[f] + 1;
    pp_arena_reserve(&pin->arena, total);
    for (int f = 0; f < PP_F_COUNT; f++)
        if (ev->present[f] && PP_FIELDS[f].type == PP_FT_STR)
            pin->text[f] = pp_arena_strndup(&pin->arena, ev->str[f], ev->len[f]);
}

int pp_clean(const char *buf, size_t len, const pp_clean_opts *opts, pp_pin *pin, pp_reject *rej, uint64_t *fired) {
    pp_event ev;
    char err[sizeof rej->detail];
    uint64_t fired_mask = 0;
    int rc = PP_EINVAL;
    pp_clean_opts o = *opts;
    if (!pp_event_time_in_range(o.ingest_time_ms)) o.ingest_time_ms = -1; /* unknown, not a day past 9999 */
    opts = &o;
    pp_pin_init(pin);
    if (pp_event_parse(&ev, buf, len, err, sizeof err) != PP_OK) {
        reject_event(&ev, err, opts, rej);
        goto out;
    }
    if (!ev.present[PP_F_TIMESTAMP] && opts->ingest_time_ms < 0) {
        pp_reject_set(rej, "missing_event_time", "the event has no timestamp and no ingest time is known", -1);
        goto out;
    }
    copy_texts(&ev, pin);
    pin->ind = ev.index;
    pin->downloaded = ev.downloaded >= 0 && ev.downloaded <= 1 ? (int)ev.downloaded : 2; /* 2: out of range */
    pin->event_time_ms = ev.present[PP_F_TIMESTAMP] ? ev.event_time_ms : opts->ingest_time_ms;
    pp_event_day(pin->event_time_ms, pin->event_day);

    for (size_t i = 0; i < PP_N_RULES; i++) {
        if (PP_RULES[i].kind != PP_KIND_PIN || (opts->disabled_rules & (UINT64_C(1) << i))) continue;
        const char *reason = NULL;
        pp_rule_result r = PP_RULES[i].apply(pin, &reason);
        if (r == PP_RULE_REJECT) {
            snprintf(err, sizeof err, "rule %s: %s", PP_RULES[i].name, reason);
            pp_reject_set(rej, reason, err, -1);
            memcpy(rej->day, pin->event_day, sizeof rej->day);
            goto out;
        }
        if (r == PP_RULE_CHANGED) fired_mask |= UINT64_C(1) << i;
    }
    pin->text[PP_F_TIMESTAMP] = NULL;              /* carried as event_time from here on */
    if (pin->downloaded > 1) pin->downloaded = -1; /* downloaded_to_bool disabled */
    rc = PP_OK;
out:
    if (rc != PP_OK) pp_pin_clear(pin);
    if (fired) *fired = rc == PP_OK ? fired_mask : 0;
    pp_event_clear(&ev);
    return rc;
}
