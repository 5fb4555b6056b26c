#include "api/api_reply.h"

#include <float.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int append_cb(const char *buf, size_t n, void *data) {
    pp_sb_append(data, buf, n);
    return 0;
}

/* Appends v as compact JSON (null when v is NULL). */
static void put_json(pp_strbuf *sb, const json_t *v) {
    if (!v) {
        pp_sb_puts(sb, "null");
        return;
    }
    if (json_dump_callback(v, append_cb, sb, JSON_COMPACT | JSON_ENCODE_ANY) != 0) pp_sb_puts(sb, "null");
}

void pp_api_reply_echo(pp_strbuf *sb, const pp_event *ev) {
    pp_sb_putc(sb, '{');
    for (int f = 0; f < PP_F_COUNT; f++) {
        if (f) pp_sb_putc(sb, ',');
        pp_sb_json_cstr(sb, PP_FIELDS[f].name);
        pp_sb_putc(sb, ':');
        if (!ev->present[f])
            pp_sb_puts(sb, "null");
        else if (PP_FIELDS[f].type == PP_FT_INT)
            pp_sb_put_i64(sb, f == PP_F_INDEX ? ev->index : ev->downloaded);
        else
            pp_sb_json_str(sb, ev->str[f], ev->len[f]);
    }
    pp_sb_putc(sb, '}');
}

/* The 422 list of any kind: errors[i].field indexes the kind's model (nfields
 * fields); an index out of it is an error about the whole body. */
static void put_errors(pp_strbuf *sb, pp_kind kind, size_t nfields, const json_t *root, const pp_field_error *errors,
                       size_t n_errors, size_t body_len) {
    pp_sb_puts(sb, "{\"detail\":[");
    for (size_t i = 0; i < n_errors; i++) {
        const pp_field_error *e = &errors[i];
        const json_t *input;
        if (i) pp_sb_putc(sb, ',');
        pp_sb_puts(sb, "{\"type\":");
        pp_sb_json_cstr(sb, e->type);
        if ((size_t)e->field < nfields) {
            const char *name = pp_kind_field_name(kind, (int)e->field);
            pp_sb_puts(sb, ",\"loc\":[\"body\",");
            pp_sb_json_cstr(sb, name);
            pp_sb_puts(sb, "]");
            /* pydantic: a missing field's input is the object it is missing from */
            input = strcmp(e->type, "missing") == 0 ? root : json_object_get(root, name);
        } else {
            pp_sb_puts(sb, ",\"loc\":[\"body\"]");
            input = root;
        }
        pp_sb_puts(sb, ",\"msg\":");
        pp_sb_json_cstr(sb, e->msg);
        pp_sb_puts(sb, ",\"input\":");
        if (input == root && body_len > PP_API_REPLY_MAX_ECHOED_INPUT)
            pp_sb_puts(sb, json_is_object(input) ? "{}" : "null");
        else
            put_json(sb, input);
        pp_sb_putc(sb, '}');
    }
    pp_sb_puts(sb, "]}");
}

void pp_api_reply_invalid(pp_strbuf *sb, const pp_event *ev, size_t body_len) {
    put_errors(sb, PP_KIND_PIN, PP_F_COUNT, ev->root, ev->errors, ev->n_errors, body_len);
}

void pp_api_reply_kind_invalid(pp_strbuf *sb, const pp_kind_event *ev, size_t body_len) {
    size_t nfields = 0;
    pp_kind_fields(ev->kind, &nfields);
    put_errors(sb, ev->kind, nfields, ev->root, ev->errors, ev->n_errors, body_len);
}

void pp_api_reply_float(pp_strbuf *sb, double d) {
    if (!isfinite(d)) {
        pp_sb_puts(sb, "null");
        return;
    }
    /* The shortest text that reads back as d. A normal double rounded to 15
     * significant digits is its shortest text padded with zeros whenever that text
     * has at most 15 digits (half an ulp is below half a unit of the 15th digit), so
     * try 15, 16, then 17 digits and drop trailing zeros below; subnormals have fewer
     * digits of precision: every length is tried. */
    char e[40];
    int prec = fabs(d) < DBL_MIN ? 0 : 14;
    snprintf(e, sizeof e, "%.*e", prec, d);
    while (prec < 16 && strtod(e, NULL) != d) snprintf(e, sizeof e, "%.*e", ++prec, d);
    /* e is [-]D[.DDD]e[+-]XX: the digits and the decimal exponent */
    const char *p = e;
    if (*p == '-') pp_sb_putc(sb, *p++);
    char digits[24];
    size_t nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    int exp = atoi(p + 1);
    if (exp >= -4 && exp < 16) { /* Python's repr: positional notation in this range */
        if (exp < 0) {
            pp_sb_puts(sb, "0.");
            for (int i = -1; i > exp; i--) pp_sb_putc(sb, '0');
            pp_sb_append(sb, digits, nd);
            return;
        }
        for (int i = 0; i <= exp; i++) pp_sb_putc(sb, (size_t)i < nd ? digits[i] : '0');
        pp_sb_putc(sb, '.');
        if ((size_t)exp + 1 < nd)
            pp_sb_append(sb, digits + exp + 1, nd - (size_t)exp - 1);
        else
            pp_sb_putc(sb, '0');
        return;
    }
    pp_sb_putc(sb, digits[0]);
    if (nd > 1) {
        pp_sb_putc(sb, '.');
        pp_sb_append(sb, digits + 1, nd - 1);
    }
    pp_sb_printf(sb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
}

void pp_api_reply_kind_echo(pp_strbuf *sb, const pp_kind_event *ev) {
    size_t n = 0;
    const pp_kind_field_def *defs = pp_kind_fields(ev->kind, &n);
    pp_sb_putc(sb, '{');
    for (size_t f = 0; f < n; f++) {
        if (f) pp_sb_putc(sb, ',');
        pp_sb_json_cstr(sb, defs[f].name);
        pp_sb_putc(sb, ':');
        if (!ev->present[f])
            pp_sb_puts(sb, "null");
        else if (defs[f].type == PP_KT_INT)
            pp_sb_put_i64(sb, ev->i[f]);
        else if (defs[f].type == PP_KT_FLOAT)
            pp_api_reply_float(sb, ev->d[f]);
        else if (ev->str[f])
            pp_sb_json_str(sb, ev->str[f], ev->len[f]);
        else /* a str field without its view: the value as given */
            put_json(sb, json_object_get(ev->root, defs[f].name));
    }
    pp_sb_putc(sb, '}');
}

void pp_api_reply_body_missing(pp_strbuf *sb) {
    pp_sb_puts(sb,
               "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\"],\"msg\":\"Field required\","
               "\"input\":null}]}");
}

void pp_api_reply_json_invalid(pp_strbuf *sb, const char *body, size_t len) {
    json_error_t jerr;
    memset(&jerr, 0, sizeof jerr);
    json_t *v = json_loadb(body, len, JSON_DECODE_ANY, &jerr);
    const char *why = jerr.text[0] ? jerr.text : "invalid JSON";
    long pos = jerr.position >= 0 ? (long)jerr.position : 0;
    if (v) { /* not expected: the caller saw it fail */
        json_decref(v);
        why = "invalid JSON";
        pos = 0;
    }
    pp_sb_printf(sb,
                 "{\"detail\":[{\"type\":\"json_invalid\",\"loc\":[\"body\",%ld],"
                 "\"msg\":\"JSON decode error\",\"input\":{},\"ctx\":{\"error\":",
                 pos);
    /* jansson's text may quote a piece of the input that is not valid UTF-8 */
    if (pp_utf8_valid(why, strlen(why)))
        pp_sb_json_cstr(sb, why);
    else
        pp_sb_json_cstr(sb, "invalid UTF-8");
    pp_sb_puts(sb, "}}]}");
}

void pp_api_reply_detail(pp_strbuf *sb, const char *msg) {
    pp_sb_puts(sb, "{\"detail\":");
    pp_sb_json_cstr(sb, msg);
    pp_sb_putc(sb, '}');
}

void pp_api_reply_unavailable(pp_strbuf *sb, const char *msg, const char *reason) {
    pp_sb_puts(sb, "{\"detail\":");
    pp_sb_json_cstr(sb, msg);
    pp_sb_puts(sb, ",\"reason\":");
    pp_sb_json_cstr(sb, reason);
    pp_sb_putc(sb, '}');
}
