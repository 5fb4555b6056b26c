#include "event/kind_event.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "event/event_time.h"
#include "event/lax.h"

static const pp_kind_field_def GEO_FIELDS[PP_GEO_COUNT] = {
    [PP_GEO_IND] = {"ind", PP_KT_INT, 1},
    [PP_GEO_TIMESTAMP] = {"timestamp", PP_KT_TIME, 1},
    [PP_GEO_LATITUDE] = {"latitude", PP_KT_FLOAT, 1},
    [PP_GEO_LONGITUDE] = {"longitude", PP_KT_FLOAT, 1},
    [PP_GEO_COUNTRY] = {"country", PP_KT_STR, 1},
};

static const pp_kind_field_def USER_FIELDS[PP_USER_COUNT] = {
    [PP_USER_IND] = {"ind", PP_KT_INT, 1},
    [PP_USER_FIRST_NAME] = {"first_name", PP_KT_STR, 1},
    [PP_USER_LAST_NAME] = {"last_name", PP_KT_STR, 1},
    [PP_USER_AGE] = {"age", PP_KT_INT, 1},
    [PP_USER_DATE_JOINED] = {"date_joined", PP_KT_TIME, 1},
    [PP_USER_TIMESTAMP] = {"timestamp", PP_KT_TIME, 0},
};

const pp_kind_field_def *pp_kind_fields(pp_kind k, size_t *n) {
    switch (k) {
    case PP_KIND_GEO: *n = PP_GEO_COUNT; return GEO_FIELDS;
    case PP_KIND_USER: *n = PP_USER_COUNT; return USER_FIELDS;
    default: *n = 0; return NULL;
    }
}

const char *pp_kind_field_name(pp_kind k, int f) {
    if (k == PP_KIND_PIN) return f >= 0 && f < PP_F_COUNT ? PP_FIELDS[f].name : "body";
    size_t n;
    const pp_kind_field_def *defs = pp_kind_fields(k, &n);
    return defs && f >= 0 && (size_t)f < n ? defs[f].name : "body";
}

static void add_error(pp_kind_event *ev, int f, const char *type, const char *msg) {
    if (ev->n_errors < sizeof ev->errors / sizeof ev->errors[0])
        ev->errors[ev->n_errors++] = (pp_field_error){(pp_field)f, type, msg};
}

static void validate_field(pp_kind_event *ev, int f, const pp_kind_field_def *def, const pp_event_value *v) {
    pp_lax_error e;
    int bad = 0;
    switch (def->type) {
    case PP_KT_INT: bad = pp_lax_int(v, &ev->i[f], &e); break;
    case PP_KT_FLOAT: bad = pp_lax_float(v, &ev->d[f], &e); break;
    case PP_KT_STR:
    case PP_KT_TIME:
        bad = pp_lax_str(v, &e);
        if (bad) break;
        ev->str[f] = v->s;
        ev->len[f] = v->n;
        if (def->type == PP_KT_TIME && pp_event_time_parse(v->s, v->n, &ev->i[f]) != PP_OK) {
            bad = 1;
            e = (pp_lax_error){"datetime_parsing",
                               "Input should be a valid datetime: 'YYYY-MM-DD HH:MM:SS' or ISO-8601"};
        }
        break;
    }
    if (bad)
        add_error(ev, f, e.type, e.msg);
    else
        ev->present[f] = 1;
}

int pp_kind_event_parse(pp_kind_event *ev, pp_kind k, const char *buf, size_t len, char *err, size_t errlen) {
    memset(ev, 0, sizeof *ev);
    ev->kind = k;
    size_t n;
    const pp_kind_field_def *defs = pp_kind_fields(k, &n);
    if (!defs) {
        pp_errf(err, errlen, "no model for kind %s", pp_kind_name(k));
        return PP_EINVAL;
    }
    ev->root = pp_event_load_json(buf, len, &ev->status, ev->parse_error, err, errlen);
    if (!ev->root) return PP_EINVAL;
    if (!json_is_object(ev->root)) {
        ev->status = PP_EVENT_NOT_OBJECT;
        add_error(ev, (int)n, "model_attributes_type",
                  "Input should be a valid dictionary or object to extract fields from");
        pp_errf(err, errlen, "not_object: the event must be a JSON object");
        return PP_EINVAL;
    }
    for (size_t f = 0; f < n; f++) {
        pp_event_value v;
        pp_event_value_of_json(json_object_get(ev->root, defs[f].name), &v);
        if (v.kind == PP_V_ABSENT || (!defs[f].required && v.kind == PP_V_NULL)) {
            if (defs[f].required) add_error(ev, (int)f, "missing", "Field required");
            continue;
        }
        validate_field(ev, (int)f, &defs[f], &v);
    }
    if (!ev->n_errors) return PP_OK;
    ev->status = PP_EVENT_INVALID_FIELDS;
    pp_field_errors_format(k, ev->errors, ev->n_errors, err, errlen);
    return PP_EINVAL;
}

void pp_field_errors_format(pp_kind k, const pp_field_error *errors, size_t n, char *err, size_t errlen) {
    if (!err || !errlen) return;
    size_t off = (size_t)snprintf(err, errlen, "invalid_fields:");
    for (size_t i = 0; i < n && off < errlen; i++)
        off += (size_t)snprintf(err + off, errlen - off, "%s %s: %s (%s)", i ? ";" : "",
                                pp_kind_field_name(k, (int)errors[i].field), errors[i].msg, errors[i].type);
}

void pp_kind_event_clear(pp_kind_event *ev) {
    if (ev->root) json_decref(ev->root);
    ev->root = NULL;
}
