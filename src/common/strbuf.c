#include "common/strbuf.h"
#include "common/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pp_sb_init(pp_strbuf *sb) {
    sb->data = NULL;
    sb->len = sb->cap = 0;
}

void pp_sb_free(pp_strbuf *sb) {
    free(sb->data);
    pp_sb_init(sb);
}

void pp_sb_reset(pp_strbuf *sb) {
    sb->len = 0;
    if (sb->data) sb->data[0] = '\0';
}

void pp_sb_reserve(pp_strbuf *sb, size_t extra) {
    if (sb->len + extra + 1 <= sb->cap) return;
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + extra + 1) cap *= 2;
    sb->data = pp_xrealloc(sb->data, cap);
    sb->cap = cap;
    sb->data[sb->len] = '\0'; /* a fresh buffer is a valid empty string too */
}

void pp_sb_append(pp_strbuf *sb, const char *s, size_t n) {
    pp_sb_reserve(sb, n);
    if (n) memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void pp_sb_puts(pp_strbuf *sb, const char *s) { pp_sb_append(sb, s, strlen(s)); }

void pp_sb_putc(pp_strbuf *sb, char c) {
    pp_sb_reserve(sb, 1);
    sb->data[sb->len++] = c;
    sb->data[sb->len] = '\0';
}

void pp_sb_printf(pp_strbuf *sb, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    pp_sb_reserve(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void pp_sb_put_i64(pp_strbuf *sb, int64_t v) {
    char tmp[24];
    int i = (int)sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) tmp[--i] = '-';
    pp_sb_append(sb, tmp + i, sizeof tmp - (size_t)i);
}

/* Bytes a JSON string cannot hold as they are: controls, quote, backslash. */
static const unsigned char NEEDS_ESCAPE[256] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,         1,
                                                1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ['"'] = 1, ['\\'] = 1};

/* Writes s[0..n) escaped at d (room for 6 bytes per input byte); returns the end. */
static char *json_escape(char *d, const char *s, size_t n) {
    static const char HEX[] = "0123456789abcdef";
    size_t run = 0; /* start of the current run of bytes that need no escape */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!NEEDS_ESCAPE[c]) continue;
        memcpy(d, s + run, i - run);
        d += i - run;
        run = i + 1;
        *d++ = '\\';
        switch (c) {
        case '"': *d++ = '"'; break;
        case '\\': *d++ = '\\'; break;
        case '\n': *d++ = 'n'; break;
        case '\r': *d++ = 'r'; break;
        case '\t': *d++ = 't'; break;
        case '\b': *d++ = 'b'; break;
        case '\f': *d++ = 'f'; break;
        default:
            memcpy(d, "u00", 3);
            d[3] = HEX[c >> 4];
            d[4] = HEX[c & 15];
            d += 5;
        }
    }
    memcpy(d, s + run, n - run);
    return d + (n - run);
}

/* Escaped in pieces, each written straight into room reserved for its worst case
 * (the lake writer's hot loop: a raw event has a quote every few bytes). */
#define JSON_PIECE 4096

void pp_sb_json_str(pp_strbuf *sb, const char *s, size_t n) {
    pp_sb_putc(sb, '"');
    for (size_t at = 0; at < n; at += JSON_PIECE) {
        size_t k = n - at < JSON_PIECE ? n - at : JSON_PIECE;
        pp_sb_reserve(sb, 6 * k + 1);
        sb->len = (size_t)(json_escape(sb->data + sb->len, s + at, k) - sb->data);
    }
    pp_sb_putc(sb, '"');
}

void pp_sb_json_cstr(pp_strbuf *sb, const char *s) {
    if (!s)
        pp_sb_append(sb, "null", 4);
    else
        pp_sb_json_str(sb, s, strlen(s));
}

void pp_sb_base64(pp_strbuf *sb, const void *buf, size_t len) {
    static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = buf;
    pp_sb_reserve(sb, (len + 2) / 3 * 4);
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < len ? p[i + 2] : 0);
        char q[4] = {B64[v >> 18 & 63], B64[v >> 12 & 63], i + 1 < len ? B64[v >> 6 & 63] : '=',
                     i + 2 < len ? B64[v & 63] : '='};
        pp_sb_append(sb, q, 4);
    }
}

char *pp_sb_steal(pp_strbuf *sb) {
    char *p = sb->data;
    if (!p) p = pp_xcalloc(1, 1);
    pp_sb_init(sb);
    return p;
}

int pp_sb_append_file(pp_strbuf *sb, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) pp_sb_append(sb, chunk, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

void pp_sb_json_bytes_member(pp_strbuf *sb, const char *name, const char *s, size_t n) {
    int text = pp_utf8_valid(s, n);
    pp_sb_puts(sb, ",\"");
    pp_sb_puts(sb, name);
    pp_sb_puts(sb, text ? "\":" : "_base64\":\"");
    if (text) {
        pp_sb_json_str(sb, s, n);
        return;
    }
    pp_sb_base64(sb, s, n);
    pp_sb_putc(sb, '"');
}

int pp_utf8_valid(const char *str, size_t n) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path: 8 bytes at a time while none has the high bit set */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & UINT64_C(0x8080808080808080)) break;
            i += 8;
        }
        if (i >= n) break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        for (size_t k = 1; k <= need; k++) {
            if (i + k >= n || (s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += need + 1;
    }
    return 1;
}

void pp_sb_csv_field(pp_strbuf *sb, const char *s, size_t n) {
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
        pp_sb_append(sb, s, n);
        return;
    }
    pp_sb_putc(sb, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') pp_sb_putc(sb, '"');
        pp_sb_putc(sb, s[i]);
    }
    pp_sb_putc(sb, '"');
}
