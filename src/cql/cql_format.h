/* cql_format — renders any serialized CQL value as text, as cqlsh shows it:
 * numbers, 'quoted' text inside collections, ISO timestamps, uuids, inet
 * addresses, [lists], {sets}, {maps: ...}, (tuples), {udt: ...}, 0x blobs.
 * For `pinpipe cql` and for messages; bounds-checked like every decoder.
 */
#ifndef PINPIPE_CQL_FORMAT_H
#define PINPIPE_CQL_FORMAT_H

#include <stdint.h>

#include "cql/cql_type.h"
#include "cql/cql_wire.h"

/* Appends the text of the value p/len (len < 0: null, shown as "null") of type t to
 * out, without a NUL. 0, or PP_EPROTO when the bytes are malformed for t (out then
 * holds a partial rendering), or out->err. */
int pp_cql_format(const pp_cql_type *t, const uint8_t *p, int32_t len, pp_cql_buf *out);

/* Milliseconds since the epoch as "2024-01-31 12:00:00.000Z" into buf (>= 32 bytes). */
void pp_cql_format_timestamp(int64_t ms, char *buf, size_t n);

#endif
