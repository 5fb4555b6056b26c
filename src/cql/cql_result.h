/* cql_result — a decoded RESULT message (spec 4.2.5): Void, Rows, Set_keyspace,
 * Prepared or Schema_change, with typed getters for rows.
 *
 * Ownership: a pp_cql_result owns everything it holds (one arena plus the cell
 * array); every pointer a getter returns lives until pp_cql_result_destroy. The
 * caller that receives a result owns it. Decoding copies what it keeps, so the
 * frame body can be freed right after pp_cql_result_decode.
 *
 * Getters return 0; PP_ENOTFOUND when the cell is null (outputs zeroed); PP_EINVAL
 * when row/column are out of range or the column's type does not match the getter.
 * Cassandra stores empty collections as null, so an empty list reads as null.
 */
#ifndef PINPIPE_CQL_RESULT_H
#define PINPIPE_CQL_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cql/cql_type.h"
#include "cql/cql_value.h"

typedef enum {
    PP_CQL_RESULT_VOID = 0x0001,
    PP_CQL_RESULT_ROWS = 0x0002,
    PP_CQL_RESULT_SET_KEYSPACE = 0x0003,
    PP_CQL_RESULT_PREPARED = 0x0004,
    PP_CQL_RESULT_SCHEMA_CHANGE = 0x0005
} pp_cql_result_kind;

typedef struct {
    const char *keyspace, *table; /* "" when the server sent no metadata */
    const char *name;
    pp_cql_type type; /* PP_CQL_T_UNKNOWN when the server sent no metadata */
} pp_cql_column;

typedef struct pp_cql_result pp_cql_result;

/* Decodes a RESULT body. 0, or PP_EPROTO (malformed; message in err) / PP_ENOMEM. */
int pp_cql_result_decode(const uint8_t *body, size_t len, pp_cql_result **out, char *err, size_t errlen);
void pp_cql_result_destroy(pp_cql_result *r);

/* Appends src's rows to dst (both Rows with the same column count) and takes src's
 * paging state; src is consumed (destroyed) in every case. 0 or PP_EINVAL/PP_ENOMEM. */
int pp_cql_result_append(pp_cql_result *dst, pp_cql_result *src, char *err, size_t errlen);

pp_cql_result_kind pp_cql_result_kind_of(const pp_cql_result *r);

/* Rows (for other kinds: 0 columns, 0 rows). */
size_t pp_cql_result_ncols(const pp_cql_result *r);
size_t pp_cql_result_nrows(const pp_cql_result *r);
const pp_cql_column *pp_cql_result_column(const pp_cql_result *r, size_t col); /* NULL: range */
int pp_cql_result_column_index(const pp_cql_result *r, const char *name);      /* -1: none */
/* More pages after this one? Then the paging state to ask for the next. */
bool pp_cql_result_has_more(const pp_cql_result *r);
void pp_cql_result_paging_state(const pp_cql_result *r, const uint8_t **p, size_t *len);

/* The decoded value (NULL when out of range) and the raw serialized bytes
 * (*len < 0 for null; bytes are followed by a NUL). */
const pp_cql_value *pp_cql_result_value(const pp_cql_result *r, size_t row, size_t col);
int pp_cql_result_raw(const pp_cql_result *r, size_t row, size_t col, const uint8_t **p, int32_t *len);
/* 1 null, 0 not null, PP_EINVAL out of range. */
int pp_cql_result_is_null(const pp_cql_result *r, size_t row, size_t col);

/* text/varchar/ascii: NUL-terminated, len may be NULL. */
int pp_cql_result_get_text(const pp_cql_result *r, size_t row, size_t col, const char **s, size_t *len);
int pp_cql_result_get_int(const pp_cql_result *r, size_t row, size_t col, int32_t *out);
/* bigint, counter; also int, widened. */
int pp_cql_result_get_bigint(const pp_cql_result *r, size_t row, size_t col, int64_t *out);
int pp_cql_result_get_bool(const pp_cql_result *r, size_t row, size_t col, bool *out);
/* milliseconds since the epoch */
int pp_cql_result_get_timestamp(const pp_cql_result *r, size_t row, size_t col, int64_t *out);
/* list<text> or set<text>: items NUL-terminated; lens may be NULL. */
int pp_cql_result_get_list(const pp_cql_result *r, size_t row, size_t col, const char *const **items,
                           const size_t **lens, size_t *count);

/* Set_keyspace: the keyspace; NULL for other kinds. */
const char *pp_cql_result_keyspace(const pp_cql_result *r);

/* Schema_change: change ("CREATED"...), target ("TABLE"...), keyspace, and name
 * (table/type/function; "" for a keyspace). 0, or PP_EINVAL for other kinds. */
int pp_cql_result_schema_change(const pp_cql_result *r, const char **change, const char **target, const char **keyspace,
                                const char **name);

/* Prepared: the statement id and its bind markers. For the result columns the
 * statement returns, use the Rows getters (ncols/column). */
int pp_cql_result_prepared_id(const pp_cql_result *r, const uint8_t **id, size_t *len);
size_t pp_cql_result_nbind(const pp_cql_result *r);
const pp_cql_column *pp_cql_result_bind(const pp_cql_result *r, size_t i);

#endif
