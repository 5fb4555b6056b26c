#include "api/api_reply.h"

#include <jansson.h>
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

void pp_api_reply_invalid(pp_strbuf *sb, const pp_event *ev, size_t body_len) {
    pp_sb_puts(sb, "{\"detail\":[");
    for (size_t i = 0; i < ev->n_errors; i++) {
        const pp_field_error *e = &ev->errors[i];
        const json_t *input;
        if (i) pp_sb_putc(sb, ',');
        pp_sb_puts(sb, "{\"type\":");
        pp_sb_json_cstr(sb, e->type);
        if (e->field < PP_F_COUNT) {
            pp_sb_puts(sb, ",\"loc\":[\"body\",");
            pp_sb_json_cstr(sb, PP_FIELDS[e->field].name);
            pp_sb_puts(sb, "]");
            /* pydantic: a missing field's input is the object it is missing from */
            input = strcmp(e->type, "missing") == 0 ? ev->root : json_object_get(ev->root, PP_FIELDS[e->field].name);
        } else {
            pp_sb_puts(sb, ",\"loc\":[\"body\"]");
            input = ev->root;
        }
        pp_sb_puts(sb, ",\"msg\":");
        pp_sb_json_cstr(sb, e->msg);
        pp_sb_puts(sb, ",\"input\":");
        if (input == ev->root && body_len > PP_API_REPLY_MAX_ECHOED_INPUT)
            pp_sb_puts(sb, json_is_object(input) ? "{}" : "null");
        else
            put_json(sb, input);
        pp_sb_putc(sb, '}');
    }
    pp_sb_puts(sb, "]}");
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
