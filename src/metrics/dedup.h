/* dedup — the set of (event day, unique_id) pairs already counted.
 * Used offline and by the batch; the stream keeps the same set in PostgreSQL.
 * The set owns copies of its keys.
 */
#ifndef PINPIPE_DEDUP_H
#define PINPIPE_DEDUP_H

#include <stddef.h>

typedef struct pp_dedup pp_dedup;

pp_dedup *pp_dedup_create(void);
void pp_dedup_destroy(pp_dedup *d);
/* Returns 1 when (day, unique_id) is new (and remembers it), 0 when seen before. */
int pp_dedup_add(pp_dedup *d, const char *day, const char *unique_id);
size_t pp_dedup_size(const pp_dedup *d);

#endif
