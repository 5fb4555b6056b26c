/* stream_join — the join's state in PostgreSQL: the posts a micro-batch touches and
 * the change it makes to their join metrics (docs/joins.md, docs/stream.md).
 *
 * A post is (event day, ind). In the batch's transaction, BEFORE it writes a side:
 *   1. lock: first the join's gate (one fixed advisory key), shared; then
 *      pg_advisory_xact_lock on the 64-bit key of every post the batch's kept,
 *      cleaned records touch, in ascending key order, in one statement. Every
 *      instance locks a post before it reads or writes the post's sides, so two
 *      instances owning different partitions (a post's pins, geo and user are in
 *      different topics) see each other's sides: the second waits for the first's
 *      COMMIT and then reads what it stored. One order everywhere: no deadlock.
 *      Every lock is an entry in PostgreSQL's shared lock table, which holds about
 *      max_locks_per_transaction x max_connections (64 x 100 by default) for all
 *      sessions together; a batch touching more than max_locks posts takes the gate
 *      exclusively instead and no post lock (it then excludes every other writer of
 *      sides until it commits; max_locks 0: always).
 *   2. load: the post's stored sides into `before` — its geo and user, and its
 *      pins when it has a geo or a user stored or in the batch. A post with neither
 *      has no joined record before or after, and every pin counts the same
 *      (join_unmatched) whatever the others are: its stored pins change nothing in
 *      the delta, and pin-only input does not read them back.
 *   3. delta (after the batch's sides are stored and is_new known): `after` is a
 *      copy of `before` with the batch's new sides; pp_join_post_delta(before,
 *      after) is what the batch adds to the metrics.
 * The lock key is FNV-1a 64 over the day's 10 characters and the ind's 8 bytes
 * little-endian: every build and every instance agree on it.
 *
 * Ownership: pp_stream_posts owns its posts; it borrows the batch.
 */
#ifndef PINPIPE_STREAM_JOIN_H
#define PINPIPE_STREAM_JOIN_H

#include <stddef.h>
#include <stdint.h>

#include "metrics/metrics.h"
#include "pg/pg_conn.h"
#include "stream/stream_batch.h"

typedef struct pp_stream_posts pp_stream_posts;

/* The posts of b's items i with keep[i] and a cleaned record. */
pp_stream_posts *pp_stream_posts_of(const pp_stream_batch *b, const char *keep);
void pp_stream_posts_free(pp_stream_posts *ps);
size_t pp_stream_posts_count(const pp_stream_posts *ps);

/* The advisory lock key of a post (day: "YYYY-MM-DD"). */
int64_t pp_stream_post_lock_key(const char *day, int64_t ind);

/* The gate's advisory key. */
#define PP_STREAM_JOIN_GATE_KEY INT64_C(0x70696e706970656a) /* "pinpipej" */

/* Steps 1 and 2 above. */
int pp_stream_posts_lock(pp_pg *pg, pp_stream_posts *ps, size_t max_locks, char *err, size_t errlen);
int pp_stream_posts_load(pp_pg *pg, pp_stream_posts *ps, char *err, size_t errlen);

/* Step 3: is_new[i] marks the items whose side is new (stored by this batch). */
void pp_stream_posts_delta(const pp_stream_posts *ps, const char *is_new, pp_metric_emit_fn emit, void *ctx);

#endif
