/* Helpers shared by the CQL client's unit tests: building types and response frames
 * by hand, exactly as a server would put them on the wire. Header-only (static). */
#ifndef PINPIPE_CQL_TEST_SUPPORT_H
#define PINPIPE_CQL_TEST_SUPPORT_H

#include <stdint.h>
#include <string.h>

#include "cql/cql_frame.h"
#include "cql/cql_type.h"
#include "cql/cql_wire.h"

/* Native types and list<T>/set<T> of a native element type. */
static inline pp_cql_type t_native(uint16_t id) {
    pp_cql_type t;
    memset(&t, 0, sizeof t);
    t.id = id;
    return t;
}
static inline pp_cql_type t_coll(uint16_t id, pp_cql_type *elem) {
    pp_cql_type t = t_native(id);
    t.nsub = 1;
    t.sub = elem;
    return t;
}

/* A response frame: header then body. */
static inline void put_response(pp_cql_buf *out, int16_t stream, uint8_t opcode, uint8_t flags,
                                const pp_cql_buf *body) {
    pp_cql_put_u8(out, PP_CQL_V4_RESPONSE);
    pp_cql_put_u8(out, flags);
    pp_cql_put_u16(out, (uint16_t)stream);
    pp_cql_put_u8(out, opcode);
    pp_cql_put_i32(out, (int32_t)body->len);
    pp_cql_put_raw(out, body->data, body->len);
}

static inline void put_str(pp_cql_buf *b, const char *s) { pp_cql_put_string(b, s, strlen(s)); }
static inline void put_cell(pp_cql_buf *b, const void *p, int32_t n) {
    if (n < 0)
        pp_cql_put_i32(b, n);
    else
        pp_cql_put_bytes(b, p, (size_t)n);
}

/* Column-type options. */
static inline void put_opt(pp_cql_buf *b, uint16_t id) { pp_cql_put_u16(b, id); }
static inline void put_opt_coll(pp_cql_buf *b, uint16_t id, uint16_t elem) {
    pp_cql_put_u16(b, id);
    pp_cql_put_u16(b, elem);
}

/* An ERROR body. */
static inline void body_error(pp_cql_buf *b, int32_t code, const char *msg) {
    pp_cql_put_i32(b, code);
    put_str(b, msg);
}

#endif
