/* batch_join_read — a day's sides read back from the batch's own tables into a set of
 * posts (join/join_set.h): the finalize of a sharded day joins here, since the sides
 * of one post are in different shards (pins by unique_id, geo and users by ind).
 *
 *   geo    (ind, country) of event_day
 *   users  (ind, user_name, age, date_joined) of event_day
 *   pins   (ind, unique_id, category, follower_count) of event_day; a pin joins
 *          only a post with a geo or user (a post of pins only contributes nothing)
 *
 * The tables hold exactly the first occurrences the shards kept, so the posts are
 * those a whole-day run builds while cleaning (batch_day.c). Read a page at a time (memory: the
 * posts, not the rows).
 *
 * Ownership: the session (in the batch keyspace) and the set are the caller's.
 */
#ifndef PINPIPE_BATCH_JOIN_READ_H
#define PINPIPE_BATCH_JOIN_READ_H

#include <stddef.h>

#include "cql/cql_session.h"
#include "join/join_set.h"

/* *sides gets the number of rows read. */
int pp_batch_join_read_day(pp_cql_session *cql, const char *keyspace, const char *day, pp_join_set *j, size_t *sides,
                           char *err, size_t errlen);

#endif
