/* cql_codec — values to and from their protocol serialization (spec section 6).
 *
 * Encoding writes a bound value as a [value] for a column of a known type (from a
 * prepared statement's metadata) or, without a type, by the value's own kind.
 * Decoding turns one cell of a row into a pp_cql_value, checking its structure.
 */
#ifndef PINPIPE_CQL_CODEC_H
#define PINPIPE_CQL_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_arena.h"
#include "cql/cql_type.h"
#include "cql/cql_value.h"
#include "cql/cql_wire.h"

/* Appends v as a [value] (int length + bytes; null is length -1) for a column of
 * type t; t == NULL serializes by v's own kind. Widening is allowed (int to bigint
 * or timestamp, bigint to timestamp, list and set of text interchangeably, text to
 * blob); any other mismatch is PP_EINVAL with a message. PP_ENOMEM if b fails. */
int pp_cql_value_encode(pp_cql_buf *b, const pp_cql_value *v, const pp_cql_type *t, char *err, size_t errlen);

/* Decodes a cell of type t: p/len is its [bytes] payload (len < 0: null). p must
 * outlive out and be followed by a NUL byte (pp_cql_arena_strndup gives both): text,
 * blob and OTHER values point into it. List items are copied into a.
 * Empty (len 0) values of non-text, non-blob types read as null.
 * Returns 0, PP_EPROTO (malformed for its type) or PP_ENOMEM. */
int pp_cql_value_decode(const pp_cql_type *t, const uint8_t *p, int32_t len, pp_cql_arena *a, pp_cql_value *out);

#endif
