#include "cql/cql_wire.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"

void pp_cql_buf_init(pp_cql_buf *b) { memset(b, 0, sizeof *b); }

void pp_cql_buf_free(pp_cql_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

void pp_cql_buf_reset(pp_cql_buf *b) {
    b->len = 0;
    b->err = 0;
}

int pp_cql_buf_reserve(pp_cql_buf *b, size_t n) {
    if (b->err) return b->err;
    if (n <= b->cap - b->len) return 0;
    if (n > SIZE_MAX / 2 - b->len) {
        b->err = PP_ENOMEM;
        return b->err;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) cap *= 2;
    uint8_t *p = pp_try_realloc(b->data, cap); /* also the receive buffer: a peer-sized frame */
    if (!p) {
        b->err = PP_ENOMEM;
        return b->err;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void pp_cql_put_raw(pp_cql_buf *b, const void *p, size_t n) {
    if (n == 0 || pp_cql_buf_reserve(b, n) != 0) return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void pp_cql_put_u8(pp_cql_buf *b, uint8_t v) { pp_cql_put_raw(b, &v, 1); }

void pp_cql_put_u16(pp_cql_buf *b, uint16_t v) {
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    pp_cql_put_raw(b, x, 2);
}

void pp_cql_put_i32(pp_cql_buf *b, int32_t v) {
    uint32_t u = (uint32_t)v;
    uint8_t x[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
    pp_cql_put_raw(b, x, 4);
}

void pp_cql_put_i64(pp_cql_buf *b, int64_t v) {
    uint64_t u = (uint64_t)v;
    pp_cql_put_i32(b, (int32_t)(uint32_t)(u >> 32));
    pp_cql_put_i32(b, (int32_t)(uint32_t)u);
}

void pp_cql_put_string(pp_cql_buf *b, const char *s, size_t n) {
    if (n > 0xFFFF) {
        if (!b->err) b->err = PP_EINVAL;
        return;
    }
    pp_cql_put_u16(b, (uint16_t)n);
    pp_cql_put_raw(b, s, n);
}

void pp_cql_put_long_string(pp_cql_buf *b, const char *s, size_t n) {
    if (n > INT32_MAX) {
        if (!b->err) b->err = PP_EINVAL;
        return;
    }
    pp_cql_put_i32(b, (int32_t)n);
    pp_cql_put_raw(b, s, n);
}

void pp_cql_put_bytes(pp_cql_buf *b, const void *p, size_t n) {
    if (!p) {
        pp_cql_put_i32(b, -1);
        return;
    }
    pp_cql_put_long_string(b, (const char *)p, n);
}

void pp_cql_put_short_bytes(pp_cql_buf *b, const void *p, size_t n) { pp_cql_put_string(b, (const char *)p, n); }

void pp_cql_patch_i32(pp_cql_buf *b, size_t off, int32_t v) {
    if (b->err || off > b->len || b->len - off < 4) return;
    uint32_t u = (uint32_t)v;
    b->data[off] = (uint8_t)(u >> 24);
    b->data[off + 1] = (uint8_t)(u >> 16);
    b->data[off + 2] = (uint8_t)(u >> 8);
    b->data[off + 3] = (uint8_t)u;
}

int pp_cql_get_raw(pp_cql_rd *r, size_t n, const uint8_t **out) {
    if (n > pp_cql_rd_left(r)) return PP_EPROTO;
    *out = r->p + r->pos;
    r->pos += n;
    return 0;
}

int pp_cql_get_u8(pp_cql_rd *r, uint8_t *out) {
    const uint8_t *p;
    if (pp_cql_get_raw(r, 1, &p)) return PP_EPROTO;
    *out = p[0];
    return 0;
}

int pp_cql_get_u16(pp_cql_rd *r, uint16_t *out) {
    const uint8_t *p;
    if (pp_cql_get_raw(r, 2, &p)) return PP_EPROTO;
    *out = pp_cql_be16(p);
    return 0;
}

int pp_cql_get_i32(pp_cql_rd *r, int32_t *out) {
    const uint8_t *p;
    if (pp_cql_get_raw(r, 4, &p)) return PP_EPROTO;
    *out = (int32_t)pp_cql_be32(p);
    return 0;
}

int pp_cql_get_i64(pp_cql_rd *r, int64_t *out) {
    const uint8_t *p;
    if (pp_cql_get_raw(r, 8, &p)) return PP_EPROTO;
    *out = (int64_t)pp_cql_be64(p);
    return 0;
}

int pp_cql_get_string(pp_cql_rd *r, const char **s, size_t *n) {
    uint16_t len;
    const uint8_t *p;
    if (pp_cql_get_u16(r, &len) || pp_cql_get_raw(r, len, &p)) return PP_EPROTO;
    *s = (const char *)p;
    *n = len;
    return 0;
}

int pp_cql_get_long_string(pp_cql_rd *r, const char **s, size_t *n) {
    int32_t len;
    const uint8_t *p;
    if (pp_cql_get_i32(r, &len) || len < 0 || pp_cql_get_raw(r, (size_t)len, &p)) return PP_EPROTO;
    *s = (const char *)p;
    *n = (size_t)len;
    return 0;
}

int pp_cql_get_bytes(pp_cql_rd *r, const uint8_t **p, int32_t *n) {
    int32_t len;
    if (pp_cql_get_i32(r, &len)) return PP_EPROTO;
    if (len < 0) {
        *p = NULL;
        *n = -1;
        return 0;
    }
    if (pp_cql_get_raw(r, (size_t)len, p)) return PP_EPROTO;
    *n = len;
    return 0;
}

int pp_cql_get_short_bytes(pp_cql_rd *r, const uint8_t **p, size_t *n) {
    const char *s;
    if (pp_cql_get_string(r, &s, n)) return PP_EPROTO;
    *p = (const uint8_t *)s;
    return 0;
}

int pp_cql_skip_string_list(pp_cql_rd *r) {
    uint16_t n;
    const char *s;
    size_t len;
    if (pp_cql_get_u16(r, &n)) return PP_EPROTO;
    for (uint16_t i = 0; i < n; i++)
        if (pp_cql_get_string(r, &s, &len)) return PP_EPROTO;
    return 0;
}

int pp_cql_skip_string_multimap(pp_cql_rd *r) {
    uint16_t n;
    const char *s;
    size_t len;
    if (pp_cql_get_u16(r, &n)) return PP_EPROTO;
    for (uint16_t i = 0; i < n; i++)
        if (pp_cql_get_string(r, &s, &len) || pp_cql_skip_string_list(r)) return PP_EPROTO;
    return 0;
}

int pp_cql_skip_bytes_map(pp_cql_rd *r) {
    uint16_t n;
    const char *s;
    size_t len;
    const uint8_t *p;
    int32_t blen;
    if (pp_cql_get_u16(r, &n)) return PP_EPROTO;
    for (uint16_t i = 0; i < n; i++)
        if (pp_cql_get_string(r, &s, &len) || pp_cql_get_bytes(r, &p, &blen)) return PP_EPROTO;
    return 0;
}
