/* join_set — every post (event day, ind) of some input, in memory: how the batch and
 * `pinpipe metrics` join (the stream keeps its posts in PostgreSQL instead).
 * Feed it each new side (first occurrences only), then emit the join's metrics once,
 * when every side is in. Memory: one small record per post plus its pins' ids.
 * The set owns its posts.
 */
#ifndef PINPIPE_JOIN_SET_H
#define PINPIPE_JOIN_SET_H

#include <stddef.h>
#include <stdint.h>

#include "join/join.h"

typedef struct pp_join_set pp_join_set;

pp_join_set *pp_join_set_create(void);
void pp_join_set_destroy(pp_join_set *s);
/* The post of (day, ind), created empty when new. */
pp_join_post *pp_join_set_post(pp_join_set *s, const char *day, int64_t ind);
size_t pp_join_set_size(const pp_join_set *s);
/* pp_join_post_metrics of every post. */
void pp_join_set_metrics(const pp_join_set *s, pp_metric_emit_fn emit, void *ctx);

#endif
