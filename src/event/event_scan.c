#include "event/event_scan.h"

#include <string.h>

#include "common/strbuf.h"

#define MAX_NEST 32 /* deeper unknown members go to the reference parser */

/* The field names' lengths and first letters pick the one candidate; one memcmp
 * confirms it (this runs for every key of every event). */
int pp_event_field_of(const char *name, size_t n) {
    pp_field f;
    switch (n) {
    case 5: f = name[0] == 'i' ? PP_F_INDEX : PP_F_TITLE; break;
    case 8: f = name[0] == 't' ? PP_F_TAG_LIST : PP_F_CATEGORY; break;
    case 9: f = name[0] == 'u' ? PP_F_UNIQUE_ID : name[0] == 'i' ? PP_F_IMAGE_SRC : PP_F_TIMESTAMP; break;
    case 10: f = PP_F_DOWNLOADED; break;
    case 11: f = name[0] == 'd' ? PP_F_DESCRIPTION : PP_F_POSTER_NAME; break;
    case 13: f = PP_F_SAVE_LOCATION; break;
    case 14: f = PP_F_FOLLOWER_COUNT; break;
    case 17: f = PP_F_IS_IMAGE_OR_VIDEO; break;
    default: return -1;
    }
    return memcmp(PP_FIELDS[f].name, name, n) == 0 ? (int)f : -1;
}

typedef struct {
    const char *p, *end;
    char *out; /* where the next decoded string goes */
} scanner;

static int is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; } /* JSON's four, no more */
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Skips whitespace; returns the next byte, or 0 at the end (a NUL byte is no
 * token either, so the two need not be told apart). */
static char peek(scanner *s) {
    while (s->p < s->end && is_ws(*s->p)) s->p++;
    return s->p < s->end ? *s->p : 0;
}

static int expect(scanner *s, char c) {
    if (peek(s) != c) return -1;
    s->p++;
    return 0;
}

/* The decoded byte of the escape \e, or 0 for the ones declined (\u, and invalid). */
static char unescape(char e) {
    switch (e) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
    }
}

/* A string; s->p is on its opening quote. With v, decodes it into s->out. */
static int scan_string(scanner *s, pp_event_value *v) {
    const char *p = s->p + 1;
    char *o = s->out;
    for (;;) {
        size_t run = pp_json_plain_run(p, (size_t)(s->end - p));
        if (v) {
            memcpy(o, p, run);
            o += run;
        }
        p += run;
        if (p == s->end || (unsigned char)*p < 0x20) return -1; /* unterminated, or a control character */
        if (*p == '"') break;
        char c = p + 1 < s->end ? unescape(p[1]) : 0; /* *p is a backslash */
        if (!c) return -1;
        if (v) *o++ = c;
        p += 2;
    }
    s->p = p + 1;
    if (v) {
        *o = '\0';
        *v = (pp_event_value){.kind = PP_V_STRING, .s = s->out, .n = (size_t)(o - s->out)};
        s->out = o + 1;
    }
    return 0;
}

static size_t digits(scanner *s) {
    const char *start = s->p;
    while (s->p < s->end && is_digit(*s->p)) s->p++;
    return (size_t)(s->p - start);
}

/* A number; with v (a known member) only an integer of at most 18 digits, which
 * int64 holds. Without v a real is read too when it surely fits a double: jansson
 * refuses one that overflows. */
static int scan_number(scanner *s, pp_event_value *v) {
    const char *start = s->p;
    int neg = *s->p == '-';
    if (neg) s->p++;
    size_t n = digits(s);
    if (n == 0 || (n > 1 && s->p[-(long)n] == '0') || n > 18) return -1; /* none, a leading zero, too long */
    int real = 0;
    long exp = 0;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (digits(s) == 0) return -1;
        real = 1;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        int exp_neg = s->p < s->end && *s->p == '-';
        if (s->p < s->end && (*s->p == '-' || *s->p == '+')) s->p++;
        const char *e = s->p;
        size_t en = digits(s);
        if (en == 0 || en > 3) return -1;
        for (; e < s->p; e++) exp = exp * 10 + (*e - '0');
        if (exp_neg) exp = -exp;
        real = 1;
    }
    if (real) return v || (long)n + exp > 300 ? -1 : 0; /* below 1e301: no overflow */
    if (!v) return 0;
    uint64_t acc = 0;
    for (const char *d = start + neg; d < s->p; d++) acc = acc * 10 + (uint64_t)(*d - '0');
    *v = (pp_event_value){.kind = PP_V_INT, .i = neg ? -(int64_t)acc : (int64_t)acc};
    return 0;
}

static int scan_literal(scanner *s, pp_event_value *v) {
    static const struct {
        const char *text;
        size_t len;
        pp_value_kind kind;
        int64_t i;
    } LIT[] = {{"true", 4, PP_V_BOOL, 1}, {"false", 5, PP_V_BOOL, 0}, {"null", 4, PP_V_NULL, 0}};
    for (size_t k = 0; k < sizeof LIT / sizeof LIT[0]; k++) {
        if ((size_t)(s->end - s->p) < LIT[k].len || memcmp(s->p, LIT[k].text, LIT[k].len) != 0) continue;
        s->p += LIT[k].len;
        if (v) *v = (pp_event_value){.kind = LIT[k].kind, .i = LIT[k].i};
        return 0;
    }
    return -1;
}

/* After a value: whatever follows must not glue onto it ("truex", "12a"). */
static int ends_token(const scanner *s) {
    if (s->p == s->end) return 1;
    char c = *s->p;
    return is_ws(c) || c == ',' || c == '}' || c == ']';
}

static int scan_value(scanner *s, pp_event_value *v, int depth);

/* The members of an object or the items of an array, after its opening bracket. */
static int scan_container(scanner *s, char close, int depth) {
    if (depth > MAX_NEST) return -1;
    if (peek(s) == close) {
        s->p++;
        return 0;
    }
    for (;;) {
        if (close == '}' && (peek(s) != '"' || scan_string(s, NULL) || expect(s, ':'))) return -1;
        if (scan_value(s, NULL, depth)) return -1;
        if (expect(s, ',') == 0) continue;
        return expect(s, close);
    }
}

/* A value; with v (a known member) only a string, an integer, true, false or null. */
static int scan_value(scanner *s, pp_event_value *v, int depth) {
    char c = peek(s);
    int rc;
    if (c == '"')
        return scan_string(s, v);
    else if (c == '-' || is_digit(c))
        rc = scan_number(s, v);
    else if (c == 't' || c == 'f' || c == 'n')
        rc = scan_literal(s, v);
    else if ((c == '{' || c == '[') && !v) {
        s->p++;
        return scan_container(s, c == '{' ? '}' : ']', depth + 1);
    } else
        return -1;
    return rc || !ends_token(s) ? -1 : 0;
}

/* A member name; *field gets its field or -1. */
static int scan_key(scanner *s, int *field) {
    if (peek(s) != '"') return -1;
    const char *name = s->p + 1;
    size_t n = pp_json_plain_run(name, (size_t)(s->end - name));
    if (name + n < s->end && name[n] == '"') { /* no escape: the bytes are the name */
        *field = pp_event_field_of(name, n);
        s->p = name + n + 1;
        return 0;
    }
    *field = -1; /* an escape: \u is declined, the others give no field name */
    return scan_string(s, NULL);
}

int pp_event_scan(const char *buf, size_t len, char *arena, pp_event_value vals[PP_F_COUNT]) {
    memset(vals, 0, sizeof(pp_event_value) * PP_F_COUNT);
    if (len == 0) return -1; /* (buf may be NULL then) */
    scanner s = {buf, buf + len, arena};
    if (expect(&s, '{')) return -1;
    if (peek(&s) == '}') {
        s.p++;
    } else {
        for (;;) {
            int f;
            if (scan_key(&s, &f) || expect(&s, ':') || scan_value(&s, f >= 0 ? &vals[f] : NULL, 0)) return -1;
            if (expect(&s, ',') == 0) continue;
            if (expect(&s, '}')) return -1;
            break;
        }
    }
    return peek(&s) == 0 && s.p == s.end ? 0 : -1; /* nothing after the object */
}
