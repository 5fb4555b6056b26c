#include "jsonw.h"

#include <string.h>

void pp_jw_init(pp_jw *w, char *buf, size_t cap) {
    w->buf = buf;
    w->len = 0;
    w->cap = cap;
    w->overflow = 0;
}

void pp_jw_raw(pp_jw *w, const char *s, size_t n) {
    if (n > w->cap - w->len) {
        w->overflow = 1;
        n = w->cap - w->len;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

void pp_jw_cstr(pp_jw *w, const char *s) { pp_jw_raw(w, s, strlen(s)); }

void pp_jw_char(pp_jw *w, char c) {
    if (w->len < w->cap)
        w->buf[w->len++] = c;
    else
        w->overflow = 1;
}

/* 1 for the bytes a JSON string must escape: '"', '\\' and 0x00..0x1F. */
static const unsigned char NEEDS_ESCAPE[256] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,         1,
                                                1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ['"'] = 1, ['\\'] = 1};

void pp_jw_str(pp_jw *w, const char *s) {
    static const char hex[] = "0123456789abcdef";
    pp_jw_char(w, '"');
    for (;;) {
        const unsigned char *p = (const unsigned char *)s;
        while (!NEEDS_ESCAPE[*p]) p++; /* stops at the NUL too */
        pp_jw_raw(w, s, (size_t)((const char *)p - s));
        if (!*p) break;
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (*p) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            n = 6;
        }
        pp_jw_raw(w, esc, n);
        s = (const char *)p + 1;
    }
    pp_jw_char(w, '"');
}

void pp_jw_u64_pad(pp_jw *w, uint64_t v, int width) {
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width && n < (int)sizeof tmp) tmp[n++] = '0';
    char out[24];
    for (int i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    pp_jw_raw(w, out, (size_t)n);
}

void pp_jw_u64(pp_jw *w, uint64_t v) { pp_jw_u64_pad(w, v, 1); }

void pp_jw_timestamp(pp_jw *w, const char *date, uint64_t sec) {
    pp_jw_char(w, '"');
    pp_jw_raw(w, date, 10);
    pp_jw_char(w, ' ');
    pp_jw_u64_pad(w, sec / 3600, 2);
    pp_jw_char(w, ':');
    pp_jw_u64_pad(w, sec / 60 % 60, 2);
    pp_jw_char(w, ':');
    pp_jw_u64_pad(w, sec % 60, 2);
    pp_jw_char(w, '"');
}

void pp_jw_key_n(pp_jw *w, const char *key, size_t keylen, int first) {
    if (!first) pp_jw_raw(w, ", ", 2);
    pp_jw_char(w, '"');
    pp_jw_raw(w, key, keylen);
    pp_jw_raw(w, "\": ", 3);
}

void pp_jw_key(pp_jw *w, const char *key, int first) { pp_jw_key_n(w, key, strlen(key), first); }
