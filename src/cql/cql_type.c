#include "cql/cql_type.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"

static int decode_depth(pp_cql_rd *r, pp_cql_arena *a, pp_cql_type *out, int depth);

static int decode_subs(pp_cql_rd *r, pp_cql_arena *a, pp_cql_type *out, uint16_t n, int names, int depth) {
    /* every sub-type takes at least 2 bytes: refuse counts the body cannot hold */
    if ((size_t)n * 2 > pp_cql_rd_left(r)) return PP_EPROTO;
    out->nsub = n;
    out->sub = pp_cql_arena_alloc(a, (size_t)n * sizeof *out->sub);
    if (!out->sub) return PP_ENOMEM;
    if (names) {
        out->field_names = pp_cql_arena_alloc(a, (size_t)n * sizeof *out->field_names);
        if (!out->field_names) return PP_ENOMEM;
    }
    for (uint16_t i = 0; i < n; i++) {
        if (names) {
            const char *s;
            size_t len;
            if (pp_cql_get_string(r, &s, &len)) return PP_EPROTO;
            out->field_names[i] = pp_cql_arena_strndup(a, s, len);
            if (!out->field_names[i]) return PP_ENOMEM;
        }
        int rc = decode_depth(r, a, &out->sub[i], depth + 1);
        if (rc) return rc;
    }
    return 0;
}

static int decode_depth(pp_cql_rd *r, pp_cql_arena *a, pp_cql_type *out, int depth) {
    memset(out, 0, sizeof *out);
    if (depth > PP_CQL_TYPE_MAX_DEPTH) return PP_EPROTO;
    if (pp_cql_get_u16(r, &out->id)) return PP_EPROTO;
    const char *s, *s2;
    size_t len, len2;
    uint16_t n;
    switch (out->id) {
    case PP_CQL_T_CUSTOM:
        if (pp_cql_get_string(r, &s, &len)) return PP_EPROTO;
        out->custom = pp_cql_arena_strndup(a, s, len);
        return out->custom ? 0 : PP_ENOMEM;
    case PP_CQL_T_LIST:
    case PP_CQL_T_SET: return decode_subs(r, a, out, 1, 0, depth);
    case PP_CQL_T_MAP: return decode_subs(r, a, out, 2, 0, depth);
    case PP_CQL_T_TUPLE:
        if (pp_cql_get_u16(r, &n)) return PP_EPROTO;
        return decode_subs(r, a, out, n, 0, depth);
    case PP_CQL_T_UDT: {
        if (pp_cql_get_string(r, &s, &len) || pp_cql_get_string(r, &s2, &len2) || pp_cql_get_u16(r, &n))
            return PP_EPROTO;
        char *name = pp_cql_arena_alloc(a, len + len2 + 2);
        if (!name) return PP_ENOMEM;
        memcpy(name, s, len);
        name[len] = '.';
        memcpy(name + len + 1, s2, len2);
        name[len + 1 + len2] = '\0';
        out->custom = name;
        return decode_subs(r, a, out, n, 1, depth);
    }
    default: return 0; /* native types carry no value */
    }
}

int pp_cql_type_decode(pp_cql_rd *r, pp_cql_arena *a, pp_cql_type *out) { return decode_depth(r, a, out, 0); }

static const char *native_name(uint16_t id) {
    switch (id) {
    case PP_CQL_T_ASCII: return "ascii";
    case PP_CQL_T_BIGINT: return "bigint";
    case PP_CQL_T_BLOB: return "blob";
    case PP_CQL_T_BOOLEAN: return "boolean";
    case PP_CQL_T_COUNTER: return "counter";
    case PP_CQL_T_DECIMAL: return "decimal";
    case PP_CQL_T_DOUBLE: return "double";
    case PP_CQL_T_FLOAT: return "float";
    case PP_CQL_T_INT: return "int";
    case PP_CQL_T_TIMESTAMP: return "timestamp";
    case PP_CQL_T_UUID: return "uuid";
    case PP_CQL_T_VARCHAR:
    case 0x000A: return "text";
    case PP_CQL_T_VARINT: return "varint";
    case PP_CQL_T_TIMEUUID: return "timeuuid";
    case PP_CQL_T_INET: return "inet";
    case PP_CQL_T_DATE: return "date";
    case PP_CQL_T_TIME: return "time";
    case PP_CQL_T_SMALLINT: return "smallint";
    case PP_CQL_T_TINYINT: return "tinyint";
    case PP_CQL_T_DURATION: return "duration";
    case PP_CQL_T_UNKNOWN: return "?";
    default: return NULL;
    }
}

/* Appends to buf[*pos..n), always NUL-terminated, truncating silently. */
static void append(char *buf, size_t n, size_t *pos, const char *s) {
    while (*s && *pos + 1 < n) buf[(*pos)++] = *s++;
    buf[*pos < n ? *pos : n - 1] = '\0';
}

static void name_into(const pp_cql_type *t, char *buf, size_t n, size_t *pos) {
    const char *native = native_name(t->id);
    if (native) {
        append(buf, n, pos, native);
        return;
    }
    const char *open = NULL;
    switch (t->id) {
    case PP_CQL_T_CUSTOM:
        append(buf, n, pos, "'");
        append(buf, n, pos, t->custom ? t->custom : "");
        append(buf, n, pos, "'");
        return;
    case PP_CQL_T_LIST: open = "list<"; break;
    case PP_CQL_T_SET: open = "set<"; break;
    case PP_CQL_T_MAP: open = "map<"; break;
    case PP_CQL_T_TUPLE: open = "tuple<"; break;
    case PP_CQL_T_UDT: append(buf, n, pos, t->custom ? t->custom : "udt"); return;
    default: {
        char tmp[24];
        snprintf(tmp, sizeof tmp, "type(0x%04x)", t->id);
        append(buf, n, pos, tmp);
        return;
    }
    }
    append(buf, n, pos, open);
    for (uint16_t i = 0; i < t->nsub; i++) {
        if (i) append(buf, n, pos, ", ");
        name_into(&t->sub[i], buf, n, pos);
    }
    append(buf, n, pos, ">");
}

const char *pp_cql_type_name(const pp_cql_type *t, char *buf, size_t n) {
    if (!buf || n == 0) return "";
    size_t pos = 0;
    buf[0] = '\0';
    name_into(t, buf, n, &pos);
    return buf;
}

int pp_cql_type_is_text(const pp_cql_type *t) {
    /* 0x000A was "text" in protocol v1; servers may still describe it so */
    return t && (t->id == PP_CQL_T_VARCHAR || t->id == PP_CQL_T_ASCII || t->id == 0x000A);
}
