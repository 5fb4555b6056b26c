/* batch_join — the posts of one day, gathered side by side, and the join metrics
 * they contribute (docs/joins.md; the metrics themselves: join/join.h).
 *
 * A post is (event day, ind): the day is the collector's, so a post is found by its
 * ind. The caller adds each side once (first occurrence: it de-duplicated already)
 * and, when every side of the day is in, emits pp_join_post_metrics of every post.
 * The whole-day run feeds it the cleaned records as it cleans them; the finalize of
 * a sharded day feeds it the day's pins, geo and users rows read back from Cassandra
 * (batch_join_read.h), because the sides of one post are spread over every shard.
 *
 * join_unmatched is a sum that may come out 0 for a day (every side met); such a
 * row is not emitted, as the stream keeps none (docs/joins.md).
 *
 * Ownership: the collector owns its posts (copies of the strings).
 */
#ifndef PINPIPE_BATCH_JOIN_H
#define PINPIPE_BATCH_JOIN_H

#include <stddef.h>
#include <stdint.h>

#include "join/join.h"
#include "metrics/metrics.h"

typedef struct pp_batch_join pp_batch_join;

pp_batch_join *pp_batch_join_create(const char *day);
void pp_batch_join_destroy(pp_batch_join *j);

/* The post of ind, made empty when new. */
pp_join_post *pp_batch_join_post(pp_batch_join *j, int64_t ind);
size_t pp_batch_join_count(const pp_batch_join *j);

/* Every post's pp_join_post_metrics, in ind order; a join_unmatched value of 0 is
 * not passed on. */
void pp_batch_join_emit(const pp_batch_join *j, pp_metric_emit_fn emit, void *ctx);

#endif
