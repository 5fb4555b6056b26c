/* cql_wire — the notations of the CQL native protocol ([short], [int], [string],
 * [bytes], ...; spec section 3): a growable write buffer and a bounded read cursor.
 *
 * Writing: pp_cql_buf owns its bytes (free with pp_cql_buf_free). Every put is
 * "sticky": the first failure (out of memory, a length that does not fit its
 * field) is remembered in b->err and later puts do nothing, so an encoder writes
 * everything and checks b->err once.
 *
 * Reading: pp_cql_rd borrows the bytes it reads. Every get checks the remaining
 * length first and returns 0 or PP_EPROTO ("truncated or malformed"); returned
 * pointers point into the borrowed bytes. Nothing here allocates.
 */
#ifndef PINPIPE_CQL_WIRE_H
#define PINPIPE_CQL_WIRE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *data;
    size_t len, cap;
    int err; /* 0 or the first PP_E* a put hit */
} pp_cql_buf;

void pp_cql_buf_init(pp_cql_buf *b);
void pp_cql_buf_free(pp_cql_buf *b);
/* Empties the buffer, keeps its memory, clears err. */
void pp_cql_buf_reset(pp_cql_buf *b);
/* Makes room for n more bytes; 0 or PP_ENOMEM (also sets err). */
int pp_cql_buf_reserve(pp_cql_buf *b, size_t n);

void pp_cql_put_raw(pp_cql_buf *b, const void *p, size_t n);
void pp_cql_put_u8(pp_cql_buf *b, uint8_t v);
void pp_cql_put_u16(pp_cql_buf *b, uint16_t v);
void pp_cql_put_i32(pp_cql_buf *b, int32_t v);
void pp_cql_put_i64(pp_cql_buf *b, int64_t v);
/* [string]: fails (PP_EINVAL) past 65535 bytes. */
void pp_cql_put_string(pp_cql_buf *b, const char *s, size_t n);
/* [long string]: fails past INT32_MAX bytes. */
void pp_cql_put_long_string(pp_cql_buf *b, const char *s, size_t n);
/* [bytes]/[value]: p == NULL writes length -1 (null). */
void pp_cql_put_bytes(pp_cql_buf *b, const void *p, size_t n);
/* [short bytes] */
void pp_cql_put_short_bytes(pp_cql_buf *b, const void *p, size_t n);
/* Overwrites 4 bytes at off with v (patching a length written earlier). */
void pp_cql_patch_i32(pp_cql_buf *b, size_t off, int32_t v);

typedef struct {
    const uint8_t *p;
    size_t len, pos;
} pp_cql_rd;

static inline void pp_cql_rd_init(pp_cql_rd *r, const void *p, size_t len) {
    r->p = (const uint8_t *)p;
    r->len = len;
    r->pos = 0;
}
static inline size_t pp_cql_rd_left(const pp_cql_rd *r) { return r->len - r->pos; }

int pp_cql_get_u8(pp_cql_rd *r, uint8_t *out);
int pp_cql_get_u16(pp_cql_rd *r, uint16_t *out);
int pp_cql_get_i32(pp_cql_rd *r, int32_t *out);
int pp_cql_get_i64(pp_cql_rd *r, int64_t *out);
/* n raw bytes */
int pp_cql_get_raw(pp_cql_rd *r, size_t n, const uint8_t **out);
/* [string] / [long string]: pointer to the (not NUL-terminated) bytes and length. */
int pp_cql_get_string(pp_cql_rd *r, const char **s, size_t *n);
int pp_cql_get_long_string(pp_cql_rd *r, const char **s, size_t *n);
/* [bytes]: *n < 0 means null (*p is then NULL). */
int pp_cql_get_bytes(pp_cql_rd *r, const uint8_t **p, int32_t *n);
/* [short bytes] */
int pp_cql_get_short_bytes(pp_cql_rd *r, const uint8_t **p, size_t *n);
/* Skip a [string list] / [string multimap] / [bytes map]. */
int pp_cql_skip_string_list(pp_cql_rd *r);
int pp_cql_skip_string_multimap(pp_cql_rd *r);
int pp_cql_skip_bytes_map(pp_cql_rd *r);

/* Big-endian loads of already bounds-checked bytes. */
static inline uint16_t pp_cql_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t pp_cql_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t pp_cql_be64(const uint8_t *p) { return ((uint64_t)pp_cql_be32(p) << 32) | pp_cql_be32(p + 4); }

#endif
