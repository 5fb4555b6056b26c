/* jsonw — a tiny JSON text writer into a caller-owned, fixed-size buffer.
 *
 * The emulator writes events by hand (not through jansson) so that it controls
 * every byte — key order, spacing, UTF-8 passed through unescaped — and can also
 * write deliberately broken lines. Strings are escaped per RFC 8259: '"', '\\'
 * and the control characters below 0x20 (\b \f \n \r \t, else \u00XX); every
 * other byte, including UTF-8 sequences and 0x7F, is copied as is. Numbers are
 * formatted with integer arithmetic only (no locale, no floating point).
 *
 * Ownership: the caller owns buf; the writer never allocates. Writing past the
 * capacity sets `overflow` and drops the rest (check it once at the end).
 */
#ifndef PINPIPE_EMU_JSONW_H
#define PINPIPE_EMU_JSONW_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *buf;
    size_t len, cap;
    int overflow;
} pp_jw;

void pp_jw_init(pp_jw *w, char *buf, size_t cap);
void pp_jw_raw(pp_jw *w, const char *s, size_t n);
void pp_jw_cstr(pp_jw *w, const char *s); /* raw, NUL-terminated */
void pp_jw_char(pp_jw *w, char c);
/* A quoted, escaped JSON string. */
void pp_jw_str(pp_jw *w, const char *s);
void pp_jw_u64(pp_jw *w, uint64_t v);
/* Unsigned v zero-padded to `width` digits (for dates and times). */
void pp_jw_u64_pad(pp_jw *w, uint64_t v, int width);
/* "YYYY-MM-DD HH:MM:SS": date (10 bytes) and sec, the seconds into that day (< 86400). */
void pp_jw_timestamp(pp_jw *w, const char *date, uint64_t sec);
/* `"key": ` preceded by ", " unless first: the seeds' Python-style spacing. */
void pp_jw_key(pp_jw *w, const char *key, int first);
void pp_jw_key_n(pp_jw *w, const char *key, size_t keylen, int first);

#endif
