/* strbuf — a growable byte buffer and JSON string escaping.
 * The strbuf owns its bytes; pp_sb_free releases them. The contents are always
 * NUL-terminated (len excludes the NUL). Allocation failure aborts: every caller
 * would otherwise have to handle it and none can do better.
 */
#ifndef PINPIPE_STRBUF_H
#define PINPIPE_STRBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} pp_strbuf;

void pp_sb_init(pp_strbuf *sb);
void pp_sb_free(pp_strbuf *sb);
void pp_sb_reset(pp_strbuf *sb); /* len = 0, keeps the memory */
void pp_sb_reserve(pp_strbuf *sb, size_t extra);
void pp_sb_append(pp_strbuf *sb, const char *s, size_t n);
void pp_sb_puts(pp_strbuf *sb, const char *s);
void pp_sb_putc(pp_strbuf *sb, char c);
void pp_sb_printf(pp_strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pp_sb_put_i64(pp_strbuf *sb, int64_t v);
/* Appends s (n bytes of valid UTF-8) as a quoted JSON string. */
/* The bytes pp_sb_json_str writes for s[0..n) between its quotes (a key's size once
 * it is inside a JSON key such as the join's ["France","art"]). */
size_t pp_json_escaped_len(const char *s, size_t n);
void pp_sb_json_str(pp_strbuf *sb, const char *s, size_t n);
/* The same for bytes that may not be UTF-8, checked in the same pass: 1 when s[0..n)
 * is valid UTF-8 (pp_utf8_valid) and was appended, 0 (sb unchanged) when not. */
int pp_sb_json_utf8(pp_strbuf *sb, const char *s, size_t n);
/* Same for a NUL-terminated string, or `null` when s is NULL. */
void pp_sb_json_cstr(pp_strbuf *sb, const char *s);
/* The length of the longest prefix of s[0..n) that a JSON string holds as it is:
 * no control character (below 0x20), quote or backslash. Scans 8 bytes at a time. */
size_t pp_json_plain_run(const char *s, size_t n);
/* Appends the standard base64 (RFC 4648, padded) of buf[0..len). */
/* An RFC 4180 CSV field: quoted (quotes doubled) when it holds a comma, a quote or a
 * line break. */
void pp_sb_csv_field(pp_strbuf *sb, const char *s, size_t n);
void pp_sb_base64(pp_strbuf *sb, const void *buf, size_t len);
/* Appends the member `,"name":"<s as a JSON string>"` when s[0..n) is valid UTF-8,
 * else `,"name_base64":"<its base64>"` — how bytes that may not be text go into
 * JSON (lake records, rejects). */
void pp_sb_json_bytes_member(pp_strbuf *sb, const char *name, const char *s, size_t n);
/* Takes the buffer's memory (caller frees) and re-initialises sb. */
char *pp_sb_steal(pp_strbuf *sb);
/* Appends the whole file at path. -1 (errno set) when it cannot be opened or read. */
int pp_sb_append_file(pp_strbuf *sb, const char *path);

/* Is s[0..n) well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF)? */
int pp_utf8_valid(const char *s, size_t n);

#endif
