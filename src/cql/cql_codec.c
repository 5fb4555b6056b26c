#include "cql/cql_codec.h"

#include <string.h>

#include "common/error.h"

/* The type a kind serializes as when no column type is known. */
static uint16_t natural_type(pp_cql_kind k, uint16_t *elem) {
    *elem = 0;
    switch (k) {
    case PP_CQL_TEXT: return PP_CQL_T_VARCHAR;
    case PP_CQL_INT: return PP_CQL_T_INT;
    case PP_CQL_BIGINT: return PP_CQL_T_BIGINT;
    case PP_CQL_BOOLEAN: return PP_CQL_T_BOOLEAN;
    case PP_CQL_TIMESTAMP: return PP_CQL_T_TIMESTAMP;
    case PP_CQL_LIST_TEXT: *elem = PP_CQL_T_VARCHAR; return PP_CQL_T_LIST;
    case PP_CQL_SET_TEXT: *elem = PP_CQL_T_VARCHAR; return PP_CQL_T_SET;
    case PP_CQL_BLOB: return PP_CQL_T_BLOB;
    default: return PP_CQL_T_UNKNOWN;
    }
}

static int is_text_id(uint16_t id) { return id == PP_CQL_T_VARCHAR || id == PP_CQL_T_ASCII || id == 0x000A; }

/* Does a value of kind k fit a column of type (id, element id)? */
static int fits(pp_cql_kind k, uint16_t id, uint16_t elem) {
    switch (k) {
    case PP_CQL_TEXT: return is_text_id(id) || id == PP_CQL_T_BLOB;
    case PP_CQL_BLOB: return id == PP_CQL_T_BLOB;
    case PP_CQL_INT: return id == PP_CQL_T_INT || id == PP_CQL_T_BIGINT || id == PP_CQL_T_TIMESTAMP;
    case PP_CQL_BIGINT: return id == PP_CQL_T_BIGINT || id == PP_CQL_T_COUNTER || id == PP_CQL_T_TIMESTAMP;
    case PP_CQL_TIMESTAMP: return id == PP_CQL_T_TIMESTAMP || id == PP_CQL_T_BIGINT;
    case PP_CQL_BOOLEAN: return id == PP_CQL_T_BOOLEAN;
    case PP_CQL_LIST_TEXT:
    case PP_CQL_SET_TEXT: return (id == PP_CQL_T_LIST || id == PP_CQL_T_SET) && is_text_id(elem);
    default: return 0;
    }
}

static void put_list(pp_cql_buf *b, const pp_cql_value *v) {
    size_t at = b->len;
    pp_cql_put_i32(b, 0); /* total length, patched below */
    pp_cql_put_i32(b, (int32_t)v->u.list.count);
    for (size_t i = 0; i < v->u.list.count; i++) {
        const char *s = v->u.list.items[i];
        size_t n = v->u.list.lens ? v->u.list.lens[i] : strlen(s);
        pp_cql_put_bytes(b, s, n);
    }
    if (b->err) return;
    size_t total = b->len - at - 4;
    if (total > INT32_MAX) {
        b->err = PP_EINVAL;
        return;
    }
    pp_cql_patch_i32(b, at, (int32_t)total);
}

int pp_cql_value_encode(pp_cql_buf *b, const pp_cql_value *v, const pp_cql_type *t, char *err, size_t errlen) {
    if (v->kind == PP_CQL_NULL) {
        pp_cql_put_i32(b, -1);
        return b->err;
    }
    uint16_t id, elem;
    if (t) {
        id = t->id;
        elem = (t->nsub == 1 && t->sub) ? t->sub[0].id : 0;
    } else {
        id = natural_type(v->kind, &elem);
    }
    if (!fits(v->kind, id, elem)) {
        char tn[64];
        pp_errf(err, errlen, "a %s value cannot be bound to a %s column", pp_cql_kind_name(v->kind),
                t ? pp_cql_type_name(t, tn, sizeof tn) : "(no type)");
        return PP_EINVAL;
    }
    switch (v->kind) {
    case PP_CQL_TEXT:
    case PP_CQL_BLOB:
        if (!v->u.text.s || v->u.text.len > INT32_MAX) {
            pp_errf(err, errlen, "a %s value is missing or too long", pp_cql_kind_name(v->kind));
            return PP_EINVAL;
        }
        pp_cql_put_bytes(b, v->u.text.s, v->u.text.len);
        break;
    case PP_CQL_INT:
        if (id == PP_CQL_T_INT) {
            pp_cql_put_i32(b, 4);
            pp_cql_put_i32(b, v->u.i32);
        } else {
            pp_cql_put_i32(b, 8);
            pp_cql_put_i64(b, v->u.i32);
        }
        break;
    case PP_CQL_BIGINT:
    case PP_CQL_TIMESTAMP:
        pp_cql_put_i32(b, 8);
        pp_cql_put_i64(b, v->u.i64);
        break;
    case PP_CQL_BOOLEAN:
        pp_cql_put_i32(b, 1);
        pp_cql_put_u8(b, v->u.b ? 1 : 0);
        break;
    case PP_CQL_LIST_TEXT:
    case PP_CQL_SET_TEXT:
        if (v->u.list.count > (size_t)INT32_MAX || (v->u.list.count && !v->u.list.items)) {
            pp_errf(err, errlen, "a %s value has a bad item list", pp_cql_kind_name(v->kind));
            return PP_EINVAL;
        }
        for (size_t i = 0; i < v->u.list.count; i++) {
            if (!v->u.list.items[i]) {
                pp_errf(err, errlen, "item %zu of a %s value is NULL (collections hold no nulls)", i,
                        pp_cql_kind_name(v->kind));
                return PP_EINVAL;
            }
        }
        put_list(b, v);
        break;
    default: pp_errf(err, errlen, "a %s value cannot be bound", pp_cql_kind_name(v->kind)); return PP_EINVAL;
    }
    if (b->err) pp_errf(err, errlen, "encoding a %s value: %s", pp_cql_kind_name(v->kind), pp_strerror(b->err));
    return b->err;
}

static int decode_text_list(const pp_cql_type *t, const uint8_t *p, int32_t len, pp_cql_arena *a, pp_cql_value *out) {
    pp_cql_rd r;
    pp_cql_rd_init(&r, p, (size_t)len);
    int32_t n;
    if (pp_cql_get_i32(&r, &n) || n < 0 || (size_t)n > pp_cql_rd_left(&r) / 4) return PP_EPROTO;
    const char **items = pp_cql_arena_alloc(a, (size_t)n * sizeof *items);
    size_t *lens = pp_cql_arena_alloc(a, (size_t)n * sizeof *lens);
    if (!items || !lens) return PP_ENOMEM;
    for (int32_t i = 0; i < n; i++) {
        const uint8_t *ip;
        int32_t ilen;
        if (pp_cql_get_bytes(&r, &ip, &ilen) || ilen < 0) return PP_EPROTO;
        items[i] = pp_cql_arena_strndup(a, ip, (size_t)ilen);
        if (!items[i]) return PP_ENOMEM;
        lens[i] = (size_t)ilen;
    }
    if (pp_cql_rd_left(&r) != 0) return PP_EPROTO;
    out->kind = t->id == PP_CQL_T_SET ? PP_CQL_SET_TEXT : PP_CQL_LIST_TEXT;
    out->u.list.items = items;
    out->u.list.lens = lens;
    out->u.list.count = (size_t)n;
    return 0;
}

int pp_cql_value_decode(const pp_cql_type *t, const uint8_t *p, int32_t len, pp_cql_arena *a, pp_cql_value *out) {
    memset(out, 0, sizeof *out);
    out->kind = PP_CQL_NULL;
    if (len < 0 || !p) return 0;
    uint16_t id = t->id;
    if (is_text_id(id) || id == PP_CQL_T_BLOB) {
        out->kind = id == PP_CQL_T_BLOB ? PP_CQL_BLOB : PP_CQL_TEXT;
        out->u.text.s = (const char *)p;
        out->u.text.len = (size_t)len;
        return 0;
    }
    if (len == 0 && id != PP_CQL_T_CUSTOM && id != PP_CQL_T_UNKNOWN) return 0; /* empty */
    switch (id) {
    case PP_CQL_T_INT:
        if (len != 4) return PP_EPROTO;
        out->kind = PP_CQL_INT;
        out->u.i32 = (int32_t)pp_cql_be32(p);
        return 0;
    case PP_CQL_T_BIGINT:
    case PP_CQL_T_COUNTER:
    case PP_CQL_T_TIMESTAMP:
        if (len != 8) return PP_EPROTO;
        out->kind = id == PP_CQL_T_TIMESTAMP ? PP_CQL_TIMESTAMP : PP_CQL_BIGINT;
        out->u.i64 = (int64_t)pp_cql_be64(p);
        return 0;
    case PP_CQL_T_BOOLEAN:
        if (len != 1) return PP_EPROTO;
        out->kind = PP_CQL_BOOLEAN;
        out->u.b = p[0] != 0;
        return 0;
    case PP_CQL_T_LIST:
    case PP_CQL_T_SET:
        if (t->nsub == 1 && is_text_id(t->sub[0].id)) return decode_text_list(t, p, len, a, out);
        break;
    default: break;
    }
    out->kind = PP_CQL_OTHER;
    out->u.text.s = (const char *)p;
    out->u.text.len = (size_t)len;
    return 0;
}
