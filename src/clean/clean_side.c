/* The cleaning of geo and user events (docs/joins.md) and the any-kind entry points. */
#include <stdio.h>
#include <string.h>

#include "clean/clean.h"
#include "clean/clean_reject.h"
#include "clean/rules.h"
#include "common/error.h"
#include "event/event_time.h"

/* Parses buf as kind; on a model failure fills rej (its day from time field tf). */
static int parse_or_reject(pp_kind kind, int tf, const char *buf, size_t len, const pp_clean_opts *opts,
                           pp_kind_event *ev, pp_reject *rej) {
    char err[sizeof rej->detail];
    if (pp_kind_event_parse(ev, kind, buf, len, err, sizeof err) == PP_OK) return PP_OK;
    uint32_t time_fields =
        kind == PP_KIND_GEO ? 1u << PP_GEO_TIMESTAMP : 1u << PP_USER_TIMESTAMP | 1u << PP_USER_DATE_JOINED;
    pp_reject_model(rej, kind, ev->status, ev->errors, ev->n_errors, time_fields, err, opts->ingest_time_ms,
                    ev->present[tf], ev->i[tf]);
    return PP_EINVAL;
}

static char *copy_str(pp_arena *a, const pp_kind_event *ev, int f) {
    return ev->present[f] ? pp_arena_strndup(a, ev->str[f], ev->len[f]) : NULL;
}

/* Runs the rules of one kind; PP_EINVAL and rej filled when one rejects. */
#define RUN_RULES(KIND, FN, REC, DAY)                                                            \
    for (size_t i = 0; i < PP_N_RULES; i++) {                                                    \
        if (PP_RULES[i].kind != (KIND) || (opts->disabled_rules & (UINT64_C(1) << i))) continue; \
        const char *reason = NULL;                                                               \
        pp_rule_result r = PP_RULES[i].FN((REC), &reason);                                       \
        if (r == PP_RULE_REJECT) {                                                               \
            char detail[sizeof rej->detail];                                                     \
            snprintf(detail, sizeof detail, "rule %s: %s", PP_RULES[i].name, reason);            \
            pp_reject_set(rej, reason, detail, -1);                                              \
            rej->kind = (KIND);                                                                  \
            memcpy(rej->day, (DAY), sizeof rej->day);                                            \
            rc = PP_EINVAL;                                                                      \
            goto out;                                                                            \
        }                                                                                        \
        if (r == PP_RULE_CHANGED) mask |= UINT64_C(1) << i;                                      \
    }

static void opts_in_range(const pp_clean_opts *in, pp_clean_opts *out) {
    *out = *in;
    if (!pp_event_time_in_range(out->ingest_time_ms)) out->ingest_time_ms = -1;
}

int pp_clean_geo(const char *buf, size_t len, const pp_clean_opts *in, pp_geo *g, pp_reject *rej, uint64_t *fired) {
    pp_clean_opts o;
    opts_in_range(in, &o);
    const pp_clean_opts *opts = &o;
    pp_kind_event ev;
    uint64_t mask = 0;
    int rc = PP_EINVAL;
    pp_geo_init(g);
    if (parse_or_reject(PP_KIND_GEO, PP_GEO_TIMESTAMP, buf, len, opts, &ev, rej) != PP_OK) goto out;
    g->ind = ev.i[PP_GEO_IND];
    g->country = copy_str(&g->arena, &ev, PP_GEO_COUNTRY);
    g->has_latitude = 1, g->latitude = ev.d[PP_GEO_LATITUDE];
    g->has_longitude = 1, g->longitude = ev.d[PP_GEO_LONGITUDE];
    g->event_time_ms = ev.i[PP_GEO_TIMESTAMP];
    pp_event_day(g->event_time_ms, g->event_day);
    RUN_RULES(PP_KIND_GEO, apply_geo, g, g->event_day)
    rc = PP_OK;
out:
    if (rc != PP_OK) pp_geo_clear(g);
    if (fired) *fired = rc == PP_OK ? mask : 0;
    pp_kind_event_clear(&ev);
    return rc;
}

int pp_clean_user(const char *buf, size_t len, const pp_clean_opts *in, pp_user *u, pp_reject *rej, uint64_t *fired) {
    pp_clean_opts o;
    opts_in_range(in, &o);
    const pp_clean_opts *opts = &o;
    pp_kind_event ev;
    uint64_t mask = 0;
    int rc = PP_EINVAL;
    pp_user_init(u);
    if (parse_or_reject(PP_KIND_USER, PP_USER_TIMESTAMP, buf, len, opts, &ev, rej) != PP_OK) goto out;
    if (!ev.present[PP_USER_TIMESTAMP] && opts->ingest_time_ms < 0) {
        pp_reject_set(rej, "missing_event_time", "the event has no timestamp and no ingest time is known", -1);
        rej->kind = PP_KIND_USER;
        goto out;
    }
    u->ind = ev.i[PP_USER_IND];
    u->first_name = copy_str(&u->arena, &ev, PP_USER_FIRST_NAME);
    u->last_name = copy_str(&u->arena, &ev, PP_USER_LAST_NAME);
    u->has_age = 1, u->age = ev.i[PP_USER_AGE];
    u->has_date_joined = 1, u->date_joined_ms = ev.i[PP_USER_DATE_JOINED];
    u->event_time_ms = ev.present[PP_USER_TIMESTAMP] ? ev.i[PP_USER_TIMESTAMP] : opts->ingest_time_ms;
    pp_event_day(u->event_time_ms, u->event_day);
    RUN_RULES(PP_KIND_USER, apply_user, u, u->event_day)
    u->first_name = u->last_name = NULL; /* dropped: user_name holds them */
    rc = PP_OK;
out:
    if (rc != PP_OK) pp_user_clear(u);
    if (fired) *fired = rc == PP_OK ? mask : 0;
    pp_kind_event_clear(&ev);
    return rc;
}

int pp_clean_record(pp_kind kind, const char *buf, size_t len, const pp_clean_opts *opts, pp_record *rec,
                    pp_reject *rej, uint64_t *fired) {
    rec->kind = kind;
    pp_pin_init(&rec->pin);
    pp_geo_init(&rec->geo);
    pp_user_init(&rec->user);
    int rc;
    switch (kind) {
    case PP_KIND_GEO: rc = pp_clean_geo(buf, len, opts, &rec->geo, rej, fired); break;
    case PP_KIND_USER: rc = pp_clean_user(buf, len, opts, &rec->user, rej, fired); break;
    default: rc = pp_clean(buf, len, opts, &rec->pin, rej, fired); break;
    }
    if (rc != PP_OK) rej->kind = kind;
    return rc;
}

void pp_record_clear(pp_record *rec) {
    pp_pin_clear(&rec->pin);
    pp_geo_clear(&rec->geo);
    pp_user_clear(&rec->user);
}

const char *pp_record_day(const pp_record *rec) {
    return rec->kind == PP_KIND_GEO ? rec->geo.event_day
        : rec->kind == PP_KIND_USER ? rec->user.event_day
                                    : rec->pin.event_day;
}
