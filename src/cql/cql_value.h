/* cql_value — the values pinpipe binds to CQL statements and reads back from rows.
 *
 * A pp_cql_value is a small tagged union. It never owns memory: text, blob and list
 * items point at memory owned by whoever built the value — the caller for values it
 * binds (they need only live until the submit/query call returns: the request is
 * encoded at once), the pp_cql_result for values read from rows (they live as long as
 * the result). Values are always bound as protocol values, never spliced into text.
 *
 * Also here: consistency levels, by their protocol codes.
 */
#ifndef PINPIPE_CQL_VALUE_H
#define PINPIPE_CQL_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum {
    PP_CQL_NULL = 0,  /* null (also how empty values of non-text types read back) */
    PP_CQL_TEXT,      /* text / varchar / ascii: UTF-8 bytes (u.text) */
    PP_CQL_INT,       /* int: 32-bit (u.i32) */
    PP_CQL_BIGINT,    /* bigint / counter: 64-bit (u.i64) */
    PP_CQL_BOOLEAN,   /* boolean (u.b) */
    PP_CQL_TIMESTAMP, /* timestamp: milliseconds since 1970-01-01T00:00:00Z (u.i64) */
    PP_CQL_LIST_TEXT, /* list<text> (u.list) */
    PP_CQL_SET_TEXT,  /* set<text> (u.list) */
    PP_CQL_BLOB,      /* blob: raw bytes (u.text) */
    PP_CQL_OTHER      /* read only: a column type without a typed getter; u.text holds
                         its serialized bytes (see cql_format.h to render them) */
} pp_cql_kind;

typedef struct {
    pp_cql_kind kind;
    union {
        struct {
            const char *s; /* values read from rows are also NUL-terminated */
            size_t len;
        } text;
        int32_t i32;
        int64_t i64;
        bool b;
        struct {
            const char *const *items; /* each NUL-terminated unless lens says otherwise */
            const size_t *lens;       /* may be NULL when binding: strlen(items[i]) */
            size_t count;
        } list;
    } u;
} pp_cql_value;

/* Constructors for bound values. pp_cql_text(NULL) is a null value. */
static inline pp_cql_value pp_cql_null(void) {
    pp_cql_value v;
    memset(&v, 0, sizeof v);
    v.kind = PP_CQL_NULL;
    return v;
}
static inline pp_cql_value pp_cql_textn(const char *s, size_t len) {
    pp_cql_value v = pp_cql_null();
    if (!s) return v;
    v.kind = PP_CQL_TEXT;
    v.u.text.s = s;
    v.u.text.len = len;
    return v;
}
static inline pp_cql_value pp_cql_text(const char *s) { return pp_cql_textn(s, s ? strlen(s) : 0); }
static inline pp_cql_value pp_cql_blob(const void *p, size_t len) {
    pp_cql_value v = pp_cql_textn(p ? (const char *)p : "", len);
    v.kind = PP_CQL_BLOB;
    return v;
}
static inline pp_cql_value pp_cql_int(int32_t i) {
    pp_cql_value v = pp_cql_null();
    v.kind = PP_CQL_INT;
    v.u.i32 = i;
    return v;
}
static inline pp_cql_value pp_cql_bigint(int64_t i) {
    pp_cql_value v = pp_cql_null();
    v.kind = PP_CQL_BIGINT;
    v.u.i64 = i;
    return v;
}
static inline pp_cql_value pp_cql_timestamp(int64_t ms) {
    pp_cql_value v = pp_cql_null();
    v.kind = PP_CQL_TIMESTAMP;
    v.u.i64 = ms;
    return v;
}
static inline pp_cql_value pp_cql_bool(bool b) {
    pp_cql_value v = pp_cql_null();
    v.kind = PP_CQL_BOOLEAN;
    v.u.b = b;
    return v;
}
static inline pp_cql_value pp_cql_list_text(const char *const *items, size_t count) {
    pp_cql_value v = pp_cql_null();
    v.kind = PP_CQL_LIST_TEXT;
    v.u.list.items = items;
    v.u.list.lens = NULL;
    v.u.list.count = count;
    return v;
}
static inline pp_cql_value pp_cql_set_text(const char *const *items, size_t count) {
    pp_cql_value v = pp_cql_list_text(items, count);
    v.kind = PP_CQL_SET_TEXT;
    return v;
}

/* "text", "int", ... for messages. */
const char *pp_cql_kind_name(pp_cql_kind kind);

/* Consistency levels ([consistency] in the spec). */
enum {
    PP_CQL_ANY = 0x0000,
    PP_CQL_ONE = 0x0001,
    PP_CQL_TWO = 0x0002,
    PP_CQL_THREE = 0x0003,
    PP_CQL_QUORUM = 0x0004,
    PP_CQL_ALL = 0x0005,
    PP_CQL_LOCAL_QUORUM = 0x0006,
    PP_CQL_EACH_QUORUM = 0x0007,
    PP_CQL_SERIAL = 0x0008,
    PP_CQL_LOCAL_SERIAL = 0x0009,
    PP_CQL_LOCAL_ONE = 0x000A
};
/* "LOCAL_ONE" (any case) -> code; -1 when unknown. */
int pp_cql_consistency_parse(const char *name);
/* code -> "LOCAL_ONE"; "UNKNOWN" when unknown. */
const char *pp_cql_consistency_name(int code);

#endif
