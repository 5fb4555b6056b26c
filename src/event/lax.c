#include "event/lax.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/strbuf.h"

static int fail(pp_lax_error *e, const char *type, const char *msg) {
    e->type = type;
    e->msg = msg;
    return -1;
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int pp_lax_int(const pp_event_value *v, int64_t *out, pp_lax_error *e) {
    if (v->kind == PP_V_INT || v->kind == PP_V_BOOL) {
        *out = v->i;
        return 0;
    }
    if (v->kind == PP_V_REAL) {
        if (v->d != floor(v->d) || v->d < -9.2e18 || v->d > 9.2e18)
            return fail(e, "int_from_float", "Input should be a valid integer, got a number with a fractional part");
        *out = (int64_t)v->d;
        return 0;
    }
    if (v->kind != PP_V_STRING) return fail(e, "int_type", "Input should be a valid integer");
    const char *s = v->s;
    size_t n = v->n, i = 0, end = n;
    while (i < n && is_ws(s[i])) i++;
    while (end > i && is_ws(s[end - 1])) end--;
    int neg = 0;
    if (i < end && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    uint64_t acc = 0;
    size_t start = i;
    for (; i < end; i++) {
        if (s[i] == '_' && i > start && i + 1 < end) continue; /* pydantic allows 1_000 */
        if (s[i] < '0' || s[i] > '9' || acc > (UINT64_C(1) << 63) / 10) break;
        acc = acc * 10 + (uint64_t)(s[i] - '0');
    }
    if (i != end || i == start || acc > (uint64_t)INT64_MAX + (uint64_t)neg)
        return fail(e, "int_parsing", "Input should be a valid integer, unable to parse string as an integer");
    *out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
    return 0;
}

int pp_lax_str(const pp_event_value *v, pp_lax_error *e) {
    if (v->kind != PP_V_STRING) return fail(e, "string_type", "Input should be a valid string");
    if (memchr(v->s, '\0', v->n)) /* "\u0000" cannot go to the stores */
        return fail(e, "string_nul", "Input should not contain NUL characters");
    return 0;
}

int pp_lax_float(const pp_event_value *v, double *out, pp_lax_error *e) {
    if (v->kind == PP_V_INT || v->kind == PP_V_BOOL) {
        *out = (double)v->i;
        return 0;
    }
    if (v->kind == PP_V_REAL) {
        *out = v->d;
        return 0;
    }
    if (v->kind != PP_V_STRING) return fail(e, "float_type", "Input should be a valid number");
    char buf[64];
    size_t i = 0, end = v->n;
    while (i < end && is_ws(v->s[i])) i++;
    while (end > i && is_ws(v->s[end - 1])) end--;
    if (end == i || end - i >= sizeof buf || memchr(v->s + i, '\0', end - i)) goto bad;
    memcpy(buf, v->s + i, end - i);
    buf[end - i] = '\0';
    for (const char *c = buf; *c; c++) /* strtod's hex floats are not pydantic's */
        if (*c == 'x' || *c == 'X' || *c == 'p' || *c == 'P') goto bad;
    char *stop;
    errno = 0;
    double d = strtod(buf, &stop);
    if (*stop || stop == buf) goto bad;
    *out = d;
    return 0;
bad:
    return fail(e, "float_parsing", "Input should be a valid number, unable to parse string as a number");
}

void pp_event_value_of_json(const json_t *v, pp_event_value *r) {
    memset(r, 0, sizeof *r);
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

json_t *pp_event_load_json(const char *buf, size_t len, pp_event_status *status, char parse_error[160], char *err,
                           size_t errlen) {
    json_error_t jerr;
    /* JSON_ALLOW_NUL: "\u0000" is valid JSON; the str check reports it as string_nul. */
    json_t *root = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (root) return root;
    *status = json_error_code(&jerr) == json_error_invalid_utf8 ? PP_EVENT_INVALID_UTF8 : PP_EVENT_INVALID_JSON;
    snprintf(parse_error, 160, "%.120s at byte %d", jerr.text, jerr.position);
    scrub_utf8(parse_error);
    pp_errf(err, errlen, "%s: %s", pp_event_status_code(*status), parse_error);
    return NULL;
}
