/* cql_type — column types as the protocol describes them ([option], spec 4.2.5.2):
 * a tree (list<text>, map<text,int>, tuples, UDTs) decoded from result metadata.
 *
 * Types live in the arena of the result (or prepared statement) that decoded them.
 */
#ifndef PINPIPE_CQL_TYPE_H
#define PINPIPE_CQL_TYPE_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_arena.h"
#include "cql/cql_wire.h"

enum {
    PP_CQL_T_CUSTOM = 0x0000,
    PP_CQL_T_ASCII = 0x0001,
    PP_CQL_T_BIGINT = 0x0002,
    PP_CQL_T_BLOB = 0x0003,
    PP_CQL_T_BOOLEAN = 0x0004,
    PP_CQL_T_COUNTER = 0x0005,
    PP_CQL_T_DECIMAL = 0x0006,
    PP_CQL_T_DOUBLE = 0x0007,
    PP_CQL_T_FLOAT = 0x0008,
    PP_CQL_T_INT = 0x0009,
    PP_CQL_T_TIMESTAMP = 0x000B,
    PP_CQL_T_UUID = 0x000C,
    PP_CQL_T_VARCHAR = 0x000D,
    PP_CQL_T_VARINT = 0x000E,
    PP_CQL_T_TIMEUUID = 0x000F,
    PP_CQL_T_INET = 0x0010,
    PP_CQL_T_DATE = 0x0011,
    PP_CQL_T_TIME = 0x0012,
    PP_CQL_T_SMALLINT = 0x0013,
    PP_CQL_T_TINYINT = 0x0014,
    PP_CQL_T_DURATION = 0x0015, /* v5 servers may still describe it */
    PP_CQL_T_LIST = 0x0020,
    PP_CQL_T_MAP = 0x0021,
    PP_CQL_T_SET = 0x0022,
    PP_CQL_T_UDT = 0x0030,
    PP_CQL_T_TUPLE = 0x0031,
    PP_CQL_T_UNKNOWN = 0xFFFF /* no metadata was sent for this column */
};

/* Nesting deeper than this is rejected as malformed (bounds decoder recursion). */
#define PP_CQL_TYPE_MAX_DEPTH 16

typedef struct pp_cql_type {
    uint16_t id;              /* PP_CQL_T_* (unknown ids decode as given) */
    uint16_t nsub;            /* list/set: 1, map: 2, tuple/UDT: number of fields */
    struct pp_cql_type *sub;  /* nsub element types */
    const char **field_names; /* UDT only: nsub names */
    const char *custom;       /* CUSTOM: class name; UDT: "keyspace.name"; else NULL */
} pp_cql_type;

/* Reads one [option] type. 0 or PP_EPROTO (truncated, too deep) / PP_ENOMEM. */
int pp_cql_type_decode(pp_cql_rd *r, pp_cql_arena *a, pp_cql_type *out);

/* Writes the CQL name ("list<text>", "map<text, int>") into buf; returns buf. */
const char *pp_cql_type_name(const pp_cql_type *t, char *buf, size_t n);

/* True for ascii, text/varchar. */
int pp_cql_type_is_text(const pp_cql_type *t);

#endif
