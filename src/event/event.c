#include "event/event.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"
#include "common/strbuf.h"
#include "event/event_scan.h"
#include "event/event_time.h"

const pp_field_def PP_FIELDS[PP_F_COUNT] = {
    [PP_F_INDEX] = {"index", PP_FT_INT, 1},
    [PP_F_UNIQUE_ID] = {"unique_id", PP_FT_STR, 1},
    [PP_F_TITLE] = {"title", PP_FT_STR, 1},
    [PP_F_DESCRIPTION] = {"description", PP_FT_STR, 1},
    [PP_F_POSTER_NAME] = {"poster_name", PP_FT_STR, 0},
    [PP_F_FOLLOWER_COUNT] = {"follower_count", PP_FT_STR, 1},
    [PP_F_TAG_LIST] = {"tag_list", PP_FT_STR, 1},
    [PP_F_IS_IMAGE_OR_VIDEO] = {"is_image_or_video", PP_FT_STR, 1},
    [PP_F_IMAGE_SRC] = {"image_src", PP_FT_STR, 1},
    [PP_F_DOWNLOADED] = {"downloaded", PP_FT_INT, 1},
    [PP_F_SAVE_LOCATION] = {"save_location", PP_FT_STR, 1},
    [PP_F_CATEGORY] = {"category", PP_FT_STR, 1},
    [PP_F_TIMESTAMP] = {"timestamp", PP_FT_STR, 0},
};

const char *pp_event_status_code(pp_event_status s) {
    switch (s) {
    case PP_EVENT_OK: return "ok";
    case PP_EVENT_INVALID_JSON: return "invalid_json";
    case PP_EVENT_INVALID_UTF8: return "invalid_utf8";
    case PP_EVENT_NOT_OBJECT: return "not_object";
    case PP_EVENT_INVALID_FIELDS: return "invalid_fields";
    }
    return "unknown";
}

static void add_error(pp_event *ev, pp_field f, const char *type, const char *msg) {
    if (ev->n_errors < PP_F_COUNT) ev->errors[ev->n_errors++] = (pp_field_error){f, type, msg};
}

/* pydantic's lax int: integer, integral float, bool, or a decimal string. */
static void validate_int(pp_event *ev, pp_field f, const pp_event_value *v, int64_t *out) {
    if (v->kind == PP_V_INT || v->kind == PP_V_BOOL) {
        *out = v->i;
    } else if (v->kind == PP_V_REAL) {
        if (v->d != floor(v->d) || v->d < -9.2e18 || v->d > 9.2e18) {
            add_error(ev, f, "int_from_float", "Input should be a valid integer, got a number with a fractional part");
            return;
        }
        *out = (int64_t)v->d;
    } else if (v->kind == PP_V_STRING) {
        const char *s = v->s;
        size_t n = v->n, i = 0, end = n;
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
        while (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n' || s[end - 1] == '\r')) end--;
        int neg = 0;
        if (i < end && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
        uint64_t acc = 0;
        size_t start = i;
        for (; i < end; i++) {
            if (s[i] == '_' && i > start && i + 1 < end) continue; /* pydantic allows 1_000 */
            if (s[i] < '0' || s[i] > '9' || acc > (UINT64_C(1) << 63) / 10) break;
            acc = acc * 10 + (uint64_t)(s[i] - '0');
        }
        if (i != end || i == start || acc > (uint64_t)INT64_MAX + (uint64_t)neg) {
            add_error(ev, f, "int_parsing", "Input should be a valid integer, unable to parse string as an integer");
            return;
        }
        *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    } else {
        add_error(ev, f, "int_type", "Input should be a valid integer");
        return;
    }
    ev->present[f] = 1;
}

static void validate_str(pp_event *ev, pp_field f, const pp_event_value *v) {
    if (v->kind != PP_V_STRING) {
        add_error(ev, f, "string_type", "Input should be a valid string");
        return;
    }
    ev->str[f] = v->s;
    ev->len[f] = v->n;
    if (memchr(ev->str[f], '\0', ev->len[f])) { /* "\u0000" cannot go to the stores */
        add_error(ev, f, "string_nul", "Input should not contain NUL characters");
        return;
    }
    ev->present[f] = 1;
}

/* The model's checks over the members both parsers collect. */
static int validate(pp_event *ev, const pp_event_value *vals, char *err, size_t errlen) {
    for (int f = 0; f < PP_F_COUNT; f++) {
        const pp_event_value *v = &vals[f];
        if (v->kind == PP_V_ABSENT || (!PP_FIELDS[f].required && v->kind == PP_V_NULL)) {
            if (PP_FIELDS[f].required) add_error(ev, (pp_field)f, "missing", "Field required");
            continue;
        }
        if (PP_FIELDS[f].type == PP_FT_STR)
            validate_str(ev, (pp_field)f, v);
        else
            validate_int(ev, (pp_field)f, v, f == PP_F_INDEX ? &ev->index : &ev->downloaded);
    }
    if (ev->present[PP_F_TIMESTAMP] &&
        pp_event_time_parse(ev->str[PP_F_TIMESTAMP], ev->len[PP_F_TIMESTAMP], &ev->event_time_ms) != PP_OK) {
        ev->present[PP_F_TIMESTAMP] = 0;
        add_error(ev, PP_F_TIMESTAMP, "datetime_parsing",
                  "Input should be a valid datetime: 'YYYY-MM-DD HH:MM:SS' or ISO-8601");
    }
    ev->schema_version = ev->present[PP_F_POSTER_NAME] ? 2 : 1;
    if (!ev->n_errors) return PP_OK;
    ev->status = PP_EVENT_INVALID_FIELDS;
    if (err && errlen) {
        size_t off = (size_t)snprintf(err, errlen, "invalid_fields:");
        for (size_t i = 0; i < ev->n_errors && off < errlen; i++) {
            const pp_field_error *e = &ev->errors[i];
            off += (size_t)snprintf(err + off, errlen - off, "%s %s: %s (%s)", i ? ";" : "",
                                    e->field < PP_F_COUNT ? PP_FIELDS[e->field].name : "body", e->msg, e->type);
        }
    }
    return PP_EINVAL;
}

/* ---- the reference path: jansson ------------------------------------------- */

/* jansson's message quotes the bytes near the error and may cut a character in two
 * (so may our %.120s): bytes that are not UTF-8 become '?', so the message can go
 * into JSON (rejects, 400 bodies) as it is. */
static void scrub_utf8(char *s) {
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (k && i + k <= n && pp_utf8_valid(s + i, k)) {
            i += k;
            continue;
        }
        s[i++] = '?';
    }
}

int pp_event_parse_reference(pp_event *ev, const char *buf, size_t len, char *err, size_t errlen) {
    memset(ev, 0, sizeof *ev);
    json_error_t jerr;
    /* JSON_ALLOW_NUL: "\u0000" is valid JSON; validate_str reports it as string_nul. */
    ev->root = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!ev->root) {
        ev->status = json_error_code(&jerr) == json_error_invalid_utf8 ? PP_EVENT_INVALID_UTF8 : PP_EVENT_INVALID_JSON;
        snprintf(ev->parse_error, sizeof ev->parse_error, "%.120s at byte %d", jerr.text, jerr.position);
        scrub_utf8(ev->parse_error);
        pp_errf(err, errlen, "%s: %s", pp_event_status_code(ev->status), ev->parse_error);
        return PP_EINVAL;
    }
    if (!json_is_object(ev->root)) {
        ev->status = PP_EVENT_NOT_OBJECT;
        add_error(ev, PP_F_COUNT, "model_attributes_type",
                  "Input should be a valid dictionary or object to extract fields from");
        pp_errf(err, errlen, "not_object: the event must be a JSON object");
        return PP_EINVAL;
    }
    pp_event_value vals[PP_F_COUNT];
    memset(vals, 0, sizeof vals);
    for (int f = 0; f < PP_F_COUNT; f++) {
        json_t *v = json_object_get(ev->root, PP_FIELDS[f].name);
        pp_event_value *r = &vals[f];
        if (!v)
            r->kind = PP_V_ABSENT;
        else if (json_is_null(v))
            r->kind = PP_V_NULL;
        else if (json_is_boolean(v))
            r->kind = PP_V_BOOL, r->i = json_is_true(v);
        else if (json_is_integer(v))
            r->kind = PP_V_INT, r->i = (int64_t)json_integer_value(v);
        else if (json_is_real(v))
            r->kind = PP_V_REAL, r->d = json_real_value(v);
        else if (json_is_string(v))
            r->kind = PP_V_STRING, r->s = json_string_value(v), r->n = json_string_length(v);
        else
            r->kind = PP_V_OTHER;
    }
    return validate(ev, vals, err, errlen);
}

/* ---- the fast path: event_scan.h ------------------------------------------- */

/* 0 when the fast path produced the verdict, -1 when the reference path must. */
static int parse_fast(pp_event *ev, const char *buf, size_t len, char *err, size_t errlen, int *rc) {
    /* UTF-8 that jansson would refuse, and whatever the scanner declines, are left
     * to the reference path, whose rules are the contract. */
    memset(ev, 0, sizeof *ev);
    if (!pp_utf8_valid(buf, len)) return -1;
    ev->arena = pp_xmalloc(len + 1);
    pp_event_value vals[PP_F_COUNT];
    if (pp_event_scan(buf, len, ev->arena, vals)) return -1;
    *rc = validate(ev, vals, err, errlen);
    return *rc == PP_OK ? 0 : -1; /* an invalid event: the reference path builds ev->root */
}

int pp_event_parse(pp_event *ev, const char *buf, size_t len, char *err, size_t errlen) {
    int rc;
    if (parse_fast(ev, buf, len, err, errlen, &rc) == 0) return rc;
    pp_event_clear(ev);
    return pp_event_parse_reference(ev, buf, len, err, errlen);
}

void pp_event_clear(pp_event *ev) {
    if (ev->root) json_decref(ev->root);
    free(ev->arena);
    ev->root = NULL;
    ev->arena = NULL;
}
