/* stream_sides — the geo and user rows of a micro-batch (docs/joins.md), stored in
 * the batch's transaction (stream_sink.h).
 *
 * First occurrence wins per (kind, event day, ind): of the batch's kept, cleaned
 * geo (user) items the first of each (event day, ind) in Kafka order (partition,
 * then offset) is a candidate; one INSERT per kind of all candidates
 * (unnest of array parameters, ON CONFLICT (event_day, ind) DO NOTHING RETURNING
 * the keys) stores those the table does not hold, and what it returns are the new
 * ones. The caller holds the posts' locks (stream_join.h), so no other writer can
 * be inserting the same key meanwhile.
 */
#ifndef PINPIPE_STREAM_SIDES_H
#define PINPIPE_STREAM_SIDES_H

#include <stddef.h>
#include <stdint.h>

#include "pg/pg_conn.h"
#include "stream/stream_batch.h"

/* keep[i]: item i is stored by this transaction. Sets is_new[i] for every geo and
 * user item that is new; *n_new and *n_dup (may be NULL) get the counts. A value
 * PostgreSQL refuses (or a text holding a NUL byte) is PP_EREFUSED, so the store
 * isolates the record (stream_store.h). */
int pp_stream_sides_store(pp_pg *pg, const pp_stream_batch *b, const char *keep, char *is_new, uint64_t *n_new,
                          uint64_t *n_dup, char *err, size_t errlen);

#endif
