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
#include "event/kind_event.h"
#include "event/lax.h"

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

static void validate_int(pp_event *ev, pp_field f, const pp_event_value *v, int64_t *out) {
    pp_lax_error e;
    if (pp_lax_int(v, out, &e)) {
        add_error(ev, f, e.type, e.msg);
        return;
    }
    ev->present[f] = 1;
}

static void validate_str(pp_event *ev, pp_field f, const pp_event_value *v) {
    pp_lax_error e;
    if (v->kind == PP_V_STRING) { /* the views are kept even when the value fails */
        ev->str[f] = v->s;
        ev->len[f] = v->n;
    }
    if (pp_lax_str(v, &e)) {
        add_error(ev, f, e.type, e.msg);
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
    pp_field_errors_format(PP_KIND_PIN, ev->errors, ev->n_errors, err, errlen);
    return PP_EINVAL;
}

/* ---- the reference path: jansson ------------------------------------------- */

int pp_event_parse_reference(pp_event *ev, const char *buf, size_t len, char *err, size_t errlen) {
    memset(ev, 0, sizeof *ev);
    ev->root = pp_event_load_json(buf, len, &ev->status, ev->parse_error, err, errlen);
    if (!ev->root) return PP_EINVAL;
    if (!json_is_object(ev->root)) {
        ev->status = PP_EVENT_NOT_OBJECT;
        add_error(ev, PP_F_COUNT, "model_attributes_type",
                  "Input should be a valid dictionary or object to extract fields from");
        pp_errf(err, errlen, "not_object: the event must be a JSON object");
        return PP_EINVAL;
    }
    pp_event_value vals[PP_F_COUNT];
    memset(vals, 0, sizeof vals);
    for (int f = 0; f < PP_F_COUNT; f++) pp_event_value_of_json(json_object_get(ev->root, PP_FIELDS[f].name), &vals[f]);
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
