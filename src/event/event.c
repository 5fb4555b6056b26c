#include "event/event.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl_parse.h>

#include "common/error.h"
#include "common/mem.h"
#include "common/strbuf.h"
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

/* One member's JSON value, whichever parser read it. */
typedef enum { V_ABSENT, V_NULL, V_BOOL, V_INT, V_REAL, V_STRING, V_OTHER } value_kind;

typedef struct {
    value_kind kind;
    int64_t i; /* V_INT, V_BOOL */
    double d;  /* V_REAL */
    const char *s;
    size_t n; /* V_STRING */
} raw_value;

/* pydantic's lax int: integer, integral float, bool, or a decimal string. */
static void validate_int(pp_event *ev, pp_field f, const raw_value *v, int64_t *out) {
    if (v->kind == V_INT || v->kind == V_BOOL) {
        *out = v->i;
    } else if (v->kind == V_REAL) {
        if (v->d != floor(v->d) || v->d < -9.2e18 || v->d > 9.2e18) {
            add_error(ev, f, "int_from_float", "Input should be a valid integer, got a number with a fractional part");
            return;
        }
        *out = (int64_t)v->d;
    } else if (v->kind == V_STRING) {
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

static void validate_str(pp_event *ev, pp_field f, const raw_value *v) {
    if (v->kind != V_STRING) {
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
static int validate(pp_event *ev, const raw_value *vals, char *err, size_t errlen) {
    for (int f = 0; f < PP_F_COUNT; f++) {
        const raw_value *v = &vals[f];
        if (v->kind == V_ABSENT || (!PP_FIELDS[f].required && v->kind == V_NULL)) {
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

/* The field a member name names, or -1: its length and a letter pick the one
 * candidate, one memcmp confirms it (this runs for every key of every event). */
static int field_of(const char *key, size_t n) {
    pp_field f;
    switch (n) {
    case 5: f = key[0] == 'i' ? PP_F_INDEX : PP_F_TITLE; break;
    case 8: f = key[0] == 't' ? PP_F_TAG_LIST : PP_F_CATEGORY; break;
    case 9: f = key[0] == 'u' ? PP_F_UNIQUE_ID : key[0] == 'i' ? PP_F_IMAGE_SRC : PP_F_TIMESTAMP; break;
    case 10: f = PP_F_DOWNLOADED; break;
    case 11: f = key[0] == 'd' ? PP_F_DESCRIPTION : PP_F_POSTER_NAME; break;
    case 13: f = PP_F_SAVE_LOCATION; break;
    case 14: f = PP_F_FOLLOWER_COUNT; break;
    case 17: f = PP_F_IS_IMAGE_OR_VIDEO; break;
    default: return -1;
    }
    return memcmp(PP_FIELDS[f].name, key, n) == 0 ? (int)f : -1;
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
    raw_value vals[PP_F_COUNT];
    memset(vals, 0, sizeof vals);
    for (int f = 0; f < PP_F_COUNT; f++) {
        json_t *v = json_object_get(ev->root, PP_FIELDS[f].name);
        raw_value *r = &vals[f];
        if (!v)
            r->kind = V_ABSENT;
        else if (json_is_null(v))
            r->kind = V_NULL;
        else if (json_is_boolean(v))
            r->kind = V_BOOL, r->i = json_is_true(v);
        else if (json_is_integer(v))
            r->kind = V_INT, r->i = (int64_t)json_integer_value(v);
        else if (json_is_real(v))
            r->kind = V_REAL, r->d = json_real_value(v);
        else if (json_is_string(v))
            r->kind = V_STRING, r->s = json_string_value(v), r->n = json_string_length(v);
        else
            r->kind = V_OTHER;
    }
    return validate(ev, vals, err, errlen);
}

/* ---- the fast path: yajl callbacks ----------------------------------------- */

#define MAX_DEPTH 2048 /* jansson's limit: deeper input goes to the reference path */

typedef struct {
    pp_event *ev;
    raw_value vals[PP_F_COUNT];
    int depth;   /* 1 inside the top-level object */
    int field;   /* the top-level member being read, -1 for an unknown one */
    int started; /* the top-level value was an object */
    size_t arena_used;
} fast_ctx;

/* A value at depth 1 belongs to the member named by the last key. */
static raw_value *slot_for_value(fast_ctx *c) {
    if (c->depth != 1 || c->field < 0) return NULL;
    return &c->vals[c->field];
}

static int on_null(void *ud) {
    raw_value *v = slot_for_value(ud);
    if (v) *v = (raw_value){.kind = V_NULL};
    return ((fast_ctx *)ud)->started;
}

static int on_bool(void *ud, int b) {
    raw_value *v = slot_for_value(ud);
    if (v) *v = (raw_value){.kind = V_BOOL, .i = b != 0};
    return ((fast_ctx *)ud)->started;
}

static int on_int(void *ud, long long i) {
    raw_value *v = slot_for_value(ud);
    if (v) *v = (raw_value){.kind = V_INT, .i = i};
    return ((fast_ctx *)ud)->started;
}

static int on_double(void *ud, double d) {
    raw_value *v = slot_for_value(ud);
    if (v) *v = (raw_value){.kind = V_REAL, .d = d};
    return ((fast_ctx *)ud)->started;
}

static int on_string(void *ud, const unsigned char *s, size_t n) {
    fast_ctx *c = ud;
    raw_value *v = slot_for_value(c);
    if (v) { /* yajl's decoded bytes live only during the call: copy them */
        char *dst = c->ev->arena + c->arena_used;
        memcpy(dst, s, n);
        dst[n] = '\0';
        c->arena_used += n + 1;
        *v = (raw_value){.kind = V_STRING, .s = dst, .n = n};
    }
    return c->started;
}

static int on_start_map(void *ud) {
    fast_ctx *c = ud;
    raw_value *v = slot_for_value(c);
    if (v) *v = (raw_value){.kind = V_OTHER};
    if (c->depth == 0) {
        if (c->started) return 0; /* a second top-level value */
        c->started = 1;
    }
    return ++c->depth <= MAX_DEPTH;
}

static int on_map_key(void *ud, const unsigned char *key, size_t n) {
    fast_ctx *c = ud;
    if (c->depth == 1) c->field = field_of((const char *)key, n);
    return 1;
}

static int on_end(void *ud) {
    ((fast_ctx *)ud)->depth--;
    return 1;
}

static int on_start_array(void *ud) {
    fast_ctx *c = ud;
    raw_value *v = slot_for_value(c);
    if (v) *v = (raw_value){.kind = V_OTHER};
    if (!c->started) return 0; /* a top-level array: not an object */
    return ++c->depth <= MAX_DEPTH;
}

static const yajl_callbacks FAST_CALLBACKS = {on_null,      on_bool,    on_int, on_double,      NULL,  on_string,
                                              on_start_map, on_map_key, on_end, on_start_array, on_end};

/* Does the text hold a form feed or vertical tab? yajl takes them for whitespace,
 * JSON (and jansson) does not: such text goes to the reference path. */
static int has_yajl_only_space(const char *buf, size_t len) {
    return memchr(buf, '\f', len) != NULL || memchr(buf, '\v', len) != NULL;
}

/* Does the text hold a \u escape? (memchr is much faster than memmem here) */
static int has_unicode_escape(const char *buf, size_t len) {
    const char *p = buf, *end = buf + len;
    while ((p = memchr(p, '\\', (size_t)(end - p))) && p + 1 < end) {
        if (p[1] == 'u') return 1;
        p += 2; /* skip the escaped character, which may be a backslash */
    }
    return 0;
}

/* 0 when the fast path produced the verdict, -1 when the reference path must. */
static int parse_fast(pp_event *ev, const char *buf, size_t len, char *err, size_t errlen, int *rc) {
    /* \u escapes (lone surrogates, NULs), whitespace only yajl accepts and UTF-8
     * that jansson would refuse are left to the reference path, whose rules are the
     * contract. */
    memset(ev, 0, sizeof *ev);
    if (has_unicode_escape(buf, len) || has_yajl_only_space(buf, len) || !pp_utf8_valid(buf, len)) return -1;
    ev->arena = pp_xmalloc(len + PP_F_COUNT + 1);
    fast_ctx c;
    memset(&c, 0, sizeof c);
    c.ev = ev;
    c.field = -1;
    yajl_handle h = yajl_alloc(&FAST_CALLBACKS, NULL, &c);
    if (!h) return -1;
    int ok = yajl_parse(h, (const unsigned char *)buf, len) == yajl_status_ok &&
        yajl_complete_parse(h) == yajl_status_ok && c.started && c.depth == 0;
    yajl_free(h);
    if (!ok) return -1;
    *rc = validate(ev, c.vals, err, errlen);
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
