#include "common/strbuf.h"
#include "common/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* The bytes of w that need an escape — below 0x20, a quote or a backslash — each
 * as its top bit (the classic has-zero-byte tests). The lowest one flagged is
 * exact; a borrow may flag bytes above it, which the caller never looks at. */
static uint64_t escape_mask(uint64_t w) {
    uint64_t quote = w ^ (ONES * '"'), backslash = w ^ (ONES * '\\');
    return (((w - ONES * 0x20) & ~w) | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash)) & HIGHS;
}

/* The 8 bytes at s in memory order (byte-swapped on a big-endian machine), so the
 * first byte flagged is the lowest set bit. */
static uint64_t escape_mask_at(const char *s) {
    uint64_t w;
    memcpy(&w, s, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return escape_mask(w);
}

static int needs_escape(char c) { return (unsigned char)c < 0x20 || c == '"' || c == '\\'; }

/* 16 bytes at a time with SSE2 (every x86-64 has it), then 8 at a time; the last
 * partial word is read again as the 8 bytes that end the string (the ones before
 * its part were plain already). Only a string under 8 bytes goes bytewise. */
size_t pp_json_plain_run(const char *s, size_t n) {
    size_t i = 0;
    uint64_t hit;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1f);
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i flagged = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                       _mm_cmpeq_epi8(_mm_min_epu8(x, control), x)); /* x <= 0x1f */
        unsigned m = (unsigned)_mm_movemask_epi8(flagged);
        if (m) return i + (size_t)__builtin_ctz(m);
    }
#endif
    for (; i + 8 <= n; i += 8)
        if ((hit = escape_mask_at(s + i))) return i + (size_t)(__builtin_ctzll(hit) >> 3);
    if (i == n) return n;
    if (n >= 8) {
        hit = escape_mask_at(s + n - 8);
        return hit ? n - 8 + (size_t)(__builtin_ctzll(hit) >> 3) : n;
    }
    while (i < n && !needs_escape(s[i])) i++;
    return i;
}

/* The escape of c (a byte escape_mask flags) at esc (room for 6); returns its length. */
static size_t escape_of(unsigned char c, char *esc) {
    static const char HEX[] = "0123456789abcdef";
    static const char SHORT[256] = {
        ['"'] = '"', ['\\'] = '\\', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't', ['\b'] = 'b', ['\f'] = 'f'};
    esc[0] = '\\';
    if (SHORT[c]) {
        esc[1] = SHORT[c];
        return 2;
    }
    memcpy(esc + 1, "u00", 3);
    esc[4] = HEX[c >> 4];
    esc[5] = HEX[c & 15];
    return 6;
}

size_t pp_json_escaped_len(const char *s, size_t n) {
    size_t len = 0;
    char esc[6];
    for (size_t i = 0; i < n;) {
        size_t run = pp_json_plain_run(s + i, n - i);
        len += run;
        i += run;
        if (i < n) len += escape_of((unsigned char)s[i++], esc);
    }
    return len;
}

/* The class of each byte in a JSON string: copied as it is, escaped, or (>= 0x80) part
 * of a multi-byte UTF-8 sequence (copied as it is when the caller vouches for the
 * text, checked otherwise). */
enum { BYTE_PLAIN, BYTE_ESCAPE, BYTE_HIGH };

static unsigned char byte_class(unsigned char c) {
    return needs_escape((char)c) ? BYTE_ESCAPE : c >= 0x80 ? BYTE_HIGH : BYTE_PLAIN;
}

/* The length of the well-formed UTF-8 sequence (no overlong, no surrogate,
 * <= U+10FFFF) that starts s[0..n), n >= 1, s[0] >= 0x80; 0 when there is none. */
static size_t utf8_seq_len(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
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
    if (need >= n) return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need + 1;
}

/* Escaped in pieces, each written straight into room reserved for its worst case (6
 * bytes out per byte in, plus what a step may write past the piece: SLACK). */
#define JSON_PIECE 4096
#define JSON_SLACK 64

/* One pass over s[0..n) that escapes it into sb (no quotes) and, when check_utf8,
 * checks it is UTF-8 as it goes: 0 (sb as it was) when it is not. With SSE2, 16
 * bytes are classified at a time and stored whole at the output, which then moves
 * on only by the bytes that needed nothing: a raw event's quote every few bytes
 * costs a compare and a store, not a call. */
static int json_escape(pp_strbuf *sb, const char *str, size_t n, int check_utf8) {
    const unsigned char *s = (const unsigned char *)str, *end = s + n;
    size_t start = sb->len;
    while (s < end) {
        const unsigned char *piece = s + ((size_t)(end - s) < JSON_PIECE ? (size_t)(end - s) : JSON_PIECE);
        pp_sb_reserve(sb, 6 * (size_t)(piece - s) + JSON_SLACK);
        char *d = sb->data + sb->len;
        while (s < piece) {
            unsigned cls;
#if defined(__SSE2__)
            if (end - s >= 16) {
                const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                              control = _mm_set1_epi8(0x1f);
                __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
                unsigned qb =
                    (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
                unsigned other = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, control), x)); /* <= 0x1f */
                if (check_utf8) other |= (unsigned)_mm_movemask_epi8(x); /* bytes >= 0x80 */
                _mm_storeu_si128((__m128i *)(void *)d, x);
                if (!(qb | other)) {
                    s += 16;
                    d += 16;
                    continue;
                }
                if (!other && end - s >= 32) {
                    /* only quotes and backslashes (a raw event's many quotes): a
                     * backslash before each, the bytes from it on stored again one
                     * further along — a load and a store per escape */
                    unsigned shift = 0;
                    for (unsigned m = qb; m; m &= m - 1) {
                        unsigned k = (unsigned)__builtin_ctz(m);
                        d[k + shift] = '\\';
                        shift++;
                        _mm_storeu_si128((__m128i *)(void *)(d + k + shift),
                                         _mm_loadu_si128((const __m128i *)(const void *)(s + k)));
                    }
                    s += 16;
                    d += 16 + shift;
                    continue;
                }
                unsigned k = (unsigned)__builtin_ctz(qb | other);
                s += k;
                d += k;
            }
#endif
            cls = byte_class(*s);
            if (cls == BYTE_ESCAPE) {
                d += escape_of(*s++, d);
            } else if (cls == BYTE_HIGH && check_utf8) {
                size_t k = utf8_seq_len(s, (size_t)(end - s));
                if (!k) {
                    sb->len = start;
                    sb->data[start] = '\0';
                    return 0;
                }
                memcpy(d, s, k); /* may end past the piece: within the slack */
                d += k;
                s += k;
            } else {
                *d++ = (char)*s++;
            }
        }
        sb->len = (size_t)(d - sb->data);
        sb->data[sb->len] = '\0';
    }
    return 1;
}

void pp_sb_json_str(pp_strbuf *sb, const char *s, size_t n) {
    pp_sb_reserve(sb, n + 2);
    if (pp_json_plain_run(s, n) == n) { /* nothing to escape, as nearly always: one copy */
        char *d = sb->data + sb->len;
        d[0] = '"';
        memcpy(d + 1, s, n);
        d[n + 1] = '"';
        d[n + 2] = '\0';
        sb->len += n + 2;
        return;
    }
    pp_sb_putc(sb, '"');
    (void)json_escape(sb, s, n, 0);
    pp_sb_putc(sb, '"');
}

int pp_sb_json_utf8(pp_strbuf *sb, const char *s, size_t n) {
    size_t start = sb->len;
    pp_sb_putc(sb, '"');
    if (!json_escape(sb, s, n, 1)) {
        sb->len = start;
        sb->data[start] = '\0';
        return 0;
    }
    pp_sb_putc(sb, '"');
    return 1;
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
    pp_sb_puts(sb, ",\"");
    pp_sb_puts(sb, name);
    size_t named = sb->len;
    pp_sb_puts(sb, "\":");
    if (pp_sb_json_utf8(sb, s, n)) return;
    sb->len = named; /* not UTF-8: base64 instead */
    pp_sb_puts(sb, "_base64\":\"");
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
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq_len(s + i, n - i);
        if (!k) return 0;
        i += k;
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
